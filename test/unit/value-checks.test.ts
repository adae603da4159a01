/** Pure checks of value-moving system events against the stored partition (core/referral.ts, core/value-checks.ts). */
import { describe, expect, it } from 'vitest';
import { pseudonym } from '../../functions/core/erasure.ts';
import type { ShopEvent } from '../../functions/core/events.ts';
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
    expect([...VALUE_EVENT_TYPES].sort()).toEqual(['referral.attributed', 'referral.reward.earned']);
  });

  it('has no check for other events, prototype keys included', () => {
    for (const type of ['order.placed', 'toString', 'constructor', '__proto__', 'hasOwnProperty'])
      expect(valueCheck(event(type, {}))).toBeUndefined();
  });
});
