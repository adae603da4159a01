/**
 * The journey engine: a pure function from (definition, state, input, now) to (next state, effects).
 * No I/O, no wall clock, no unseeded randomness — the Lambda handlers, the local runtime and the
 * simulator all call `decide`, so there is one implementation of journey semantics.
 */
import { readableCode, unitHash } from './codes.ts';
import type { CompiledJourney } from './compile.ts';
import { evaluate } from './conditions.ts';
import type { ShopEvent } from './events.ts';
import { SYSTEM_SOURCE } from './events.ts';
import type { CouponIssued, CustomerView, Effect, JourneyInstance, Recipient, TraceEntry } from './model.ts';
import { addDuration, isAtOrBefore, isBefore, quietHoursEnd } from './time.ts';

export interface EngineConfig {
  defaultLocale: string;
  defaultTimeZone: string;
  /** Keys coupon codes; never leaves the backend. */
  secret: string;
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
}

export class UnknownDefinitionVersionError extends Error {
  override name = 'UnknownDefinitionVersionError';
  constructor(
    readonly journeyId: string,
    readonly version: string,
  ) {
    super(`journey ${journeyId}: definition version ${version} is not loaded`);
  }
}

/** Where an engine step is, so that outbox ids are deterministic: retries yield the same ids. */
function outboxId(instance: JourneyInstance, suffix: string | number): string {
  return `${instance.journeyId}#${instance.instanceId}#${suffix}`;
}

class Run {
  readonly changed = new Map<string, JourneyInstance>();
  readonly effects: Effect[] = [];
  readonly trace: TraceEntry[] = [];

  constructor(private readonly args: DecideArgs) {}

  get customerId(): string {
    return (
      this.args.customer.profile?.customerId ??
      (this.args.input.kind === 'event' ? this.args.input.event.detail.customerId : '')
    );
  }

  get timeZone(): string {
    return this.args.customer.profile?.timeZone ?? this.args.config.defaultTimeZone;
  }

  note(instance: JourneyInstance, note: string): void {
    this.trace.push({ journeyId: instance.journeyId, instanceId: instance.instanceId, note });
  }

