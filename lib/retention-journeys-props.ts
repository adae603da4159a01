/**
 * The construct's props: what a deployer sets, documented with their defaults, and `validateProps`,
 * which checks them all at once and turns them into the settings the construct builds from.
 */
import { existsSync, statSync } from 'node:fs';
import { isAbsolute } from 'node:path';
import { Duration } from 'aws-cdk-lib';
import type { IEventBus } from 'aws-cdk-lib/aws-events';
import { RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { ITopic } from 'aws-cdk-lib/aws-sns';
import { DEFAULT_TIMER_SHARDS } from '../functions/adapters/table-schema.ts';
import { type JourneyDefinition, journeyDefinitionSchema } from '../functions/core/definition.ts';
import { DEFAULT_FREQUENCY_CAP } from '../functions/core/engine.ts';
import { isLocale } from '../functions/core/locale.ts';
import { BRAND_COLOR, LINK_TRACKING } from '../functions/core/shop.ts';
import { isTimeZone } from '../functions/core/time.ts';
import {
  type AnalyticsOptions,
  type AnalyticsSettings,
  validateAnalyticsOptions,
} from './analytics-options.ts';
import {
  type ConnectorSettings,
  type ShopifyConnectorOptions,
  validateConnectorOptions,
  type WebhookConnectorOptions,
} from './connectors.ts';
import { parseSenderAddress } from './email.ts';
import { type LoyaltySettings, loyaltyFromCatalog } from './loyalty.ts';

/** The source of events the system itself emits; shop events must use another. */
export const SYSTEM_EVENT_SOURCE = 'retention-journeys';

/** Name pattern of partner event sources and their buses (EventBridge `CreatePartnerEventSource`). */
const PARTNER_EVENT_SOURCE = /^aws\.partner(\/[.\-_A-Za-z0-9]+){2,}$/;

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
class PropProblem extends Error {}

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
  /** The catalog's loyalty program; undefined when it has none. */
  loyalty: LoyaltySettings | undefined;
}

