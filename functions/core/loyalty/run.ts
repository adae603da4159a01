/**
 * One loyalty decision in the making: the account as it changes, and the movements and events the change
 * writes. Balances change only through `move`, so the account always equals the sum of its ledger.
 */
import type { CustomerView, EmitEffect } from '../model.ts';
import { isBefore } from '../time.ts';
import type { LoyaltyAccount, LoyaltyInput, Movement } from './account.ts';
import { baseTier } from './levels.ts';
import type { LoyaltyProgram } from './program.ts';
import { addQualifying, oldestKeptMonth } from './tiers.ts';

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

export class Run {
  account: LoyaltyAccount | undefined;
  readonly movements: Movement[] = [];
  readonly effects: EmitEffect[] = [];
  readonly trace: string[] = [];
  /** The customer's time zone: months, birthdays and expiry are the customer's local calendar. */
  readonly zone: string;
  readonly customerId: string;
  changed = false;
  private oldest: string | undefined;

  constructor(readonly args: LoyaltyArgs) {
    const stored = args.customer.loyalty;
    this.account = stored ? structuredClone(stored) : undefined;
    this.zone = args.customer.profile?.timeZone ?? args.defaultTimeZone;
    const input = args.input;
    this.customerId =
      input.kind === 'event'
        ? input.event.detail.customerId
        : (stored?.customerId ?? args.customer.profile?.customerId ?? '');
  }

  get program(): LoyaltyProgram {
    return this.args.program;
  }

  /** The oldest month of qualifying points kept (computed once: time zone arithmetic is the core's cost). */
  get oldestMonth(): string {
    this.oldest ??= oldestKeptMonth(this.args.now, this.zone);
    return this.oldest;
  }

  /** Whether a movement exists already (stored, or written by this decision). */
  has(id: string): boolean {
    return this.args.known.has(id) || this.movements.some((m) => m.id === id);
  }

  /** The account, created (the customer joins) by the first fact that gives the customer points. */
  member(at: string): LoyaltyAccount {
    if (this.account) {
      // A fact told late may be older than the one the account was made by.
      if (isBefore(at, this.account.joinedAt)) {
        this.account.joinedAt = at;
        this.changed = true;
      }
      return this.account;
    }
    const tier = baseTier(this.program).id;
    this.account = {
      customerId: this.customerId,
      joinedAt: at,
      available: 0,
      pending: 0,
      lots: [],
      tier,
      tierSince: at,
      qualifying: {},
      lastActivityAt: at,
      redemptions: 0,
      recent: [],
      totals: { earned: 0, redeemed: 0, expired: 0, reversed: 0 },
      version: 0,
    };
    this.changed = true;
    this.emit('loyalty#joined', 'loyalty.member.joined', { tier, joinedAt: at });
    this.trace.push(`joins the loyalty program in tier ${tier}`);
    return this.account;
  }

  /** Writes a movement and applies it to the account: the only way balances change. */
  move(movement: Movement): void {
    const account = this.account as LoyaltyAccount;
    account.available += movement.available;
    account.pending += movement.pending;
    if (movement.qualifying !== 0 && movement.month)
      account.qualifying = addQualifying(
        account.qualifying,
        movement.month,
        movement.qualifying,
        this.oldestMonth,
      );
    this.movements.push(movement);
    this.changed = true;
  }

  emit(outboxId: string, detailType: string, detail: Record<string, unknown>): void {
    this.effects.push({
      kind: 'emit',
      outboxId,
      detailType,
      detail: { customerId: this.customerId, ...detail },
    });
  }
}
