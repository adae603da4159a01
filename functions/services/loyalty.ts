/**
 * The loyalty program's shell: load the customer's partition (the account comes with it) and the ledger
 * items the cause may already have written, decide (core/loyalty/ledger.ts), write the decision in one
 * conditional transaction, retry on a lost race. Lambda, the local runtime and the simulator all come
 * through here; so does the member page (preferences service).
 */
import type { SaveRequest } from '../adapters/store.ts';
import type { RawEvent } from '../core/events.ts';
import type {
  LoyaltyAccount,
  LoyaltyData,
  LoyaltyDecision,
  LoyaltyInput,
  RedemptionOutcome,
} from '../core/loyalty/account.ts';
import { decideLoyalty, loyaltyData, memberCurrency, movementIdsFor } from '../core/loyalty/ledger.ts';
import type { LoyaltyProgram } from '../core/loyalty/program.ts';
import type { CustomerView, Profile, TraceEntry } from '../core/model.ts';
import { withEventApplied } from '../core/profile.ts';
import { acceptEvent, type Outcome, outcomeOfSave, type ServiceDeps } from './journeys.ts';
import { CONFLICT, retryOnConflict } from './retry.ts';
import { verifyValueEvent } from './value-checks.ts';

/** The idempotency marker's consumer (`E#<eventId>` / `loyalty`) and the trace's journey column. */
export const LOYALTY_CONSUMER = 'loyalty';

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

interface Run {
  outcome: Outcome;
  /** For a `redeem` input: what became of it (undefined when the save did not happen). */
  redemption?: RedemptionOutcome | undefined;
}

export class LoyaltyService {
  constructor(readonly deps: LoyaltyDeps) {}

  /** A shop or system event (order.placed, order.refunded, customer.registered/updated, feedback.submitted, referral.reward.earned, loyalty.redemption.requested). */
  async handleEvent(raw: RawEvent): Promise<Outcome> {
    const accepted = await acceptEvent(this.deps, raw, LOYALTY_CONSUMER);
    if (!accepted.ok) return accepted.outcome;
    const event = accepted.event;
    // A referral bonus moves points on the word of a system event: the referee's partition must confirm it.
    const untrusted = await verifyValueEvent(this.deps, event, LOYALTY_CONSUMER);
    if (untrusted) return untrusted;
    const processed = { eventId: event.id, consumer: LOYALTY_CONSUMER };
    // loyalty.redemption.requested too: the core redeems it as the member page's request.
    return (await this.run(event.detail.customerId, { kind: 'event', event }, processed)).outcome;
  }

  /** The account's timer fell due (hold release, expiry reminder, expiry, tier review, birthday). */
  async handleTimer(customerId: string, dueAt: string): Promise<Outcome> {
    return (await this.run(customerId, { kind: 'timer', dueAt }, undefined)).outcome;
  }

  /** A redemption from the member page: idempotent on `requestId`. */
  async redeem(customerId: string, rewardId: string, requestId: string): Promise<RedemptionOutcome> {
    const { outcome, redemption } = await this.run(
      customerId,
      { kind: 'redeem', rewardId, requestId, at: this.deps.now() },
      undefined,
    );
    if (redemption) return redemption;
    if (outcome.status === 'erased') return { status: 'refused', reason: 'not a member' };
    throw new Error(`redemption ${requestId} of customer ${customerId}: the decision gave no outcome`);
  }

  async member(customerId: string): Promise<MemberSnapshot> {
    const { program, defaultTimeZone } = this.deps;
    const { view } = await this.deps.store.loadCustomerFacts(customerId);
    const account = view.loyalty;
    const timeZone = view.profile?.timeZone ?? defaultTimeZone;
    const currency = memberCurrency(view) ?? Object.keys(program.earning.pointsPerUnit)[0];
    return {
      profile: view.profile,
      account,
      data:
        account && program.enabled
          ? loyaltyData(program, account, this.deps.now(), timeZone, currency)
          : undefined,
      program,
      currency,
    };
  }

  private run(customerId: string, input: LoyaltyInput, processed: SaveRequest['processed']): Promise<Run> {
    return retryOnConflict(
      `loyalty, customer ${customerId}`,
      async (): Promise<Run | typeof CONFLICT> => {
        const now = this.deps.now();
        const { view } = await this.deps.store.loadCustomerFacts(customerId);
        // Decide on the partition as it is once this event is applied, even if the profile projection
        // has not stored it yet: the order an order.placed earns on must be among the orders.
        const customer: CustomerView = input.kind === 'event' ? withEventApplied(view, input.event) : view;
        const ids = movementIdsFor(input);
        const known = ids.length > 0 ? await this.deps.store.getMovements(customerId, ids) : new Map();
        const decision = decideLoyalty({
          program: this.deps.program,
          customer,
          known,
          input,
          now,
          secret: this.deps.secret,
          defaultTimeZone: this.deps.defaultTimeZone,
        });
        const trace = decision.trace.map(traceEntry);
        if (!decision.account && decision.effects.length === 0) {
          unchangedOrThrow(decision, customerId);
          return { outcome: { status: 'unchanged', trace }, redemption: decision.redemption };
        }
        const result = await this.deps.store.save({
          customerId,
          processed,
          loyalty: decision.account && {
            next: decision.account,
            // The version read, not the one the decision carries: the condition is on what was seen.
            expectedVersion: view.loyalty?.version ?? 0,
            movements: decision.movements,
          },
          effects: decision.effects,
          now,
        });
        const outcome = outcomeOfSave(result, {
          status: 'applied',
          trace,
          effects: decision.effects.length,
        });
        if (outcome === CONFLICT) return CONFLICT;
        return { outcome, redemption: result === 'saved' ? decision.redemption : undefined };
      },
      { backoff: this.deps.backoff },
    );
  }
}

/** Ledger items without the account that sums them would break the ledger's invariant: never write them. */
function unchangedOrThrow(decision: LoyaltyDecision, customerId: string): void {
  if (decision.movements.length > 0)
    throw new Error(
      `loyalty decision for customer ${customerId} adds ${decision.movements.length} movement(s) without its account`,
    );
}

function traceEntry(note: string): TraceEntry {
  return { journeyId: LOYALTY_CONSUMER, instanceId: '-', note };
}
