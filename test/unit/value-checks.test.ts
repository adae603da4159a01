/** Pure checks of value-moving system events against the stored partition (core/referral.ts, core/value-checks.ts). */
import { describe, expect, it } from 'vitest';
import { pseudonym } from '../../functions/core/erasure.ts';
import type { ShopEvent } from '../../functions/core/events.ts';
import type { LoyaltyAccount } from '../../functions/core/loyalty/account.ts';
import type { CustomerView } from '../../functions/core/model.ts';
import { verifyAttributed, verifyRewardEarned } from '../../functions/core/referral.ts';
import { VALUE_EVENT_TYPES, valueCheck } from '../../functions/core/value-checks.ts';

const referee = (overrides: Partial<CustomerView> = {}): CustomerView => ({
  profile: {
    customerId: 'bea',
    marketingConsent: true,
    registeredAt: '2026-05-04T08:00:00Z',
    referredByCode: ' 7hks-v886 ',
    referrerId: 'ann',
  },
  orders: [{ orderId: 'o1', placedAt: '2026-05-05T10:00:00Z', total: { amount: '25.00', currency: 'EUR' } }],
  instances: [],
  ...overrides,
});
const earned = { customerId: 'ann', refereeId: 'bea', code: '7HKS-V886', orderId: 'o1', currency: 'EUR' };

describe('verifyRewardEarned', () => {
  it('accepts what the referee partition backs (the registration code compared normalised)', () => {
    expect(verifyRewardEarned(earned, referee())).toEqual({ ok: true });
  });

  it.each([
    ['a referee that does not exist', earned, { profile: undefined }, /bea does not exist/],
    ['another referrer', { ...earned, customerId: 'cid' }, {}, /not referred by cid/],
    ['another code', { ...earned, code: 'ZZZZ-9999' }, {}, /not the code/],
    ['an unknown order', { ...earned, orderId: 'o9' }, {}, /o9 of the referee was never placed/],
    [
      'a refunded order',
      earned,
      { orders: [{ orderId: 'o1', placedAt: '2026-05-05T10:00:00Z', refundedAt: '2026-05-06T10:00:00Z' }] },
      /o1 was refunded/,
    ],
    [
      'a delivery without its order',
      earned,
      { orders: [{ orderId: 'o1', deliveredAt: '2026-05-06T10:00:00Z' }] },
      /never placed/,
    ],
    ['another currency', { ...earned, currency: 'USD' }, {}, /not in USD/],
    ['a self-reward', { ...earned, refereeId: 'ann' }, {}, /self-referral/],
    ['an erased referrer', { ...earned, customerId: pseudonym('ann') }, {}, /erased/],
  ])('rejects %s', (_name, detail, view, reason) => {
    const verdict = verifyRewardEarned(detail, referee(view as Partial<CustomerView>));
    expect(verdict.ok).toBe(false);
    expect(verdict.ok ? '' : verdict.reason).toMatch(reason);
  });
});

describe('verifyAttributed', () => {
  const attributed = { customerId: 'bea', code: '7HKS-V886', referrerId: 'ann' };
  it('accepts the attribution the profile records', () => {
    expect(verifyAttributed(attributed, referee())).toEqual({ ok: true });
  });
  it('rejects an attribution the profile does not carry', () => {
    expect(verifyAttributed({ ...attributed, referrerId: 'cid' }, referee())).toMatchObject({ ok: false });
    expect(verifyAttributed(attributed, referee({ profile: undefined }))).toMatchObject({ ok: false });
    expect(verifyAttributed({ ...attributed, code: 'OTHER' }, referee())).toMatchObject({ ok: false });
  });
});

describe('valueCheck', () => {
  const event = (detailType: string, detail: unknown) =>
    ({
      id: 'e',
      source: 'retention-journeys',
      time: '2026-05-04T08:00:00Z',
      detailType,
      detail,
    }) as ShopEvent;

  it('reads the referee partition for both referral events', () => {
    expect(valueCheck(event('referral.reward.earned', earned))?.subject).toBe('bea');
    expect(
      valueCheck(event('referral.attributed', { customerId: 'bea', code: 'C', referrerId: 'ann' }))?.subject,
    ).toBe('bea');
    expect([...VALUE_EVENT_TYPES].sort()).toEqual([
      'loyalty.member.joined',
      'loyalty.points.expiring',
      'loyalty.reward.redeemed',
      'loyalty.tier.at-risk',
      'loyalty.tier.changed',
      'referral.attributed',
      'referral.reward.earned',
    ]);
  });

  it('has no check for other events, prototype keys included', () => {
    for (const type of ['order.placed', 'toString', 'constructor', '__proto__', 'hasOwnProperty'])
      expect(valueCheck(event(type, {}))).toBeUndefined();
  });
});

