/**
 * What the analytics log records of one EventBridge event (functions/analytics/record.ts, DESIGN.md
 * §9): accepted shop events, the system's own events, SES sending events and the unsubscribe. Pure —
 * the keys (from the customer's secret), the profile's locale and `now` come in as a context — and
 * total: whatever the event holds, the answer is a list of valid records, possibly empty, never an
 * exception.
 *
 * Privacy by construction: a record is built only from ids turned into keys, amounts, scores, times,
 * journey and message names, and reasons the system chose from closed sets. No field of an event is
 * copied as text; every record passes `analyticsRecordSchema` (identifiers only) before it leaves.
 *
 * Ids are deterministic for the same fact — a redelivery, or the same order told twice — and keyed
 * (HMAC under the secret), so no one can find a customer's records by computing ids from their order
 * ids. A system event's envelope id differs on each delivery; its outbox id (the dispatcher adds it
 * to every detail it publishes) does not.
 */
import { type ParseResult, parseShopEvent, type RawEvent, SYSTEM_SOURCE } from '../core/events.ts';
import { canonicalLocale } from '../core/locale.ts';
import { isPseudonym } from '../core/referral.ts';
/** SES's events arrive on the default bus with this source. */
import { SES_SOURCE } from '../core/routing.ts';
import { readSesEvent } from '../core/ses-event.ts';
import { type AnalyticsKeys, keylessRecordId } from './keys.ts';
import {
  ANALYTICS_SCHEMA_VERSION,
  type AnalyticsRecord,
  analyticsRecordSchema,
  nullColumns,
  type RecordType,
  SYSTEM_RECORD_TYPES as SYSTEM_EVENT_TYPES,
} from './record.ts';

export { SES_SOURCE };

export interface RecordContext {
  /** The customer's keys; absent only for a keyless record (customer.deleted). */
  keys: AnalyticsKeys | undefined;
  /** The customer's locale as the profile holds it now (null when unknown). */
  locale: string | undefined;
  /** Processing time (`recorded`): the clock's now, virtual in the simulator. */
  now: string;
}

/** Whose keys an event's records need: a customer's, none (customer.deleted), or it records nothing. */
export type AnalyticsSubject =
  | { kind: 'customer'; customerId: string }
  | { kind: 'keyless' }
  | { kind: 'none'; reason: string };

type Detail = Record<string, unknown>;

const ID_LIMIT = 200;
const isId = (value: unknown): value is string =>
  typeof value === 'string' && value.length > 0 && value.length <= ID_LIMIT;

/** The system events the log records (the others — referral.attributed … — are internal hand-overs). */
const SYSTEM_RECORDS = new Set<string>(SYSTEM_EVENT_TYPES);

/** The unsubscribe: the preferences service tells the shop through the system's `customer.consent.changed`. */
const UNSUBSCRIBE = 'customer.consent.changed';

/** The system's detail-types the log hears (analytics/routing.ts builds the rule from them). */
export const SYSTEM_HEARD_TYPES: readonly string[] = [...SYSTEM_EVENT_TYPES, UNSUBSCRIBE].sort();

/** Which customer an event is about, checked as far as needed to decide whether to load keys. */
export function analyticsSubject(event: RawEvent, now: string): AnalyticsSubject {
  try {
    if (event.source === SES_SOURCE) {
      const reading = readSesEvent(event);
      if ('ignored' in reading) return { kind: 'none', reason: 'not an email outcome' };
      if (!reading.target) return { kind: 'none', reason: 'not an email of this system' };
      return subjectOf(reading.target.customerId);
    }
    if (event.source === SYSTEM_SOURCE) {
      if (!SYSTEM_RECORDS.has(event.detailType) && event.detailType !== UNSUBSCRIBE)
        return { kind: 'none', reason: `${event.detailType} is not recorded` };
      return subjectOf(detailOf(event)?.customerId);
    }
    const parsed = parseShopEvent(event, { now });
    if (!parsed.ok) return { kind: 'none', reason: 'rejected shop event' };
    if (parsed.event.detailType === 'customer.deleted') return { kind: 'keyless' };
    return subjectOf(parsed.event.detail.customerId);
  } catch {
    return { kind: 'none', reason: 'malformed event' };
  }
}

function subjectOf(customerId: unknown): AnalyticsSubject {
  if (!isId(customerId)) return { kind: 'none', reason: 'no customer id' };
  // Erasure leaves pseudonyms in other customers' items; they are nobody, and get no secret.
  if (isPseudonym(customerId)) return { kind: 'none', reason: 'an erased customer' };
  return { kind: 'customer', customerId };
}

