/**
 * The loyalty ledger as a property (issue 12), seeded, 1,000 random event sequences each: orders,
 * refunds (whole and partial, before and after their orders), bonuses, redemptions (double clicks
 * included), duplicates under the same and a new event id, late deliveries and time jumps.
 * - after every decision the balance and the pending points equal the sum of the ledger, and no
 *   redemption takes the balance below zero;
 * - without redemptions (whose outcome rightly depends on the balance at the moment they are asked),
 *   the final account is the same whatever the order and duplication of deliveries.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { LoyaltyDecision } from '../../functions/core/loyalty/account.ts';
import { LoyaltyWorld, program, shippedProgram } from '../support/loyalty-world.ts';

const RUNS = 1000;
const SEED = 12;
const START = Date.parse('2026-03-01T10:00:00Z');
const DAY = 86_400_000;
const at = (days: number) => new Date(START + Math.round(days * DAY)).toISOString().replace('.000Z', 'Z');

type Happening =
  | { kind: 'order'; orderId: string; amount: string; day: number }
  | { kind: 'refund'; orderId: string; amount?: string | undefined; day: number }
  | { kind: 'registration'; day: number }
  | { kind: 'feedback'; orderId: string; day: number }
  | { kind: 'referral'; refereeId: string; day: number }
  | { kind: 'redeem'; rewardId: string; requestId: string; day: number };

const orderId = fc.constantFrom('o1', 'o2', 'o3', 'o4');
const day = fc.double({ min: 0, max: 90, noNaN: true });
const happening: fc.Arbitrary<Happening> = fc.oneof(
  {
    weight: 4,
    arbitrary: fc.record({
      kind: fc.constant('order' as const),
      orderId,
      amount: fc.constantFrom('10.00', '59.90', '250.00', '499.99', '1200.00'),
      day,
    }),
  },
  {
    weight: 2,
    arbitrary: fc.record({
      kind: fc.constant('refund' as const),
      orderId,
      amount: fc.option(fc.constantFrom('5.00', '30.00', '9999.00'), { nil: undefined }),
      day,
    }),
  },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('registration' as const), day }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('feedback' as const), orderId, day }) },
  {
    weight: 1,
    arbitrary: fc.record({
      kind: fc.constant('referral' as const),
      refereeId: fc.constantFrom('c2', 'c3'),
      day,
    }),
  },
  {
    weight: 2,
    arbitrary: fc.record({
      kind: fc.constant('redeem' as const),
      rewardId: fc.constantFrom('five-off', 'fifteen-off', 'twenty-percent'),
      requestId: fc.constantFrom('r1', 'r2', 'r3'),
      day,
    }),
  },
);

/**
 * An order, and its refund, is one fact: every `order` (or `refund`) of the same order says what the first
 * one said — duplicates are the deliveries' doing. (The contract has no refund id, so a second, different
 * refund of one order cannot be told from a redelivery: the first refund counts, README "Loyalty program".)
 */
function oneFactPerOrder(happenings: Happening[]): Happening[] {
  const first = new Map<string, Happening>();
  return happenings.map((h) => {
    if (h.kind !== 'order' && h.kind !== 'refund') return h;
    const key = `${h.kind} ${h.orderId}`;
    const known = first.get(key);
    if (known) return known;
    first.set(key, h);
    return h;
  });
}

/** Each happening delivered once or more, late by up to 30 days, a copy under the same or a new id. */
interface Delivery {
  happening: Happening;
  id: string;
  processAt: number;
}
const deliveries = (happenings: Happening[], lateness: number[][], sameId: boolean[]) =>
  happenings
    .flatMap((h, i) =>
      (lateness[i] ?? [0]).map((late, copy) => ({
        happening: h,
        id: copy > 0 && !sameId[i] ? `h${i}-copy${copy}` : `h${i}`,
        processAt: h.day + late,
      })),
    )
    .sort((a, b) => a.processAt - b.processAt);

/** Sequences of `kinds`, each with its deliveries' lateness and whether a copy keeps the event id. */
const scenarioOf = (kinds: fc.Arbitrary<Happening>) =>
  fc
    .array(kinds, { minLength: 1, maxLength: 14 })
    .map(oneFactPerOrder)
    .chain((happenings) =>
      fc.record({
        happenings: fc.constant(happenings),
        lateness: fc.array(
          fc.array(fc.double({ min: 0, max: 30, noNaN: true }), { minLength: 1, maxLength: 3 }),
          { minLength: happenings.length, maxLength: happenings.length },
        ),
        sameId: fc.array(fc.boolean(), { minLength: happenings.length, maxLength: happenings.length }),
      }),
    );
const scenario = scenarioOf(happening);

