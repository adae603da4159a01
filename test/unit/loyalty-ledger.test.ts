/** The loyalty program's rules, through the pure core (functions/core/loyalty/), one rule per test. */
import { describe, expect, it } from 'vitest';
import { orderPoints } from '../../functions/core/loyalty/ledger.ts';
import { LoyaltyWorld, program, shippedProgram } from '../support/loyalty-world.ts';

const PROGRAM = shippedProgram();
const order = (orderId: string, amount: string, placedAt: string, currency = 'EUR') => ({
  orderId,
  placedAt,
  total: { amount, currency },
});

function expectBalancedLedger(world: LoyaltyWorld) {
  const sum = world.ledgerSum();
  expect(world.account?.available).toBe(sum.available);
  expect(world.account?.pending).toBe(sum.pending);
  expect(world.account?.lots.reduce((n, l) => n + l.points, 0)).toBe(sum.pending);
}

describe('earning', () => {
  it('an order earns pending points that become available when the hold passes without a refund', () => {
    const world = new LoyaltyWorld(PROGRAM);
    world.event('order.placed', order('o1', '59.90', '2026-03-01T10:00:00Z'), '2026-03-01T10:00:05Z');
    expect(world.account).toMatchObject({ available: 0, pending: 59, tier: 'member' });
    expect(world.events('loyalty.member.joined')).toHaveLength(1);
    expect(world.events('loyalty.points.earned')[0]).toMatchObject({
      points: 59,
      reason: 'order',
      orderId: 'o1',
    });
    expect(world.account?.dueAt).toBe('2026-03-15T10:00:00Z');
    world.runUntil('2026-03-15T09:59:59Z');
    expect(world.account?.pending).toBe(59);
    world.runUntil('2026-03-15T10:00:00Z');
    expect(world.account).toMatchObject({ available: 59, pending: 0 });
    expect(world.events('loyalty.points.available')[0]).toMatchObject({
      points: 59,
      orderId: 'o1',
      balance: 59,
    });
    expectBalancedLedger(world);
  });

  it('the same order told twice, under a new event id, earns once', () => {
    const world = new LoyaltyWorld(PROGRAM);
    world.event('order.placed', order('o1', '100.00', '2026-03-01T10:00:00Z'), '2026-03-01T10:00:00Z');
    const again = world.event(
      'order.placed',
      order('o1', '100.00', '2026-03-01T10:00:00Z'),
      '2026-03-02T10:00:00Z',
    );
    expect(again.movements).toEqual([]);
    expect(world.account?.pending).toBe(100);
  });

  it('rounds down from exact cents, in the currencies the program rates', () => {
    expect(orderPoints(PROGRAM, { amount: '59.90', currency: 'EUR' }, 1.25)).toBe(74);
    expect(orderPoints(PROGRAM, { amount: '0.99', currency: 'EUR' }, 1)).toBe(0);
    expect(orderPoints(PROGRAM, { amount: '100', currency: 'JPY' }, 1)).toBe(0);
    const nearest = program({ ...PROGRAM, earning: { ...PROGRAM.earning, rounding: 'nearest' } });
    expect(orderPoints(nearest, { amount: '59.90', currency: 'EUR' }, 1)).toBe(60);
  });

  it('bonuses: registration once, one per order for feedback, referral once per referee', () => {
    const world = new LoyaltyWorld(PROGRAM);
    const reg = {
      email: 'a@example.com',
      locale: 'de-DE',
      marketingConsent: true,
      registeredAt: '2026-03-01T09:00:00Z',
    };
    world.event('customer.registered', reg, '2026-03-01T09:00:00Z');
    world.event('customer.registered', reg, '2026-03-01T09:05:00Z');
    world.event('feedback.submitted', { orderId: 'o1', score: 9 }, '2026-03-02T09:00:00Z');
    world.event('feedback.submitted', { orderId: 'o1', score: 10 }, '2026-03-02T09:01:00Z');
    const referral = { refereeId: 'c2', code: 'ABCD', orderId: 'o9', currency: 'EUR' };
    world.event('referral.reward.earned', referral, '2026-03-03T09:00:00Z', { source: 'retention-journeys' });
    world.event('referral.reward.earned', referral, '2026-03-03T09:00:00Z', { source: 'retention-journeys' });
    expect(world.account?.available).toBe(100 + 25 + 250);
    expect([...world.ledger.keys()].sort()).toEqual([
      'bonus:feedback:o1',
      'bonus:referral:c2',
      'bonus:registration',
    ]);
    expectBalancedLedger(world);
  });

  it('an order earns at the tier of the moment it was placed, even when told after a tier change', () => {
    const world = new LoyaltyWorld(PROGRAM);
    world.event('order.placed', order('big', '600.00', '2026-03-01T10:00:00Z'), '2026-03-01T10:00:00Z');
    world.runUntil('2026-03-20T00:00:00Z');
    expect(world.account?.tier).toBe('silver');
    world.event('order.placed', order('after', '100.00', '2026-03-20T10:00:00Z'), '2026-03-20T10:00:00Z');
    world.event('order.placed', order('late', '100.00', '2026-03-10T10:00:00Z'), '2026-03-20T11:00:00Z');
    expect(world.ledger.get('earn:order:after')?.pending).toBe(125);
    expect(world.ledger.get('earn:order:late')?.pending).toBe(100);
  });
});

