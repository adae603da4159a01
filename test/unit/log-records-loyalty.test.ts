/**
 * The analytics log's records of the loyalty program (functions/analytics/loyalty-records.ts): one
 * record per loyalty.* event with points, tier, reward and closed-set reasons — never the coupon code,
 * the balance or a movement id — and the redemption's coupon.issued without a journey instance.
 */
import { describe, expect, it } from 'vitest';
import { analyticsKeys } from '../../functions/analytics/keys.ts';
import { pointsOf } from '../../functions/analytics/loyalty-records.ts';
import {
  type AnalyticsRecord,
  analyticsRecordSchema,
  SYSTEM_RECORD_TYPES,
} from '../../functions/analytics/record.ts';
import type { RecordContext } from '../../functions/analytics/record-fields.ts';
import { analyticsRecords, analyticsSubject } from '../../functions/analytics/records.ts';
import { analyticsEventPatterns } from '../../functions/analytics/routing.ts';
import type { RawEvent } from '../../functions/core/events.ts';
import { LOYALTY_EVENT_TYPES, loyaltyEventSchemas } from '../../functions/core/loyalty/events.ts';
import { matchesPattern } from '../../functions/core/routing.ts';

const NOW = '2026-03-10T12:00:00.000Z';
const keys = analyticsKeys(new Uint8Array(32).fill(7));
const context: RecordContext = { keys, locale: 'fr-FR', now: NOW };

/** A loyalty event as the dispatcher publishes it: the contract's detail plus the outbox id. */
function loyalty(
  detailType: keyof typeof loyaltyEventSchemas,
  detail: Record<string, unknown>,
  id = 'env-1',
) {
  const full = { customerId: 'cust-1', ...detail };
  // The fixtures are real events of the contract, not shapes made up for the mapping.
  expect(loyaltyEventSchemas[detailType].safeParse(full).success, detailType).toBe(true);
  return {
    id,
    source: 'retention-journeys',
    detailType,
    time: '2026-03-10T11:00:00Z',
    detail: { ...full, outboxId: `loyalty#${detailType}#${id}` },
  } satisfies RawEvent;
}

const one = (event: RawEvent): AnalyticsRecord => {
  const records = analyticsRecords(event, context);
  expect(records).toHaveLength(1);
  const [r] = records as [AnalyticsRecord];
  expect(analyticsRecordSchema.safeParse(r).success).toBe(true);
  return r;
};

