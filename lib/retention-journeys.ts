/**
 * RetentionJourneys: the whole system as one construct. Shop events arrive on an EventBridge bus
 * (optionally forwarded from a partner bus, and archived for replay); one rule and one function per
 * journey definition (routed with the same patterns the local runtime uses), a rule for the
 * customer-profile projection, a sweeper for due timers, a DynamoDB-stream dispatcher that sends the
 * outbox through SES v2 and publishes emitted events, an SES-events handler fed from the default bus,
 * a public preferences endpoint (unsubscribe, feedback), optional shop connectors (Shopify's partner
 * event source, signed WooCommerce/Shopware webhooks: lib/connectors.ts), and the alarms and dashboard
 * watching it all.
 */

import { existsSync, statSync } from 'node:fs';
import { isAbsolute } from 'node:path';
import { Duration, Fn, Stack, Validations } from 'aws-cdk-lib';
import type { TableV2 } from 'aws-cdk-lib/aws-dynamodb';
import {
  type Archive,
  EventBus,
  type EventPattern,
  type IEventBus,
  Rule,
  Schedule,
} from 'aws-cdk-lib/aws-events';
import { EventBus as EventBusTarget, LambdaFunction } from 'aws-cdk-lib/aws-events-targets';
import {
  FilterCriteria,
  FilterRule,
  type FunctionUrl,
  FunctionUrlAuthType,
  HttpMethod,
  InvokeMode,
  StartingPosition,
} from 'aws-cdk-lib/aws-lambda';
import { SqsDestination } from 'aws-cdk-lib/aws-lambda-destinations';
import { DynamoEventSource, SqsDlq } from 'aws-cdk-lib/aws-lambda-event-sources';
import { RetentionDays } from 'aws-cdk-lib/aws-logs';
import { Secret } from 'aws-cdk-lib/aws-secretsmanager';
import type { ITopic } from 'aws-cdk-lib/aws-sns';
import type { Queue } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { DEFAULT_TIMER_SHARDS, TABLE } from '../functions/adapters/table-schema.ts';
import { shopIdentityEnv } from '../functions/config.ts';
import { type JourneyDefinition, journeyDefinitionSchema } from '../functions/core/definition.ts';
import { DEFAULT_FREQUENCY_CAP } from '../functions/core/engine.ts';
import { isLocale } from '../functions/core/locale.ts';
import { REQUEUED_FROM } from '../functions/core/outbox.ts';
import {
  journeyEventPattern,
  journeySystemEventPattern,
  profileEventPattern,
  type EventPattern as RoutingPattern,
} from '../functions/core/routing.ts';
import { BRAND_COLOR, LINK_TRACKING, parseLinkTracking } from '../functions/core/shop.ts';
import { isTimeZone } from '../functions/core/time.ts';
import { METRIC_NAMESPACE, METRIC_SERVICE } from '../functions/metrics.ts';
import { Analytics } from './analytics.ts';
import {
  type AnalyticsOptions,
  type AnalyticsSettings,
  validateAnalyticsOptions,
} from './analytics-options.ts';
import {
  type ConnectorSettings,
  ShopConnectors,
  type ShopifyConnectorOptions,
  validateConnectorOptions,
  type WebhookConnectorOptions,
} from './connectors.ts';
import { deadLetterQueue } from './dead-letter-queue.ts';
import { Email, parseSenderAddress, sesEventPattern } from './email.ts';
import { RetentionFunction } from './function.ts';
import { type MonitoredQueue, Monitoring } from './monitoring.ts';
import { reserveSystemSource } from './system-source-policy.ts';
import { JourneysTable } from './table.ts';

/** Metrics namespace of every function (powertools); see lib/metrics.ts. */
export const METRICS_NAMESPACE = METRIC_NAMESPACE;
/** Service name in logs, traces and metric dimensions (powertools); see lib/metrics.ts. */
export const SERVICE_NAME = METRIC_SERVICE;
/** The source of events the system itself emits; shop events must use another. */
export const SYSTEM_EVENT_SOURCE = 'retention-journeys';
/**
 * Sort-key prefix of outbox entries; must equal `keys.outboxPrefix` in functions/adapters/table-keys.ts
 * (test/infra asserts it). Kept literal so synth does not load the AWS SDK.
 */
export const OUTBOX_PREFIX = 'OUT#';

/**
 * One dispatcher invocation sends its batch one email after another. An SES v2 `SendEmail` round
 * trip takes roughly 100 ms, so one invocation (a "worker") manages about 10 sends per second at most.
 */
export const SENDS_PER_WORKER_PER_SECOND = 10;

/**
 * Concurrency reserved for (and capping) the public preferences endpoint: enough for unsubscribe
 * clicks and mailbox providers' one-click POSTs, small enough that a flood of requests cannot run up
 * the bill or starve the rest of the account.
 */
