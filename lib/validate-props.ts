/**
 * `validateProps` checks every prop of the construct at once (each problem names its prop) and turns
 * them into the settings the construct builds from, defaults applied.
 */
import { existsSync, statSync } from 'node:fs';
import { isAbsolute } from 'node:path';
import { Duration } from 'aws-cdk-lib';
import { RetentionDays } from 'aws-cdk-lib/aws-logs';
import { DEFAULT_TIMER_SHARDS } from '../functions/adapters/table-schema.ts';
import { type JourneyDefinition, journeyDefinitionSchema } from '../functions/core/definition.ts';
import { DEFAULT_FREQUENCY_CAP } from '../functions/core/engine.ts';
import { isLocale } from '../functions/core/locale.ts';
import { BRAND_COLOR, LINK_TRACKING } from '../functions/core/shop.ts';
import { isTimeZone } from '../functions/core/time.ts';
import { type AnalyticsSettings, validateAnalyticsOptions } from './analytics-options.ts';
import { type ConnectorSettings, validateConnectorOptions } from './connectors.ts';
import { parseSenderAddress } from './email.ts';
import { type LoyaltySettings, loyaltyFromCatalog } from './loyalty.ts';
import {
  type RetentionJourneysProps,
  RetentionJourneysPropsError,
  SYSTEM_EVENT_SOURCE,
} from './retention-journeys-props.ts';

/** Name pattern of partner event sources and their buses (EventBridge `CreatePartnerEventSource`). */
const PARTNER_EVENT_SOURCE = /^aws\.partner(\/[.\-_A-Za-z0-9]+){2,}$/;

class PropProblem extends Error {}

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
