/**
 * System events that move value (DESIGN.md §11: "checked against stored state, never trusted on
 * their word"). Each names the customer whose stored partition must confirm it and the pure check
 * over that partition; the service layer does the one read and rejects what fails.
 */
import type { ShopEvent } from './events.ts';
import type { CustomerView } from './model.ts';
import { type Verdict, verifyAttributed, verifyRewardEarned } from './referral.ts';

type Detail<T extends ShopEvent['detailType']> = Extract<ShopEvent, { detailType: T }>['detail'];

/**
 * The loyalty events journeys act on must say what the member's stored account says now: a forged or
 * stale one (the tier moved again, the reminder was for another expiry) sends no email.
 */
function verifyLoyalty(
  view: CustomerView,
  check: (account: NonNullable<CustomerView['loyalty']>) => string | undefined,
): Verdict {
  if (!view.loyalty) return { ok: false, reason: 'the customer is not a member of the loyalty program' };
  const reason = check(view.loyalty);
  return reason ? { ok: false, reason } : { ok: true };
}

const tierChanged = (d: Detail<'loyalty.tier.changed'>) => (view: CustomerView) =>
  verifyLoyalty(view, (account) =>
    account.tier === d.to ? undefined : `the member's tier is ${account.tier}, not ${d.to}`,
  );

const tierAtRisk = (d: Detail<'loyalty.tier.at-risk'>) => (view: CustomerView) =>
  verifyLoyalty(view, (account) =>
    account.tier === d.tier && account.risk?.downgradeAt === d.downgradeAt && account.risk.to === d.to
      ? undefined
      : `the member's ${account.tier} tier is not at risk of moving to ${d.to} at ${d.downgradeAt}`,
  );

const rewardRedeemed = (d: Detail<'loyalty.reward.redeemed'>) => (view: CustomerView) =>
  verifyLoyalty(view, (account) => {
    const redemption = account.recent.find((r) => r.movementId === d.movementId);
    if (!redemption) return `redemption ${d.movementId} is not among the member's recent redemptions`;
    if (redemption.rewardId !== d.rewardId) return `redemption ${d.movementId} was of ${redemption.rewardId}`;
    return redemption.coupon.code === d.code ? undefined : `redemption ${d.movementId} produced another code`;
  });

const pointsExpiring = (d: Detail<'loyalty.points.expiring'>) => (view: CustomerView) =>
  verifyLoyalty(view, (account) =>
    account.remindedFor === d.expiresAt
      ? undefined
      : `the member was not reminded of points expiring at ${d.expiresAt}`,
  );

export interface ValueCheck {
  /** The customer whose partition holds the facts the event claims. */
  subject: string;
  verify(view: CustomerView): Verdict;
}

type Checks = {
  [T in ShopEvent['detailType']]?: (detail: Extract<ShopEvent, { detailType: T }>['detail']) => ValueCheck;
};

const CHECKS: Checks = {
  // Lives in the referee's partition: the referee's profile must carry this referrer.
  'referral.attributed': (detail) => ({
    subject: detail.customerId,
    verify: (view) => verifyAttributed(detail, view),
  }),
  // Lives in the referrer's partition; the facts (profile, order) are the referee's.
  'referral.reward.earned': (detail) => ({
    subject: detail.refereeId,
    verify: (view) => verifyRewardEarned(detail, view),
  }),
  // The loyalty events live in the member's own partition, on the account item.
  'loyalty.member.joined': (detail) => ({
    subject: detail.customerId,
    verify: (view) => verifyLoyalty(view, () => undefined),
  }),
  'loyalty.tier.changed': (detail) => ({ subject: detail.customerId, verify: tierChanged(detail) }),
  'loyalty.tier.at-risk': (detail) => ({ subject: detail.customerId, verify: tierAtRisk(detail) }),
  'loyalty.reward.redeemed': (detail) => ({ subject: detail.customerId, verify: rewardRedeemed(detail) }),
  'loyalty.points.expiring': (detail) => ({ subject: detail.customerId, verify: pointsExpiring(detail) }),
};

/** The check a value-moving event must pass; undefined for every other event. */
export function valueCheck(event: ShopEvent): ValueCheck | undefined {
  if (!Object.hasOwn(CHECKS, event.detailType)) return undefined;
  const make = CHECKS[event.detailType] as ((detail: ShopEvent['detail']) => ValueCheck) | undefined;
  return make?.(event.detail);
}

/** The event types checked against stored state before a journey acts on them (the docs list them). */
export const VALUE_EVENT_TYPES: readonly string[] = Object.keys(CHECKS);