export const PREFERENCES_RESERVED_CONCURRENCY = 5;

/** Name pattern of partner event sources and their buses (EventBridge `CreatePartnerEventSource`). */
const PARTNER_EVENT_SOURCE = /^aws\.partner(\/[.\-_A-Za-z0-9]+){2,}$/;

export interface RetentionJourneysProps {
  /**
   * The journey definitions to deploy: one function and one EventBridge rule each. Usually loaded
   * and validated from `journeys/*.yaml` by the catalog builder.
   */
  readonly journeys: readonly JourneyDefinition[];
  /**
   * Absolute path of the runtime catalog (journey definitions plus precompiled templates), copied
   * into every function bundle as `catalog.json` next to the handler.
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
   * How long function logs are kept.
   * @default RetentionDays.ONE_MONTH
   */
  readonly logRetention?: RetentionDays;
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
}

export interface FrequencyCap {
  /** At most this many marketing emails (1-100)... */
  readonly maxMarketingEmails: number;
  /** ...in any window this long (1 hour to 365 days). */
  readonly per: Duration;
}

/** Validated props with defaults applied. */
interface Settings {
  journeys: readonly JourneyDefinition[];
  catalogPath: string;
  senderAddress: string;
  sender: { address: string; domain: string };
  shopEventSource: string;
  partnerEventBusName: string | undefined;
  defaultLocale: string;
  defaultTimeZone: string;
  frequencyCap: { max: number; per: string };
  timerShards: number;
  sendRatePerSecond: number;
  configurationSetName: string | undefined;
  shopName: string;
  shopUrl: string;
  shopAddress: string | undefined;
  shopLogoUrl: string | undefined;
  shopBrandColor: string | undefined;
  shopLinkTracking: string | undefined;
  logRetention: RetentionDays;
  idempotencyRetentionDays: number;
  eventArchiveRetentionDays: number;
  analytics: AnalyticsSettings | undefined;
  connectors: ConnectorSettings | undefined;
}

