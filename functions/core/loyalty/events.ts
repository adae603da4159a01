/**
 * The loyalty program's part of the event contract (DESIGN.md §5, §11). One shop event asks for a
 * redemption (a shop's own account page can redeem as the member page does); the system emits the
 * rest (source `retention-journeys`) for the shop and for journeys, which may start on them and whose
 * value-moving ones are checked against the stored account (core/value-checks.ts).
 */
import * as z from 'zod/mini';
import { currency, id, nonEmpty, timestamp } from '../event-fields.ts';
import { lazyRecord } from '../lazy-record.ts';

const points = z.number().check(z.int('must be a whole number'));
const slug = nonEmpty.check(z.maxLength(64), z.regex(/^[a-z][a-z0-9-]*$/, 'must be kebab-case'));
const movementId = nonEmpty.check(z.maxLength(300));

/** Shop event: redeem a reward of the catalogue. `requestId` makes a repeated request harmless. */
export const loyaltyRedemptionRequested = () =>
  z.object({
    customerId: id,
    rewardId: slug,
    requestId: nonEmpty.check(z.maxLength(100)).register(z.globalRegistry, {
      description: 'the same id again returns the first redemption, never a second one',
    }),
  });

/** The system's loyalty events, each schema built when first asked for (lazy-record.ts). */
const loyaltyEventBuilders = {
  'loyalty.member.joined': () => z.object({ customerId: id, tier: slug, joinedAt: timestamp }),
  'loyalty.points.earned': () =>
    z.object({
      customerId: id,
      movementId,
      points,
      reason: z.enum(['order', 'registration', 'feedback', 'birthday', 'referral']),
      orderId: z.optional(id),
      /** Order points wait for the hold; bonuses are available at once. */
      availableAt: z.optional(timestamp),
      balance: points,
    }),
  'loyalty.points.available': () =>
    z.object({ customerId: id, movementId, orderId: id, points, balance: points }),
  'loyalty.points.reversed': () =>
    z.object({ customerId: id, movementId, orderId: id, points, balance: points }),
  'loyalty.points.expiring': () => z.object({ customerId: id, points, expiresAt: timestamp }),
  'loyalty.points.expired': () => z.object({ customerId: id, movementId, points, balance: points }),
  'loyalty.tier.changed': () =>
    z.object({
      customerId: id,
      from: slug,
      to: slug,
      direction: z.enum(['up', 'down']),
      /** The new tier's benefits as the program states them, for the shop to apply. */
      benefits: z.optional(
        z.object({
          earnMultiplier: z.number(),
          couponPercentOff: z.optional(z.number()),
          flags: z.record(z.string(), z.boolean()),
        }),
      ),
    }),
  'loyalty.tier.at-risk': () =>
    z.object({
      customerId: id,
      tier: slug,
      to: slug,
      downgradeAt: timestamp,
      pointsNeeded: points,
    }),
  /** A shop's `loyalty.redemption.requested` that could not be granted (the member page says it at once). */
  'loyalty.redemption.refused': () =>
    z.object({
      customerId: id,
      rewardId: slug,
      requestId: nonEmpty.check(z.maxLength(100)),
      reason: z.enum([
        'unknown reward',
        'not enough points',
        'no currency',
        'program disabled',
        'not a member',
      ]),
    }),
  'loyalty.reward.redeemed': () =>
    z.object({
      customerId: id,
      movementId,
      rewardId: slug,
      points,
      code: nonEmpty.check(z.maxLength(64)),
      balance: points,
      currency: z.optional(currency),
    }),
};

export const loyaltyEventSchemas = lazyRecord(loyaltyEventBuilders);

export type LoyaltyEventType = keyof typeof loyaltyEventSchemas;
export const LOYALTY_EVENT_TYPES = Object.keys(loyaltyEventSchemas) as [
  LoyaltyEventType,
  ...LoyaltyEventType[],
];
