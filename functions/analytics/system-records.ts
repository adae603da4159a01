/**
 * What the log records of the system's own events (source retention-journeys), published by the
 * dispatcher from the outbox: journey lifecycle, coupons, referrals, support follow-ups, the loyalty
 * program (loyalty-records.ts) and the preferences service's unsubscribe.
 */
import type { RawEvent } from '../core/events.ts';
import { LOYALTY_JOURNEY, loyaltyEvent } from './loyalty-records.ts';
import {
  type AnalyticsRecord,
  type RecordType,
  SYSTEM_RECORD_TYPES as SYSTEM_EVENT_TYPES,
} from './record.ts';
import {
  type Detail,
  detailOf,
  emailRecord,
  identifier,
  instanceOf,
  instant,
  isId,
  moneyOf,
  type RecordContext,
  record,
  scoreOf,
} from './record-fields.ts';

/** The system events the log records (the others — referral.attributed … — are internal hand-overs). */
export const SYSTEM_RECORDS = new Set<string>(SYSTEM_EVENT_TYPES);

/** The unsubscribe: the preferences service tells the shop through the system's `customer.consent.changed`. */
export const UNSUBSCRIBE = 'customer.consent.changed';

/** The system's detail-types the log hears (analytics/routing.ts builds the rule from them). */
export const SYSTEM_HEARD_TYPES: readonly string[] = [...SYSTEM_EVENT_TYPES, UNSUBSCRIBE].sort();

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

const LOYALTY_TYPES = new Set<string>(SYSTEM_EVENT_TYPES.filter((t) => t.startsWith('loyalty.')));

export function systemEvent(event: RawEvent, context: RecordContext): AnalyticsRecord[] {
  const { keys } = context;
  const d = detailOf(event);
  if (!keys || !d) return [];
  // The outbox id names the fact (journey#instance#step); an older publisher without it falls back
  // to the envelope id.
  const outboxId = isId(d.outboxId) ? d.outboxId : undefined;
  const factId = outboxId ?? (isId(event.id) ? event.id : '');
  const journey = identifier(d.journey);
  // A redemption's coupon names the program as its journey: there is no instance to tie it to.
  const instanceId = isId(d.instanceId)
    ? d.instanceId
    : journey && journey !== LOYALTY_JOURNEY && outboxId
      ? instanceOf(journey, outboxId)
      : undefined;
  const lifecycle = {
    journey,
    instance: journey && instanceId ? keys.instance(journey, instanceId) : null,
  };
  const r = (type: RecordType, time: unknown, fields: Partial<AnalyticsRecord>) =>
    record(type, keys, context, instant(time, event.time, context.now), [factId], fields);

  if (LOYALTY_TYPES.has(event.detailType)) return loyaltyEvent(event, d, keys, context, factId);
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