export function validateProps(props: RetentionJourneysProps): Settings {
  const fail = (message: string): never => {
    throw new RetentionJourneysPropsError(`RetentionJourneys: ${message}`);
  };

  if (!Array.isArray(props.journeys)) fail('journeys must be an array of journey definitions');
  const seen = new Set<string>();
  props.journeys.forEach((definition, index) => {
    const parsed = journeyDefinitionSchema.safeParse(definition);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      fail(
        `journeys[${index}] is not a valid journey definition (${issue?.path.join('.') || 'root'}: ${issue?.message}); run \`journeys validate\` and fix the YAML`,
      );
    }
    if (seen.has(definition.id)) {
      fail(`journeys[${index}] repeats the id "${definition.id}"; every journey needs its own id`);
    }
    seen.add(definition.id);
  });

  if (typeof props.catalogPath !== 'string' || !isAbsolute(props.catalogPath)) {
    fail(
      `catalogPath must be an absolute path to catalog.json (got "${props.catalogPath}"); resolve it first`,
    );
  }
  if (!existsSync(props.catalogPath) || !statSync(props.catalogPath).isFile()) {
    fail(`catalogPath "${props.catalogPath}" does not exist; write the catalog (writeCatalog) before synth`);
  }

  const sender = parseSenderAddress(props.senderAddress ?? '');
  if (!sender) {
    fail(
      `senderAddress "${props.senderAddress}" is not an email address; pass the verified SES sender, e.g. news@shop.example or "Shop <news@shop.example>"`,
    );
  }
  const verifiedSender = sender as NonNullable<typeof sender>;

  const partnerEventBusName = props.partnerEventBusName;
  if (
    partnerEventBusName !== undefined &&
    (partnerEventBusName.length > 256 || !PARTNER_EVENT_SOURCE.test(partnerEventBusName))
  ) {
    fail(
      `partnerEventBusName "${partnerEventBusName}" is not a partner event bus name; use the name of the partner event source it is associated with, e.g. aws.partner/shopify.com/1234567/my-shop (EventBridge console > Partner event sources)`,
    );
  }

  const shopEventSource = props.shopEventSource ?? partnerEventBusName ?? 'shop';
  if (partnerEventBusName !== undefined && shopEventSource !== partnerEventBusName) {
    fail(
      `shopEventSource "${shopEventSource}" differs from partnerEventBusName "${partnerEventBusName}": partner events carry their event source's name as source, so journeys would never see them; omit shopEventSource or set it to the partner event source name`,
    );
  }
  const reservedSource = shopEventSource.startsWith('aws.') && shopEventSource !== partnerEventBusName;
  if (!/^[A-Za-z0-9._/-]{1,256}$/.test(shopEventSource) || reservedSource) {
    fail(
      `shopEventSource "${shopEventSource}" is not usable: use 1-256 letters, digits, ".", "_", "/", "-" and not the reserved "aws." prefix (partner sources go through partnerEventBusName)`,
    );
  }
  if (shopEventSource === SYSTEM_EVENT_SOURCE) {
    fail(
      `shopEventSource must differ from "${SYSTEM_EVENT_SOURCE}", the source of the events the system emits`,
    );
  }

  const defaultLocale = props.defaultLocale ?? 'en';
  if (!isLocale(defaultLocale)) {
    fail(`defaultLocale "${defaultLocale}" is not a BCP 47 language tag; use e.g. "en" or "de-DE"`);
  }

  const defaultTimeZone = props.defaultTimeZone ?? 'Europe/Berlin';
  if (!isTimeZone(defaultTimeZone)) {
    fail(`defaultTimeZone "${defaultTimeZone}" is not an IANA time zone; use e.g. "Europe/Berlin"`);
  }

  const capMax = props.frequencyCap?.maxMarketingEmails ?? DEFAULT_FREQUENCY_CAP.max;
  if (!Number.isInteger(capMax) || capMax < 1 || capMax > 100) {
    fail(`frequencyCap.maxMarketingEmails must be a whole number from 1 to 100 (got ${capMax})`);
  }
  const capPer = props.frequencyCap?.per;
  if (
    capPer !== undefined &&
    (capPer.toHours({ integral: false }) < 1 || capPer.toDays({ integral: false }) > 365)
  ) {
    fail(
      `frequencyCap.per must be from Duration.hours(1) to Duration.days(365) (got ${capPer.toHumanString()})`,
    );
  }
  const frequencyCap = { max: capMax, per: capPer?.toIsoString() ?? DEFAULT_FREQUENCY_CAP.per };

  const timerShards = props.timerShards ?? DEFAULT_TIMER_SHARDS;
  if (!Number.isInteger(timerShards) || timerShards < 1 || timerShards > 100) {
    fail(`timerShards must be a whole number from 1 to 100 (got ${timerShards})`);
  }

  const sendRatePerSecond = props.sendRatePerSecond ?? 1;
  if (!Number.isFinite(sendRatePerSecond) || sendRatePerSecond <= 0 || sendRatePerSecond > 1000) {
    fail(
      `sendRatePerSecond must be a number above 0 and at most 1000 (got ${sendRatePerSecond}); use your SES account's maximum send rate`,
    );
  }

  const configurationSetName = props.configurationSetName;
  if (configurationSetName !== undefined && !/^[A-Za-z0-9_-]{1,64}$/.test(configurationSetName)) {
    fail(
      `configurationSetName "${configurationSetName}" is not a valid SES configuration set name (1-64 letters, digits, "_" or "-"); omit it to create one`,
    );
  }

  const shopName = (props.shopName ?? displayName(props.senderAddress) ?? verifiedSender.domain).trim();
  // biome-ignore lint/suspicious/noControlCharactersInRegex: rejecting control characters is the point
  if (shopName.length === 0 || shopName.length > 100 || /[\u0000-\u001f\u007f]/.test(shopName)) {
    fail(
      `shopName "${props.shopName}" must be 1-100 characters on one line; it is shown in emails and on the preferences pages`,
    );
  }

  const shopUrl = props.shopUrl ?? `https://${verifiedSender.domain}`;
  if (!isHttpsUrl(shopUrl)) {
    fail(
      `shopUrl "${shopUrl}" must be an absolute https:// URL without credentials, e.g. https://shop.example; it is linked from every email`,
    );
  }

  const shopAddress = props.shopAddress?.trim() || undefined;
  // biome-ignore lint/suspicious/noControlCharactersInRegex: rejecting control characters is the point
  if (shopAddress !== undefined && (shopAddress.length > 300 || /[\u0000-\u001f\u007f]/.test(shopAddress))) {
    fail(
      `shopAddress "${props.shopAddress}" must be at most 300 characters on one line (street, postcode, city, country); it is the imprint in every email's footer`,
    );
  }
  if (props.shopLogoUrl !== undefined && !isHttpsUrl(props.shopLogoUrl)) {
    fail(
      `shopLogoUrl "${props.shopLogoUrl}" must be an absolute https:// URL of an image; omit it for a word mark`,
    );
  }
  if (props.shopBrandColor !== undefined && !BRAND_COLOR.test(props.shopBrandColor)) {
    fail(`shopBrandColor "${props.shopBrandColor}" must be a colour such as #0f766e`);
  }
  const shopLinkTracking = props.shopLinkTracking?.trim() || undefined;
  if (shopLinkTracking !== undefined && !LINK_TRACKING.test(shopLinkTracking)) {
    fail(
      `shopLinkTracking "${props.shopLinkTracking}" must be query parameters such as utm_source=newsletter&utm_medium=email`,
    );
  }

  const logRetention = props.logRetention ?? RetentionDays.ONE_MONTH;
  const retentionPeriods = Object.values(RetentionDays).filter((v): v is number => typeof v === 'number');
  if (!retentionPeriods.includes(logRetention)) {
    fail(
      `logRetention ${logRetention} is not a CloudWatch Logs retention period; use a RetentionDays value (days: ${retentionPeriods.join(', ')})`,
    );
  }

  const archiveRetention = props.eventArchiveRetention ?? Duration.days(30);
  const eventArchiveRetentionDays = archiveRetention.toMilliseconds() / 86_400_000;
  if (
    !Number.isInteger(eventArchiveRetentionDays) ||
    eventArchiveRetentionDays < 1 ||
    eventArchiveRetentionDays > 365
  ) {
    fail(
      `eventArchiveRetention must be whole days from Duration.days(1) to Duration.days(365) (got ${archiveRetention.toHumanString()}); archived events hold customer data that erasure cannot reach`,
    );
  }

  const idempotencyRetentionDays = props.idempotencyRetentionDays ?? 30;
  if (
    !Number.isInteger(idempotencyRetentionDays) ||
    idempotencyRetentionDays < 1 ||
    idempotencyRetentionDays > 3650
  ) {
    fail(`idempotencyRetentionDays must be a whole number from 1 to 3650 (got ${idempotencyRetentionDays})`);
  }
  if (idempotencyRetentionDays < eventArchiveRetentionDays) {
    fail(
      `idempotencyRetentionDays (${idempotencyRetentionDays}) is shorter than eventArchiveRetention (${eventArchiveRetentionDays} days): replaying archived events older than ${idempotencyRetentionDays} days would apply them twice; raise idempotencyRetentionDays or shorten eventArchiveRetention`,
    );
  }

  return {
    journeys: props.journeys,
    catalogPath: props.catalogPath,
    senderAddress: props.senderAddress.trim(),
    sender: verifiedSender,
    shopEventSource,
    partnerEventBusName,
    defaultLocale,
    defaultTimeZone,
    frequencyCap,
    timerShards,
    sendRatePerSecond,
    configurationSetName,
    shopName,
    shopUrl,
    shopAddress,
    shopLogoUrl: props.shopLogoUrl,
    shopBrandColor: props.shopBrandColor,
    shopLinkTracking,
    logRetention,
    idempotencyRetentionDays,
    eventArchiveRetentionDays,
    analytics: validateAnalyticsOptions(props.analytics, fail),
    connectors: validateConnectorOptions(props, fail),
  };
}

