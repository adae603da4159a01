/**
 * A customer's loyalty account driven through the pure core as the service does (read the named
 * movements, decide, write movements once and the account by version), without a table: for unit and
 * property tests. The store's own conditions are checked by test/integration/loyalty-store.test.ts.
 */
import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { parseShopEvent } from '../../functions/core/events.ts';
import type {
  LoyaltyAccount,
  LoyaltyDecision,
  LoyaltyInput,
  Movement,
} from '../../functions/core/loyalty/account.ts';
import { decideLoyalty, movementIdsFor } from '../../functions/core/loyalty/ledger.ts';
import {
  type LoyaltyProgram,
  type LoyaltyProgramInput,
  loyaltyProgramSchema,
} from '../../functions/core/loyalty/program.ts';
import type { EmitEffect, Order, Profile } from '../../functions/core/model.ts';
import { projectEvent } from '../../functions/core/profile.ts';

export const SECRET = 'test-secret';

/** The shipped loyalty.yaml, switched on (it ships off: launching a program is the shop's decision). */
export function shippedProgram(): LoyaltyProgram {
  const file = parse(readFileSync(new URL('../../loyalty.yaml', import.meta.url), 'utf8'));
  return loyaltyProgramSchema.parse({ ...file, enabled: true });
}

export function program(input: LoyaltyProgramInput): LoyaltyProgram {
  return loyaltyProgramSchema.parse(input);
}

export class LoyaltyWorld {
  account: LoyaltyAccount | undefined;
  readonly ledger = new Map<string, Movement>();
  readonly emitted: EmitEffect[] = [];
  readonly decisions: LoyaltyDecision[] = [];
  profile: Profile | undefined;
  orders: Order[] = [];
  private seq = 0;

  constructor(
    readonly program: LoyaltyProgram,
    readonly customerId = 'c1',
    readonly defaultTimeZone = 'Europe/Berlin',
  ) {}

  /** A shop (or system) event, validated as the handlers do, decided at `now`. */
  event(
    detailType: string,
    detail: Record<string, unknown>,
    now: string,
    options: { id?: string; time?: string; source?: string } = {},
  ): LoyaltyDecision {
    const raw = {
      id: options.id ?? `e${++this.seq}`,
      source: options.source ?? 'shop',
      detailType,
      time: options.time ?? now,
      detail: { customerId: this.customerId, ...detail },
    };
    const parsed = parseShopEvent(raw, { now });
    if (!parsed.ok) throw new Error(parsed.errors.join('; '));
    // The profile projection runs beside loyalty; orders and profile are what it would have stored.
    const projection = projectEvent({ profile: this.profile, orders: this.orders }, parsed.event);
    this.profile = projection.profile;
    this.orders = projection.orders;
    return this.decide({ kind: 'event', event: parsed.event }, now);
  }

  timer(now: string): LoyaltyDecision {
    return this.decide({ kind: 'timer', dueAt: now }, now);
  }

  /** Runs every timer that falls due up to `until`, in order. */
  runUntil(until: string): void {
    for (let i = 0; i < 1000; i++) {
      const due = this.account?.dueAt;
      if (!due || Date.parse(due) > Date.parse(until)) return;
      this.timer(due);
    }
    throw new Error('timer loop');
  }

  redeem(rewardId: string, requestId: string, now: string): LoyaltyDecision {
    return this.decide({ kind: 'redeem', rewardId, requestId, at: now }, now);
  }

  decide(input: LoyaltyInput, now: string): LoyaltyDecision {
    const known = new Map<string, Movement>();
    for (const id of movementIdsFor(input)) {
      const movement = this.ledger.get(id);
      if (movement) known.set(id, movement);
    }
    const decision = decideLoyalty({
      program: this.program,
      customer: { profile: this.profile, orders: this.orders, instances: [], loyalty: this.account },
      known,
      input,
      now,
      secret: SECRET,
      defaultTimeZone: this.defaultTimeZone,
    });
    for (const movement of decision.movements) {
      if (this.ledger.has(movement.id)) throw new Error(`movement ${movement.id} written twice`);
      this.ledger.set(movement.id, movement);
    }
    if (decision.account) this.account = { ...decision.account, version: decision.account.version + 1 };
    this.emitted.push(...decision.effects);
    this.decisions.push(decision);
    return decision;
  }

  ledgerSum(): { available: number; pending: number } {
    let available = 0;
    let pending = 0;
    for (const m of this.ledger.values()) {
      available += m.available;
      pending += m.pending;
    }
    return { available, pending };
  }

  events(detailType: string): Record<string, unknown>[] {
    return this.emitted.filter((e) => e.detailType === detailType).map((e) => e.detail);
  }
}