/** The records of one event; empty for anything not recorded or not valid. Never throws. */
export function analyticsRecords(event: RawEvent, context: RecordContext): AnalyticsRecord[] {
  let records: AnalyticsRecord[];
  try {
    records = build(event, context);
  } catch {
    return [];
  }
  // The last guard: only rows that are identifiers, numbers and times leave this function.
  return records.filter((record) => analyticsRecordSchema.safeParse(record).success);
}

function build(event: RawEvent, context: RecordContext): AnalyticsRecord[] {
  if (event.source === SES_SOURCE) return emailOutcome(event, context);
  if (event.source === SYSTEM_SOURCE) return systemEvent(event, context);
  const parsed: ParseResult = parseShopEvent(event, { now: context.now });
  if (!parsed.ok) return [];
  return shopEvent(parsed.event, context);
}

// ---------------------------------------------------------------------------------------------------
// Shop events
// ---------------------------------------------------------------------------------------------------

function shopEvent(
  event: Extract<ParseResult, { ok: true }>['event'],
  context: RecordContext,
): AnalyticsRecord[] {
  const { keys } = context;
  if (event.detailType === 'customer.deleted') {
    // Keyless: nothing in it can be tied to the customer, not even by its id.
    return [
      {
        ...empty(),
        id: keylessRecordId(event.detailType, [event.id]),
        type: event.detailType,
        time: instant(event.time, context.now),
        recorded: instant(context.now, context.now),
      },
    ];
  }
  if (!keys) return [];
  const r = (type: RecordType, time: string, idParts: string[], fields: Partial<AnalyticsRecord> = {}) =>
    record(type, keys, context, instant(time, event.time), idParts, fields);
  switch (event.detailType) {
    case 'customer.registered': {
      const d = event.detail;
      // The registration carries the locale the profile gets from it.
      return [
        r('customer.registered', d.registeredAt ?? event.time, [], {
          consent: d.marketingConsent,
          ...where(d.locale ?? context.locale),
        }),
      ];
    }
    case 'customer.updated':
      return [
        r('customer.updated', event.time, [event.id], {
          ...where(event.detail.locale ?? context.locale),
        }),
      ];
    case 'customer.consent.changed':
      return [
        r('customer.consent.changed', event.time, [event.id], { consent: event.detail.marketingConsent }),
      ];
    case 'order.placed': {
      const d = event.detail;
      return [
        r('order.placed', d.placedAt, [d.orderId], {
          order: keys.order(d.orderId),
          amount: d.total.amount,
          currency: d.total.currency,
        }),
      ];
    }
    case 'order.delivered': {
      const d = event.detail;
      return [
        r('order.delivered', d.deliveredAt ?? event.time, [d.orderId], { order: keys.order(d.orderId) }),
      ];
    }
    case 'order.refunded': {
      const d = event.detail;
      // Partial refunds of one order are separate facts, and the contract gives a refund no id of
      // its own: the event's id tells them apart (stable on EventBridge's redelivery).
      return [
        r('order.refunded', event.time, [d.orderId, event.id], {
          order: keys.order(d.orderId),
          amount: d.amount?.amount ?? null,
          currency: d.amount?.currency ?? null,
        }),
      ];
    }
    case 'feedback.submitted': {
      const d = event.detail;
      // One answer per feedback link (its id); never the comment.
      return [
        r('feedback.submitted', event.time, [d.feedbackId ?? event.id], {
          score: d.score,
          order: d.orderId ? keys.order(d.orderId) : null,
        }),
      ];
    }
    default:
      return [];
  }
}

// ---------------------------------------------------------------------------------------------------
// The system's own events (source retention-journeys), published by the dispatcher from the outbox
// ---------------------------------------------------------------------------------------------------

/** Referral rejections, from the free-form reasons the system writes to the closed set recorded. */
const REFERRAL_REASONS: [RegExp, string][] = [
  [/^unknown code$/, 'unknown-code'],
  [/^self-referral$/, 'self-referral'],
  [/^alias of the referrer$/, 'alias-of-referrer'],
  [/^not a new customer$/, 'not-a-new-customer'],
  [/^no reward configured for currency/, 'no-reward-for-currency'],
  [/cap/, 'cap-reached'],
];

const JOURNEY_TYPES = new Set([
  'journey.entered',
  'journey.exited',
  'journey.completed',
  'journey.goal.reached',
]);