/** How the dispatcher is sized from the send rate (see `sendRatePerSecond`). */
export function dispatcherSizing(sendRatePerSecond: number): {
  reservedConcurrency: number;
  sendsPerSecondPerWorker: number;
  batchSize: number;
} {
  const reservedConcurrency = Math.max(1, Math.ceil(sendRatePerSecond / SENDS_PER_WORKER_PER_SECOND));
  const sendsPerSecondPerWorker = sendRatePerSecond / reservedConcurrency;
  const batchSize = Math.min(25, Math.max(1, Math.ceil(sendsPerSecondPerWorker * 5)));
  return { reservedConcurrency, sendsPerSecondPerWorker, batchSize };
}

/** A dead-letter queue with what it holds and how it is redriven (README, "Redrive"). */
export interface DeadLetterQueueInfo extends MonitoredQueue {
  readonly queue: Queue;
  /**
   * `sqs`: plain messages (events or async invocation records), redriven with
   * `aws sqs start-message-move-task`. `stream`: metadata of failed DynamoDB stream batches (shard,
   * sequence numbers), redriven by re-dispatching the outbox entries they point at.
   */
  readonly redrive: 'sqs' | 'stream';
}

export class RetentionJourneys extends Construct {
  readonly eventBus: IEventBus;
  /** Every event on the journeys bus, kept for `eventArchiveRetention` for replay. */
  readonly archive: Archive;
  readonly table: TableV2;
  readonly signingSecret: Secret;
  readonly email: Email;
  readonly journeyFunctions: ReadonlyMap<string, RetentionFunction>;
  readonly profileFunction: RetentionFunction;
  readonly sweeperFunction: RetentionFunction;
  readonly dispatcherFunction: RetentionFunction;
  readonly sesEventsFunction: RetentionFunction;
  readonly preferencesFunction: RetentionFunction;
  /** Public endpoint of the preferences function (unsubscribe, feedback). */
  readonly preferencesUrl: FunctionUrl;
  /** Failed outbox stream batches (metadata pointing at the stream records). */
  readonly dispatcherDeadLetterQueue: Queue;
  /** Every dead-letter queue of the construct, keyed by label. */
  readonly deadLetterQueues: ReadonlyMap<string, DeadLetterQueueInfo>;
  readonly monitoring: Monitoring;
  /** The analytics log and monthly report; undefined when `analytics.enabled` is false. */
  readonly analytics: Analytics | undefined;
  /** Shopify, WooCommerce and Shopware connectors; undefined when none is configured. */
  readonly connectors: ShopConnectors | undefined;

