/**
 * A member's loyalty data built by hand (what `loyaltyData` in core/loyalty/ledger.ts computes from an
 * account), for template tests that must not depend on the ledger's arithmetic: a silver member of
 * the default program (loyalty.yaml) on the way to gold, with points pending and points expiring.
 */
import type { LoyaltyAccount, LoyaltyData } from '../../functions/core/loyalty/account.ts';

export function memberData(overrides: Partial<LoyaltyData> = {}): LoyaltyData {
  return {
    balance: 1240,
    pending: 59,
    tier: 'silver',
    nextTier: { id: 'gold', pointsNeeded: 380, threshold: 1500 },
    qualifying: 1120,
    progress: 0.62,
    expiring: { points: 240, expiresAt: '2026-04-04T10:00:00Z' },
    atRisk: undefined,
    rewards: [
      { id: 'five-off', points: 500, affordable: true, amountOff: { amount: '5.00', currency: 'EUR' } },
      { id: 'fifteen-off', points: 1200, affordable: true, amountOff: { amount: '15.00', currency: 'EUR' } },
      { id: 'twenty-percent', points: 2000, affordable: false, percentOff: 20 },
    ],
    ...overrides,
  };
}

/** A stored account (core/loyalty/account.ts) of a silver member, for engine tests. */
export function memberAccount(overrides: Partial<LoyaltyAccount> = {}): LoyaltyAccount {
  return {
    customerId: 'c1',
    joinedAt: '2025-06-01T10:00:00Z',
    available: 740,
    pending: 0,
    lots: [],
    tier: 'silver',
    tierSince: '2026-02-20T10:00:00Z',
    qualifying: { '2026-02': 620 },
    lastActivityAt: '2026-02-20T10:00:00Z',
    redemptions: 0,
    recent: [],
    totals: { earned: 740, redeemed: 0, expired: 0, reversed: 0 },
    version: 3,
    ...overrides,
  };
}
