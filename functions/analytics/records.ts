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
import { isPseudonym } from '../core/referral.ts';
/** SES's events arrive on the default bus with this source. */
import { SES_SOURCE } from '../core/routing.ts';
import { readSesEvent } from '../core/ses-event.ts';
import { keylessRecordId } from './keys.ts';
import { type AnalyticsRecord, analyticsRecordSchema, type RecordType, SHOP_RECORD_TYPES } from './record.ts';
import {
  detailOf,
  emailRecord,
  empty,
  instant,
  isId,
  type RecordContext,
  record,
  where,
} from './record-fields.ts';
import { SYSTEM_RECORDS, systemEvent, UNSUBSCRIBE } from './system-records.ts';

export { SES_SOURCE };

const SHOP_RECORDS = new Set<string>(SHOP_RECORD_TYPES);

/** Whose keys an event's records need: a customer's, none (customer.deleted), or it records nothing. */
export type AnalyticsSubject =
  | { kind: 'customer'; customerId: string }
  | { kind: 'keyless' }
  | { kind: 'none'; reason: string };

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
    // A shop event the log does not record (a redemption request: its outcome is the program's
    // loyalty.reward.redeemed) needs no secret.
    if (!SHOP_RECORDS.has(parsed.event.detailType))
      return { kind: 'none', reason: `${parsed.event.detailType} is not recorded` };
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