  private readonly dlqs = new Map<string, DeadLetterQueueInfo>();

  constructor(scope: Construct, id: string, props: RetentionJourneysProps) {
    super(scope, id);
    const settings = validateProps(props);
    this.deadLetterQueues = this.dlqs;

    this.eventBus =
      props.eventBus ?? new EventBus(this, 'EventBus', { description: 'Shop events and journey events' });
    // Everything on the bus (the account pattern matches every event), so a fixed handler can be fed
    // the events it failed on: `aws events start-replay` (README, "Replaying events").
    this.archive = this.eventBus.archive('Archive', {
      description: 'Shop and journey events, for replay after a fix',
      eventPattern: { account: [Stack.of(this).account] },
      retention: Duration.days(settings.eventArchiveRetentionDays),
    });
    if (settings.partnerEventBusName) this.forwardPartnerEvents(settings.partnerEventBusName);

    this.table = new JourneysTable(this, 'State').table;
    this.signingSecret = new Secret(this, 'SigningSecret', {
      description: 'Signs one-click unsubscribe and preference tokens in emails',
      generateSecretString: { passwordLength: 64, excludePunctuation: true },
    });
    Validations.of(this.signingSecret).acknowledge({
      id: 'AwsSolutions-SMG4',
      reason:
        'HMAC key of the unsubscribe links in emails already sent (RFC 8058: they must keep working); rotation needs overlapping keys, which the handlers do not support yet.',
    });
    this.email = new Email(this, 'Email', {
      sender: settings.sender,
      ...(settings.configurationSetName === undefined
        ? {}
        : { configurationSetName: settings.configurationSetName }),
    });

    const common = {
      EVENT_BUS_NAME: this.eventBus.eventBusName,
      SHOP_EVENT_SOURCE: settings.shopEventSource,
      DEFAULT_LOCALE: settings.defaultLocale,
      DEFAULT_TIME_ZONE: settings.defaultTimeZone,
      TIMER_SHARDS: String(settings.timerShards),
      FREQUENCY_CAP_MAX: String(settings.frequencyCap.max),
      FREQUENCY_CAP_PER: settings.frequencyCap.per,
      RETENTION_DAYS: String(settings.idempotencyRetentionDays),
      ...shopIdentityEnv({
        name: settings.shopName,
        url: settings.shopUrl,
        address: settings.shopAddress,
        logoUrl: settings.shopLogoUrl,
        brandColor: settings.shopBrandColor,
        linkTracking: parseLinkTracking(settings.shopLinkTracking),
      }),
      SIGNING_SECRET_ARN: this.signingSecret.secretArn,
      POWERTOOLS_SERVICE_NAME: METRIC_SERVICE,
      POWERTOOLS_METRICS_NAMESPACE: METRIC_NAMESPACE,
    };
    const makeFunction = (
      fnId: string,
      handlerFile: string,
      description: string,
      extra: Partial<ConstructorParameters<typeof RetentionFunction>[2]> = {},
    ) => {
      const fn = new RetentionFunction(this, fnId, {
        handlerFile,
        description,
        catalogPath: settings.catalogPath,
        logRetention: settings.logRetention,
        ...extra,
        environment: { ...common, ...extra.environment },
      });
      fn.bindTable(this.table, 'readwrite');
      this.signingSecret.grantRead(fn.function);
      return fn;
    };

    // Journeys: one function and one rule per definition, disabled ones included (buildCatalog keeps
    // them): the engine refuses new entrants itself, while exits, awaited events and goals must still
    // reach the customers inside, and their timers need the definition.
    const journeyFunctions = new Map<string, RetentionFunction>();
    for (const definition of settings.journeys) {
      const name = pascalCase(definition.id);
      const fn = makeFunction(
        `Journey${name}`,
        'journey.ts',
        `Journey "${definition.name}" (${definition.id})`,
        {
          environment: { JOURNEY_ID: definition.id },
        },
      );
      // Shop events, and system events crossing customers (referrals): one rule each, one DLQ.
      const dlq = this.deadLetterQueue(
        `Journey${name}`,
        `events journey ${definition.id} could not process`,
        'sqs',
      );
      const shopPattern = journeyEventPattern(definition, settings.shopEventSource);
      const systemPattern = journeySystemEventPattern(definition);
      if (shopPattern) {
        this.route(`Journey${name}`, this.eventBus, toCdkPattern(shopPattern), fn, dlq, {
          description: `Shop events of journey ${definition.id}`,
        });
      }
      if (systemPattern) {
        this.route(`Journey${name}System`, this.eventBus, toCdkPattern(systemPattern), fn, dlq, {
          description: `System events of journey ${definition.id}`,
        });
      }
      this.retryThenKeep(fn, dlq);
      journeyFunctions.set(definition.id, fn);
    }
    this.journeyFunctions = journeyFunctions;

    this.profileFunction = makeFunction(
      'Profile',
      'profile.ts',
      'Customer profile projection of shop events',
    );
    const profileDlq = this.deadLetterQueue(
      'Profile',
      'shop events the profile projection could not process',
      'sqs',
    );
    this.route(
      'Profile',
      this.eventBus,
      toCdkPattern(profileEventPattern(settings.shopEventSource)),
      this.profileFunction,
      profileDlq,
      { description: 'Every shop event, for the customer profile projection' },
    );
    this.retryThenKeep(this.profileFunction, profileDlq);

    this.sweeperFunction = makeFunction(
      'Sweeper',
      'sweeper.ts',
      'Feeds journey timers that fell due to the engine',
      {
        timeout: Duration.seconds(55),
      },
    );
    const sweeperDlq = this.deadLetterQueue('Sweeper', 'sweeper runs that failed', 'sqs');
    new Rule(this, 'SweeperSchedule', {
      description: 'Runs the timer sweeper every minute',
      schedule: Schedule.rate(Duration.minutes(1)),
      // A missed sweep is covered by the next one a minute later: no long retries.
      targets: [
        new LambdaFunction(this.sweeperFunction.function, {
          deadLetterQueue: sweeperDlq,
          retryAttempts: 1,
          maxEventAge: Duration.minutes(1),
        }),
      ],
    });
    this.sweeperFunction.function.configureAsyncInvoke({
      retryAttempts: 0,
      maxEventAge: Duration.minutes(1),
      onFailure: new SqsDestination(sweeperDlq),
    });

    // SES events (delivery, bounce, complaint, open, click ...) arrive on the default bus only.
    this.sesEventsFunction = makeFunction(
      'SesEvents',
      'ses-events.ts',
      'Records SES events per message and journey, suppresses bouncing and complaining addresses',
    );
    const sesEventsDlq = this.deadLetterQueue(
      'SesEvents',
      'SES events (bounces, complaints, opens ...) that could not be recorded',
      'sqs',
    );
    this.route(
      'SesEvents',
      EventBus.fromEventBusName(this, 'DefaultBus', 'default'),
      sesEventPattern(this.email.configurationSetName),
      this.sesEventsFunction,
      sesEventsDlq,
      { description: 'SES events of the retention-journeys configuration set' },
    );
    this.retryThenKeep(this.sesEventsFunction, sesEventsDlq);

    // The preferences endpoint: one-click unsubscribe (RFC 8058), the footer's unsubscribe page and
    // the NPS links. Public by necessity (see below). It publishes nothing itself: consent changes and
    // feedback answers go to the outbox in the transaction that records them (the dispatcher publishes).
    this.preferencesFunction = makeFunction(
      'Preferences',
      'preferences.ts',
      'Public preferences endpoint: one-click unsubscribe, unsubscribe page, feedback links',
      {
        timeout: Duration.seconds(10),
        reservedConcurrentExecutions: PREFERENCES_RESERVED_CONCURRENCY,
      },
    );
    this.preferencesUrl = this.preferencesFunction.function.addFunctionUrl({
      // Links in emails must work for whoever holds them, and mailbox providers POST one-click
      // unsubscribes without credentials: there is no caller identity to check. Every request instead
      // carries an HMAC-signed, purpose-bound, expiring token, which the handler verifies before it
      // changes anything.
      authType: FunctionUrlAuthType.NONE,
      invokeMode: InvokeMode.BUFFERED,
      // CORS configured, and closed: no origin may read responses or send credentialed or non-simple
      // requests from a script. The endpoint's own HTML forms post to their own origin (same-origin,
      // no CORS involved), and mailbox providers' RFC 8058 POSTs come from servers, not browsers.
      // Because CORS is configured here, Lambda answers preflights itself and a CORS header the
      // function might return is not what decides.
      cors: {
        allowedMethods: [HttpMethod.GET, HttpMethod.POST],
        allowCredentials: false,
      },
    });

    const sizing = dispatcherSizing(settings.sendRatePerSecond);
    this.dispatcherFunction = makeFunction(
      'Dispatcher',
      'dispatcher.ts',
      'Sends outbox emails through SES and publishes outbox events',
      {
        timeout: Duration.seconds(60),
        reservedConcurrentExecutions: sizing.reservedConcurrency,
        environment: {
          SENDER_ADDRESS: settings.senderAddress,
          SES_CONFIGURATION_SET: this.email.configurationSetName,
          SENDS_PER_SECOND_PER_WORKER: String(sizing.sendsPerSecondPerWorker),
          // The function URL ends in "/"; the dispatcher appends "/unsubscribe?token=..." itself.
          PREFERENCES_URL: `https://${Fn.select(2, Fn.split('/', this.preferencesUrl.url))}`,
        },
      },
    );
    this.email.grantSend(this.dispatcherFunction.function);
    this.eventBus.grantPutEventsTo(this.dispatcherFunction.function);
    // Only the dispatcher publishes the system's own events (outbox emits); nobody else may forge them.
    reserveSystemSource(this, this.eventBus, [this.dispatcherFunction.role]);
    this.dispatcherDeadLetterQueue = this.deadLetterQueue(
      'Dispatcher',
      'outbox stream batches that kept failing',
      'stream',
    );
    this.dispatcherFunction.function.addEventSource(
      new DynamoEventSource(this.table, {
        startingPosition: StartingPosition.TRIM_HORIZON,
        // Only new outbox entries, and entries the sweeper put back to `pending` for a retry or a
        // resend (functions/services/stream.ts): state, timers, the "sent" update of an entry and
        // recorded SES events never invoke it.
        filters: [
          FilterCriteria.filter({
            eventName: FilterRule.isEqual('INSERT'),
            dynamodb: { Keys: { [TABLE.sortKey]: { S: FilterRule.beginsWith(OUTBOX_PREFIX) } } },
          }),
          FilterCriteria.filter({
            eventName: FilterRule.isEqual('MODIFY'),
            dynamodb: {
              Keys: { [TABLE.sortKey]: { S: FilterRule.beginsWith(OUTBOX_PREFIX) } },
              NewImage: { status: { S: FilterRule.isEqual('pending') } },
              OldImage: { status: { S: FilterRule.or(...REQUEUED_FROM) } },
            },
          }),
        ],
        batchSize: sizing.batchSize,
        maxBatchingWindow: Duration.seconds(1),
        // One batch per stream shard at a time; reserved concurrency caps the shards in flight.
        parallelizationFactor: 1,
        bisectBatchOnError: true,
        reportBatchItemFailures: true,
        retryAttempts: 8,
        // The stream keeps records 24 h; give up (to the DLQ) well before they expire.
        maxRecordAge: Duration.hours(12),
        onFailure: new SqsDlq(this.dispatcherDeadLetterQueue),
      }),
    );

    this.analytics = settings.analytics
      ? new Analytics(this, 'Analytics', {
          settings: settings.analytics,
          eventBus: this.eventBus,
          shopEventSource: settings.shopEventSource,
          systemEventSource: SYSTEM_EVENT_SOURCE,
          table: this.table,
          email: this.email,
          senderAddress: settings.senderAddress,
          catalogPath: settings.catalogPath,
          logRetention: settings.logRetention,
          environment: common,
          deadLetterQueue: (label, holds) => this.deadLetterQueue(label, holds, 'sqs'),
          route: (...args) => this.route(...args),
          retryThenKeep: (fn, dlq) => this.retryThenKeep(fn, dlq),
        })
      : undefined;

    this.connectors = settings.connectors
      ? new ShopConnectors(this, 'Connectors', {
          settings: settings.connectors,
          eventBus: this.eventBus,
          table: this.table,
          catalogPath: settings.catalogPath,
          logRetention: settings.logRetention,
          archiveRetention: Duration.days(settings.eventArchiveRetentionDays),
          environment: common,
          deadLetterQueue: (label, holds) => this.deadLetterQueue(label, holds, 'sqs'),
          route: (...args) => this.route(...args),
          retryThenKeep: (fn, dlq) => this.retryThenKeep(fn, dlq),
        })
      : undefined;

    const functions = [
      ...[...journeyFunctions].map(([journeyId, fn]) => ({
        label: `Journey${pascalCase(journeyId)}`,
        function: fn.function,
      })),
      { label: 'Profile', function: this.profileFunction.function },
      { label: 'Sweeper', function: this.sweeperFunction.function },
      { label: 'Dispatcher', function: this.dispatcherFunction.function },
      { label: 'SesEvents', function: this.sesEventsFunction.function },
      { label: 'Preferences', function: this.preferencesFunction.function },
      ...(this.analytics ? [{ label: 'Analytics', function: this.analytics.recorderFunction.function }] : []),
      ...(this.analytics?.reportFunction
        ? [{ label: 'MonthlyReport', function: this.analytics.reportFunction.function }]
        : []),
      ...(this.connectors?.functions ?? []),
    ];
    this.monitoring = new Monitoring(this, 'Monitoring', {
      ...(props.alarmTopic ? { alarmTopic: props.alarmTopic } : {}),
      dashboardName: `${Stack.of(this).stackName}-${id}`,
      journeys: settings.journeys.map((definition) => {
        const label = `Journey${pascalCase(definition.id)}`;
        return {
          id: definition.id,
          name: definition.name,
          messages: Object.keys(definition.messages),
          function: (journeyFunctions.get(definition.id) as RetentionFunction).function,
          deadLetterQueue: (this.dlqs.get(label) as DeadLetterQueueInfo).queue,
        };
      }),
      functions,
      deadLetterQueues: [...this.dlqs.values()],
      dispatcher: this.dispatcherFunction.function,
      dispatcherDeadLetterQueue: this.dispatcherDeadLetterQueue,
      sweeper: this.sweeperFunction.function,
    });
    this.analytics?.alarmTo(this.monitoring.alarmTopic);
  }

