/**
 * Journeys about members of the loyalty program: the `loyalty` condition (schema and evaluation), what
 * their sends certainly carry (sendSites), and the shipped loyalty journeys run through `decide` with
 * a stored account and the default program (loyalty.yaml): the member's data in every send, the
 * redemption's coupon from the account (never a new one), and the sends that must not happen.
 */
import { readFileSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { compileJourney } from '../../functions/core/compile.ts';
import { type ConditionContext, evaluate } from '../../functions/core/conditions.ts';
import { type Condition, journeyDefinitionSchema } from '../../functions/core/definition.ts';
import type { EngineConfig } from '../../functions/core/engine.ts';
import { type LoyaltyProgram, loyaltyProgramSchema } from '../../functions/core/loyalty/program.ts';
import type { SendEffect } from '../../functions/core/model.ts';
import { sendSites } from '../../functions/core/template-data.ts';
import { anna, definition, engineConfig, loadDefinition, World } from '../support/engine-world.ts';
import { memberAccount, memberData } from '../support/loyalty-data.ts';

const context = (loyalty: ConditionContext['loyalty']): ConditionContext => ({
  profile: undefined,
  orders: [],
  entries: [],
  now: '2026-03-02T10:00:00Z',
  timeZone: 'Europe/Berlin',
  loyalty,
});
const holds = (loyalty: Record<string, unknown>, data = memberData()) =>
  evaluate({ loyalty } as Condition, context(data));

describe('the loyalty condition', () => {
  it('tests tier, balance, pending, qualifying points and the points to the next tier', () => {
    expect(holds({ field: 'tier', equals: 'silver' })).toBe(true);
    expect(holds({ field: 'tier', equals: 'gold' })).toBe(false);
    expect(holds({ field: 'tier', in: ['silver', 'gold'] })).toBe(true);
    expect(holds({ field: 'balance', compare: { gte: 1240 } })).toBe(true);
    expect(holds({ field: 'balance', compare: { gt: 1240 } })).toBe(false);
    expect(holds({ field: 'pending', equals: 59 })).toBe(true);
    expect(holds({ field: 'qualifying', compare: { lt: 1500 } })).toBe(true);
    expect(holds({ field: 'pointsToNextTier', compare: { lte: 400 } })).toBe(true);
    expect(holds({ field: 'pointsToNextTier', compare: { lte: 300 } })).toBe(false);
  });

  it('has no points to the next tier at the top, and no values at all for a non-member', () => {
    const top = memberData({ tier: 'gold', nextTier: undefined });
    expect(holds({ field: 'pointsToNextTier', exists: false }, top)).toBe(true);
    expect(holds({ field: 'pointsToNextTier', compare: { gte: 0 } }, top)).toBe(false);
    expect(evaluate({ loyalty: { field: 'tier', exists: false } }, context(undefined))).toBe(true);
    expect(evaluate({ loyalty: { field: 'balance', compare: { gte: 0 } } }, context(undefined))).toBe(false);
    expect(evaluate({ not: { loyalty: { field: 'tier', equals: 'gold' } } }, context(undefined))).toBe(true);
  });

  it('is refused when its test cannot hold for the field', () => {
    const parseIf = (loyalty: unknown) =>
      journeyDefinitionSchema.safeParse({
        id: 'x',
        name: 'x',
        trigger: { event: 'customer.registered' },
        messages: { a: { class: 'transactional' } },
        steps: [{ if: { loyalty }, then: [{ send: 'a' }] }],
      }).success;
    expect(parseIf({ field: 'tier', in: ['silver', 'gold'] })).toBe(true);
    expect(parseIf({ field: 'balance', compare: { gte: 500 } })).toBe(true);
    expect(parseIf({ field: 'tier', compare: { gte: 1 } })).toBe(false);
    expect(parseIf({ field: 'balance', equals: 'gold' })).toBe(false);
    expect(parseIf({ field: 'tier', in: ['gold', 3] })).toBe(false);
    expect(parseIf({ field: 'balance', compare: { gte: 1 }, exists: true })).toBe(false);
    expect(parseIf({ field: 'points', exists: true })).toBe(false);
  });
});

describe('sendSites with loyalty', () => {
  const sites = (def: ReturnType<typeof definition>) =>
    Object.fromEntries(
      sendSites(def, compileJourney(def, 'v').program).map((s) => [s.path, [...s.provides].sort()]),
    );

  it('gives `loyalty` where the journey checked for a member, and only there', () => {
    const def = definition({
      steps: [
        { send: 'a' },
        {
          if: {
            all: [
              { loyalty: { field: 'balance', compare: { gte: 500 } } },
              { orders: { count: { gte: 1 } } },
            ],
          },
          then: [{ send: 'a' }],
          else: [{ send: 'a' }],
        },
        { if: { loyalty: { field: 'tier', exists: false } }, then: [{ send: 'a' }] },
        {
          if: { any: [{ loyalty: { field: 'tier', equals: 'gold' } }, { orders: { count: { gte: 3 } } }] },
          then: [{ send: 'a' }],
        },
      ],
    });
    expect(sites(def)).toEqual({
      'steps.0': [],
      'steps.1.then.0': ['loyalty'],
      'steps.1.else.0': [],
      'steps.2.then.0': [],
      'steps.3.then.0': [],
    });
    const guarded = definition({
      trigger: { event: 'order.placed', if: { loyalty: { field: 'tier', in: ['silver', 'gold'] } } },
      steps: [{ send: 'a' }],
    });
    expect(sites(guarded)).toEqual({ 'steps.0': ['loyalty', 'order'] });
  });

  it('gives the redemption and its coupon to a journey started by loyalty.reward.redeemed only', () => {
    const mixed = definition({
      trigger: { anyOf: [{ event: 'loyalty.reward.redeemed' }, { event: 'loyalty.tier.changed' }] },
      steps: [{ send: 'a' }],
    });
    expect(sites(mixed)).toEqual({ 'steps.0': ['loyalty'] });
    const mixedWithShop = definition({
      trigger: { anyOf: [{ event: 'loyalty.tier.changed' }, { event: 'order.placed' }] },
      steps: [{ send: 'a' }],
    });
    expect(sites(mixedWithShop)).toEqual({ 'steps.0': [] });
  });
});

describe('the shipped loyalty journeys', () => {
  let program: LoyaltyProgram;
  let config: EngineConfig;
  const start = '2026-03-02T10:00:00Z';
  const sends = (world: World): SendEffect[] =>
    world.sends.map((s) => s.effect).filter((e): e is SendEffect => e.kind === 'send');
  const member = (file: string, loyalty = memberAccount(), withConfig = true) => {
    const world = new World(loadDefinition(file), start, withConfig ? config : engineConfig);
    world.deliver('customer.registered', anna);
    world.loyalty = loyalty;
    return world;
  };

  beforeAll(() => {
    const file = new URL('../../loyalty.yaml', import.meta.url);
    // Switched on: loyalty.yaml ships off.
    program = loyaltyProgramSchema.parse({ ...parse(readFileSync(file, 'utf8')), enabled: true });
    config = { ...engineConfig, loyalty: program };
  });

  it('welcome a new member an hour after joining, with their data', () => {
    const world = member('journeys/loyalty-welcome.yaml', memberAccount({ tier: 'member', available: 100 }));
    world.deliver('loyalty.member.joined', { customerId: 'c1', tier: 'member', joinedAt: start });
    expect(sends(world)).toEqual([]);
    world.runUntil('2026-03-02T12:00:00Z');
    const [welcome] = sends(world);
    expect(welcome?.message).toBe('welcome');
    expect(welcome?.data.loyalty).toMatchObject({ tier: 'member', balance: 100 });
    expect(welcome?.data.loyalty?.nextTier?.id).toBe('silver');
  });

  it('congratulate on a tier up, note a tier at risk (with consent), and say nothing on the way down', () => {
    const world = member('journeys/loyalty-tier.yaml');
    world.deliver('loyalty.tier.changed', {
      customerId: 'c1',
      from: 'member',
      to: 'silver',
      direction: 'up',
    });
    world.now = '2026-03-03T10:00:00Z';
    world.deliver('loyalty.tier.changed', {
      customerId: 'c1',
      from: 'gold',
      to: 'silver',
      direction: 'down',
    });
    world.now = '2026-03-04T10:00:00Z';
    world.deliver('loyalty.tier.at-risk', {
      customerId: 'c1',
      tier: 'silver',
      to: 'member',
      downgradeAt: '2026-04-03T10:00:00Z',
      pointsNeeded: 80,
    });
    expect(sends(world).map((s) => [s.message, s.messageClass, s.data.loyalty?.tier])).toEqual([
      ['tier-up', 'transactional', 'silver'],
      ['tier-at-risk', 'marketing', 'silver'],
    ]);
  });

  it('remind of expiring points only while there is a balance, and not after an order', () => {
    const expiring = { customerId: 'c1', points: 740, expiresAt: '2026-04-01T10:00:00Z' };
    const world = member('journeys/loyalty-expiring.yaml');
    world.deliver('loyalty.points.expiring', expiring);
    expect(sends(world).map((s) => s.message)).toEqual(['points-expiring']);

    const broke = member('journeys/loyalty-expiring.yaml', memberAccount({ available: 0 }));
    broke.deliver('loyalty.points.expiring', expiring);
    expect(sends(broke)).toEqual([]);

    // Due at night: held for quiet hours; an order meanwhile means the points no longer expire.
    const night = member('journeys/loyalty-expiring.yaml');
    night.now = '2026-03-02T22:30:00Z';
    night.deliver('loyalty.points.expiring', expiring);
    night.now = '2026-03-03T06:00:00Z';
    night.deliver('order.placed', {
      customerId: 'c1',
      orderId: 'o-9',
      placedAt: '2026-03-03T06:00:00Z',
      total: { amount: '20.00', currency: 'EUR' },
      items: [],
    });
    night.runUntil('2026-03-04T10:00:00Z');
    expect(sends(night)).toEqual([]);
  });

  it('send the coupon the redemption issued, from the account, and issue none of their own', () => {
    const coupon = {
      code: 'PTS-7K2Q-X9',
      amountOff: '5.00',
      currency: 'EUR',
      expiresAt: '2026-05-31T10:00:00Z',
    };
    const redeemed = memberAccount({
      available: 240,
      redemptions: 1,
      recent: [
        {
          movementId: 'redeem:page-five-off-1',
          requestId: 'page-five-off-1',
          rewardId: 'five-off',
          points: 500,
          coupon,
          at: start,
        },
      ],
    });
    const event = {
      customerId: 'c1',
      movementId: 'redeem:page-five-off-1',
      rewardId: 'five-off',
      points: 500,
      code: coupon.code,
      balance: 240,
      currency: 'EUR',
    };
    const world = member('journeys/loyalty-reward.yaml', redeemed);
    world.now = '2026-03-02T23:00:00Z'; // at once, even at night: the member waits for the code
    world.deliver('loyalty.reward.redeemed', event);
    const [sent] = sends(world);
    expect(sent?.data.coupon).toEqual(coupon);
    expect(sent?.data.redemption).toEqual({ rewardId: 'five-off', points: 500 });
    expect(sent?.data.loyalty?.balance).toBe(240);
    expect(world.emitted('coupon.issued')).toEqual([]);

    // A redemption the account does not know (or no program to read the account with): no email.
    const unknown = member('journeys/loyalty-reward.yaml', redeemed);
    unknown.deliver('loyalty.reward.redeemed', { ...event, movementId: 'redeem:other' });
    const off = member('journeys/loyalty-reward.yaml', redeemed, false);
    off.deliver('loyalty.reward.redeemed', event);
    expect([...sends(unknown), ...sends(off)]).toEqual([]);
    expect(unknown.trace.map((t) => t.note)).toContain(
      "skips reward-redeemed: redemption redeem:other is not among the account's recent ones",
    );
    expect(off.trace.map((t) => t.note)).toContain(
      'skips reward-redeemed: no loyalty membership (no account, or the program is off)',
    );
  });

  it('let any journey branch on the member’s tier, and show the member’s data in any email', () => {
    const def = definition({
      trigger: { event: 'order.placed' },
      steps: [
        {
          if: { loyalty: { field: 'tier', in: ['silver', 'gold'] } },
          then: [{ send: 'a' }],
          else: [{ send: 'b' }],
        },
      ],
    });
    const order = (orderId: string) => ({
      customerId: 'c1',
      orderId,
      placedAt: start,
      total: { amount: '20.00', currency: 'EUR' },
      items: [],
    });
    const silver = new World(def, start, config);
    silver.deliver('customer.registered', anna);
    silver.loyalty = memberAccount();
    silver.deliver('order.placed', order('o-1'));
    const guest = new World(def, start, config);
    guest.deliver('customer.registered', anna);
    guest.deliver('order.placed', order('o-1'));
    expect(sends(silver).map((s) => [s.message, s.data.loyalty?.tier])).toEqual([['a', 'silver']]);
    // Rewards in the currency of the member's latest order, as a redemption would issue them.
    expect(sends(silver)[0]?.data.loyalty?.rewards[0]).toEqual({
      id: 'five-off',
      points: 500,
      affordable: true,
      amountOff: { amount: '5.00', currency: 'EUR' },
      percentOff: undefined,
    });
    expect(sends(guest).map((s) => [s.message, s.data.loyalty])).toEqual([['b', undefined]]);
  });
});
