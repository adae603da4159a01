/**
 * The loyalty program's shell: load the customer's partition (the account comes with it) and the ledger
 * items the cause may already have written, decide (core/loyalty/ledger.ts), write the decision in one
 * conditional transaction, retry on a lost race. Lambda, the local runtime and the simulator all come
 * through here; so does the member page (preferences service).
 *
 * CONTRACT SKELETON — implemented by the plumbing work (see /work/wt/BRIEF.md).
 */
import type { RawEvent } from '../core/events.ts';
import type { LoyaltyAccount, LoyaltyData, RedemptionOutcome } from '../core/loyalty/account.ts';
import type { LoyaltyProgram } from '../core/loyalty/program.ts';
import type { Profile } from '../core/model.ts';
import type { Outcome, ServiceDeps } from './journeys.ts';

/** What the member page shows. */
export interface MemberSnapshot {
  profile: Profile | undefined;
  account: LoyaltyAccount | undefined;
  /** Undefined when the customer is not a member (yet) or the program is disabled. */
  data: LoyaltyData | undefined;
  program: LoyaltyProgram;
  /** The currency rewards are shown in: that of the customer's latest order, else the shop's first. */
  currency: string | undefined;
}

export interface LoyaltyDeps extends Omit<ServiceDeps, 'journeys' | 'engine'> {
  program: LoyaltyProgram;
  secret: string;
  defaultTimeZone: string;
}

export class LoyaltyService {
  constructor(readonly deps: LoyaltyDeps) {}

  /** A shop or system event (order.placed, order.refunded, customer.registered/updated, feedback.submitted, referral.reward.earned, loyalty.redemption.requested). */
  async handleEvent(_raw: RawEvent): Promise<Outcome> {
    throw new Error('not implemented yet');
  }

  /** The account's timer fell due (hold release, expiry reminder, expiry, tier review, birthday). */
  async handleTimer(_customerId: string, _dueAt: string): Promise<Outcome> {
    throw new Error('not implemented yet');
  }

  /** A redemption from the member page: idempotent on `requestId`. */
  async redeem(_customerId: string, _rewardId: string, _requestId: string): Promise<RedemptionOutcome> {
    throw new Error('not implemented yet');
  }

  async member(_customerId: string): Promise<MemberSnapshot> {
    throw new Error('not implemented yet');
  }
}
