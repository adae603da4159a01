/**
 * The journey engine: a pure function from (definition, state, input, now) to (next state, effects).
 * No I/O, no wall clock, no unseeded randomness — the Lambda handlers, the local runtime and the
 * simulator all call `decide`, so there is one implementation of journey semantics.
 */
import { DateTime } from 'luxon';
import { readableCode, unitHash } from './codes.ts';
import type { CompiledJourney, Instruction } from './compile.ts';
import { type ConditionContext, evaluate, pathValue } from './conditions.ts';
import type { Condition } from './definition.ts';
import { assertNever, UnknownDefinitionVersionError } from './errors.ts';
import type { ShopEvent } from './events.ts';
import { businessTime, type Fact, orderFacts } from './facts.ts';
import type {
  CouponIssued,
  CustomerView,
  Effect,
  JourneyInstance,
  MarketingLedger,
  Recipient,
  TraceEntry,
} from './model.ts';
import { templateData } from './template-data.ts';
import { addDuration, isAtOrBefore, isBefore, quietHoursEnd, toIso } from './time.ts';

export interface EngineConfig {
  defaultLocale: string;
  defaultTimeZone: string;
  /** Keys coupon codes; never leaves the backend. */
  secret: string;
  /** At most `max` marketing emails per customer in any `per`, across journeys. */
  frequencyCap?: { max: number; per: string } | undefined;
}

export const DEFAULT_FREQUENCY_CAP = { max: 3, per: 'P7D' };

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

/** How long a send waits for an email address the profile does not have yet (a guest checkout's
 * order before its registration), before it is skipped. */
export const ADDRESS_WAIT = 'PT24H';

/** The later of two instants: business time never runs backwards inside an instance. */
function latest(a: string, b: string): string {
  return isBefore(a, b) ? b : a;
}

/** The per-customer record of an inactivity or anniversary trigger. */
export const WATCHER_ID = '~watch';

/** Where an engine step is, so that outbox ids are deterministic: retries yield the same ids. */
function outboxId(instance: JourneyInstance, suffix: string | number): string {
  return `${instance.journeyId}#${instance.instanceId}#${suffix}`;
}

function compactStamp(instant: string): string {
  return instant.replace(/[-:]/g, '').replace(/\.\d+/, '');
}

/**
 * The next occurrence of a month-day at a local time, strictly after `now`. 29 February is
 * celebrated on 28 February in non-leap years.
 */
export function nextAnniversary(monthDay: string, at: string, zone: string, now: string): string {
  const [month, day] = monthDay.split('-').map(Number) as [number, number];
  const [hour, minute] = at.split(':').map(Number) as [number, number];
  const local = DateTime.fromISO(now, { zone });
  for (let year = local.year; year <= local.year + 1; year++) {
    const leap = DateTime.local(year, 1, 1, { zone }).isInLeapYear;
    const d = month === 2 && day === 29 && !leap ? 28 : day;
    const candidate = DateTime.fromObject({ year, month, day: d, hour, minute }, { zone });
    if (candidate > local) return toIso(candidate);
  }
  throw new RangeError(`no anniversary for ${monthDay}`);
}

class Run {
  readonly changed = new Map<string, JourneyInstance>();
  readonly effects: Effect[] = [];
  readonly trace: TraceEntry[] = [];
  private ledger: MarketingLedger | undefined;
  private ledgerChanged = false;
  private knownFacts: Fact[] | undefined;