/** Business times: an order's placedAt, every other event's envelope time. */
function deliver(world: LoyaltyWorld, d: Delivery, seen: Set<string>): LoyaltyDecision | undefined {
  // An exact redelivery is dropped by the processed-event marker before the core sees it.
  if (seen.has(d.id)) return undefined;
  seen.add(d.id);
  const now = at(d.processAt);
  const h = d.happening;
  const time = at(h.day);
  const options = { id: d.id, time };
  switch (h.kind) {
    case 'order':
      return world.event(
        'order.placed',
        { orderId: h.orderId, placedAt: time, total: { amount: h.amount, currency: 'EUR' } },
        now,
        options,
      );
    case 'refund':
      return world.event(
        'order.refunded',
        { orderId: h.orderId, ...(h.amount ? { amount: h.amount, currency: 'EUR' } : {}) },
        now,
        options,
      );
    case 'registration':
      return world.event(
        'customer.registered',
        { email: 'c1@example.com', locale: 'de-DE', marketingConsent: true, registeredAt: time },
        now,
        options,
      );
    case 'feedback':
      return world.event('feedback.submitted', { orderId: h.orderId, score: 9 }, now, options);
    case 'referral':
      return world.event(
        'referral.reward.earned',
        { refereeId: h.refereeId, code: 'CODE', orderId: 'x', currency: 'EUR' },
        now,
        { ...options, source: 'retention-journeys' },
      );
    case 'redeem':
      return world.redeem(h.rewardId, h.requestId, now);
  }
}

function run(
  world: LoyaltyWorld,
  list: Delivery[],
  check: (d: LoyaltyDecision, before: number) => void,
): void {
  const seen = new Set<string>();
  for (const d of list) {
    world.runUntil(at(d.processAt));
    const before = world.account?.available ?? 0;
    const decision = deliver(world, d, seen);
    if (decision) check(decision, before);
  }
}

function assertLedgerSums(world: LoyaltyWorld): void {
  const sum = world.ledgerSum();
  expect(world.account?.available ?? 0).toBe(sum.available);
  expect(world.account?.pending ?? 0).toBe(sum.pending);
  expect(world.account?.lots.reduce((n, l) => n + l.points, 0) ?? 0).toBe(sum.pending);
}

/** A redemption never takes the balance below zero: replay the decision's movements in order. */
function assertNoOverdraft(decision: LoyaltyDecision, before: number): void {
  let available = before;
  for (const m of decision.movements) {
    available += m.available;
    if (m.kind === 'redeem') expect(available).toBeGreaterThanOrEqual(0);
  }
}

// Seconds alone; minutes when the machine's two cores are shared with DynamoDB Local and other workers.
describe('loyalty ledger properties', () => {
  it(`balance = sum of the ledger after every decision, never overdrawn by a redemption (${RUNS} sequences)`, () => {
    fc.assert(
      fc.property(scenario, ({ happenings, lateness, sameId }) => {
        const world = new LoyaltyWorld(shippedProgram());
        run(world, deliveries(happenings, lateness, sameId), (decision, before) => {
          assertNoOverdraft(decision, before);
          assertLedgerSums(world);
        });
        world.runUntil(at(500));
        assertLedgerSums(world);
      }),
      { numRuns: RUNS, seed: SEED },
    );
  }, 300_000);

  it(`without redemptions, the same account whatever the order and duplication of deliveries (${RUNS} sequences)`, () => {
    // Tier multipliers rightly depend on what was known when an order was recorded; at 1 they cannot.
    const shipped = shippedProgram();
    const flat = program({
      ...shipped,
      tiers: {
        ...shipped.tiers,
        levels: shipped.tiers.levels.map((t) => ({ ...t, benefits: { ...t.benefits, earnMultiplier: 1 } })),
      },
    });
    const noRedeem = happening.filter((h) => h.kind !== 'redeem');
    const arb = scenarioOf(noRedeem);
    const END = at(90 + 30 + 14 + 70);
    const summary = (world: LoyaltyWorld) => ({
      available: world.account?.available,
      pending: world.account?.pending,
      tier: world.account?.tier,
      totals: world.account?.totals,
      qualifying: Object.fromEntries(
        Object.entries(world.account?.qualifying ?? {}).filter(([, n]) => n !== 0),
      ),
      // A refund told after the hold passed takes the points from the balance rather than from pending:
      // the same points, so a movement counts by its net effect; releases and refund notes by their presence.
      movements: [...world.ledger.values()]
        .filter((m) => m.kind !== 'refund-noted' && m.kind !== 'release')
        .map((m) => `${m.id} ${m.available + m.pending}`)
        .sort(),
    });
    fc.assert(
      fc.property(arb, ({ happenings, lateness, sameId }) => {
        const timely = new LoyaltyWorld(flat);
        run(
          timely,
          happenings
            .map((h, i) => ({ happening: h, id: `h${i}`, processAt: h.day }))
            .sort((a, b) => a.processAt - b.processAt),
          () => {},
        );
        timely.runUntil(END);
        const disordered = new LoyaltyWorld(flat);
        run(disordered, deliveries(happenings, lateness, sameId), () => {});
        disordered.runUntil(END);
        expect(summary(disordered)).toEqual(summary(timely));
      }),
      { numRuns: RUNS, seed: SEED },
    );
  }, 300_000);
});