describe('loyalty events against the stored account', () => {
  const coupon = {
    code: 'LOY-7H2K-9QXM',
    amountOff: '5.00',
    currency: 'EUR',
    expiresAt: '2026-08-02T08:00:00Z',
  };
  const account: LoyaltyAccount = {
    customerId: 'ann',
    joinedAt: '2026-01-04T08:00:00Z',
    available: 240,
    pending: 0,
    lots: [],
    tier: 'silver',
    tierSince: '2026-04-01T08:00:00Z',
    risk: { since: '2026-05-01T00:00:00Z', downgradeAt: '2026-05-31T00:00:00Z', to: 'member' },
    qualifying: { '2026-04': 520 },
    lastActivityAt: '2026-05-04T08:00:00Z',
    remindedFor: '2027-05-04T08:00:00Z',
    redemptions: 1,
    recent: [
      {
        movementId: 'redeem:page-five-off-1',
        requestId: 'page-five-off-1',
        rewardId: 'five-off',
        points: 500,
        coupon: coupon as LoyaltyAccount['recent'][number]['coupon'],
        at: '2026-05-04T08:00:00Z',
      },
    ],
    totals: { earned: 740, redeemed: 500, expired: 0, reversed: 0 },
    version: 7,
  };
  const member = (overrides: Partial<LoyaltyAccount> | null = {}): CustomerView => ({
    profile: { customerId: 'ann', marketingConsent: true },
    orders: [],
    instances: [],
    loyalty: overrides ? { ...account, ...overrides } : undefined,
  });
  const verdict = (detailType: string, detail: Record<string, unknown>, view: CustomerView) => {
    const check = valueCheck({
      id: 'e',
      source: 'retention-journeys',
      time: '2026-05-04T08:00:00Z',
      detailType,
      detail,
    } as ShopEvent);
    expect(check?.subject).toBe('ann');
    return check?.verify(view);
  };
  const redeemed = {
    customerId: 'ann',
    movementId: 'redeem:page-five-off-1',
    rewardId: 'five-off',
    points: 500,
    code: coupon.code,
    balance: 240,
  };
  const atRisk = {
    customerId: 'ann',
    tier: 'silver',
    to: 'member',
    downgradeAt: '2026-05-31T00:00:00Z',
    pointsNeeded: 40,
  };

  it('accepts what the account says', () => {
    expect(
      verdict(
        'loyalty.member.joined',
        { customerId: 'ann', tier: 'member', joinedAt: account.joinedAt },
        member(),
      ),
    ).toEqual({ ok: true });
    expect(
      verdict(
        'loyalty.tier.changed',
        { customerId: 'ann', from: 'member', to: 'silver', direction: 'up' },
        member(),
      ),
    ).toEqual({ ok: true });
    expect(verdict('loyalty.tier.at-risk', atRisk, member())).toEqual({ ok: true });
    expect(verdict('loyalty.reward.redeemed', redeemed, member())).toEqual({ ok: true });
    expect(
      verdict(
        'loyalty.points.expiring',
        { customerId: 'ann', points: 240, expiresAt: '2027-05-04T08:00:00Z' },
        member(),
      ),
    ).toEqual({ ok: true });
  });

  it.each([
    [
      'joined, without an account',
      'loyalty.member.joined',
      { customerId: 'ann', tier: 'member', joinedAt: account.joinedAt },
      null,
      /not a member/,
    ],
    [
      'a tier the member is not in',
      'loyalty.tier.changed',
      { customerId: 'ann', from: 'silver', to: 'gold', direction: 'up' },
      {},
      /tier is silver, not gold/,
    ],
    ['a risk that passed', 'loyalty.tier.at-risk', atRisk, { risk: undefined }, /not at risk/],
    [
      'a risk with another date',
      'loyalty.tier.at-risk',
      { ...atRisk, downgradeAt: '2026-06-30T00:00:00Z' },
      {},
      /not at risk/,
    ],
    [
      'an unknown redemption',
      'loyalty.reward.redeemed',
      { ...redeemed, movementId: 'redeem:forged' },
      {},
      /not among/,
    ],
    [
      'another reward',
      'loyalty.reward.redeemed',
      { ...redeemed, rewardId: 'fifteen-off' },
      {},
      /was of five-off/,
    ],
    ['another code', 'loyalty.reward.redeemed', { ...redeemed, code: 'LOY-FORGED' }, {}, /another code/],
    [
      'a reminder for another expiry',
      'loyalty.points.expiring',
      { customerId: 'ann', points: 240, expiresAt: '2027-06-04T08:00:00Z' },
      {},
      /not reminded/,
    ],
  ])('rejects %s', (_name, detailType, detail, overrides, reason) => {
    const result = verdict(detailType, detail, member(overrides));
    expect(result?.ok).toBe(false);
    expect(result?.ok === false ? result.reason : '').toMatch(reason);
  });
});
