/**
 * Keeping a customer's decisions flat in their history (issue 13) must change nothing they receive:
 * the same random years of a customer's life — registration, orders at random gaps, deliveries,
 * refunds, events told twice or late — decided once with every instance and order in view, and once
 * as the store keeps them now (settled instances archived into their journey's history, the order
 * summary's recent orders only). The emails, coupons and lifecycle events must be identical, while
 * what a decision sees stays bounded.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { anna, definition, loadDefinition, World } from '../support/engine-world.ts';

const JOURNEYS = [
  ...['onboarding', 'post-purchase', 'win-back', 'birthday'].map((id) =>
    loadDefinition(`journeys/${id}.yaml`),
  ),
  // One instance per delivered order, at most three a calendar year, telling apart busy months.
  definition({
    id: 'per-delivery',
    trigger: { event: 'order.delivered', instanceKey: 'orderId' },
    reentry: 'always',
    goal: { event: 'order.placed', within: 'P20D' },
    steps: [
      { if: { entries: { count: { lte: 3 }, period: 'calendarYear' } }, then: [{ send: 'a' }] },
      { wait: 'P3D' },
      { if: { orders: { count: { gte: 2 }, within: 'P30D' } }, then: [{ send: 'b' }], else: [{ send: 'c' }] },
    ],
  }),
  // Re-entry after a duration since the last entry, and a count of entries over a rolling window.
  definition({
    id: 'after-refund',
    trigger: { event: 'order.refunded' },
    reentry: { after: 'P45D' },
    steps: [
      {
        if: { entries: { count: { gte: 2 }, period: 'P365D' } },
        then: [{ send: 'a' }],
        else: [{ send: 'b' }],
      },
    ],
  }),
];
const DAY = 86_400_000;
const START = Date.parse('2025-01-06T08:00:00Z');
const iso = (ms: number) => new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');

interface Step {
  gapDays: number;
  deliveredAfterDays: number | null;
  refunded: boolean;
  toldTwice: boolean;
  /** The order reaches us this many days after it was placed (business time stays placedAt). */
  lateDays: number;
}

const step = fc.record({
  gapDays: fc.integer({ min: 1, max: 70 }),
  deliveredAfterDays: fc.option(fc.integer({ min: 1, max: 20 })),
  refunded: fc.boolean(),
  toldTwice: fc.boolean(),
  lateDays: fc.constantFrom(0, 0, 0, 1, 3),
});

function life(steps: Step[], settling: boolean, tailDays = 400): World {
  const world = new World(JOURNEYS, iso(START));
  world.settling = settling;
  world.deliver('customer.registered', { ...anna, birthday: '03-15' });
  let placed = START;
  for (const [n, s] of steps.entries()) {
    placed += s.gapDays * DAY;
    const orderId = `o${n + 1}`;
    world.runUntil(iso(placed + s.lateDays * DAY));
    const detail = {
      orderId,
      customerId: 'c1',
      placedAt: iso(placed),
      total: { amount: '30.00', currency: 'EUR' },
    };
    world.deliver('order.placed', detail);
    if (s.toldTwice) world.deliver('order.placed', detail);
    if (s.deliveredAfterDays !== null) {
      const deliveredAt = placed + s.deliveredAfterDays * DAY;
      world.runUntil(iso(Math.max(deliveredAt, Date.parse(world.now))));
      world.deliver('order.delivered', { orderId, customerId: 'c1', deliveredAt: iso(deliveredAt) });
    }
    if (s.refunded) world.deliver('order.refunded', { orderId, customerId: 'c1' });
  }
  world.runUntil(iso(placed + tailDays * DAY));
  return world;
}

const outcome = (world: World) =>
  world.effects.map(({ at, effect }) =>
    effect.kind === 'send'
      ? `${at} send ${effect.journeyId}/${effect.message} ${effect.outboxId} ${effect.data.orderCount}`
      : `${at} emit ${effect.detailType} ${effect.outboxId}`,
  );

describe('decisions on a bounded view', () => {
  it('send, issue and emit exactly what decisions on the whole history do', () => {
    fc.assert(
      fc.property(fc.array(step, { minLength: 1, maxLength: 40 }), (steps) => {
        // Act
        const whole = life(steps, false);
        const bounded = life(steps, true);
        // Assess
        expect(outcome(bounded)).toEqual(outcome(whole));
        expect(bounded.instances.length).toBeLessThanOrEqual(whole.instances.length);
        expect(bounded.orders.length).toBeLessThanOrEqual(8 + 1);
      }),
      { seed: 21, numRuns: 60 },
    );
  }, 300_000);

  it('keeps a weekly customer’s view the same size after 200 orders as after 20', () => {
    // Arrange
    const weekly = (n: number) =>
      Array.from({ length: n }, () => ({
        gapDays: 7,
        deliveredAfterDays: 2,
        refunded: false,
        toldTwice: false,
        lateDays: 0,
      }));
    // Act: both seen a day after their last order, in the same phase of the weekly rhythm
    const twenty = life(weekly(20), true, 1);
    const twoHundred = life(weekly(200), true, 1);
    // Assess
    expect(twoHundred.instances.length).toBe(twenty.instances.length);
    expect(twoHundred.orders.length).toBe(twenty.orders.length);
    const live = twoHundred.instances.filter((i) => i.journeyId === 'post-purchase').length;
    expect(live).toBeGreaterThan(0);
    expect((twoHundred.histories['post-purchase']?.entries ?? 0) + live).toBe(200);
    expect(twoHundred.orderSummary?.count).toBe(200);
  }, 120_000);
});