  /** The alarm topic (given or created). */
  get alarmTopic(): ITopic {
    return this.monitoring.alarmTopic;
  }

  private deadLetterQueue(label: string, holds: string, redrive: DeadLetterQueueInfo['redrive']): Queue {
    const queue = deadLetterQueue(this, `${label}DeadLetterQueue`, holds);
    this.dlqs.set(label, { label, queue, holds, redrive });
    return queue;
  }

  /** A rule on `bus` sending matching events to a function, with bounded retries and a DLQ. */
  private route(
    id: string,
    bus: IEventBus,
    eventPattern: EventPattern,
    fn: RetentionFunction,
    dlq: Queue,
    options: { description: string },
  ): void {
    new Rule(this, `${id}Rule`, {
      description: options.description,
      eventBus: bus,
      eventPattern,
      targets: [
        // Delivery to Lambda (throttling, service errors): retried, then kept in the DLQ.
        new LambdaFunction(fn.function, {
          deadLetterQueue: dlq,
          retryAttempts: 8,
          maxEventAge: Duration.hours(6),
        }),
      ],
    });
  }

  /**
   * The function itself failing (EventBridge invokes asynchronously): retried twice by Lambda, then
   * the invocation record goes to the DLQ of its rules, so no event is dropped silently.
   */
  private retryThenKeep(fn: RetentionFunction, dlq: Queue): void {
    fn.function.configureAsyncInvoke({
      retryAttempts: 2,
      maxEventAge: Duration.hours(6),
      onFailure: new SqsDestination(dlq),
    });
  }

