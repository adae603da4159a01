/**
 * The journey engine: a pure function from (definition, state, input, now) to (next state, effects).
 * No I/O, no wall clock, no unseeded randomness — the Lambda handlers, the local runtime and the
 * simulator all call `decide`, so there is one implementation of journey semantics.
 */
import type { CompiledJourney, Instruction } from './compile.ts';
import { type ConditionContext, evaluate, pathValue } from './conditions.ts';
import { assertNever, UnknownDefinitionVersionError } from './errors.ts';
import type { ShopEvent } from './events.ts';
import { type Fact, orderFacts } from './facts.ts';
import { onEvent, onTimer } from './inputs.ts';
import type { JourneyHistory } from './journey-history.ts';
import type { LoyaltyData } from './loyalty/account.ts';
import { customerLoyaltyData } from './loyalty/ledger.ts';
import type { LoyaltyProgram } from './loyalty/program.ts';
import type { CustomerView, Effect, JourneyInstance, MarketingLedger, TraceEntry } from './model.ts';
import { outboxId } from './outbox.ts';
import { send } from './sending.ts';
import { addDuration, isAtOrBefore, isBefore, latest } from './time.ts';

export interface EngineConfig {
  defaultLocale: string;
  defaultTimeZone: string;
  /** Keys coupon codes; never leaves the backend. */
  secret: string;
  /** At most `max` marketing emails per customer in any `per`, across journeys. */
  frequencyCap?: { max: number; per: string } | undefined;
  /** The loyalty program (loyalty.yaml): conditions and templates see the member's data through it. */
  loyalty?: LoyaltyProgram | undefined;
}

export type EngineInput =
  | { kind: 'event'; event: ShopEvent }
  /** A timer that fell due; `dueAt` must match the instance's, or the timer is stale. */
  | { kind: 'timer'; instanceId: string; dueAt: string };

export interface DecideArgs {
  journey: CompiledJourney;
  /** The compiled definition for a pinned version; the caller loads older versions beforehand. */
  versions: ReadonlyMap<string, CompiledJourney>;
  customer: CustomerView;
  input: EngineInput;
  now: string;
  config: EngineConfig;
}

export interface Decision {
  /** Instances that changed or were created, with `version` as read (the store bumps it). */
  instances: JourneyInstance[];
  effects: Effect[];
  trace: TraceEntry[];
  /** The marketing ledger after this decision, when it sent marketing email (`version` as read). */
  ledger?: MarketingLedger | undefined;
}

// Moved out with their job; still exported from here, where their importers look.
export { nextAnniversary, WATCHER_ID } from './entry.ts';
export { ADDRESS_WAIT, DEFAULT_FREQUENCY_CAP } from './sending.ts';

/**
 * One decision's state: the instances it changed, its effects and trace, the marketing ledger. The
 * instruction loop, exits and goals are here; what an input does (inputs.ts), entry (entry.ts) and
 * sending (sending.ts) are free functions over it.
 */
export class Run {
  readonly changed = new Map<string, JourneyInstance>();
  readonly effects: Effect[] = [];
  readonly trace: TraceEntry[] = [];
  /** The marketing ledger as this decision leaves it; sending.ts counts and records sends in it. */
  ledger: MarketingLedger | undefined;
  ledgerChanged = false;
  private knownFacts: Fact[] | undefined;

  constructor(readonly args: DecideArgs) {
    this.ledger = args.customer.ledger ? structuredClone(args.customer.ledger) : undefined;
  }

  get customerId(): string {
    return (
      this.args.customer.profile?.customerId ??
      (this.args.input.kind === 'event' ? this.args.input.event.detail.customerId : '')
    );
  }

  get timeZone(): string {
    return this.args.customer.profile?.timeZone ?? this.args.config.defaultTimeZone;
  }

  get definition() {
    return this.args.journey.definition;
  }

  /** This journey's live instances (settled ones are counted in `history()`). */
  ownInstances(): JourneyInstance[] {
    return this.args.customer.instances.filter((i) => i.journeyId === this.definition.id);
  }

  /** This journey's settled entries (journey-history.ts). */
  history(): JourneyHistory | undefined {
    return this.args.customer.histories?.[this.definition.id];
  }

  /** Whether an instance of this journey with this id was settled and archived. */
  archivedInstance(instanceId: string): boolean {
    const id = this.definition.id;
    return (this.args.customer.archived ?? []).some((a) => a.journeyId === id && a.instanceId === instanceId);
  }

  result(): Decision {
    return {
      instances: [...this.changed.values()],
      effects: this.effects,
      trace: this.trace,
      ledger: this.ledgerChanged ? this.ledger : undefined,
    };
  }

  note(instance: Pick<JourneyInstance, 'journeyId' | 'instanceId'>, note: string): void {
    this.trace.push({ journeyId: instance.journeyId, instanceId: instance.instanceId, note });
  }

  program(instance: JourneyInstance): CompiledJourney {
    const compiled = this.args.versions.get(instance.definitionVersion);
    if (!compiled) throw new UnknownDefinitionVersionError(instance.journeyId, instance.definitionVersion);
    return compiled;
  }

