/**
 * The metric contract between the handlers and the dashboard and alarms.
 *
 * Handlers emit these through Powertools Metrics (CloudWatch embedded metric format) under
 * `METRIC_NAMESPACE`; Powertools adds the `service` dimension (`METRIC_SERVICE`, from
 * `POWERTOOLS_SERVICE_NAME`) to every metric. The dashboard and the alarms in `lib/` look metrics up
 * by exactly these names and dimension sets, and CloudWatch matches dimensions exactly: a renamed
 * metric or an added dimension leaves a widget empty and an alarm silent. Change a name here, in
 * one place, and both sides follow.
 *
 * Dependency-free on purpose (no CDK, no SDK): Lambda handlers import it too.
 */

/** CloudWatch namespace of every custom metric (`POWERTOOLS_METRICS_NAMESPACE`). */
export const METRIC_NAMESPACE = 'RetentionJourneys';

/** Value of the `service` dimension Powertools adds to every metric (`POWERTOOLS_SERVICE_NAME`). */
export const METRIC_SERVICE = 'retention-journeys';

/** Dimension names. */
export const DIMENSION = {
  service: 'service',
  /** Journey id, as in `journeys/<id>.yaml`. */
  journey: 'journey',
} as const;

/*
 * Only failures are custom metrics. CloudWatch bills every series by the hour it receives data
 * ($0.30 a month for one published every hour, npm run cost): a counter of normal traffic per
 * journey costs $3.30 a month for eleven journeys, a third of the whole stack's bill at 100,000
 * customers. Volumes come free from AWS's own metrics (Lambda invocations per function, SES sends
 * and deliveries per account, Firehose records), and per-journey and per-message numbers (entered,
 * sent, opened, clicked, bounced, goal reached) from the analytics log and its report. A failure
 * series is published only in the hours something fails, so in a healthy month it costs nothing,
 * and it is what the alarms watch.
 */

/** Journey functions, dimensions `service`, `journey`: events the journey refused as malformed. */
export const JOURNEY_REJECTED_METRIC = 'events_rejected';

/** Dispatcher, dimension `service` only: outbox entries that did not go out at once. */
export const OUTBOX_METRICS = {
  failed: 'outbox_failed',
  /** SES did not take the email (throttled, unreachable): deferred with backoff. */
  retrying: 'outbox_retrying',
  /** SES may have taken it (timeout, 5xx, reset): left for its events to settle. */
  unknown: 'outbox_unknown',
} as const;

/** Sweeper, dimension `service` only, published only when not zero. */
export const SWEEPER_METRICS = {
  failed: 'timers_failed',
  /** Outbox entries put back in the queue: a deferred retry fell due. */
  outboxRetried: 'outbox_retried',
  /** Outbox entries resent because no SES event settled them within the grace period. */
  outboxResent: 'outbox_resent',
  /** Outbox entries the sweeper found settled by an SES event (sent after all). */
  outboxSettled: 'outbox_settled',
} as const;

/** Profile and loyalty functions, dimension `service` only: shop events they refused as malformed. */
export const PROFILE_REJECTED_METRIC = 'profile_events_rejected';
export const LOYALTY_REJECTED_METRIC = 'loyalty_events_rejected';

/** Preferences function, dimension `service` only: requests answered with the error page. */
export const PREFERENCES_ERRORS_METRIC = 'preferences_errors';

/**
 * Every metric series the functions publish, for the cost model (bench/cost/series.ts): the
 * dimensions beyond `service` (each distinct value set is a series) and whether a healthy hour
 * publishes it (`traffic`) or only a failure does (`failure`).
 */
export interface EmittedMetric {
  name: string;
  per: 'service' | 'journey';
  when: 'traffic' | 'failure';
}

export const EMITTED_METRICS: readonly EmittedMetric[] = [
  { name: JOURNEY_REJECTED_METRIC, per: 'journey', when: 'failure' },
  ...[
    ...Object.values(OUTBOX_METRICS),
    ...Object.values(SWEEPER_METRICS),
    PROFILE_REJECTED_METRIC,
    LOYALTY_REJECTED_METRIC,
    PREFERENCES_ERRORS_METRIC,
  ].map((name): EmittedMetric => ({ name, per: 'service', when: 'failure' })),
];
