/**
 * Redeeming points for a reward of the catalogue: never below zero (the account's version makes two
 * racing redemptions one after the other), once per request id (a double click gets the first coupon).
 */
import { readableCode } from '../codes.ts';
import type { CouponIssued, CustomerView } from '../model.ts';
import { addDuration, isBefore, latest } from '../time.ts';
import type { LoyaltyAccount, Movement, RecentRedemption, RedemptionOutcome } from './account.ts';
import { movementId } from './movements.ts';
import type { Reward } from './program.ts';
import type { Run } from './run.ts';

/** How many redemptions the account keeps for repeated clicks and value checks. */
const RECENT = 5;

export function redeem(run: Run, rewardId: string, requestId: string, at: string): RedemptionOutcome {
  const id = movementId.redeem(requestId);
  const done = run.args.known.get(id) ?? run.movements.find((m) => m.id === id);
  if (done?.coupon) return { status: 'repeat', redemption: asRedemption(done, requestId) };
  const account = run.account;
  if (!account) return { status: 'refused', reason: 'not a member' };
  const reward = run.program.rewards.find((r) => r.id === rewardId);
  if (!reward) return { status: 'refused', reason: 'unknown reward' };
  if (account.available < reward.points) return { status: 'refused', reason: 'not enough points' };
  const coupon = rewardCoupon(run, reward, requestId, at);
  if (!coupon) return { status: 'refused', reason: 'no currency' };
  const movement: Movement = {
    id,
    kind: 'redeem',
    at,
    available: -reward.points,
    pending: 0,
    qualifying: 0,
    rewardId,
    coupon,
  };
  run.move(movement);
  account.lastActivityAt = latest(account.lastActivityAt, at);
  account.redemptions += 1;
  account.totals.redeemed += reward.points;
  const redemption = asRedemption(movement, requestId);
  account.recent = [redemption, ...account.recent].slice(0, RECENT);
  run.emit(`loyalty#${id}#coupon`, 'coupon.issued', { ...coupon, journey: 'loyalty', message: rewardId });
  run.emit(`loyalty#${id}`, 'loyalty.reward.redeemed', {
    movementId: id,
    rewardId,
    points: reward.points,
    code: coupon.code,
    balance: account.available,
    ...(coupon.currency ? { currency: coupon.currency } : {}),
  });
  run.trace.push(`redeems ${reward.points} points for ${rewardId} (coupon ${coupon.code})`);
  return { status: 'redeemed', redemption };
}

function asRedemption(movement: Movement, requestId: string): RecentRedemption {
  return {
    movementId: movement.id,
    requestId,
    rewardId: movement.rewardId ?? '',
    points: -movement.available,
    coupon: movement.coupon as CouponIssued,
    at: movement.at,
  };
}

/** The currency rewards are given in: that of the customer's latest order. */
export function memberCurrency(customer: Pick<CustomerView, 'orders' | 'orderSummary'>): string | undefined {
  if (customer.orderSummary?.lastCurrency) return customer.orderSummary.lastCurrency;
  let newest: { placedAt: string; currency: string } | undefined;
  for (const order of customer.orders) {
    if (!order.placedAt || !order.total) continue;
    if (!newest || isBefore(newest.placedAt, order.placedAt))
      newest = { placedAt: order.placedAt, currency: order.total.currency };
  }
  return newest?.currency;
}

/** The coupon a redemption gives: its code derived from the request, so a retry yields the same one. */
function rewardCoupon(run: Run, reward: Reward, requestId: string, at: string): CouponIssued | undefined {
  const code = readableCode(run.args.secret, `loyalty:${run.customerId}:${requestId}`);
  const expiresAt = addDuration(at, reward.validFor, run.zone);
  if (reward.percentOff !== undefined) return { code, percentOff: reward.percentOff, expiresAt };
  const currency = memberCurrency(run.args.customer);
  const amountOff = currency ? reward.amountOff?.[currency] : undefined;
  return amountOff && currency ? { code, amountOff, currency, expiresAt } : undefined;
}

/**
 * The request id of the member page's form for `rewardId`: the same until a redemption happens, so a
 * double click (or a resubmitted form) redeems once and shows the same coupon.
 */
export function redemptionRequestId(account: LoyaltyAccount, rewardId: string): string {
  return `page-${rewardId}-${account.redemptions + 1}`;
}
