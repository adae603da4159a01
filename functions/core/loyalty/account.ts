/**
 * The loyalty state of one customer, as the engine reasons about it (plain data; the store maps it to
 * items): the account (one item in the customer's partition, `#LOYALTY`, loaded with the profile by the
 * decision's one Query) and the ledger (one immutable item per movement, `PTS#<id>`, outside the
 * range decisions load; read by id only where a cause needs it).
 *
 * Invariant (test/unit/loyalty-property.test.ts): `available` is the sum of the ledger's `available`
 * deltas and `pending` the sum of its `pending` deltas, whatever the order and duplication of inputs.
 */
import type { ShopEvent } from '../events.ts';
import type { CouponIssued, EmitEffect } from '../model.ts';

/** Points of one order waiting for its hold to pass without a refund. */
export interface PendingLot {
  orderId: string;
  /** The `earn` movement that created the lot. */
  movementId: string;
  points: number;
  availableAt: string;
}

/** A recent redemption, kept on the account so a repeated click and a journey's value check find it. */
export interface RecentRedemption {
  movementId: string;
  requestId: string;
  rewardId: string;
  points: number;
  coupon: CouponIssued;
  at: string;
}

export interface LoyaltyAccount {
  customerId: string;
  /** Business time of the first fact that made the customer a member (registration or first order). */
  joinedAt: string;
  /** Spendable points. Negative only when a refund reversed points already spent (ledger.ts). */
  available: number;
  pending: number;
  lots: PendingLot[];
  tier: string;
  /** When the tier was reached (joinedAt for the base tier). */
  tierSince: string;
  /** The tier before `tier`: an order placed before `tierSince` and told late earns at its rate. */
  previousTier?: string | undefined;
  /** Below the tier's threshold since `since`: moves down at `downgradeAt` unless requalified. */
  risk?: { since: string; downgradeAt: string; to: string } | undefined;
  /** Qualifying points per customer-local month `YYYY-MM` (last 24 months kept). */
  qualifying: Record<string, number>;
  /** Business time of the latest order or redemption: expiry counts from here. */
  lastActivityAt: string;
  /** The expiry moment a `loyalty.points.expiring` reminder was emitted for. */
  remindedFor?: string | undefined;
  /** The latest calendar year (customer-local) the birthday bonus was given. */
  birthdayYear?: number | undefined;
  /** Redemptions so far: the member page derives each form's request id from it. */
  redemptions: number;
  /** The latest redemptions, newest first (at most 5). */
  recent: RecentRedemption[];
  /** Lifetime totals, for the member page and analytics. */
  totals: { earned: number; redeemed: number; expired: number; reversed: number };
  /** When the account's timer falls due next (hold release, reminder, expiry, tier review, birthday). */
  dueAt?: string | undefined;
  /** Optimistic-lock version; 0 for an account not yet stored. */
  version: number;
}

export type MovementKind = 'earn' | 'release' | 'reverse' | 'refund-noted' | 'bonus' | 'redeem' | 'expire';
export type BonusReason = 'registration' | 'feedback' | 'birthday' | 'referral';

/**
 * One immutable ledger item. Its id is derived from its cause, so the same cause can only ever write it
 * once (a conditional put): `earn:order:<orderId>`, `release:order:<orderId>`, `reverse:order:<orderId>`,
 * `refund-noted:order:<orderId>`, `bonus:registration`, `bonus:feedback:<orderId|feedbackId>`,
 * `bonus:birthday:<year>`, `bonus:referral:<refereeId>`, `redeem:<requestId>`, `expire:<expiresAt>`.
 */
export interface Movement {
  id: string;
  kind: MovementKind;
  /** Business time of the cause. */
  at: string;
  /** Signed change of `available`. */
  available: number;
  /** Signed change of `pending`. */
  pending: number;
  /** Signed change of qualifying points (tiers), in the month `month`. */
  qualifying: number;
  month?: string | undefined;
  orderId?: string | undefined;
  reason?: BonusReason | undefined;
  rewardId?: string | undefined;
  coupon?: CouponIssued | undefined;
  /** earn: the order total; reverse / refund-noted: the refunded amount (all of it when absent). */
  amount?: string | undefined;
  currency?: string | undefined;
}

/** What the loyalty engine is asked to decide on. */
export type LoyaltyInput =
  | { kind: 'event'; event: ShopEvent }
  | { kind: 'timer'; dueAt: string }
  /** A redemption from the member page (or the shop's `loyalty.redemption.requested`). */
  | { kind: 'redeem'; rewardId: string; requestId: string; at: string };

export type RedemptionOutcome =
  | { status: 'redeemed'; redemption: RecentRedemption }
  /** The same request again (a double click): the coupon it already produced. */
  | { status: 'repeat'; redemption: RecentRedemption }
  | {
      status: 'refused';
      reason: 'unknown reward' | 'not enough points' | 'no currency' | 'program disabled' | 'not a member';
    };

export interface LoyaltyDecision {
  /** The account to store; undefined when nothing changes. */
  account: LoyaltyAccount | undefined;
  /** New ledger items; each is written only if its id does not exist yet. */
  movements: Movement[];
  /** `loyalty.*` and `coupon.issued` events, through the outbox like every emitted event. */
  effects: EmitEffect[];
  trace: string[];
  /** For a `redeem` input. */
  redemption?: RedemptionOutcome | undefined;
}

/**
 * What templates and the member page show of a member (typed template data `loyalty`): computed from
 * the stored account and the program at the send's moment (loyaltyData in ledger.ts).
 */
export interface LoyaltyData {
  balance: number;
  pending: number;
  tier: string;
  /** The next tier up and the qualifying points still needed for it; absent at the top. */
  nextTier?: { id: string; pointsNeeded: number; threshold: number } | undefined;
  /** Qualifying points in the current period, and the share of the way to the next tier (0–1). */
  qualifying: number;
  progress: number;
  /** Points that expire at `expiresAt` unless the customer orders or redeems before. */
  expiring?: { points: number; expiresAt: string } | undefined;
  /** A tier the customer is about to lose, and when. */
  atRisk?: { downgradeAt: string; to: string } | undefined;
  /** Rewards of the catalogue, with whether the balance covers them. */
  rewards: {
    id: string;
    points: number;
    affordable: boolean;
    amountOff?: { amount: string; currency: string } | undefined;
    percentOff?: number | undefined;
  }[];
}