function systemEvent(event: RawEvent, context: RecordContext): AnalyticsRecord[] {
  const { keys } = context;
  const d = detailOf(event);
  if (!keys || !d) return [];
  // The outbox id names the fact (journey#instance#step); an older publisher without it falls back
  // to the envelope id.
  const outboxId = isId(d.outboxId) ? d.outboxId : undefined;
  const factId = outboxId ?? (isId(event.id) ? event.id : '');
  const journey = identifier(d.journey);
  const instanceId = isId(d.instanceId)
    ? d.instanceId
    : journey && outboxId
      ? instanceOf(journey, outboxId)
      : undefined;
  const lifecycle = {
    journey,
    instance: journey && instanceId ? keys.instance(journey, instanceId) : null,
  };
  const r = (type: RecordType, time: unknown, fields: Partial<AnalyticsRecord>) =>
    record(type, keys, context, instant(time, event.time, context.now), [factId], fields);

  if (JOURNEY_TYPES.has(event.detailType)) {
    const type = event.detailType as RecordType;
    return [
      r(type, type === 'journey.goal.reached' ? d.reachedAt : event.time, {
        ...lifecycle,
        holdout: typeof d.holdout === 'boolean' ? d.holdout : null,
        goal: type === 'journey.goal.reached' ? identifier(d.goal) : null,
        reason: type === 'journey.exited' ? exitReason(d.reason) : null,
      }),
    ];
  }
  switch (event.detailType) {
    case 'coupon.issued': {
      // The code is a secret of the customer's: never recorded. A fixed amount off is money.
      const money = moneyOf(d.amountOff, d.currency);
      return [r('coupon.issued', event.time, { ...lifecycle, message: identifier(d.message), ...money })];
    }
    case 'referral.code.created':
      return [r('referral.code.created', event.time, {})];
    case 'referral.rejected':
      return [r('referral.rejected', event.time, { ...lifecycle, reason: referralReason(d.reason) })];
    case 'referral.reward.granted': {
      const reward = typeof d.reward === 'object' && d.reward !== null ? (d.reward as Detail) : {};
      return [
        r('referral.reward.granted', event.time, {
          ...lifecycle,
          ...moneyOf(reward.amount, reward.currency),
        }),
      ];
    }
    case 'support.followup.requested':
      // The comment that asked for it stays with support; the score and the order are enough here.
      return [
        r('support.followup.requested', event.time, {
          ...lifecycle,
          score: scoreOf(d.score),
          order: isId(d.orderId) ? keys.order(d.orderId) : null,
        }),
      ];
    case UNSUBSCRIBE: {
      // Only the preferences service's own unsubscribe: it names the email whose link was used.
      if (d.marketingConsent !== false || d.reason !== 'unsubscribe link') return [];
      const from =
        typeof d.unsubscribedFrom === 'object' && d.unsubscribedFrom !== null ? d.unsubscribedFrom : {};
      return emailRecord('email.unsubscribed', from as Detail, keys, context, event.time, [factId], {
        consent: false,
      });
    }
    default:
      return [];
  }
}

/** `exitOn:<event>` as the engine writes it; anything else is not from the closed set. */
function exitReason(value: unknown): string | null {
  if (typeof value !== 'string') return null;
  const match = /^exitOn:([a-z]+(?:\.[a-z]+){1,3})$/.exec(value);
  return match ? value : null;
}

function referralReason(value: unknown): string | null {
  if (typeof value !== 'string') return null;
  return REFERRAL_REASONS.find(([pattern]) => pattern.test(value))?.[1] ?? 'other';
}

/**
 * The journey instance an outbox id belongs to: the engine writes `<journey>#<instance>#<step>`,
 * where the step is the program counter, `<pc>#coupon`, `<pc>#reward` or a lifecycle event type.
 */
export function instanceOf(journey: string, outboxId: string): string | undefined {
  if (!outboxId.startsWith(`${journey}#`)) return undefined;
  const match = /^(.+)#(?:\d+(?:#[a-z]+)?|journey\.[a-z.]+)$/.exec(outboxId.slice(journey.length + 1));
  return match?.[1];
}

// ---------------------------------------------------------------------------------------------------
// Email outcomes (SES events on the default bus)
// ---------------------------------------------------------------------------------------------------

const EMAIL_TYPES: Partial<Record<string, RecordType>> = {
  sent: 'email.sent',
  delivered: 'email.delivered',
  bounced: 'email.bounced',
  softBounced: 'email.bounced',
  complained: 'email.complained',
  opened: 'email.opened',
  clicked: 'email.clicked',
  rejected: 'email.rejected',
};