describe('refunds', () => {
  it('a refund within the hold takes the pending points back; the points never become available', () => {
    const world = new LoyaltyWorld(PROGRAM);
    world.event('order.placed', order('o1', '80.00', '2026-03-01T10:00:00Z'), '2026-03-01T10:00:00Z');
    world.event('order.refunded', { orderId: 'o1' }, '2026-03-05T10:00:00Z');
    world.event('order.refunded', { orderId: 'o1' }, '2026-03-06T10:00:00Z', { id: 'another-id' });
    world.runUntil('2026-04-01T00:00:00Z');
    expect(world.account).toMatchObject({ available: 0, pending: 0, lots: [] });
    expect(world.events('loyalty.points.reversed')).toHaveLength(1);
    expect(world.events('loyalty.points.available')).toHaveLength(0);
    expectBalancedLedger(world);
  });

  it('a partial refund takes back its share, rounded down in the customer’s favour', () => {
    const world = new LoyaltyWorld(PROGRAM);
    world.event('order.placed', order('o1', '100.00', '2026-03-01T10:00:00Z'), '2026-03-01T10:00:00Z');
    world.event(
      'order.refunded',
      { orderId: 'o1', amount: '33.33', currency: 'EUR' },
      '2026-03-02T10:00:00Z',
    );
    expect(world.account?.pending).toBe(100 - 33);
    world.runUntil('2026-03-20T00:00:00Z');
    expect(world.account?.available).toBe(67);
    expectBalancedLedger(world);
  });

  it('a refund before its order is noted and applied when the order comes', () => {
    const world = new LoyaltyWorld(PROGRAM);
    world.event('order.refunded', { orderId: 'o1' }, '2026-03-01T10:02:00Z');
    expect(world.ledger.has('refund-noted:order:o1')).toBe(true);
    world.event('order.placed', order('o1', '80.00', '2026-03-01T10:00:00Z'), '2026-03-01T10:03:00Z');
    world.runUntil('2026-04-01T00:00:00Z');
    expect(world.account).toMatchObject({ available: 0, pending: 0 });
    expect(world.ledger.get('reverse:order:o1')?.pending).toBe(-80);
  });

  it('after the points were spent, the balance goes below zero and redemptions wait until new points cover it', () => {
    const world = new LoyaltyWorld(PROGRAM);
    world.event('order.placed', order('o1', '520.00', '2026-03-01T10:00:00Z'), '2026-03-01T10:00:00Z');
    world.runUntil('2026-03-16T00:00:00Z');
    expect(world.redeem('five-off', 'r1', '2026-03-16T10:00:00Z').redemption?.status).toBe('redeemed');
    world.event('order.refunded', { orderId: 'o1' }, '2026-03-17T10:00:00Z');
    expect(world.account?.available).toBe(20 - 520);
    expect(world.redeem('five-off', 'r2', '2026-03-18T10:00:00Z').redemption).toEqual({
      status: 'refused',
      reason: 'not enough points',
    });
    expectBalancedLedger(world);
  });
});