export function validateProps(props: RetentionJourneysProps): Settings {
  const problems: string[] = [];
  const fail = (message: string): never => {
    throw new PropProblem(message);
  };
  /** Runs one check; what it finds is kept and the next check still runs (every problem at once). */
  const check = <T>(run: () => T): T | undefined => {
    try {
      return run();
    } catch (error) {
      if (!(error instanceof PropProblem)) throw error;
      problems.push(error.message);
      return undefined;
    }
  };

  if (!Array.isArray(props.journeys))
    throw new RetentionJourneysPropsError(['journeys must be an array of journey definitions']);
  const seen = new Set<string>();
  props.journeys.forEach((definition, index) => {
    check(() => {
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
  });

  const catalogReadable = check(() => {
    if (typeof props.catalogPath !== 'string' || !isAbsolute(props.catalogPath)) {
      fail(
        `catalogPath must be an absolute path to catalog.json (got "${props.catalogPath}"); resolve it first`,
      );
    }
    if (!existsSync(props.catalogPath) || !statSync(props.catalogPath).isFile()) {
      fail(
        `catalogPath "${props.catalogPath}" does not exist; write the catalog (writeCatalog) before synth`,
      );
    }
    return true;
  });

  const sender = parseSenderAddress(props.senderAddress ?? '');
  check(() => {
    if (!sender) {
      fail(
        `senderAddress "${props.senderAddress}" is not an email address; pass the verified SES sender, e.g. news@shop.example or "Shop <news@shop.example>"`,
      );
    }
  });
  const verifiedSender = sender as NonNullable<typeof sender>;

  const partnerEventBusName = props.partnerEventBusName;
  check(() => {
    if (
      partnerEventBusName !== undefined &&
      (partnerEventBusName.length > 256 || !PARTNER_EVENT_SOURCE.test(partnerEventBusName))
    ) {
      fail(
        `partnerEventBusName "${partnerEventBusName}" is not a partner event bus name; use the name of the partner event source it is associated with, e.g. aws.partner/shopify.com/1234567/my-shop (EventBridge console > Partner event sources)`,
      );
    }
  });

  const shopEventSource = props.shopEventSource ?? partnerEventBusName ?? 'shop';
  check(() => {
    if (partnerEventBusName !== undefined && shopEventSource !== partnerEventBusName) {
      fail(
        `shopEventSource "${shopEventSource}" differs from partnerEventBusName "${partnerEventBusName}": partner events carry their event source's name as source, so journeys would never see them; omit shopEventSource or set it to the partner event source name`,
      );
    }
  });
  const reservedSource = shopEventSource.startsWith('aws.') && shopEventSource !== partnerEventBusName;
  check(() => {
    if (!/^[A-Za-z0-9._/-]{1,256}$/.test(shopEventSource) || reservedSource) {
      fail(
        `shopEventSource "${shopEventSource}" is not usable: use 1-256 letters, digits, ".", "_", "/", "-" and not the reserved "aws." prefix (partner sources go through partnerEventBusName)`,
      );
    }
  });
  check(() => {
    if (shopEventSource === SYSTEM_EVENT_SOURCE) {
      fail(
        `shopEventSource must differ from "${SYSTEM_EVENT_SOURCE}", the source of the events the system emits`,
      );
    }
  });

  const defaultLocale = props.defaultLocale ?? 'en';
  check(() => {
    if (!isLocale(defaultLocale)) {
      fail(`defaultLocale "${defaultLocale}" is not a BCP 47 language tag; use e.g. "en" or "de-DE"`);
    }
  });

  const defaultTimeZone = props.defaultTimeZone ?? 'Europe/Berlin';
  check(() => {
    if (!isTimeZone(defaultTimeZone)) {
      fail(`defaultTimeZone "${defaultTimeZone}" is not an IANA time zone; use e.g. "Europe/Berlin"`);
    }
  });

  const capMax = props.frequencyCap?.maxMarketingEmails ?? DEFAULT_FREQUENCY_CAP.max;
  check(() => {
    if (!Number.isInteger(capMax) || capMax < 1 || capMax > 100) {
      fail(`frequencyCap.maxMarketingEmails must be a whole number from 1 to 100 (got ${capMax})`);
    }
  });
  const capPer = props.frequencyCap?.per;
  check(() => {
    if (
      capPer !== undefined &&
      (capPer.toHours({ integral: false }) < 1 || capPer.toDays({ integral: false }) > 365)
    ) {
      fail(
        `frequencyCap.per must be from Duration.hours(1) to Duration.days(365) (got ${capPer.toHumanString()})`,
      );
    }
  });
  const frequencyCap = { max: capMax, per: capPer?.toIsoString() ?? DEFAULT_FREQUENCY_CAP.per };

  const timerShards = props.timerShards ?? DEFAULT_TIMER_SHARDS;
  check(() => {
    if (!Number.isInteger(timerShards) || timerShards < 1 || timerShards > 100) {
      fail(`timerShards must be a whole number from 1 to 100 (got ${timerShards})`);
    }
  });

  const sendRatePerSecond = props.sendRatePerSecond ?? 1;
  check(() => {
    if (!Number.isFinite(sendRatePerSecond) || sendRatePerSecond <= 0 || sendRatePerSecond > 1000) {
      fail(
        `sendRatePerSecond must be a number above 0 and at most 1000 (got ${sendRatePerSecond}); use your SES account's maximum send rate`,
      );
    }
  });

  const configurationSetName = props.configurationSetName;
  check(() => {
    if (configurationSetName !== undefined && !/^[A-Za-z0-9_-]{1,64}$/.test(configurationSetName)) {
      fail(
        `configurationSetName "${configurationSetName}" is not a valid SES configuration set name (1-64 letters, digits, "_" or "-"); omit it to create one`,
      );
    }
  });

  // Without a sender there is no domain to default to; its own problem is reported above.
  const senderDomain = sender?.domain ?? 'shop.invalid';
  const shopName = (props.shopName ?? displayName(props.senderAddress) ?? senderDomain).trim();
  check(() => {
    // biome-ignore lint/suspicious/noControlCharactersInRegex: rejecting control characters is the point
    if (shopName.length === 0 || shopName.length > 100 || /[\u0000-\u001f\u007f]/.test(shopName)) {
      fail(
        `shopName "${props.shopName}" must be 1-100 characters on one line; it is shown in emails and on the preferences pages`,
      );
    }
  });

  const shopUrl = props.shopUrl ?? `https://${senderDomain}`;
  check(() => {
    if (!isHttpsUrl(shopUrl)) {
      fail(
        `shopUrl "${shopUrl}" must be an absolute https:// URL without credentials, e.g. https://shop.example; it is linked from every email`,
      );
    }
  });

  const shopAddress = props.shopAddress?.trim() || undefined;
  check(() => {
    if (
      shopAddress !== undefined &&
      // biome-ignore lint/suspicious/noControlCharactersInRegex: rejecting control characters is the point
      (shopAddress.length > 300 || /[\u0000-\u001f\u007f]/.test(shopAddress))
    ) {
      fail(
        `shopAddress "${props.shopAddress}" must be at most 300 characters on one line (street, postcode, city, country); it is the imprint in every email's footer`,
      );
    }
  });
  check(() => {
    if (props.shopLogoUrl !== undefined && !isHttpsUrl(props.shopLogoUrl)) {
      fail(
        `shopLogoUrl "${props.shopLogoUrl}" must be an absolute https:// URL of an image; omit it for a word mark`,
      );
    }
  });
  check(() => {
    if (props.shopBrandColor !== undefined && !BRAND_COLOR.test(props.shopBrandColor)) {
      fail(`shopBrandColor "${props.shopBrandColor}" must be a colour such as #0f766e`);
    }
  });
  const shopLinkTracking = props.shopLinkTracking?.trim() || undefined;
  check(() => {
    if (shopLinkTracking !== undefined && !LINK_TRACKING.test(shopLinkTracking)) {
      fail(
        `shopLinkTracking "${props.shopLinkTracking}" must be query parameters such as utm_source=newsletter&utm_medium=email`,
      );
    }
  });

  const logRetention = props.logRetention ?? RetentionDays.ONE_MONTH;
  const retentionPeriods = Object.values(RetentionDays).filter((v): v is number => typeof v === 'number');
  check(() => {
    if (!retentionPeriods.includes(logRetention)) {
      fail(
        `logRetention ${logRetention} is not a CloudWatch Logs retention period; use a RetentionDays value (days: ${retentionPeriods.join(', ')})`,
      );
    }
  });

  const archiveRetention = props.eventArchiveRetention ?? Duration.days(30);
  const eventArchiveRetentionDays = archiveRetention.toMilliseconds() / 86_400_000;
  check(() => {
    if (
      !Number.isInteger(eventArchiveRetentionDays) ||
      eventArchiveRetentionDays < 1 ||
      eventArchiveRetentionDays > 365
    ) {
      fail(
        `eventArchiveRetention must be whole days from Duration.days(1) to Duration.days(365) (got ${archiveRetention.toHumanString()}); archived events hold customer data that erasure cannot reach`,
      );
    }
  });

  const idempotencyRetentionDays = props.idempotencyRetentionDays ?? 30;
  check(() => {
    if (
      !Number.isInteger(idempotencyRetentionDays) ||
      idempotencyRetentionDays < 1 ||
      idempotencyRetentionDays > 3650
    ) {
      fail(
        `idempotencyRetentionDays must be a whole number from 1 to 3650 (got ${idempotencyRetentionDays})`,
      );
    }
  });
  check(() => {
    if (idempotencyRetentionDays < eventArchiveRetentionDays) {
      fail(
        `idempotencyRetentionDays (${idempotencyRetentionDays}) is shorter than eventArchiveRetention (${eventArchiveRetentionDays} days): replaying archived events older than ${idempotencyRetentionDays} days would apply them twice; raise idempotencyRetentionDays or shorten eventArchiveRetention`,
      );
    }
  });

  const analytics = check(() => validateAnalyticsOptions(props.analytics, fail));
  const connectors = check(() => validateConnectorOptions(props, fail));
  // The program is read from the catalog, which is not there when catalogPath is the problem.
  const loyalty = catalogReadable ? check(() => loyaltyFromCatalog(props.catalogPath, fail)) : undefined;
  if (problems.length > 0) throw new RetentionJourneysPropsError(problems);

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
    analytics,
    connectors,
    loyalty,
  };
}

/** `Shop` of `Shop <news@shop.example>`, without quotes; undefined when there is none. */
export function displayName(senderAddress: string | undefined): string | undefined {
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
