/**
 * The two LoyaltyService methods the member page uses (`member`, `redeem`), run through the real pure
 * core (core/loyalty: `decideLoyalty`, `loyaltyData`, `memberCurrency`) on an in-memory ledger per
 * customer (test/support/loyalty-world.ts), as the service does without its table. Accounts may be set
 * by hand (a negative balance, a tier at risk) or grown by shop events. Until the real LoyaltyService is
 * wired into the page's tests, this is what they drive.
 */
import type { LoyaltyAccount } from '../../functions/core/loyalty/account.ts';
import { loyaltyData, memberCurrency } from '../../functions/core/loyalty/ledger.ts';
import { type LoyaltyProgram, loyaltyProgramSchema } from '../../functions/core/loyalty/program.ts';
import type { Profile } from '../../functions/core/model.ts';
import type { LoyaltyService, MemberSnapshot } from '../../functions/services/loyalty.ts';
import { LoyaltyWorld } from './loyalty-world.ts';

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
  readonly worlds = new Map<string, LoyaltyWorld>();
  /** Every redeem call, in order: a double click shows up here twice with one request id. */
  readonly redeemCalls: { customerId: string; rewardId: string; requestId: string }[] = [];

  constructor(
    readonly program: LoyaltyProgram,
    readonly now: () => string,
    readonly defaultTimeZone = 'UTC',
  ) {}

  /**
   * A customer with this profile and, if given, this account; `currency` is that of their latest order
   * (one order placed long ago stands for it, as the service reads it from the customer's orders).
   */
  add(profile: Profile, loyalty?: LoyaltyAccount, currency = 'EUR'): this {
    const world = new LoyaltyWorld(this.program, profile.customerId, this.defaultTimeZone);
    world.profile = profile;
    world.account = loyalty;
    world.orders = [
      { orderId: 'earlier', placedAt: '2025-01-01T00:00:00Z', total: { amount: '10.00', currency } },
    ];
    this.worlds.set(profile.customerId, world);
    return this;
  }

  account(customerId: string): LoyaltyAccount | undefined {
    return this.worlds.get(customerId)?.account;
  }

  async member(customerId: string): Promise<MemberSnapshot> {
    const world = this.worlds.get(customerId);
    const currency = world ? memberCurrency(world) : undefined;
    const account = world?.account;
    const timeZone = world?.profile?.timeZone ?? this.defaultTimeZone;
    return {
      profile: world?.profile,
      account,
      data:
        account && this.program.enabled
          ? loyaltyData(this.program, account, this.now(), timeZone, currency)
          : undefined,
      program: this.program,
      currency,
    };
  }

  async redeem(customerId: string, rewardId: string, requestId: string) {
    this.redeemCalls.push({ customerId, rewardId, requestId });
    const world = this.worlds.get(customerId);
    if (!world) return { status: 'refused' as const, reason: 'not a member' as const };
    const outcome = world.redeem(rewardId, requestId, this.now()).redemption;
    if (!outcome) throw new Error('a redeem decision without an outcome');
    return outcome;
  }
}
