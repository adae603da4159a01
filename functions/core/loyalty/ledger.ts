/**
 * The loyalty program's rules (DESIGN.md §11), pure: what an event, a timer or a redemption does to a
 * member's account and ledger. The service (services/loyalty.ts) reads the account with the customer's
 * partition and the ledger items `movementIdsFor` names, calls `decideLoyalty`, and writes the result in
 * one conditional transaction.
 */
import type { CustomerView } from '../model.ts';
import type { LoyaltyAccount, LoyaltyData, LoyaltyDecision, LoyaltyInput, Movement } from './account.ts';
import type { LoyaltyProgram } from './program.ts';

export interface LoyaltyArgs {
  program: LoyaltyProgram;
  /** The customer's partition as loaded (profile, orders, `loyalty` account). */
  customer: CustomerView;
  /** The ledger items `movementIdsFor` named that exist. */
  known: ReadonlyMap<string, Movement>;
  input: LoyaltyInput;
  now: string;
  /** Signs coupon codes (the same secret as referral codes and links). */
  secret: string;
  defaultTimeZone: string;
}

/** The ledger items a decision on `input` must see (those its cause may already have written). */
export function movementIdsFor(_input: LoyaltyInput): string[] {
  throw new Error('not implemented yet');
}

export function decideLoyalty(_args: LoyaltyArgs): LoyaltyDecision {
  throw new Error('not implemented yet');
}

/** What templates and the member page show of a member at `at`. */
export function loyaltyData(
  _program: LoyaltyProgram,
  _account: LoyaltyAccount,
  _at: string,
  _timeZone: string,
): LoyaltyData {
  throw new Error('not implemented yet');
}

/**
 * The request id of the member page's form for `rewardId`: the same until a redemption happens, so a
 * double click (or a resubmitted form) redeems once and shows the same coupon.
 */
export function redemptionRequestId(account: LoyaltyAccount, rewardId: string): string {
  return `page-${rewardId}-${account.redemptions + 1}`;
}