  conditionContext(
    instance: JourneyInstance | undefined,
    event: Record<string, unknown> | undefined,
    at: string,
  ): ConditionContext {
    const run = this;
    return {
      profile: this.args.customer.profile,
      orders: this.args.customer.orders,
      orderSummary: this.args.customer.orderSummary,
      instance,
      entries: [
        ...this.ownInstances().filter((i) => i.instanceId !== instance?.instanceId),
        ...(instance ? [instance] : []),
      ],
      history: this.history(),
      event: event ?? instance?.lastEvent?.detail ?? instance?.trigger,
      now: this.args.now,
      at,
      timeZone: this.timeZone,
      // Only when a condition asks: the member's data is calendar arithmetic, and most conditions are not about it.
      get loyalty() {
        return run.memberData(at);
      },
    };
  }

  /**
   * The member's loyalty data at business moment `at` (rewards in the currency of their latest order,
   * as a redemption would issue them); none without an account or an enabled program.
   */
  memberData(at: string): LoyaltyData | undefined {
    return customerLoyaltyData(this.args.config.loyalty, this.args.customer, at, this.timeZone);
  }

  /** The order events stored for the customer, including the one being decided on. */
  facts(): Fact[] {
    this.knownFacts ??= orderFacts(this.args.customer.orders, this.customerId);
    return this.knownFacts;
  }

  /**
   * The earliest stored event that ends the instance: one correlated with it (its order's refund),
   * whenever it happened; an uncorrelated one (any order, for onboarding) only from entry on.
   */
  knownExit(instance: JourneyInstance): Fact | undefined {
    const { exitOn } = this.program(instance).definition;
    return this.facts().find((f) =>
      exitOn.some((e) =>
        typeof e === 'string'
          ? e === f.type && f.orderId !== instance.context.orderId && isAtOrBefore(instance.enteredAt, f.at)
          : e.event === f.type &&
            instance.context[e.correlate] !== undefined &&
            f.detail[e.correlate] === instance.context[e.correlate],
      ),
    );
  }

  /** A stored event a waitFor is waiting for, if it happened between the wait's start and its end. */
  knownAwaited(
    instance: JourneyInstance,
    ins: Extract<Instruction, { op: 'waitFor' }>,
    from: string,
    until: string,
  ): Fact | undefined {
    const value = ins.correlate ? instance.context[ins.correlate] : undefined;
    if (ins.correlate && value === undefined) return undefined;
    return this.facts().find(
      (f) =>
        f.type === ins.event &&
        (ins.correlate ? f.detail[ins.correlate] === value : f.orderId !== instance.context.orderId) &&
        isAtOrBefore(from, f.at) &&
        isAtOrBefore(f.at, until),
    );
  }

  exit(instance: JourneyInstance, detailType: string): void {
    instance.status = 'exited';
    instance.waiting = undefined;
    instance.endedAt = this.args.now;
    instance.endReason = `exitOn:${detailType}`;
    this.note(instance, `exits on ${detailType}`);
    this.lifecycle(instance, 'journey.exited', { reason: instance.endReason });
  }

  reachGoal(instance: JourneyInstance, event: string, at: string): void {
    instance.goalReachedAt = at;
    this.note(instance, `reaches goal ${event}`);
    this.lifecycle(instance, 'journey.goal.reached', { goal: event, reachedAt: at });
  }

  lifecycle(instance: JourneyInstance, detailType: string, extra: Record<string, unknown> = {}): void {
    this.effects.push({
      kind: 'emit',
      outboxId: outboxId(instance, detailType),
      detailType,
      detail: {
        customerId: this.customerId,
        journey: instance.journeyId,
        instanceId: instance.instanceId,
        version: instance.definitionVersion,
        holdout: instance.holdout,
        ...extra,
      },
    });
  }

  /** The moment a wait counts from: an awaited event's time, or entry when it never came; else `at`. */
  anchor(instance: JourneyInstance, since: string | undefined, at: string): string {
    return since ? (instance.marks?.[since] ?? instance.enteredAt) : at;
  }

  /**
   * Runs the instance from its pc at business moment `at`, then applies what the stored facts say
   * happened meanwhile: a known exit ends it (after the steps that came before it in business time).
   */
  advance(instance: JourneyInstance, at: string): void {
    this.run(instance, at);
    const { goal } = this.program(instance).definition;
    const deadline = instance.goalDeadline;
    if (goal && deadline && !instance.goalReachedAt) {
      const reached = this.facts().find(
        (f) =>
          f.type === goal.event &&
          f.orderId !== instance.context.orderId &&
          isAtOrBefore(instance.enteredAt, f.at) &&
          isAtOrBefore(f.at, deadline),
      );
      if (reached) this.reachGoal(instance, goal.event, reached.at);
    }
    if (instance.status !== 'active') return;
    const exit = this.knownExit(instance);
    // A send held for the address was decided before a later exit: it still goes (or times out) first.
    const held = instance.waiting?.reason === 'address' ? instance.waiting.from : undefined;
    if (exit && !(held && isAtOrBefore(held, latest(exit.at, instance.enteredAt))))
      this.exit(instance, exit.type);
  }

