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
  /** Message id within a journey (`messages:` of the definition). */
  message: 'message',
} as const;

/** Journey functions, dimensions `service`, `journey`: what happened to each event they received. */
export const JOURNEY_EVENT_METRICS = {
  applied: 'events_applied',
  unchanged: 'events_unchanged',
  duplicate: 'events_duplicate',
  rejected: 'events_rejected',
} as const;

/** Journey functions, dimensions `service`, `journey`. */
export const JOURNEY_METRICS = {
  entered: 'journey_entered',
  goalReached: 'journey_goal_reached',
} as const;

/** Dispatcher, dimension `service` only: outcome of each outbox entry. */
export const OUTBOX_METRICS = {
  sent: 'outbox_sent',
  published: 'outbox_published',
  skipped: 'outbox_skipped',
  failed: 'outbox_failed',
  /** SES did not take the email (throttled, unreachable): deferred with backoff. */
  retrying: 'outbox_retrying',
  /** SES may have taken it (timeout, 5xx, reset): left for its events to settle. */
  unknown: 'outbox_unknown',
} as const;

/** Dispatcher, dimensions `service`, `journey`, `message`: one per email handed to SES. */
export const EMAILS_SENT_METRIC = 'emails_sent';

/** SES events handler, dimensions `service`, `journey`: one per SES event of a journey's email. */
export const SES_EVENT_METRICS = {
  delivery: 'ses_delivery',
  bounce: 'ses_bounce',
  complaint: 'ses_complaint',
  open: 'ses_open',
  click: 'ses_click',
  reject: 'ses_reject',
  renderingFailure: 'ses_rendering_failure',
} as const;

/** Sweeper, dimension `service` only: timers per run. */
export const SWEEPER_METRICS = {
  due: 'timers_due',
  advanced: 'timers_advanced',
  failed: 'timers_failed',
  /** Outbox entries put back in the queue: a deferred retry fell due. */
  outboxRetried: 'outbox_retried',
  /** Outbox entries resent because no SES event settled them within the grace period. */
  outboxResent: 'outbox_resent',
  /** Outbox entries the sweeper found settled by an SES event (sent after all). */
  outboxSettled: 'outbox_settled',
} as const;

/** The profile and loyalty functions: `<prefix><outcome status>`, dimension `service` only. */
export const PROFILE_EVENT_METRIC_PREFIX = 'profile_events_';
export const LOYALTY_EVENT_METRIC_PREFIX = 'loyalty_events_';
/** Outcome statuses a shop event can have in those functions (erased is not counted). */
export const EVENT_OUTCOMES = ['applied', 'unchanged', 'duplicate', 'rejected'] as const;

/** Analytics recorder, dimension `service` only. */
export const ANALYTICS_RECORDS_METRIC = 'analytics_records_written';

/** Preferences function, dimension `service` only: `preferences_<action>` per request, and errors. */
export const PREFERENCES_ACTIONS = [
  'not-found',
  'refused',
  'unsubscribe-page',
  'unsubscribed',
  'already-unsubscribed',
  'feedback-page',
  'feedback-held',
  'feedback-scanner',
  'feedback-submitted',
  'feedback-duplicate',
  'member-page',
  'member-redeemed',
  'member-repeat',
  'member-refused',
] as const;
export const PREFERENCES_ERRORS_METRIC = 'preferences_errors';

/**
 * Every metric series the functions publish, for the cost model (bench/cost/series.ts): the
 * dimensions beyond `service` (each distinct value set is a series CloudWatch bills) and whether a
 * healthy hour publishes it (`traffic`) or only a failure does (`failure`). CloudWatch bills a series
 * by the hour it receives data, so failure-only series cost nothing in a healthy month.
 */
export interface EmittedMetric {
  name: string;
  /** `function`: Powertools' ColdStart metric, one series per function (`function_name`). */
  per: 'service' | 'journey' | 'message' | 'function';
  when: 'traffic' | 'failure';
}

const each = (names: readonly string[], per: EmittedMetric['per'], when: EmittedMetric['when']) =>
  names.map((name) => ({ name, per, when }));

export const EMITTED_METRICS: readonly EmittedMetric[] = [
  ...each(
    [JOURNEY_EVENT_METRICS.applied, JOURNEY_EVENT_METRICS.unchanged, JOURNEY_EVENT_METRICS.duplicate],
    'journey',
    'traffic',
  ),
  ...each([JOURNEY_EVENT_METRICS.rejected], 'journey', 'failure'),
  ...each(Object.values(JOURNEY_METRICS), 'journey', 'traffic'),
  ...each([OUTBOX_METRICS.sent, OUTBOX_METRICS.published, OUTBOX_METRICS.skipped], 'service', 'traffic'),
  ...each([OUTBOX_METRICS.failed, OUTBOX_METRICS.retrying, OUTBOX_METRICS.unknown], 'service', 'failure'),
  ...each([EMAILS_SENT_METRIC], 'message', 'traffic'),
  ...each(
    [
      SES_EVENT_METRICS.delivery,
      SES_EVENT_METRICS.open,
      SES_EVENT_METRICS.click,
      SES_EVENT_METRICS.bounce,
      SES_EVENT_METRICS.complaint,
    ],
    'journey',
    'traffic',
  ),
  ...each([SES_EVENT_METRICS.reject, SES_EVENT_METRICS.renderingFailure], 'journey', 'failure'),
  // Every sweep publishes all six, zeros included.
  ...each(Object.values(SWEEPER_METRICS), 'service', 'traffic'),
  ...[PROFILE_EVENT_METRIC_PREFIX, LOYALTY_EVENT_METRIC_PREFIX].flatMap((prefix) => [
    ...each(
      EVENT_OUTCOMES.filter((s) => s !== 'rejected').map((s) => prefix + s),
      'service',
      'traffic',
    ),
    ...each([`${prefix}rejected`], 'service', 'failure'),
  ]),
  ...each([ANALYTICS_RECORDS_METRIC], 'service', 'traffic'),
  ...each(
    PREFERENCES_ACTIONS.map((a) => `preferences_${a.replace(/-/g, '_')}`),
    'service',
    'traffic',
  ),
  ...each([PREFERENCES_ERRORS_METRIC], 'service', 'failure'),
  ...each(['ColdStart'], 'function', 'traffic'),
];
