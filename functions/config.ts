/**
 * One validated configuration object, built from the environment once per process. A missing or
 * malformed variable fails fast with its name, instead of surfacing as an odd error mid-send.
 */
import * as z from 'zod/mini';
import { DEFAULT_TIMER_SHARDS } from './adapters/table-schema.ts';
import { DEFAULT_RETENTION_DAYS } from './composition/table-env.ts';
import { DEFAULT_FREQUENCY_CAP } from './core/engine.ts';
import { formatIssues } from './core/events.ts';
import { isoDuration } from './core/schema-fields.ts';
import { BRAND_COLOR, LINK_TRACKING, parseLinkTracking, type ShopIdentity } from './core/shop.ts';

const configSchema = z.object({
  TABLE_NAME: z.string().check(z.minLength(1)),
  EVENT_BUS_NAME: z._default(z.string().check(z.minLength(1)), 'default'),
  SHOP_EVENT_SOURCE: z._default(z.string().check(z.minLength(1)), 'shop'),
  DEFAULT_LOCALE: z._default(z.string().check(z.minLength(2)), 'en'),
  DEFAULT_TIME_ZONE: z._default(z.string().check(z.minLength(1)), 'Europe/Berlin'),
  TIMER_SHARDS: z._default(z.coerce.number().check(z.int(), z.gte(1), z.lte(100)), DEFAULT_TIMER_SHARDS),
  /** At most this many marketing emails per customer in any FREQUENCY_CAP_PER, across journeys. */
  FREQUENCY_CAP_MAX: z._default(
    z.coerce.number().check(z.int(), z.gte(1), z.lte(100)),
    DEFAULT_FREQUENCY_CAP.max,
  ),
  FREQUENCY_CAP_PER: z._default(isoDuration, DEFAULT_FREQUENCY_CAP.per),
  RETENTION_DAYS: z._default(z.coerce.number().check(z.int(), z.gte(1)), DEFAULT_RETENTION_DAYS),
  SENDER_ADDRESS: z._default(z.string().check(z.minLength(3)), 'shop@example.com'),
  SES_CONFIGURATION_SET: z.optional(z.string()),
  SHOP_NAME: z._default(z.string().check(z.minLength(1)), 'Our Shop'),
  SHOP_URL: z._default(z.url(), 'https://shop.example.com'),
  /** Postal address (imprint) in the footer; required for marketing email, enforced at deploy. */
  SHOP_ADDRESS: z.optional(z.string().check(z.minLength(1))),
  SHOP_LOGO_URL: z.optional(z.url()),
  SHOP_BRAND_COLOR: z.optional(z.string().check(z.regex(BRAND_COLOR, 'must be a colour such as #0f766e'))),
  /** Query parameters for links into the shop, `utm_source=newsletter&utm_medium=email`. */
  SHOP_LINK_TRACKING: z.optional(
    z
      .string()
      .check(
        z.regex(LINK_TRACKING, 'must be query parameters such as utm_source=newsletter&utm_medium=email'),
      ),
  ),
  PREFERENCES_URL: z._default(z.url(), 'https://shop.example.com/preferences'),
  /** Local runs and tests set the secret directly; Lambda reads it from Secrets Manager. */
  SIGNING_SECRET: z.optional(z.string().check(z.minLength(16))),
  SIGNING_SECRET_ARN: z.optional(z.string()),
  /** This worker's share of the SES sending rate (the stack sets it from sendRatePerSecond). */
  SENDS_PER_SECOND_PER_WORKER: z.optional(z.coerce.number().check(z.positive())),
  /** An SES request not answered within this long is abandoned and its email left `unknown`. */
  SES_REQUEST_TIMEOUT_MS: z._default(z.coerce.number().check(z.int(), z.gte(50), z.lte(60_000)), 10_000),
  /** Grace period for SES's event to settle an email in `sending` / `unknown` before it is resent. */
  OUTBOX_RECONCILE_AFTER: z._default(isoDuration, 'PT15M'),
});

/** The journey functions' configuration: the shared part and what sending and deciding need. */
export interface AppConfig extends ConnectorConfig {
  timerShards: number;
  frequencyCap: { max: number; per: string };
  senderAddress: string;
  configurationSetName: string | undefined;
  shop: ShopIdentity;
  preferencesUrl: string;
  signingSecret: string | undefined;
  signingSecretArn: string | undefined;
  sendsPerSecondPerWorker: number | undefined;
  sesRequestTimeoutMs: number;
  outboxReconcileAfter: string;
}

