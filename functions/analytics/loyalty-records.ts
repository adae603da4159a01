/**
 * What the log records of the loyalty program's events (core/loyalty/events.ts): who joined in which
 * tier, the points each movement moved, tier changes, redemptions and refused requests — the facts the loyalty KPIs
 * (analytics/queries/loyalty*.sql) count. Never the coupon code, the balance or a movement id: the
 * movement id names the order or the redemption request it came from, so it only goes into the keyed
 * record id.
 */
import type { RawEvent } from '../core/events.ts';
import type { AnalyticsKeys } from './keys.ts';
import { type AnalyticsRecord, MAX_POINTS, type RecordType } from './record.ts';
import { type Detail, instant, isId, type RecordContext, record } from './record-fields.ts';

/** The journey name a redemption's `coupon.issued` carries: the program, not a journey instance. */
export const LOYALTY_JOURNEY = 'loyalty';

const EARN_REASONS = new Set(['order', 'registration', 'feedback', 'birthday', 'referral']);
const DIRECTIONS = new Set(['up', 'down']);
/** Why the program refused a redemption (core/loyalty/events.ts), as the reason column's identifiers. */
const REFUSALS = new Map([
  ['unknown reward', 'unknown-reward'],
  ['not enough points', 'not-enough-points'],
  ['no currency', 'no-currency'],
  ['program disabled', 'program-disabled'],
  ['not a member', 'not-a-member'],
]);
const SLUG = /^[a-z][a-z0-9-]{0,63}$/;

/** A movement id as the ledger writes it (`earn:order:<orderId>` …): at most 300 characters. */
const isMovementId = (value: unknown): value is string =>
  typeof value === 'string' && value.length > 0 && value.length <= 300;

/** A tier or reward id of the program, or null. */
const slugOf = (value: unknown): string | null =>
  typeof value === 'string' && SLUG.test(value) ? value : null;

/** Points as a magnitude (the record's type says which way they moved), or null. */
export function pointsOf(value: unknown): number | null {
  return typeof value === 'number' && Number.isSafeInteger(value) && Math.abs(value) <= MAX_POINTS
    ? Math.abs(value)
    : null;
}

/**
 * The records of one loyalty.* event. `factId` is what names the fact when no movement does (the
 * outbox id, else the envelope id); a movement's id is derived from its cause, so the same movement
 * published twice, from any outbox entry, is one record.
 */
export function loyaltyEvent(
  event: RawEvent,
  d: Detail,
  keys: AnalyticsKeys,
  context: RecordContext,
  factId: string,
): AnalyticsRecord[] {
  const type = event.detailType as RecordType;
  const idParts = [isMovementId(d.movementId) ? d.movementId : factId];
  const r = (time: unknown, fields: Partial<AnalyticsRecord>) => [
    record(type, keys, context, instant(time, event.time, context.now), idParts, {
      points: pointsOf(d.points),
      ...fields,
    }),
  ];
  const order = isId(d.orderId) ? keys.order(d.orderId) : null;
  switch (event.detailType) {
    case 'loyalty.member.joined':
      return r(d.joinedAt, { tier: slugOf(d.tier) });
    case 'loyalty.points.earned':
      return r(event.time, {
        order,
        reason: typeof d.reason === 'string' && EARN_REASONS.has(d.reason) ? d.reason : null,
      });
    case 'loyalty.points.available':
    case 'loyalty.points.reversed':
      return r(event.time, { order });
    case 'loyalty.points.expiring':
    case 'loyalty.points.expired':
      return r(event.time, {});
    case 'loyalty.tier.changed':
      return r(event.time, {
        tier: slugOf(d.to),
        reason: typeof d.direction === 'string' && DIRECTIONS.has(d.direction) ? d.direction : null,
      });
    case 'loyalty.tier.at-risk':
      return r(event.time, { tier: slugOf(d.tier), points: pointsOf(d.pointsNeeded) });
    case 'loyalty.redemption.refused':
      return r(event.time, {
        reward: slugOf(d.rewardId),
        reason: (typeof d.reason === 'string' && REFUSALS.get(d.reason)) || null,
      });
    case 'loyalty.reward.redeemed':
      // The coupon's code stays with the customer; its money is on the redemption's coupon.issued.
      return r(event.time, { reward: slugOf(d.rewardId) });
    default:
      return [];
  }
}