  /** Executes instructions from the instance's pc until it waits or ends; `at` is its business time. */
  run(instance: JourneyInstance, moment: string): void {
    const { definition, program } = this.program(instance);
    const now = this.args.now;
    const profile = this.args.customer.profile;
    this.changed.set(instance.instanceId, instance);
    instance.waiting = undefined;
    let at = moment;

    while (instance.pc < program.length) {
      // An exit counts from entry on: what the instance does at its entry moment (an order's
      // confirmation) happens whichever of the two events arrived first.
      const exit = this.knownExit(instance);
      if (exit && isBefore(latest(exit.at, instance.enteredAt), at)) {
        this.exit(instance, exit.type);
        return;
      }
      const ins = program[instance.pc] as Instruction;
      switch (ins.op) {
        case 'jump':
          instance.pc = ins.target;
          break;
        case 'jumpUnless': {
          const holds = evaluate(ins.condition, this.conditionContext(instance, undefined, at));
          this.note(instance, `${ins.path}: condition ${holds ? 'holds' : 'does not hold'}`);
          instance.pc = holds ? instance.pc + 1 : ins.target;
          break;
        }
        case 'wait': {
          const dueAt = ins.duration
            ? addDuration(this.anchor(instance, ins.since, at), ins.duration, this.timeZone)
            : addDuration(instance.enteredAt, ins.sinceEntry as string, this.timeZone);
          instance.pc += 1;
          if (isBefore(now, dueAt)) {
            instance.waiting = { dueAt, reason: 'wait' };
            this.note(instance, `waits until ${dueAt}`);
            return;
          }
          at = latest(at, dueAt);
          break;
        }
        case 'waitFor': {
          const field = ins.correlate;
          const value = field ? instance.context[field] : undefined;
          const dueAt = addDuration(this.anchor(instance, ins.since, at), ins.timeout, this.timeZone);
          // The awaited event may be known already: it arrived before the instance got here.
          const known = this.knownAwaited(instance, ins, at, dueAt);
          if (known) {
            this.note(instance, `resumes on ${ins.event} of ${known.at}, known already`);
            this.remember(instance, known.type, known.at, known.detail);
            instance.pc += 1;
            at = latest(at, known.at);
            break;
          }
          if (!isBefore(now, dueAt)) {
            this.note(instance, `stops waiting for ${ins.event}: its time is already over`);
            instance.pc = ins.timeoutTarget;
            at = latest(at, dueAt);
            break;
          }
          instance.waiting = {
            dueAt,
            reason: 'waitFor',
            event: ins.event,
            correlate: field && value !== undefined ? { field, value } : undefined,
            from: at,
          };
          this.note(instance, `waits for ${ins.event} until ${dueAt}`);
          return;
        }
        case 'emit':
          this.emit(instance, ins);
          instance.pc += 1;
          break;
        case 'send': {
          if (send(this, instance, ins, definition, profile, at) === 'wait') return;
          instance.pc += 1;
          break;
        }
        default:
          // An instruction without a case would never advance the pc: the loop would not end.
          assertNever(ins, 'instruction');
      }
    }
    instance.status = 'completed';
    instance.endedAt = now;
    instance.endReason = 'completed';
    this.note(instance, 'completes');
    this.lifecycle(instance, 'journey.completed');
  }

  emit(instance: JourneyInstance, ins: Extract<Instruction, { op: 'emit' }>): void {
    const detail: Record<string, unknown> = { ...ins.detail };
    // `field` copies a field; `name=dotted.path` copies a nested value under another name.
    for (const entry of ins.include) {
      const [name, path = name] = entry.split('=') as [string, string?];
      detail[name] =
        pathValue(instance.lastEvent?.detail, path) ??
        pathValue(instance.trigger, path) ??
        instance.context[path];
    }
    const customerId = ins.to ? instance.context[ins.to] : this.customerId;
    if (!customerId) {
      this.note(instance, `cannot emit ${ins.detailType}: no ${ins.to} in the instance context`);
      return;
    }
    this.effects.push({
      kind: 'emit',
      outboxId: outboxId(instance, instance.pc),
      detailType: ins.detailType,
      detail: { ...detail, customerId, journey: instance.journeyId },
    });
  }

  /** Records an awaited event: when it happened, its detail, and its ids for later correlation. */
  remember(instance: JourneyInstance, type: string, at: string, detail: Record<string, unknown>): void {
    instance.marks = { ...instance.marks, [type]: at };
    instance.lastEvent = { type, time: at, detail };
    for (const [field, value] of Object.entries(detail)) {
      if (typeof value === 'string' && instance.context[field] === undefined) instance.context[field] = value;
    }
  }
}

export function decide(args: DecideArgs): Decision {
  const run = new Run(args);
  if (args.input.kind === 'event') onEvent(run, args.input.event);
  else onTimer(run, args.input.instanceId, args.input.dueAt);
  return run.result();
}