export class ConfigError extends Error {
  override name = 'ConfigError';
}

export function configFromEnv(env: Record<string, string | undefined>): AppConfig {
  const parsed = configSchema.safeParse(env);
  if (!parsed.success) throw environmentError(parsed.error.issues);
  const e = parsed.data;
  if (!e.SIGNING_SECRET && !e.SIGNING_SECRET_ARN) {
    throw new ConfigError('invalid configuration: set SIGNING_SECRET_ARN (Lambda) or SIGNING_SECRET (local)');
  }
  return {
    ...shopDefaults(e),
    timerShards: e.TIMER_SHARDS,
    frequencyCap: { max: e.FREQUENCY_CAP_MAX, per: e.FREQUENCY_CAP_PER },
    senderAddress: e.SENDER_ADDRESS,
    configurationSetName: e.SES_CONFIGURATION_SET,
    shop: {
      name: e.SHOP_NAME,
      url: e.SHOP_URL,
      address: e.SHOP_ADDRESS,
      logoUrl: e.SHOP_LOGO_URL,
      brandColor: e.SHOP_BRAND_COLOR,
      linkTracking: parseLinkTracking(e.SHOP_LINK_TRACKING),
    },
    preferencesUrl: e.PREFERENCES_URL,
    signingSecret: e.SIGNING_SECRET,
    signingSecretArn: e.SIGNING_SECRET_ARN,
    sendsPerSecondPerWorker: e.SENDS_PER_SECOND_PER_WORKER,
    sesRequestTimeoutMs: e.SES_REQUEST_TIMEOUT_MS,
    outboxReconcileAfter: e.OUTBOX_RECONCILE_AFTER,
  };
}

/**
 * The connector functions' configuration: the table, the bus and the shop's defaults — no signing
 * secret, which they have no business reading (least privilege).
 */
export interface ConnectorConfig {
  tableName: string;
  eventBusName: string;
  shopEventSource: string;
  defaultLocale: string;
  defaultTimeZone: string;
  retentionDays: number;
}

export function connectorConfigFromEnv(env: Record<string, string | undefined>): ConnectorConfig {
  const parsed = z
    .pick(configSchema, {
      TABLE_NAME: true,
      EVENT_BUS_NAME: true,
      SHOP_EVENT_SOURCE: true,
      DEFAULT_LOCALE: true,
      DEFAULT_TIME_ZONE: true,
      RETENTION_DAYS: true,
    })
    .safeParse(env);
  if (!parsed.success) throw environmentError(parsed.error.issues);
  return shopDefaults(parsed.data);
}

/** The part every function's configuration shares: where state lives and the shop's defaults. */
function shopDefaults(
  e: Pick<
    z.output<typeof configSchema>,
    | 'TABLE_NAME'
    | 'EVENT_BUS_NAME'
    | 'SHOP_EVENT_SOURCE'
    | 'DEFAULT_LOCALE'
    | 'DEFAULT_TIME_ZONE'
    | 'RETENTION_DAYS'
  >,
): ConnectorConfig {
  return {
    tableName: e.TABLE_NAME,
    eventBusName: e.EVENT_BUS_NAME,
    shopEventSource: e.SHOP_EVENT_SOURCE,
    defaultLocale: e.DEFAULT_LOCALE,
    defaultTimeZone: e.DEFAULT_TIME_ZONE,
    retentionDays: e.RETENTION_DAYS,
  };
}

const environmentError = (issues: readonly z.core.$ZodIssue[]) =>
  new ConfigError(`invalid configuration: ${formatIssues(issues, 'the environment').join('; ')}`);

/** The environment variables that carry a shop identity: what the stack and the local runtime set. */
export function shopIdentityEnv(shop: ShopIdentity): Record<string, string> {
  const env: Record<string, string | undefined> = {
    SHOP_NAME: shop.name,
    SHOP_URL: shop.url,
    SHOP_ADDRESS: shop.address,
    SHOP_LOGO_URL: shop.logoUrl,
    SHOP_BRAND_COLOR: shop.brandColor,
    SHOP_LINK_TRACKING: shop.linkTracking ? new URLSearchParams(shop.linkTracking).toString() : undefined,
  };
  return Object.fromEntries(
    Object.entries(env).filter((entry): entry is [string, string] => entry[1] !== undefined),
  );
}
