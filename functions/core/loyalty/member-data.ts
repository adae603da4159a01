/** What templates and the member page show of a member: typed data from the account and the program. */
import type { CustomerView } from '../model.ts';
import type { LoyaltyAccount, LoyaltyData } from './account.ts';
import type { LoyaltyProgram } from './program.ts';
import { memberCurrency } from './redemption.ts';
import { expiresAt } from './schedule.ts';
import { progressTo } from './tiers.ts';

/**
 * The member as of `at`; rewards priced in `currency` (memberCurrency) when given, so a fixed-amount
 * reward shows what it is worth to this customer.
 */
export function loyaltyData(
  program: LoyaltyProgram,
  account: LoyaltyAccount,
  at: string,
  timeZone: string,
  currency?: string,
): LoyaltyData {
  const { qualifying, progress, next } = progressTo(program, account, at, timeZone);
  return {
    balance: account.available,
    pending: account.pending,
    tier: account.tier,
    nextTier: next,
    qualifying,
    progress,
    expiring:
      account.available > 0
        ? { points: account.available, expiresAt: expiresAt(program, account, timeZone) }
        : undefined,
    atRisk: account.risk ? { downgradeAt: account.risk.downgradeAt, to: account.risk.to } : undefined,
    rewards: program.rewards.map((reward) => {
      const amount = currency ? reward.amountOff?.[currency] : undefined;
      return {
        id: reward.id,
        points: reward.points,
        affordable: account.available >= reward.points,
        amountOff: amount && currency ? { amount, currency } : undefined,
        percentOff: reward.percentOff,
      };
    }),
  };
}

/**
 * A customer's loyalty data at `at`, rewards in the currency of their latest order (as a redemption
 * would issue them); none without an enabled program or an account. The engine's conditions and
 * templates, and `journeys send-test`, read a customer's membership through this one rule.
 */
export function customerLoyaltyData(
  program: LoyaltyProgram | undefined,
  customer: Pick<CustomerView, 'loyalty' | 'orders' | 'orderSummary'>,
  at: string,
  timeZone: string,
): LoyaltyData | undefined {
  if (!program?.enabled || !customer.loyalty) return undefined;
  return loyaltyData(program, customer.loyalty, at, timeZone, memberCurrency(customer));
}
