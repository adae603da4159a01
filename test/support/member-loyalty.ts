/**
 * A small in-memory stand-in for the two LoyaltyService methods the member page uses (`member`,
 * `redeem`), keeping to the contract of core/loyalty/account.ts: a redemption takes the reward's points
 * from `available` (never below zero), the same request id answers `repeat` with the same coupon, the
 * coupon code is derived from customer and request id. Until the real service is wired into the page's
 * tests, this is what they drive; the rules themselves are the ledger's and tested there.
 */
import { createHash } from 'node:crypto';
import type {
  LoyaltyAccount,
  LoyaltyData,
  RecentRedemption,
  RedemptionOutcome,
} from '../../functions/core/loyalty/account.ts';
import { type LoyaltyProgram, loyaltyProgramSchema, nextTier } from '../../functions/core/loyalty/program.ts';
import type { Profile } from '../../functions/core/model.ts';
import { addDuration } from '../../functions/core/time.ts';
import type { LoyaltyService, MemberSnapshot } from '../../functions/services/loyalty.ts';

/** The shipped loyalty.yaml's shape, written out so the tests do not move when marketers edit it. */
export const TEST_PROGRAM: LoyaltyProgram = loyaltyProgramSchema.parse({
  earning: { pointsPerUnit: { EUR: 1, GBP: 1 } },
  tiers: {
    levels: [
      { id: 'member', threshold: 0 },
      { id: 'silver', threshold: 500, benefits: { earnMultiplier: 1.25 } },
      { id: 'gold', threshold: 1500, benefits: { earnMultiplier: 1.5 } },
    ],
  },
  rewards: [
    { id: 'five-off', points: 500, amountOff: { EUR: '5.00', GBP: '4.00' }, validFor: 'P90D' },
    { id: 'fifteen-off', points: 1200, amountOff: { EUR: '15.00' }, validFor: 'P90D' },
    { id: 'twenty-percent', points: 2000, percentOff: 20, validFor: 'P60D' },
  ],
});

export function account(customerId: string, overrides: Partial<LoyaltyAccount> = {}): LoyaltyAccount {
  return {
    customerId,
    joinedAt: '2026-01-10T09:00:00Z',
    available: 0,
    pending: 0,
    lots: [],
    tier: 'member',
    tierSince: '2026-01-10T09:00:00Z',
    qualifying: {},
    lastActivityAt: '2026-02-20T09:00:00Z',
    redemptions: 0,
    recent: [],
    totals: { earned: 0, redeemed: 0, expired: 0, reversed: 0 },
    version: 1,
    ...overrides,
  };
}

export class InMemoryLoyalty implements Pick<LoyaltyService, 'member' | 'redeem'> {
  readonly accounts = new Map<string, LoyaltyAccount>();
  readonly profiles = new Map<string, Profile>();
  /** The currency of each member's latest order; `currency` for those not listed. */
  readonly currencies = new Map<string, string>();
  /** Every redeem call, in order: a double click shows up here twice with one request id. */
  readonly redeemCalls: { customerId: string; rewardId: string; requestId: string }[] = [];

  constructor(
    readonly program: LoyaltyProgram,
    readonly now: () => string,
    readonly currency: string | undefined = 'EUR',
  ) {}

  add(profile: Profile, loyalty?: LoyaltyAccount, currency?: string): this {
    this.profiles.set(profile.customerId, profile);
    if (loyalty) this.accounts.set(profile.customerId, loyalty);
    if (currency) this.currencies.set(profile.customerId, currency);
    return this;
  }

  private currencyOf(customerId: string): string | undefined {
    return this.currencies.get(customerId) ?? this.currency;
  }

  async member(customerId: string): Promise<MemberSnapshot> {
    const found = this.accounts.get(customerId);
    return {
      profile: this.profiles.get(customerId),
      account: found,
      data: found && this.program.enabled ? this.data(found, this.currencyOf(customerId)) : undefined,
      program: this.program,
      currency: this.currencyOf(customerId),
    };
  }

  async redeem(customerId: string, rewardId: string, requestId: string): Promise<RedemptionOutcome> {
    this.redeemCalls.push({ customerId, rewardId, requestId });
    if (!this.program.enabled) return { status: 'refused', reason: 'program disabled' };
    const current = this.accounts.get(customerId);
    if (!current) return { status: 'refused', reason: 'not a member' };
    const before = current.recent.find((r) => r.requestId === requestId);
    if (before) return { status: 'repeat', redemption: before };
    const reward = this.program.rewards.find((r) => r.id === rewardId);
    if (!reward) return { status: 'refused', reason: 'unknown reward' };
    const currency = this.currencyOf(customerId);
    const amountOff = currency ? reward.amountOff?.[currency] : undefined;
    if (reward.amountOff && !amountOff) return { status: 'refused', reason: 'no currency' };
    if (current.available < reward.points) return { status: 'refused', reason: 'not enough points' };
    const at = this.now();
    const redemption: RecentRedemption = {
      movementId: `redeem:${requestId}`,
      requestId,
      rewardId,
      points: reward.points,
      at,
      coupon: {
        code: `LOY-${createHash('sha256').update(`${customerId}\n${requestId}`).digest('hex').slice(0, 8).toUpperCase()}`,
        ...(amountOff ? { amountOff, currency } : { percentOff: reward.percentOff }),
        expiresAt: addDuration(at, reward.validFor, 'UTC'),
      },
    };
    this.accounts.set(customerId, {
      ...current,
      available: current.available - reward.points,
      redemptions: current.redemptions + 1,
      recent: [redemption, ...current.recent].slice(0, 5),
      lastActivityAt: at,
      totals: { ...current.totals, redeemed: current.totals.redeemed + reward.points },
      version: current.version + 1,
    });
    return { status: 'redeemed', redemption };
  }

  private data(a: LoyaltyAccount, currency: string | undefined): LoyaltyData {
    const qualifying = Object.values(a.qualifying).reduce((sum, n) => sum + n, 0);
    const next = nextTier(this.program, a.tier);
    return {
      balance: a.available,
      pending: a.pending,
      tier: a.tier,
      nextTier: next
        ? { id: next.id, threshold: next.threshold, pointsNeeded: Math.max(0, next.threshold - qualifying) }
        : undefined,
      qualifying,
      progress: next ? Math.min(1, qualifying / next.threshold) : 1,
      expiring:
        a.available > 0
          ? {
              points: a.available,
              expiresAt: addDuration(a.lastActivityAt, this.program.expiry.after, 'UTC'),
            }
          : undefined,
      atRisk: a.risk ? { downgradeAt: a.risk.downgradeAt, to: a.risk.to } : undefined,
      rewards: this.program.rewards.map((r) => {
        const amount = currency ? r.amountOff?.[currency] : undefined;
        return {
          id: r.id,
          points: r.points,
          affordable: a.available >= r.points,
          amountOff: amount && currency ? { amount, currency } : undefined,
          percentOff: r.percentOff,
        };
      }),
    };
  }
}