describe('tiers', () => {
  it('moves up the moment qualifying points reach the threshold, and not one point before', () => {
    const world = new LoyaltyWorld(PROGRAM);
    world.event('order.placed', order('o1', '499.99', '2026-03-01T10:00:00Z'), '2026-03-01T10:00:00Z');
    world.runUntil('2026-03-16T00:00:00Z');
    expect(world.account?.tier).toBe('member');
    world.event('feedback.submitted', { orderId: 'o1', score: 9 }, '2026-03-17T10:00:00Z');
    expect(world.account?.tier).toBe('silver');
    expect(world.events('loyalty.tier.changed')).toEqual([
      expect.objectContaining({ from: 'member', to: 'silver', direction: 'up' }),
    ]);
  });

  it('below the threshold: a tier-at-risk note, then down only after the grace period', () => {
    const world = new LoyaltyWorld(PROGRAM);
    world.event('order.placed', order('o1', '600.00', '2026-03-01T10:00:00Z'), '2026-03-01T10:00:00Z');
    world.runUntil('2026-03-16T00:00:00Z');
    expect(world.account?.tier).toBe('silver');
    // The points counted in March 2026; the rolling window drops them at the start of March 2027.
    world.runUntil('2027-02-28T00:00:00Z');
    expect(world.account?.tier).toBe('silver');
    world.runUntil('2027-03-01T00:00:00Z');
    const risk = world.events('loyalty.tier.at-risk');
    expect(risk).toEqual([expect.objectContaining({ tier: 'silver', to: 'member', pointsNeeded: 500 })]);
    const downgradeAt = risk[0]?.downgradeAt as string;
    world.runUntil(new Date(Date.parse(downgradeAt) - 1000).toISOString());
    expect(world.account?.tier).toBe('silver');
    world.runUntil(downgradeAt);
    expect(world.account?.tier).toBe('member');
    expect(world.events('loyalty.tier.changed').at(-1)).toMatchObject({
      from: 'silver',
      to: 'member',
      direction: 'down',
    });
  });

  it('requalifying during the grace keeps the tier', () => {
    const world = new LoyaltyWorld(PROGRAM);
    world.event('order.placed', order('o1', '600.00', '2026-03-01T10:00:00Z'), '2026-03-01T10:00:00Z');
    world.runUntil('2027-03-02T00:00:00Z');
    expect(world.account?.risk).toBeDefined();
    world.event('order.placed', order('o2', '500.00', '2027-03-02T10:00:00Z'), '2027-03-02T10:00:00Z');
    world.runUntil('2027-05-01T00:00:00Z');
    expect(world.account).toMatchObject({ tier: 'silver', risk: undefined });
    expect(world.events('loyalty.tier.changed').filter((e) => e.direction === 'down')).toHaveLength(0);
  });

  it('calendar year: the year is the customer’s, and status holds through the next year', () => {
    const yearly = program({ ...PROGRAM, tiers: { ...PROGRAM.tiers, period: 'calendarYear' } });
    const world = new LoyaltyWorld(yearly, 'c1', 'Europe/Berlin');
    // 23:30 UTC on 31 December is already 1 January in Berlin: the points count in 2027.
    world.event(
      'customer.registered',
      { email: 'a@example.com', locale: 'de', marketingConsent: true, registeredAt: '2026-12-31T23:30:00Z' },
      '2026-12-31T23:30:00Z',
    );
    expect(Object.keys(world.account?.qualifying ?? {})).toEqual(['2027-01']);
    world.event('order.placed', order('o1', '500.00', '2027-01-05T10:00:00Z'), '2027-01-05T10:00:00Z');
    world.runUntil('2027-02-01T00:00:00Z');
    expect(world.account?.tier).toBe('silver');
    world.runUntil('2028-12-31T00:00:00Z');
    expect(world.account?.tier).toBe('silver');
    expect(world.events('loyalty.tier.at-risk')).toHaveLength(0);
    world.runUntil('2029-01-01T00:00:00Z');
    expect(world.events('loyalty.tier.at-risk')).toHaveLength(1);
    expect(world.account?.risk?.since).toBe('2028-12-31T23:00:00Z');
  });
});

describe('expiry', () => {
  it('reminds before and expires available points a year after the last order', () => {
    const world = new LoyaltyWorld(PROGRAM);
    world.event('order.placed', order('o1', '120.00', '2026-03-01T10:00:00Z'), '2026-03-01T10:00:00Z');
    world.runUntil('2027-01-30T00:00:00Z');
    expect(world.events('loyalty.points.expiring')).toHaveLength(0);
    world.runUntil('2027-01-30T10:00:00Z');
    expect(world.events('loyalty.points.expiring')).toEqual([
      expect.objectContaining({ points: 120, expiresAt: '2027-03-01T10:00:00Z' }),
    ]);
    world.runUntil('2027-03-01T10:00:00Z');
    expect(world.account?.available).toBe(0);
    expect(world.events('loyalty.points.expired')).toEqual([
      expect.objectContaining({ points: 120, balance: 0 }),
    ]);
    expectBalancedLedger(world);
  });

  it('an order before the expiry moves it a year on', () => {
    const world = new LoyaltyWorld(PROGRAM);
    world.event('order.placed', order('o1', '120.00', '2026-03-01T10:00:00Z'), '2026-03-01T10:00:00Z');
    world.runUntil('2027-02-10T00:00:00Z');
    world.event('order.placed', order('o2', '10.00', '2027-02-10T10:00:00Z'), '2027-02-10T10:00:00Z');
    world.runUntil('2027-06-01T00:00:00Z');
    expect(world.account?.available).toBe(130);
    expect(world.events('loyalty.points.expired')).toHaveLength(0);
  });
});