describe('loyalty records', () => {
  it('records every loyalty event type the contract has, and the routes hear them all', () => {
    expect(SYSTEM_RECORD_TYPES.filter((t) => t.startsWith('loyalty.'))).toEqual(LOYALTY_EVENT_TYPES);
    const patterns = analyticsEventPatterns('shop', 'retention-journeys');
    for (const type of LOYALTY_EVENT_TYPES) {
      const event = { id: 'e', source: 'retention-journeys', detailType: type, time: NOW, detail: {} };
      expect(
        patterns.some((p) => matchesPattern(p, event)),
        type,
      ).toBe(true);
      expect(analyticsSubject({ ...event, detail: { customerId: 'cust-1' } }, NOW)).toEqual({
        kind: 'customer',
        customerId: 'cust-1',
      });
    }
  });

  it("the shop's redemption request is not recorded (the program's redemption is), and needs no secret", () => {
    const request: RawEvent = {
      id: 'e-redeem',
      source: 'shop',
      detailType: 'loyalty.redemption.requested',
      time: '2026-03-10T11:00:00Z',
      detail: { customerId: 'cust-1', rewardId: 'five-off', requestId: 'r-1' },
    };
    expect(analyticsSubject(request, NOW)).toEqual({
      kind: 'none',
      reason: 'loyalty.redemption.requested is not recorded',
    });
    expect(analyticsRecords(request, context)).toEqual([]);
  });

  it('joining: the tier, at the business time the customer became a member', () => {
    expect(
      one(loyalty('loyalty.member.joined', { tier: 'member', joinedAt: '2026-03-09T08:00:00+01:00' })),
    ).toMatchObject({
      type: 'loyalty.member.joined',
      customer: keys.customer,
      tier: 'member',
      time: '2026-03-09T07:00:00.000Z',
      recorded: NOW,
      locale: 'fr-FR',
      market: 'FR',
      points: null,
    });
  });

  it('points: earned with its reason and order key, available, reversed, expiring, expired — no balance', () => {
    const earned = one(
      loyalty('loyalty.points.earned', {
        movementId: 'earn:order:order-42',
        points: 59,
        reason: 'order',
        orderId: 'order-42',
        availableAt: '2026-03-24T11:00:00Z',
        balance: 1234,
      }),
    );
    expect(earned).toMatchObject({
      type: 'loyalty.points.earned',
      points: 59,
      reason: 'order',
      order: keys.order('order-42'),
      time: '2026-03-10T11:00:00.000Z',
    });
    const bonus = one(
      loyalty('loyalty.points.earned', {
        movementId: 'bonus:registration',
        points: 100,
        reason: 'registration',
        balance: 100,
      }),
    );
    expect(bonus).toMatchObject({ points: 100, reason: 'registration', order: null });
    expect(
      one(
        loyalty('loyalty.points.available', {
          movementId: 'release:order:order-42',
          orderId: 'order-42',
          points: 59,
          balance: 159,
        }),
      ),
    ).toMatchObject({ type: 'loyalty.points.available', points: 59, order: keys.order('order-42') });
    // A reversal is recorded as the points it took back, whichever sign the event gives them.
    for (const points of [59, -59])
      expect(
        one(
          loyalty('loyalty.points.reversed', {
            movementId: 'reverse:order:order-42',
            orderId: 'order-42',
            points,
            balance: -20,
          }),
        ),
      ).toMatchObject({ type: 'loyalty.points.reversed', points: 59, order: keys.order('order-42') });
    expect(
      one(loyalty('loyalty.points.expiring', { points: 300, expiresAt: '2026-04-09T11:00:00Z' })),
    ).toMatchObject({ type: 'loyalty.points.expiring', points: 300 });
    expect(
      one(
        loyalty('loyalty.points.expired', {
          movementId: 'expire:2026-04-09T11:00:00.000Z',
          points: 300,
          balance: 0,
        }),
      ),
    ).toMatchObject({ type: 'loyalty.points.expired', points: 300 });
    // Nothing of the events' own text: not the balance (1234), not the movement ids.
    expect(JSON.stringify(earned)).not.toMatch(/1234|earn:|order-42/);
  });

  it('tiers: the tier moved to and the direction; at risk: the tier and the points still needed', () => {
    expect(
      one(loyalty('loyalty.tier.changed', { from: 'member', to: 'silver', direction: 'up' })),
    ).toMatchObject({ type: 'loyalty.tier.changed', tier: 'silver', reason: 'up' });
    expect(
      one(loyalty('loyalty.tier.changed', { from: 'gold', to: 'silver', direction: 'down' })),
    ).toMatchObject({ tier: 'silver', reason: 'down' });
    expect(
      one(
        loyalty('loyalty.tier.at-risk', {
          tier: 'gold',
          to: 'silver',
          downgradeAt: '2026-04-09T00:00:00Z',
          pointsNeeded: 240,
        }),
      ),
    ).toMatchObject({ type: 'loyalty.tier.at-risk', tier: 'gold', points: 240 });
  });

  it('a redemption: the reward and its points, never the code; its coupon without a journey instance', () => {
    const redeemed = one(
      loyalty('loyalty.reward.redeemed', {
        movementId: 'redeem:page-five-off-1',
        rewardId: 'five-off',
        points: 500,
        code: 'LOYAL-SECRET-CODE',
        balance: 20,
        currency: 'EUR',
      }),
    );
    expect(redeemed).toMatchObject({
      type: 'loyalty.reward.redeemed',
      reward: 'five-off',
      points: 500,
      journey: null,
    });
    expect(JSON.stringify(redeemed)).not.toMatch(/SECRET|page-five/);
    const coupon = one({
      id: 'env-2',
      source: 'retention-journeys',
      detailType: 'coupon.issued',
      time: '2026-03-10T11:00:00Z',
      detail: {
        customerId: 'cust-1',
        code: 'LOYAL-SECRET-CODE',
        amountOff: '5.00',
        currency: 'EUR',
        expiresAt: '2026-06-08T11:00:00Z',
        journey: 'loyalty',
        message: 'five-off',
        // An outbox id that happens to look like a journey's must not invent an instance.
        outboxId: 'loyalty#redeem#1',
      },
    });
    expect(coupon).toMatchObject({
      type: 'coupon.issued',
      journey: 'loyalty',
      message: 'five-off',
      amount: '5.00',
      currency: 'EUR',
      instance: null,
    });
    expect(JSON.stringify(coupon)).not.toContain('SECRET');
  });

  it('a refused request: the reward and why, from the closed set', () => {
    expect(
      one(
        loyalty('loyalty.redemption.refused', {
          rewardId: 'twenty-percent',
          requestId: 'shop-req-Anna',
          reason: 'not enough points',
        }),
      ),
    ).toMatchObject({
      type: 'loyalty.redemption.refused',
      reward: 'twenty-percent',
      reason: 'not-enough-points',
      points: null,
    });
    const odd = one({
      id: 'e',
      source: 'retention-journeys',
      detailType: 'loyalty.redemption.refused',
      time: NOW,
      detail: { customerId: 'cust-1', rewardId: 'five-off', reason: 'Anna was rude' },
    });
    expect(odd.reason).toBeNull();
    expect(JSON.stringify(odd)).not.toContain('Anna');
  });

  it('one movement is one record, whichever outbox entry or envelope published it', () => {
    const detail = { movementId: 'earn:order:o1', points: 10, reason: 'order', orderId: 'o1', balance: 10 };
    const first = one(loyalty('loyalty.points.earned', detail, 'env-1'));
    const again = one(loyalty('loyalty.points.earned', detail, 'env-2'));
    expect(again.id).toBe(first.id);
    // Another movement of the same order (its release) is another fact.
    expect(
      one(loyalty('loyalty.points.available', { ...detail, movementId: 'release:order:o1' })).id,
    ).not.toBe(first.id);
    // Events without a movement are named by their outbox id, as every system event.
    const up = (id: string) =>
      one(loyalty('loyalty.tier.changed', { from: 'a', to: 'b', direction: 'up' }, id));
    expect(up('env-1').id).not.toBe(up('env-2').id);
  });

  it('fields of the wrong shape become null, never text', () => {
    const event = (detail: Record<string, unknown>): RawEvent => ({
      id: 'e',
      source: 'retention-journeys',
      detailType: 'loyalty.tier.changed',
      time: NOW,
      detail: { customerId: 'cust-1', ...detail },
    });
    expect(
      one(
        event({ to: 'Gold Tier for Anna', direction: 'sideways', points: 1.5, movementId: 'x'.repeat(400) }),
      ),
    ).toMatchObject({ tier: null, reason: null, points: null });
    const earned = one({
      ...event({ reason: 'because Anna asked', points: 2 ** 40 }),
      detailType: 'loyalty.points.earned',
    });
    expect(earned).toMatchObject({ reason: null, points: null });
    expect(JSON.stringify(earned)).not.toContain('Anna');
    expect([pointsOf(-3), pointsOf(0), pointsOf('12'), pointsOf(Number.NaN), pointsOf(1e10)]).toEqual([
      3,
      0,
      null,
      null,
      null,
    ]);
  });
});
