/**
 * The analytics record (DESIGN.md §9): one append-only, typed, pseudonymous row per accepted shop
 * event, emitted system event and email outcome. The same rows go to Firehose → S3 (Parquet, Glue
 * table `records`) in AWS and to JSON Lines under the same `dt=YYYY-MM-DD/` layout locally, and the
 * KPI queries (analytics/queries) read exactly these columns.
 *
 * Pseudonymous by construction: no email address, name, comment, code or other free text, and no id
 * the shop knows. Every key (`customer`, `order`, `instance`, `send`) is an HMAC under a random
 * secret kept only in the customer's partition; erasure deletes the secret, so no record can be tied
 * to the customer (or to their orders) afterwards. This file is the one definition of the columns:
 * the Glue table, DuckDB's `read_json` column list and the zod check all derive from COLUMNS.
 */
import * as z from 'zod/mini';

export const ANALYTICS_SCHEMA_VERSION = 1;

/** Accepted shop events: recorded under their detail-type. */
export const SHOP_RECORD_TYPES = [
  'customer.registered',
  'customer.updated',
  'customer.consent.changed',
  'customer.deleted',
  'order.placed',
  'order.delivered',
  'order.refunded',
  'feedback.submitted',
] as const;

/** Events the system emits that the log records, under their detail-type. */
export const SYSTEM_RECORD_TYPES = [
  'journey.entered',
  'journey.exited',
  'journey.completed',
  'journey.goal.reached',
  'coupon.issued',
  'referral.code.created',
  'referral.rejected',
  'referral.reward.granted',
  'support.followup.requested',
  // The loyalty program's events (core/loyalty/events.ts); a redemption's coupon is `coupon.issued`
  // with journey `loyalty`.
  'loyalty.member.joined',
  'loyalty.points.earned',
  'loyalty.points.available',
  'loyalty.points.reversed',
  'loyalty.points.expiring',
  'loyalty.points.expired',
  'loyalty.tier.changed',
  'loyalty.tier.at-risk',
  'loyalty.redemption.refused',
  'loyalty.reward.redeemed',
] as const;

/** Email outcomes (SES events, and the one-click unsubscribe). */
export const EMAIL_RECORD_TYPES = [
  'email.sent',
  'email.delivered',
  'email.opened',
  'email.clicked',
  'email.bounced',
  'email.complained',
  'email.rejected',
  'email.unsubscribed',
] as const;

/** Every record type. */
export const RECORD_TYPES = [...SHOP_RECORD_TYPES, ...SYSTEM_RECORD_TYPES, ...EMAIL_RECORD_TYPES] as const;
export type RecordType = (typeof RECORD_TYPES)[number];

/**
 * Column name → type. Types are the Glue/Athena (Hive DDL) names; DuckDB gets the matching ones
 * (`duckdbType`). Times are ISO 8601 strings in UTC with milliseconds (`Date#toISOString`), so they
 * compare as strings in both engines and no dialect's timestamp functions are needed.
 */
export const COLUMNS = {
  /** Deterministic: the same fact delivered twice (EventBridge, Firehose: at least once) has one id. */
  id: 'string',
  /** ANALYTICS_SCHEMA_VERSION at writing. */
  v: 'int',
  type: 'string',
  /** Business time: when it happened (placedAt, the SES event's timestamp …). */
  time: 'string',
  /** Processing time: when the record was written; the `dt` partition derives from it. */
  recorded: 'string',
  /** Pseudonymous customer key; null only for `customer.deleted` (recorded without a key). */
  customer: 'string',
  journey: 'string',
  message: 'string',
  /** Pseudonymous journey-instance key: ties entered, goal reached, sends and outcomes of one entry. */
  instance: 'string',
  /** Pseudonymous key of one email (its outbox entry): ties sent, delivered, opened … of one email. */
  send: 'string',
  /** journey.* records: whether the instance is in the holdout group. */
  holdout: 'boolean',
  /** journey.goal.reached: the goal event. */
  goal: 'string',
  /**
   * A reason from a closed set the system itself chose (exit reason, referral rejection, bounce type
   * `permanent`/`transient`/`undetermined`, what loyalty points were earned for, a tier change's
   * direction `up`/`down`); never text a person wrote.
   */
  reason: 'string',
  /** ISO 3166-1 alpha-2 country from the locale's region (de-AT → AT), null when the locale has none. */
  market: 'string',
  /** The customer's BCP 47 locale when the record was written. */
  locale: 'string',
  /** Pseudonymous order key (order.* records, feedback about an order, journeys entered on an order). */
  order: 'string',
  /** Money as a decimal string (order total, refund amount, coupon amountOff), with `currency`. */
  amount: 'string',
  currency: 'string',
  /** NPS answer 0–10 (feedback.submitted, support.followup.requested). */
  score: 'int',
  /** customer.registered / customer.consent.changed / email.unsubscribed: marketing consent after it. */
  consent: 'boolean',
  // Columns are only ever added at the end, nullable: rows written before read them as null.
  /**
   * loyalty.* records: the points moved, as a magnitude (the type says which way); for
   * loyalty.tier.at-risk the points still needed to keep the tier.
   */
  points: 'int',
  /** loyalty.member.joined: the tier joined in; tier.changed: the tier moved to; tier.at-risk: the tier at risk. */
  tier: 'string',
  /** loyalty.reward.redeemed, loyalty.redemption.refused: the reward of the program's catalogue. */
  reward: 'string',
} as const satisfies Record<string, 'string' | 'int' | 'boolean'>;
export type ColumnName = keyof typeof COLUMNS;