describe('redemption', () => {
  it('redeems once per request: a second click gets the same coupon, a new request a new one', () => {
    const world = new LoyaltyWorld(PROGRAM);
    world.event('order.placed', order('o1', '1100.00', '2026-03-01T10:00:00Z'), '2026-03-01T10:00:00Z');
    world.runUntil('2026-03-16T00:00:00Z');
    const first = world.redeem('five-off', 'page-five-off-1', '2026-03-16T10:00:00Z').redemption;
    const second = world.redeem('five-off', 'page-five-off-1', '2026-03-16T10:00:01Z').redemption;
    expect(first?.status).toBe('redeemed');
    expect(second?.status).toBe('repeat');
    if (first?.status !== 'redeemed' || second?.status !== 'repeat') throw new Error('unreachable');
    expect(second.redemption.coupon).toEqual(first.redemption.coupon);
    expect(first.redemption.coupon).toMatchObject({
      amountOff: '5.00',
      currency: 'EUR',
      expiresAt: '2026-06-14T09:00:00Z', // 11:00 in Berlin, before and after the clocks change,
    });
    expect(world.account?.available).toBe(1100 - 500);
    expect(world.events('coupon.issued')).toEqual([
      expect.objectContaining({
        code: first.redemption.coupon.code,
        journey: 'loyalty',
        message: 'five-off',
      }),
    ]);
    const third = world.redeem('five-off', 'page-five-off-2', '2026-03-16T10:01:00Z').redemption;
    expect(third?.status).toBe('redeemed');
    expect(world.account?.available).toBe(100);
    expect(world.redeem('five-off', 'page-five-off-3', '2026-03-16T10:02:00Z').redemption).toEqual({
      status: 'refused',
      reason: 'not enough points',
    });
    expect(world.account?.recent.map((r) => r.requestId)).toEqual(['page-five-off-2', 'page-five-off-1']);
    expectBalancedLedger(world);
  });

  it('refuses what it cannot give: unknown rewards, non-members, a currency the reward has no amount in', () => {
    const world = new LoyaltyWorld(PROGRAM);
    expect(world.redeem('five-off', 'x', '2026-03-01T10:00:00Z').redemption).toMatchObject({
      reason: 'not a member',
    });
    world.event('order.placed', order('o1', '900.00', '2026-03-01T10:00:00Z', 'JPY'), '2026-03-01T10:00:00Z');
    world.event(
      'customer.registered',
      { email: 'a@example.com', locale: 'en', marketingConsent: true },
      '2026-03-01T10:00:00Z',
    );
    world.event('feedback.submitted', { orderId: 'o1', score: 9 }, '2026-03-02T10:00:00Z');
    world.event(
      'referral.reward.earned',
      { refereeId: 'c2', code: 'X', orderId: 'o2', currency: 'EUR' },
      '2026-03-02T10:00:00Z',
      { source: 'retention-journeys' },
    );
    expect(world.account?.available).toBe(375);
    expect(world.redeem('gold-bar', 'y', '2026-03-03T10:00:00Z').redemption).toMatchObject({
      reason: 'unknown reward',
    });
    world.event(
      'referral.reward.earned',
      { refereeId: 'c3', code: 'X', orderId: 'o3', currency: 'EUR' },
      '2026-03-03T10:00:00Z',
      { source: 'retention-journeys' },
    );
    expect(world.redeem('five-off', 'z', '2026-03-03T10:00:00Z').redemption).toMatchObject({
      reason: 'no currency',
    });
  });

  it('the shop can ask for a redemption by event, idempotent on its request id', () => {
    const world = new LoyaltyWorld(PROGRAM);
    world.event('order.placed', order('o1', '600.00', '2026-03-01T10:00:00Z'), '2026-03-01T10:00:00Z');
    world.runUntil('2026-03-16T00:00:00Z');
    world.event(
      'loyalty.redemption.requested',
      { rewardId: 'five-off', requestId: 'shop-42' },
      '2026-03-16T10:00:00Z',
    );
    world.event(
      'loyalty.redemption.requested',
      { rewardId: 'five-off', requestId: 'shop-42' },
      '2026-03-16T10:00:00Z',
      { id: 'retry' },
    );
    expect(world.events('loyalty.reward.redeemed')).toHaveLength(1);
    expect(world.account?.available).toBe(100);
  });
});