  constructor(private readonly args: DecideArgs) {
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

  ownInstances(): JourneyInstance[] {
    return this.args.customer.instances.filter((i) => i.journeyId === this.definition.id);
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
    return {
      profile: this.args.customer.profile,
      orders: this.args.customer.orders,
      instance,
      entries: [
        ...this.ownInstances().filter((i) => i.instanceId !== instance?.instanceId),
        ...(instance ? [instance] : []),
      ],
      event: event ?? instance?.lastEvent?.detail ?? instance?.trigger,
      now: this.args.now,
      at,
      timeZone: this.timeZone,
    };
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

  recipient(): Recipient | undefined {
    const profile = this.args.customer.profile;
    if (!profile?.email) return undefined;
    return {
      email: profile.email,
      firstName: profile.firstName,
      locale: profile.locale ?? this.args.config.defaultLocale,
      timeZone: this.timeZone,
    };
  }

  /** The moment a wait counts from: an awaited event's time, or entry when it never came; else `at`. */
  anchor(instance: JourneyInstance, since: string | undefined, at: string): string {
    return since ? (instance.marks?.[since] ?? instance.enteredAt) : at;
  }

  /** Frequency cap: undefined when a marketing send may go now, else the moment a slot frees up. */
  capFreesAt(): string | undefined {
    const cap = this.args.config.frequencyCap ?? DEFAULT_FREQUENCY_CAP;
    const now = this.args.now;
    const recent = (this.ledger?.sends ?? [])
      .filter((s) => isBefore(now, addDuration(s.at, cap.per, 'UTC')))
      .map((s) => s.at)
      .sort();
    if (recent.length < cap.max) return undefined;
    return addDuration(recent[recent.length - cap.max] as string, cap.per, 'UTC');
  }

  recordMarketingSend(instance: JourneyInstance, message: string): void {
    const cap = this.args.config.frequencyCap ?? DEFAULT_FREQUENCY_CAP;
    const now = this.args.now;
    const kept = (this.ledger?.sends ?? []).filter((s) => isBefore(now, addDuration(s.at, cap.per, 'UTC')));
    this.ledger = {
      sends: [...kept, { at: now, journeyId: instance.journeyId, message }],
      version: this.ledger?.version ?? 0,
    };
    this.ledgerChanged = true;
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
          if (this.send(instance, ins, definition, profile, at) === 'wait') return;
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

  /** Returns 'wait' when the send is held (quiet hours, frequency cap), else 'next'. */
  send(
    instance: JourneyInstance,
    ins: Extract<Instruction, { op: 'send' }>,
    definition: CompiledJourney['definition'],
    profile: CustomerView['profile'],
    at: string,
  ): 'wait' | 'next' {
    const now = this.args.now;
    const spec = definition.messages[ins.message];
    const marketing = spec?.class !== 'transactional';
    const recipient = this.recipient();
    if (definition.goal?.from === 'lastMessage' && (instance.holdout || recipient)) {
      // Holdout members get the same window as if they had been sent the message, so uplift compares.
      instance.goalDeadline = addDuration(at, definition.goal.within, this.timeZone);
    }
    // A message that grants a reward is about the reward: without one for the order's currency it
    // would announce nothing, so it is not sent, and the shop hears why.
    const trigger = instance.trigger ?? {};
    const rewardCurrency = String(
      trigger.currency ?? (trigger.total as { currency?: string } | undefined)?.currency ?? '',
    );
    const rewardAmount = ins.reward?.[rewardCurrency];
    if (ins.reward && rewardAmount === undefined) {
      const reason = `no reward configured for currency "${rewardCurrency}"`;
      this.note(instance, `skips ${ins.message}: ${reason}`);
      this.effects.push({
        kind: 'emit',
        outboxId: outboxId(instance, `${instance.pc}#reward`),
        detailType: 'referral.rejected',
        detail: {
          customerId: this.customerId,
          refereeId: trigger.refereeId,
          code: trigger.code,
          reason,
          journey: instance.journeyId,
        },
      });
      return 'next';
    }
    if (!instance.holdout && !recipient) {
      // A guest checkout's order can come before the registration that brings the address: the send
      // waits for it (the registration or update resumes it), and is skipped only when none came.
      const until = addDuration(at, ADDRESS_WAIT, 'UTC');
      if (isBefore(now, until)) {
        instance.waiting = { dueAt: until, reason: 'address', from: at };
        this.note(instance, `holds ${ins.message} for an email address until ${until}`);
        return 'wait';
      }
    }
    const skip = instance.holdout
      ? 'holdout'
      : !recipient
        ? 'no email address'
        : marketing && !profile?.marketingConsent
          ? 'no marketing consent'
          : marketing && profile?.suppressed
            ? 'address suppressed'
            : undefined;
    if (skip) {
      this.note(instance, `skips ${ins.message}: ${skip}`);
      return 'next';
    }
    const quiet = spec?.quietHours !== false && definition.quietHours;
    const quietEnd =
      quiet && definition.quietHours ? quietHoursEnd(now, this.timeZone, definition.quietHours) : undefined;
    if (quietEnd) {
      instance.waiting = { dueAt: quietEnd, reason: 'quietHours' };
      this.note(instance, `holds ${ins.message} for quiet hours until ${quietEnd}`);
      return 'wait';
    }
    if (marketing) {
      const freesAt = this.capFreesAt();
      if (freesAt) {
        if (spec?.frequencyCap === 'skip') {
          this.note(instance, `skips ${ins.message}: frequency cap reached`);
          return 'next';
        }
        instance.waiting = { dueAt: freesAt, reason: 'frequencyCap' };
        this.note(instance, `holds ${ins.message} for the frequency cap until ${freesAt}`);
        return 'wait';
      }
      this.recordMarketingSend(instance, ins.message);
    }

    let coupon: CouponIssued | undefined;
    if (ins.coupon) {
      coupon = {
        code: readableCode(
          this.args.config.secret,
          `coupon:${this.customerId}:${instance.journeyId}:${instance.instanceId}:${instance.pc}`,
        ),
        percentOff: ins.coupon.percentOff,
        amountOff: ins.coupon.amountOff,
        currency: ins.coupon.currency,
        expiresAt: addDuration(now, ins.coupon.validFor, this.timeZone),
      };
      this.effects.push({
        kind: 'emit',
        outboxId: outboxId(instance, `${instance.pc}#coupon`),
        detailType: 'coupon.issued',
        detail: { customerId: this.customerId, ...coupon, journey: instance.journeyId, message: ins.message },
      });
    }
    const reward =
      rewardAmount === undefined ? undefined : { amount: rewardAmount, currency: rewardCurrency };
    if (reward) {
      this.effects.push({
        kind: 'emit',
        outboxId: outboxId(instance, `${instance.pc}#reward`),
        detailType: 'referral.reward.granted',
        detail: {
          customerId: this.customerId,
          refereeId: trigger.refereeId,
          code: trigger.code,
          reward,
          journey: instance.journeyId,
        },
      });
    }
    this.effects.push({
      kind: 'send',
      outboxId: outboxId(instance, instance.pc),
      journeyId: instance.journeyId,
      instanceId: instance.instanceId,
      message: ins.message,
      messageClass: marketing ? 'marketing' : 'transactional',
      recipient: recipient as Recipient,
      template: spec?.template,
      data: { ...templateData(definition, instance, this.args.customer, at), coupon, reward },
    });
    instance.sent.push(ins.message);
    this.note(instance, `sends ${ins.message}`);
    return 'next';
  }

  onEvent(event: ShopEvent): void {
    // Business time: when it happened at the shop. Arrival order decides nothing an instance does.
    const at = businessTime(event);
    const detail = event.detail as Record<string, unknown>;

    for (const original of this.ownInstances()) {
      if (original.status === 'watching') continue;
      const instance = structuredClone(original);
      const { definition } = this.program(instance);
      let touched = false;

      if (instance.status === 'active') {
        // An exit correlated with the instance (its order's refund) ends it whenever it happened; any
        // other exit event only if it happened after entry.
        const exit = definition.exitOn.some((e) =>
          typeof e === 'string'
            ? e === event.detailType && isAtOrBefore(instance.enteredAt, at)
            : e.event === event.detailType &&
              instance.context[e.correlate] !== undefined &&
              detail[e.correlate] === instance.context[e.correlate],
        );
        const waiting = instance.waiting;
        const held = waiting?.reason === 'address' ? waiting.from : undefined;
        if (exit && held && isAtOrBefore(held, latest(at, instance.enteredAt)) && this.knownExit(instance)) {
          // Stored: the exit applies once the send held for the address is decided (advance).
          this.note(instance, `exits on ${event.detailType} after the held send`);
        } else if (exit) {
          this.exit(instance, event.detailType);
          touched = true;
        } else if (waiting?.reason === 'waitFor' && waiting.event === event.detailType) {
          const correlate = waiting.correlate;
          const inTime = isAtOrBefore(waiting.from ?? instance.enteredAt, at);
          if (inTime && (!correlate || detail[correlate.field] === correlate.value)) {
            this.note(instance, `resumes on ${event.detailType}`);
            this.remember(instance, event.detailType, at, detail);
            instance.pc += 1;
            this.advance(instance, latest(at, waiting.from ?? at));
            touched = true;
          }
        } else if (waiting?.reason === 'address' && this.recipient()) {
          this.note(instance, `resumes: the email address arrived (${event.detailType})`);
          this.advance(instance, waiting.from ?? at);
          touched = true;
        }
      }

      const goal = definition.goal;
      if (
        goal &&
        !instance.goalReachedAt &&
        goal.event === event.detailType &&
        instance.goalDeadline &&
        isAtOrBefore(instance.enteredAt, at) &&
        isAtOrBefore(at, instance.goalDeadline) &&
        // An order that started the instance is not also its goal.
        (!instance.context.orderId || detail.orderId !== instance.context.orderId)
      ) {
        this.reachGoal(instance, goal.event, at);
        touched = true;
      }
      if (touched) this.changed.set(instance.instanceId, instance);
    }

    if (this.definition.enabled) this.trigger(event);
  }

  /** Records an awaited event: when it happened, its detail, and its ids for later correlation. */
  remember(instance: JourneyInstance, type: string, at: string, detail: Record<string, unknown>): void {
    instance.marks = { ...instance.marks, [type]: at };
    instance.lastEvent = { type, time: at, detail };
    for (const [field, value] of Object.entries(detail)) {
      if (typeof value === 'string' && instance.context[field] === undefined) instance.context[field] = value;
    }
  }

  trigger(event: ShopEvent): void {
    const trigger = this.definition.trigger;
    const detail = event.detail as Record<string, unknown>;
    if ('event' in trigger || 'anyOf' in trigger) {
      const alternatives: { event: string; if?: Condition | undefined }[] =
        'event' in trigger ? [trigger] : trigger.anyOf;
      const at = businessTime(event);
      const match = alternatives.find(
        (a) =>
          a.event === event.detailType &&
          (!a.if || evaluate(a.if, this.conditionContext(undefined, detail, at))),
      );
      if (!match) return;
      const key = 'instanceKey' in trigger ? trigger.instanceKey : undefined;
      const keyValue = key ? detail[key] : undefined;
      if (key && typeof keyValue !== 'string') return;
      this.enter(typeof keyValue === 'string' ? keyValue : compactStamp(this.args.now), event);
      return;
    }
    if ('inactivity' in trigger) {
      if (event.detailType !== trigger.inactivity.event) return;
      const watcher = this.watcher();
      const basis = [watcher.context.lastAt, businessTime(event)]
        .filter((t): t is string => !!t)
        .sort()
        .at(-1) as string;
      const dueAt = addDuration(basis, trigger.inactivity.after, this.timeZone);
      if (watcher.waiting?.dueAt === dueAt) return;
      watcher.context.lastAt = basis;
      watcher.waiting = { dueAt, reason: 'trigger' };
      this.note(
        watcher,
        `watches for ${trigger.inactivity.after} without ${trigger.inactivity.event}: due ${dueAt}`,
      );
      this.changed.set(watcher.instanceId, watcher);
      return;
    }
    if ('anniversary' in trigger) {
      this.scheduleAnniversary();
      return;
    }
    assertNever(trigger, 'trigger');
  }

  watcher(): JourneyInstance {
    const existing = this.ownInstances().find((i) => i.instanceId === WATCHER_ID);
    return existing
      ? structuredClone(existing)
      : {
          journeyId: this.definition.id,
          instanceId: WATCHER_ID,
          definitionVersion: this.args.journey.version,
          status: 'watching',
          holdout: false,
          enteredAt: this.args.now,
          pc: 0,
          context: {},
          sent: [],
          version: 0,
        };
  }

  /** Keeps the anniversary watcher on the next occurrence of the profile's date (or stops it). */
  scheduleAnniversary(): void {
    const trigger = this.definition.trigger;
    if (!('anniversary' in trigger)) return;
    const watcher = this.watcher();
    const monthDay = this.args.customer.profile?.[trigger.anniversary.field];
    const dueAt = monthDay
      ? nextAnniversary(monthDay, trigger.anniversary.at, this.timeZone, this.args.now)
      : undefined;
    if (watcher.waiting?.dueAt === dueAt) return;
    watcher.waiting = dueAt ? { dueAt, reason: 'trigger' } : undefined;
    this.note(watcher, dueAt ? `next anniversary ${dueAt}` : 'no anniversary date: not watching');
    this.changed.set(watcher.instanceId, watcher);
  }

  enter(instanceId: string, event: ShopEvent | undefined): void {
    const { definition, version } = this.args.journey;
    const detail = (event?.detail ?? { customerId: this.customerId }) as Record<string, unknown>;
    // Entry is the trigger's business time (placedAt, registeredAt …), or the timer's moment.
    const entryTime = event ? businessTime(event) : this.args.now;
    const refusal = this.reentryRefusal(instanceId, entryTime);
    if (refusal) {
      this.note({ journeyId: definition.id, instanceId }, `does not enter: ${refusal}`);
      return;
    }
    const context: Record<string, string> = {};
    for (const [field, value] of Object.entries(detail))
      if (typeof value === 'string') context[field] = value;
    const instance: JourneyInstance = {
      journeyId: definition.id,
      instanceId,
      definitionVersion: version,
      status: 'active',
      holdout: unitHash(`holdout:${definition.id}:${this.customerId}:${instanceId}`) < definition.holdout,
      enteredAt: entryTime,
      pc: 0,
      context,
      trigger: detail,
      lastEvent: event ? { type: event.detailType, time: entryTime, detail } : undefined,
      marks: {},
      goalDeadline: definition.goal
        ? addDuration(entryTime, definition.goal.within, this.timeZone)
        : undefined,
      sent: [],
      version: 0,
    };
    this.note(instance, instance.holdout ? 'enters (holdout)' : 'enters');
    this.lifecycle(instance, 'journey.entered');
    this.advance(instance, entryTime);
  }

  /** When `reentry: { after }` holds a customer back: the moment they may enter again. */
  reentryAllowedFrom(): string | undefined {
    const { reentry } = this.definition;
    if (typeof reentry !== 'object') return undefined;
    const last = this.ownInstances()
      .filter((i) => i.status !== 'watching')
      .map((i) => i.enteredAt)
      .sort()
      .at(-1);
    return last ? addDuration(last, reentry.after, this.timeZone) : undefined;
  }

  reentryRefusal(instanceId: string, eventTime: string): string | undefined {
    const { reentry, trigger } = this.definition;
    const existing = this.ownInstances().filter((i) => i.status !== 'watching');
    if (existing.some((i) => i.instanceId === instanceId)) return 'already entered for this key';
    // With an instance key (one instance per order), the key alone decides: other orders run alongside.
    if (('instanceKey' in trigger && trigger.instanceKey) || existing.length === 0) return undefined;
    if (reentry === 'never') return 're-entry is never allowed';
    if (existing.some((i) => i.status === 'active')) return 'an instance is still active';
    if (reentry === 'always') return undefined;
    const last = existing
      .map((i) => i.enteredAt)
      .sort()
      .at(-1) as string;
    const allowedFrom = addDuration(last, reentry.after, this.timeZone);
    return isBefore(eventTime, allowedFrom) ? `re-entry allowed from ${allowedFrom}` : undefined;
  }

  onTimer(instanceId: string, dueAt: string): void {
    const { now } = this.args;
    const original = this.ownInstances().find((i) => i.instanceId === instanceId);
    const live = original?.status === 'active' || original?.status === 'watching';
    if (!original || !live || original.waiting?.dueAt !== dueAt || isBefore(now, dueAt)) {
      return; // stale or early timer: the instance moved on, or the sweeper raced ahead of the clock
    }
    const instance = structuredClone(original);
    if (instance.status === 'watching') {
      this.changed.set(instance.instanceId, instance);
      instance.waiting = undefined;
      const trigger = this.definition.trigger;
      if (!this.definition.enabled) return;
      if ('anniversary' in trigger) {
        const year = DateTime.fromISO(now, { zone: this.timeZone }).year;
        this.enter(String(year), undefined);
        // Reschedule from a moment past today's date, so the watcher moves on to next year.
        const monthDay = this.args.customer.profile?.[trigger.anniversary.field];
        if (monthDay) {
          const next = nextAnniversary(
            monthDay,
            trigger.anniversary.at,
            this.timeZone,
            addDuration(now, 'PT1M', 'UTC'),
          );
          instance.waiting = { dueAt: next, reason: 'trigger' };
        }
      } else {
        // Still inactive, but re-entry is not allowed yet: keep watching and enter the moment it is,
        // rather than dropping the customer until their next order.
        const allowedFrom = this.reentryAllowedFrom();
        if (allowedFrom && isBefore(now, allowedFrom)) {
          instance.waiting = { dueAt: allowedFrom, reason: 'trigger' };
          this.note(instance, `does not enter yet: re-entry allowed from ${allowedFrom}`);
        } else {
          this.enter(compactStamp(now), undefined);
        }
      }
      return;
    }
    if (instance.waiting?.reason === 'waitFor') {
      this.note(instance, `times out waiting for ${instance.waiting.event}`);
      const ins = this.program(instance).program[instance.pc];
      if (ins?.op === 'waitFor') instance.pc = ins.timeoutTarget;
    }
    // A send held for the address is decided at its own moment (now skipped: no address came).
    const held = instance.waiting?.reason === 'address' ? instance.waiting.from : undefined;
    this.advance(instance, held ?? dueAt);
  }
}

export function decide(args: DecideArgs): Decision {
  const run = new Run(args);
  if (args.input.kind === 'event') run.onEvent(args.input.event);
  else run.onTimer(args.input.instanceId, args.input.dueAt);
  return run.result();
}