  program(instance: JourneyInstance): CompiledJourney {
    const compiled = this.args.versions.get(instance.definitionVersion);
    if (!compiled) throw new UnknownDefinitionVersionError(instance.journeyId, instance.definitionVersion);
    return compiled;
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

  /** Executes instructions from the instance's pc until it waits or ends. */
  advance(instance: JourneyInstance): void {
    const { definition, program } = this.program(instance);
    const now = this.args.now;
    const profile = this.args.customer.profile;
    this.changed.set(instance.instanceId, instance);
    instance.waiting = undefined;

    while (instance.pc < program.length) {
      const ins = program[instance.pc] as (typeof program)[number];
      switch (ins.op) {
        case 'jump':
          instance.pc = ins.target;
          break;
        case 'jumpUnless': {
          const holds = evaluate(ins.condition, {
            profile,
            orders: this.args.customer.orders,
            instance,
            now,
            timeZone: this.timeZone,
          });
          this.note(instance, `${ins.path}: condition ${holds ? 'holds' : 'does not hold'}`);
          instance.pc = holds ? instance.pc + 1 : ins.target;
          break;
        }
        case 'wait': {
          const dueAt = ins.duration
            ? addDuration(now, ins.duration, this.timeZone)
            : addDuration(instance.enteredAt, ins.sinceEntry as string, this.timeZone);
          instance.pc += 1;
          if (isBefore(now, dueAt)) {
            instance.waiting = { dueAt, reason: 'wait' };
            this.note(instance, `waits until ${dueAt}`);
            return;
          }
          break;
        }
        case 'waitFor': {
          const field = ins.correlate;
          const value = field ? instance.context[field] : undefined;
          instance.waiting = {
            dueAt: addDuration(now, ins.timeout, this.timeZone),
            reason: 'waitFor',
            event: ins.event,
            correlate: field && value !== undefined ? { field, value } : undefined,
          };
          this.note(instance, `waits for ${ins.event} until ${instance.waiting.dueAt}`);
          return;
        }
        case 'emit':
          this.effects.push({
            kind: 'emit',
            outboxId: outboxId(instance, instance.pc),
            detailType: ins.detailType,
            detail: { ...ins.detail, customerId: this.customerId, journey: instance.journeyId },
          });
          instance.pc += 1;
          break;
        case 'send': {
          const spec = definition.messages[ins.message];
          const recipient = this.recipient();
          const skip = instance.holdout
            ? 'holdout'
            : spec?.class === 'marketing' && !profile?.marketingConsent
              ? 'no marketing consent'
              : spec?.class === 'marketing' && profile?.suppressed
                ? 'address suppressed'
                : !recipient
                  ? 'no email address'
                  : undefined;
          if (skip) {
            this.note(instance, `skips ${ins.message}: ${skip}`);
            instance.pc += 1;
            break;
          }
          const quiet = spec?.quietHours !== false && definition.quietHours;
          const quietEnd = quiet
            ? quietHoursEnd(now, this.timeZone, definition.quietHours as never)
            : undefined;
          if (quietEnd) {
            instance.waiting = { dueAt: quietEnd, reason: 'quietHours' };
            this.note(instance, `holds ${ins.message} for quiet hours until ${quietEnd}`);
            return;
          }
          let coupon: CouponIssued | undefined;
          if (ins.coupon) {
            const code = readableCode(
              this.args.config.secret,
              `coupon:${this.customerId}:${instance.journeyId}:${instance.instanceId}:${instance.pc}`,
            );
            coupon = {
              code,
              percentOff: ins.coupon.percentOff,
              amountOff: ins.coupon.amountOff,
              currency: ins.coupon.currency,
              expiresAt: addDuration(now, ins.coupon.validFor, this.timeZone),
            };
            this.effects.push({
              kind: 'emit',
              outboxId: outboxId(instance, `${instance.pc}#coupon`),
              detailType: 'coupon.issued',
              detail: {
                customerId: this.customerId,
                ...coupon,
                journey: instance.journeyId,
                message: ins.message,
              },
            });
          }
          this.effects.push({
            kind: 'send',
            outboxId: outboxId(instance, instance.pc),
            journeyId: instance.journeyId,
            instanceId: instance.instanceId,
            message: ins.message,
            messageClass: spec?.class ?? 'marketing',
            recipient: recipient as Recipient,
            data: { coupon },
          });
          instance.sent.push(ins.message);
          this.note(instance, `sends ${ins.message}`);
          instance.pc += 1;
          break;
        }
      }
    }
    instance.status = 'completed';
    instance.endedAt = now;
    instance.endReason = 'completed';
    this.note(instance, 'completes');
    this.lifecycle(instance, 'journey.completed');
  }

  onEvent(event: ShopEvent): void {
    const { journey, customer } = this.args;
    const eventTime = event.time;
    const own = customer.instances.filter((i) => i.journeyId === journey.definition.id);

    for (const original of own) {
      const instance = structuredClone(original);
      const { definition } = this.program(instance);
      let touched = false;

      if (instance.status === 'active' && isAtOrBefore(instance.enteredAt, eventTime)) {
        if (definition.exitOn.includes(event.detailType)) {
          instance.status = 'exited';
          instance.waiting = undefined;
          instance.endedAt = this.args.now;
          instance.endReason = `exitOn:${event.detailType}`;
          this.note(instance, `exits on ${event.detailType}`);
          this.lifecycle(instance, 'journey.exited', { reason: instance.endReason });
          touched = true;
        } else if (instance.waiting?.reason === 'waitFor' && instance.waiting.event === event.detailType) {
          const correlate = instance.waiting.correlate;
          const detail = event.detail as Record<string, unknown>;
          if (!correlate || detail[correlate.field] === correlate.value) {
            this.note(instance, `resumes on ${event.detailType}`);
            instance.pc += 1;
            this.advance(instance);
            touched = true;
          }
        }
      }

      const goal = definition.goal;
      if (
        goal &&
        !instance.goalReachedAt &&
        goal.event === event.detailType &&
        instance.goalDeadline &&
        isAtOrBefore(instance.enteredAt, eventTime) &&
        isAtOrBefore(eventTime, instance.goalDeadline)
      ) {
        instance.goalReachedAt = eventTime;
        this.note(instance, `reaches goal ${goal.event}`);
        this.lifecycle(instance, 'journey.goal.reached', { goal: goal.event, reachedAt: eventTime });
        touched = true;
      }
      if (touched) this.changed.set(instance.instanceId, instance);
    }

    if (journey.definition.enabled && journey.definition.trigger.event === event.detailType)
      this.enter(event, own);
  }

  enter(event: ShopEvent, existing: JourneyInstance[]): void {
    const { definition, version } = this.args.journey;
    const detail = event.detail as Record<string, unknown>;
    const key = definition.trigger.instanceKey;
    const keyValue = key ? detail[key] : undefined;
    if (key && typeof keyValue !== 'string') return;
    const instanceId =
      typeof keyValue === 'string' ? keyValue : this.args.now.replace(/[-:]/g, '').replace(/\.\d+/, '');
    const refusal = this.reentryRefusal(existing, instanceId, event.time);
    if (refusal) {
      this.trace.push({ journeyId: definition.id, instanceId, note: `does not enter: ${refusal}` });
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
      enteredAt: this.args.now,
      pc: 0,
      context,
      goalDeadline: definition.goal
        ? addDuration(this.args.now, definition.goal.within, this.timeZone)
        : undefined,
      sent: [],
      version: 0,
    };
    this.note(instance, instance.holdout ? 'enters (holdout)' : 'enters');
    this.lifecycle(instance, 'journey.entered');
    this.advance(instance);
  }

  reentryRefusal(existing: JourneyInstance[], instanceId: string, eventTime: string): string | undefined {
    const { reentry } = this.args.journey.definition;
    if (existing.some((i) => i.instanceId === instanceId)) return 'already entered for this key';
    // With an instance key (one instance per order), the key alone decides: other orders run alongside.
    if (this.args.journey.definition.trigger.instanceKey || existing.length === 0) return undefined;
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
    const { journey, customer, now } = this.args;
    const original = customer.instances.find(
      (i) => i.journeyId === journey.definition.id && i.instanceId === instanceId,
    );
    if (original?.status !== 'active' || original.waiting?.dueAt !== dueAt || isBefore(now, dueAt)) {
      return; // stale or early timer: the instance moved on, or the sweeper raced ahead of the clock
    }
    const instance = structuredClone(original);
    if (instance.waiting?.reason === 'waitFor') {
      this.note(instance, `times out waiting for ${instance.waiting.event}`);
      const ins = this.program(instance).program[instance.pc];
      if (ins?.op === 'waitFor') instance.pc = ins.timeoutTarget;
    }
    this.advance(instance);
  }
}

export function decide(args: DecideArgs): Decision {
  const run = new Run(args);
  if (args.input.kind === 'event') run.onEvent(args.input.event);
  else run.onTimer(args.input.instanceId, args.input.dueAt);
  return { instances: [...run.changed.values()], effects: run.effects, trace: run.trace };
}

export { SYSTEM_SOURCE };