/** The column names in COLUMNS order (Firehose's JSON lines and the bench log keep this order). */
export const COLUMN_NAMES = Object.keys(COLUMNS) as ColumnName[];

export const duckdbType = (t: 'string' | 'int' | 'boolean') =>
  t === 'string' ? 'VARCHAR' : t === 'int' ? 'INTEGER' : 'BOOLEAN';

const iso = z
  .string()
  .check(z.regex(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/, 'must be Date#toISOString output'));
const key = z.string().check(z.regex(/^[A-Za-z0-9_-]{16,64}$/, 'must be a pseudonymous key'));
const name = z.string().check(z.regex(/^[A-Za-z0-9._:-]{1,100}$/, 'must be an identifier, not free text'));
/** A loyalty program's tier or reward id (core/loyalty/program.ts: kebab-case). */
const slug = z.string().check(z.regex(/^[a-z][a-z0-9-]{0,63}$/, 'must be a tier or reward id'));
/** Far above any real movement, inside Glue's 32-bit `int`. */
export const MAX_POINTS = 1_000_000_000;

export const analyticsRecordSchema = z.strictObject({
  id: z.string().check(z.regex(/^[a-f0-9]{32}$/)),
  v: z.literal(ANALYTICS_SCHEMA_VERSION),
  type: z.enum(RECORD_TYPES),
  time: iso,
  recorded: iso,
  customer: z.nullable(key),
  journey: z.nullable(name),
  message: z.nullable(name),
  instance: z.nullable(key),
  send: z.nullable(key),
  holdout: z.nullable(z.boolean()),
  goal: z.nullable(name),
  reason: z.nullable(name),
  market: z.nullable(z.string().check(z.regex(/^[A-Z]{2}$/))),
  locale: z.nullable(z.string().check(z.maxLength(35))),
  order: z.nullable(key),
  amount: z.nullable(z.string().check(z.regex(/^-?\d{1,12}(\.\d{1,4})?$/))),
  currency: z.nullable(z.string().check(z.regex(/^[A-Z]{3}$/))),
  score: z.nullable(z.number().check(z.int(), z.gte(0), z.lte(10))),
  consent: z.nullable(z.boolean()),
  points: z.nullable(z.number().check(z.int(), z.gte(0), z.lte(MAX_POINTS))),
  tier: z.nullable(slug),
  reward: z.nullable(slug),
});

/** Every column present (null where it does not apply), so JSON Lines and Parquet rows look alike. */
export type AnalyticsRecord = z.infer<typeof analyticsRecordSchema>;

/** The partition a record is written to: `dt=YYYY-MM-DD` of its processing time (Firehose's prefix). */
export function partitionOf(record: Pick<AnalyticsRecord, 'recorded'>): string {
  return `dt=${record.recorded.slice(0, 10)}`;
}

/** Where records go: Firehose in AWS, JSON Lines files locally. */
export interface AnalyticsSink {
  write(records: readonly AnalyticsRecord[]): Promise<void>;
}

/** The columns every record sets itself; all others may be null. */
const SET_BY_EVERY_RECORD = ['id', 'v', 'type', 'time', 'recorded'] as const;
type NullableColumn = Exclude<ColumnName, (typeof SET_BY_EVERY_RECORD)[number]>;

/** Every column but id, v, type, time and recorded, null: the base a record is built on. */
export function nullColumns(): { [K in NullableColumn]: null } {
  return Object.fromEntries(
    COLUMN_NAMES.filter((name) => !(SET_BY_EVERY_RECORD as readonly string[]).includes(name)).map((name) => [
      name,
      null,
    ]),
  ) as { [K in NullableColumn]: null };
}