  /** Forwards every event of the partner event source to the journeys bus. */
  private forwardPartnerEvents(partnerEventBusName: string): void {
    const partnerBus = EventBus.fromEventBusName(this, 'PartnerEventBus', partnerEventBusName);
    const dlq = this.deadLetterQueue('PartnerForward', 'partner events that could not be forwarded', 'sqs');
    new Rule(this, 'PartnerForwardRule', {
      description: `Forwards events of ${partnerEventBusName} to the journeys bus`,
      eventBus: partnerBus,
      eventPattern: { source: [partnerEventBusName] },
      // Bus-to-bus targets take no retry policy in CDK; EventBridge's default (24 h, 185 attempts)
      // applies, then the DLQ.
      targets: [new EventBusTarget(this.eventBus, { deadLetterQueue: dlq })],
    });
  }
}

/** The routing module's pattern in CDK's spelling (`detail-type` is `detailType` there). */
export function toCdkPattern(pattern: RoutingPattern): EventPattern {
  const detailType = pattern['detail-type'];
  return { source: [...pattern.source], ...(detailType ? { detailType: [...detailType] } : {}) };
}

function pascalCase(id: string): string {
  return id
    .split(/[^A-Za-z0-9]+/)
    .filter(Boolean)
    .map((part) => part[0]?.toUpperCase() + part.slice(1))
    .join('');
}

/** `Shop` of `Shop <news@shop.example>`, without quotes; undefined when there is none. */
function displayName(senderAddress: string | undefined): string | undefined {
  const match = /^\s*"?([^"<>]*?)"?\s*<[^<>]+>\s*$/.exec(senderAddress ?? '');
  const name = match?.[1]?.trim();
  return name ? name : undefined;
}

function isHttpsUrl(value: string): boolean {
  try {
    const url = new URL(value);
    return url.protocol === 'https:' && url.hostname.includes('.') && !url.username && !url.password;
  } catch {
    return false;
  }
}
