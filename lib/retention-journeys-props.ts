import type { Duration } from 'aws-cdk-lib';
import type { IEventBus } from 'aws-cdk-lib/aws-events';
import type { RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { ITopic } from 'aws-cdk-lib/aws-sns';
import type { JourneyDefinition } from '../functions/core/definition.ts';
import type { AnalyticsOptions } from './analytics-options.ts';
import type { ShopifyConnectorOptions, WebhookConnectorOptions } from './connectors.ts';

/** The source of events the system itself emits; shop events must use another. */
export const SYSTEM_EVENT_SOURCE = 'retention-journeys';

export interface RetentionJourneysProps {
  /**
   * The journey definitions to deploy: one function and one EventBridge rule each. Usually loaded
   * and validated from `journeys/*.yaml` by the catalog builder.
   */
  readonly journeys: readonly JourneyDefinition[];
  /**
   * Absolute path of the runtime catalog (journey definitions, the loyalty program and precompiled
   * templates), copied into every function bundle as `catalog.json` next to the handler. When it holds
   * an enabled loyalty program (`loyalty`, from loyalty.yaml), the loyalty function and its rules are
   * deployed too.
   */
  readonly catalogPath: string;
  /**
   * The verified SES identity emails are sent from: `news@shop.example` or
   * `Shop <news@shop.example>`. Either the address or its domain must be verified in SES.
   */
  readonly senderAddress: string;
  /**
   * The `source` the shop puts on its events.
   * @default - `partnerEventBusName` when one is given (partner events carry the partner event
   * source's name as their source), otherwise 'shop'
   */
  readonly shopEventSource?: string;
  /**
   * The bus the shop publishes to and the system emits on.
   * @default - a new custom event bus
   */
  readonly eventBus?: IEventBus;
  /**
   * Name of a partner event bus in this account and region (the bus you associated with a SaaS
   * partner event source, e.g. `aws.partner/shopify.com/1234567/my-shop`). A rule on it forwards every
   * event of that source to the journeys bus, where they are archived and routed like any shop event;
   * they must use the canonical detail-types and fields (DESIGN.md §5).
   * @default - no partner bus: the shop publishes to the journeys bus directly
   */
  readonly partnerEventBusName?: string;
  /**
   * Locale at the end of every fallback chain (`de-AT -> de -> defaultLocale`), BCP 47.
   * @default 'en'
   */
  readonly defaultLocale?: string;
  /**
   * IANA time zone for customers who have none (quiet hours, send times).
   * @default 'Europe/Berlin'
   */
  readonly defaultTimeZone?: string;
  /**
   * The frequency cap across journeys: at most `maxMarketingEmails` marketing emails per customer in
   * any `per` (a rolling window). A capped message waits for the next free slot, unless its
   * definition says `frequencyCap: skip`. Transactional emails never count.
   * @default 3 marketing emails per Duration.days(7)
   */
  readonly frequencyCap?: FrequencyCap;
  /**
   * Write shards of the timer index; the sweeper queries each once a minute. More shards spread
   * a large number of waiting customers over more partitions.
   * @default DEFAULT_TIMER_SHARDS (4)
   */
  readonly timerShards?: number;
  /**
   * The highest rate, in emails per second, the dispatcher should send at — at most the SES account's
   * maximum send rate (1 in the SES sandbox). It sizes the dispatcher: reserved concurrency is
   * `ceil(sendRatePerSecond / 10)` workers (one worker sends about 10 emails a second back to back),
   * each worker is told its share (`SENDS_PER_SECOND_PER_WORKER`), and a batch holds about five
   * seconds of sending at that share. Throttling above it is retried with backoff.
   * @default 1
   */
  readonly sendRatePerSecond?: number;
  /**
   * An existing SES configuration set to send through. It must publish its events to the default
   * event bus (EventBridge destination), or bounces, complaints, opens and clicks never come back.
   * @default - a new configuration set (TLS required, reputation metrics, bounces and complaints
   * suppressed), whose events reach the SES-events handler
   */
  readonly configurationSetName?: string;
  /** Shop name shown in emails and on the preferences pages (`SHOP_NAME`). @default - the display name of `senderAddress`, else its domain */
  readonly shopName?: string;
  /**
   * The shop's web address, linked from emails and the preferences pages (`SHOP_URL`); https only.
   * @default - `https://<domain of senderAddress>`
   */
  readonly shopUrl?: string;
  /**
   * The shop's postal address (imprint), shown in the footer of every email (`SHOP_ADDRESS`). Marketing
   * email must carry one (CAN-SPAM, imprint duty); bin/app.ts refuses to deploy without it.
   * @default - none: no address in the footer
   */
  readonly shopAddress?: string;
  /** https:// address of the shop's logo, shown in the email header (`SHOP_LOGO_URL`). @default - the shop name as a word mark */
  readonly shopLogoUrl?: string;
  /** The shop's accent colour, `#rrggbb` (`SHOP_BRAND_COLOR`). @default - the templates' own */
  readonly shopBrandColor?: string;
  /**
   * Query parameters added to links into the shop, e.g. `utm_source=newsletter&utm_medium=email&utm_campaign={journey}`
   * (`SHOP_LINK_TRACKING`); `{journey}` and `{message}` stand for the email's.
   * @default - links are not tagged
   */
  readonly shopLinkTracking?: string;
  /**
   * Where every alarm and its return to OK is published. Subscribe your on-call email or chat to it.
   * @default - a new SNS topic, encrypted with a customer-managed KMS key, TLS-only
   */
  readonly alarmTopic?: ITopic;
  /**
   * How long function logs are kept. Storage is not what this costs: at 100,000 customers the
   * functions write about 0.4 GB a month, stored compressed at a tenth of that, so a year of logs
   * costs cents (npm run cost); keep them as long as someone reads them.
   * @default RetentionDays.ONE_MONTH
   */
  readonly logRetention?: RetentionDays;
  /**
   * X-Ray active tracing on every function. Off by default: with X-Ray's default sampling (the
   * first request each second, then 5 %) nearly every invocation of a shop this size is traced, at
   * $5 per million traces — $8.46 a month at 100,000 customers, more than the rest of the stack
   * (npm run cost). Off, a function still traces a request whose caller sampled it (pass-through).
   * @default false
   */
  readonly tracing?: boolean;
  /**
   * How long processed-event (idempotency) records are kept (`RETENTION_DAYS`, DynamoDB TTL). A
   * redelivered or replayed event younger than this is recognised and skipped; so it must be at
   * least `eventArchiveRetention`, or replaying the archive would apply old events twice.
   * @default 30
   */
  readonly idempotencyRetentionDays?: number;
  /**
   * How long the event archive of the journeys bus keeps events for replay, in whole days (1 to
   * 365). The archive holds customer data (addresses, names) that erasure cannot reach, so it is
   * bounded on purpose.
   * @default Duration.days(30)
   */
  readonly eventArchiveRetention?: Duration;
  /**
   * The analytics log and the monthly report (lib/analytics.ts): records of every shop event, system
   * event and email outcome flow through Firehose into S3 as Parquet, described by a Glue table and
   * queried through an Athena workgroup; with `reportRecipients`, the KPI report is emailed on the
   * first of each month. See AnalyticsOptions for each setting.
   * @default - enabled, records kept 25 months, 1000 MB scan limit per query, no monthly report
   */
  readonly analytics?: AnalyticsOptions;
  /**
   * Shopify through its Amazon EventBridge partner event source (lib/connectors.ts): the partner bus
   * is created (associating the source) and its `shopifyWebhook` events are translated into shop
   * events on the journeys bus. Not together with `partnerEventBusName`.
   * @default - no Shopify connector
   */
  readonly shopify?: ShopifyConnectorOptions;
  /**
   * Signed WooCommerce and/or Shopware 6 webhooks on a public Function URL (lib/connectors.ts), with
   * their HMAC keys in a Secrets Manager secret.
   * @default - no webhook receiver
   */
  readonly webhooks?: WebhookConnectorOptions;
}

/** Bad props: the message names the prop and how to fix it. */
export class RetentionJourneysPropsError extends Error {
  override name = 'RetentionJourneysPropsError';
  /** Every problem found, each naming its prop first (`logRetention 45 is not …`). */
  readonly problems: readonly string[];
  constructor(problems: readonly string[]) {
    super(
      problems.length === 1
        ? `RetentionJourneys: ${problems[0]}`
        : `RetentionJourneys: ${problems.length} problems:\n${problems.map((p) => `  - ${p}`).join('\n')}`,
    );
    this.problems = problems;
  }
}

/** One problem found by a check; collected, so every problem is reported at once. */

export interface FrequencyCap {
  /** At most this many marketing emails (1-100)... */
  readonly maxMarketingEmails: number;
  /** ...in any window this long (1 hour to 365 days). */
  readonly per: Duration;
}

/** Validated props with defaults applied. */