function emailOutcome(event: RawEvent, context: RecordContext): AnalyticsRecord[] {
  const { keys } = context;
  const reading = readSesEvent(event);
  if ('ignored' in reading || !reading.target || !keys) return [];
  const type = Object.hasOwn(EMAIL_TYPES, reading.kind) ? EMAIL_TYPES[reading.kind] : undefined;
  if (!type) return [];
  const { outboxId } = reading.target;
  // One record per email and outcome; opens and clicks happen many times, each at its moment.
  const many = type === 'email.opened' || type === 'email.clicked';
  return emailRecord(
    type,
    { journey: reading.journeyId, message: reading.message, outboxId },
    keys,
    context,
    reading.at,
    many ? [outboxId, instant(reading.at, event.time, context.now)] : [outboxId],
    { reason: reading.bounceType ?? null },
  );
}

/** An email.* record: journey, message, send key and — when the outbox id names it — instance. */
function emailRecord(
  type: RecordType,
  email: Detail,
  keys: AnalyticsKeys,
  context: RecordContext,
  time: unknown,
  idParts: string[],
  fields: Partial<AnalyticsRecord>,
): AnalyticsRecord[] {
  const journey = identifier(email.journey);
  const outboxId = isId(email.outboxId) ? email.outboxId : undefined;
  const instanceId = journey && outboxId ? instanceOf(journey, outboxId) : undefined;
  return [
    record(type, keys, context, instant(time, context.now), idParts, {
      journey,
      message: identifier(email.message),
      send: outboxId ? keys.send(outboxId) : null,
      instance: journey && instanceId ? keys.instance(journey, instanceId) : null,
      ...fields,
    }),
  ];
}

// ---------------------------------------------------------------------------------------------------
// Building blocks
// ---------------------------------------------------------------------------------------------------

function empty(): AnalyticsRecord {
  return {
    ...nullColumns(),
    id: '',
    v: ANALYTICS_SCHEMA_VERSION,
    type: 'customer.deleted',
    time: '',
    recorded: '',
  };
}

function record(
  type: RecordType,
  keys: AnalyticsKeys,
  context: RecordContext,
  time: string,
  idParts: string[],
  fields: Partial<AnalyticsRecord>,
): AnalyticsRecord {
  return {
    ...empty(),
    ...where(context.locale),
    ...fields,
    id: keys.recordId(type, idParts),
    type,
    time,
    recorded: instant(context.now, context.now),
    customer: keys.customer,
  };
}

/** Locale (canonical BCP 47) and market (its region, `de-AT` → `AT`), both null when unknown. */
export function where(tag: string | undefined): { locale: string | null; market: string | null } {
  const locale = typeof tag === 'string' ? canonicalLocale(tag) : undefined;
  if (!locale || locale.length > 35) return { locale: null, market: null };
  let region: string | undefined;
  try {
    region = new Intl.Locale(locale).region;
  } catch {
    region = undefined;
  }
  return { locale, market: region && /^[A-Z]{2}$/.test(region) ? region : null };
}

/** The first of the candidates that is a time, as `Date#toISOString` (the columns compare as strings). */
function instant(...candidates: unknown[]): string {
  for (const candidate of candidates) {
    if (typeof candidate !== 'string') continue;
    const ms = Date.parse(candidate);
    if (!Number.isNaN(ms)) return new Date(ms).toISOString();
  }
  return new Date(0).toISOString();
}

const NAME = /^[A-Za-z0-9._:-]{1,100}$/;
/** A journey, message or goal name: an identifier, or null — never text. */
function identifier(value: unknown): string | null {
  return typeof value === 'string' && NAME.test(value) ? value : null;
}

function scoreOf(value: unknown): number | null {
  const n = typeof value === 'string' && /^\d{1,2}$/.test(value) ? Number(value) : value;
  return typeof n === 'number' && Number.isInteger(n) && n >= 0 && n <= 10 ? n : null;
}

function moneyOf(amount: unknown, currency: unknown): { amount: string | null; currency: string | null } {
  const valid =
    typeof amount === 'string' &&
    /^\d{1,12}(\.\d{1,4})?$/.test(amount) &&
    typeof currency === 'string' &&
    /^[A-Z]{3}$/.test(currency);
  return valid ? { amount, currency } : { amount: null, currency: null };
}

function detailOf(event: RawEvent): Detail | undefined {
  const d = event.detail;
  return typeof d === 'object' && d !== null && !Array.isArray(d) ? (d as Detail) : undefined;
}