describe('birthday', () => {
  it('gives the birthday bonus once a year at 09:00 in the customer’s time zone, from the year they joined', () => {
    const world = new LoyaltyWorld(PROGRAM);
    world.event(
      'customer.registered',
      {
        email: 'a@example.com',
        locale: 'de',
        timeZone: 'Europe/Berlin',
        marketingConsent: true,
        birthday: '02-29',
        registeredAt: '2026-01-10T10:00:00Z',
      },
      '2026-01-10T10:00:00Z',
    );
    world.runUntil('2026-02-28T07:59:59Z');
    expect(world.ledger.has('bonus:birthday:2026')).toBe(false);
    world.runUntil('2026-02-28T08:00:00Z');
    expect(world.ledger.get('bonus:birthday:2026')).toMatchObject({
      available: 200,
      at: '2026-02-28T08:00:00Z',
    });
    world.runUntil('2027-12-31T00:00:00Z');
    expect([...world.ledger.keys()].filter((k) => k.startsWith('bonus:birthday'))).toEqual([
      'bonus:birthday:2026',
      'bonus:birthday:2027',
    ]);
  });
});

describe('a disabled program', () => {
  it('keeps no accounts and refuses redemptions', () => {
    const world = new LoyaltyWorld(program({ ...PROGRAM, enabled: false }));
    world.event('order.placed', order('o1', '600.00', '2026-03-01T10:00:00Z'), '2026-03-01T10:00:00Z');
    expect(world.account).toBeUndefined();
    expect(world.redeem('five-off', 'x', '2026-03-02T10:00:00Z').redemption).toMatchObject({
      reason: 'program disabled',
    });
  });
});

describe('a redemption the shop asks for by event', () => {
  it('is answered by loyalty.redemption.refused when it cannot be granted, once per event', () => {
    const world = new LoyaltyWorld(PROGRAM);
    world.event('order.placed', order('o1', '100.00', '2026-03-01T10:00:00Z'), '2026-03-01T10:00:00Z');
    const refused = world.event(
      'loyalty.redemption.requested',
      { rewardId: 'five-off', requestId: 'shop-1' },
      '2026-03-02T10:00:00Z',
    );
    expect(refused.account).toBeUndefined();
    expect(refused.effects).toEqual([
      expect.objectContaining({
        detailType: 'loyalty.redemption.refused',
        detail: { customerId: 'c1', rewardId: 'five-off', requestId: 'shop-1', reason: 'not enough points' },
      }),
    ]);
    const again = world.event(
      'loyalty.redemption.requested',
      { rewardId: 'five-off', requestId: 'shop-1' },
      '2026-03-03T10:00:00Z',
    );
    expect(again.effects[0]?.outboxId).not.toBe(refused.effects[0]?.outboxId);
    const off = new LoyaltyWorld(program({ ...PROGRAM, enabled: false }));
    const disabled = off.event(
      'loyalty.redemption.requested',
      { rewardId: 'five-off', requestId: 'shop-2' },
      '2026-03-02T10:00:00Z',
    );
    expect(disabled.effects[0]?.detail).toMatchObject({ reason: 'program disabled' });
    expect(
      off.event('order.placed', order('o1', '100.00', '2026-03-01T10:00:00Z'), '2026-03-02T10:00:00Z')
        .redemption,
    ).toBeUndefined();
  });
});

describe('a program switched off with members', () => {
  it('leaves their accounts as they are and looks again a day later, not every minute', () => {
    const world = new LoyaltyWorld(PROGRAM);
    world.event('order.placed', order('o1', '100.00', '2026-03-01T10:00:00Z'), '2026-03-01T10:00:00Z');
    const before = world.account;
    const off = new LoyaltyWorld(program({ ...PROGRAM, enabled: false }));
    off.account = before;
    const decision = off.timer('2026-03-15T10:00:00Z');
    expect(decision.movements).toEqual([]);
    expect(decision.account).toMatchObject({ available: 0, pending: 100, dueAt: '2026-03-16T10:00:00Z' });
  });
});
