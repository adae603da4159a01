/**
 * How a customer enters a journey: the trigger (an event, inactivity, an anniversary), the watcher
 * that waits for inactivity or the next anniversary, and the re-entry rules. Free functions over a
 * decision's `Run` (engine.ts).
 */
import { DateTime } from 'luxon';
import { unitHash } from './codes.ts';
import { evaluate } from './conditions.ts';
import type { Condition } from './definition.ts';
import type { Run } from './engine.ts';
import { assertNever } from './errors.ts';
import type { ShopEvent } from './events.ts';
import { businessTime } from './facts.ts';
import type { JourneyInstance } from './model.ts';
import { addDuration, isBefore, toIso } from './time.ts';

/** The per-customer record of an inactivity or anniversary trigger. */
export const WATCHER_ID = '~watch';

export function compactStamp(instant: string): string {
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
    // The Gregorian rule, as luxon's isInLeapYear (a year does not depend on the zone).
    const leap = year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0);
    const d = month === 2 && day === 29 && !leap ? 28 : day;
    const candidate = DateTime.fromObject({ year, month, day: d, hour, minute }, { zone });
    if (candidate > local) return toIso(candidate);
  }
  throw new RangeError(`no anniversary for ${monthDay}`);
}

export function applyTrigger(run: Run, event: ShopEvent): void {
  const trigger = run.definition.trigger;
  const detail = event.detail as Record<string, unknown>;
  if ('event' in trigger || 'anyOf' in trigger) {
    const alternatives: { event: string; if?: Condition | undefined }[] =
      'event' in trigger ? [trigger] : trigger.anyOf;
    const at = businessTime(event);
    const match = alternatives.find(
      (a) =>
        a.event === event.detailType &&
        (!a.if || evaluate(a.if, run.conditionContext(undefined, detail, at))),
    );
    if (!match) return;
    const key = 'instanceKey' in trigger ? trigger.instanceKey : undefined;
    const keyValue = key ? detail[key] : undefined;
    if (key && typeof keyValue !== 'string') return;
    enter(run, typeof keyValue === 'string' ? keyValue : compactStamp(run.args.now), event);
    return;
  }
  if ('inactivity' in trigger) {
    if (event.detailType !== trigger.inactivity.event) return;
    const watcher = watcherOf(run);
    const basis = [watcher.context.lastAt, businessTime(event)]
      .filter((t): t is string => !!t)
      .sort()
      .at(-1) as string;
    const dueAt = addDuration(basis, trigger.inactivity.after, run.timeZone);
    if (watcher.waiting?.dueAt === dueAt) return;
    watcher.context.lastAt = basis;
    watcher.waiting = { dueAt, reason: 'trigger' };
    run.note(
      watcher,
      `watches for ${trigger.inactivity.after} without ${trigger.inactivity.event}: due ${dueAt}`,
    );
    run.changed.set(watcher.instanceId, watcher);
    return;
  }
  if ('anniversary' in trigger) {
    scheduleAnniversary(run);
    return;
  }
  assertNever(trigger, 'trigger');
}

function watcherOf(run: Run): JourneyInstance {
  const existing = run.ownInstances().find((i) => i.instanceId === WATCHER_ID);
  return existing
    ? structuredClone(existing)
    : {
        journeyId: run.definition.id,
        instanceId: WATCHER_ID,
        definitionVersion: run.args.journey.version,
        status: 'watching',
        holdout: false,
        enteredAt: run.args.now,
        pc: 0,
        context: {},
        sent: [],
        version: 0,
      };
}

/** Keeps the anniversary watcher on the next occurrence of the profile's date (or stops it). */
function scheduleAnniversary(run: Run): void {
  const trigger = run.definition.trigger;
  if (!('anniversary' in trigger)) return;
  const watcher = watcherOf(run);
  const monthDay = run.args.customer.profile?.[trigger.anniversary.field];
  const dueAt = monthDay
    ? nextAnniversary(monthDay, trigger.anniversary.at, run.timeZone, run.args.now)
    : undefined;
  if (watcher.waiting?.dueAt === dueAt) return;
  watcher.waiting = dueAt ? { dueAt, reason: 'trigger' } : undefined;
  run.note(watcher, dueAt ? `next anniversary ${dueAt}` : 'no anniversary date: not watching');
  run.changed.set(watcher.instanceId, watcher);
}

export function enter(run: Run, instanceId: string, event: ShopEvent | undefined): void {
  const { definition, version } = run.args.journey;
  const detail = (event?.detail ?? { customerId: run.customerId }) as Record<string, unknown>;
  // Entry is the trigger's business time (placedAt, registeredAt …), or the timer's moment.
  const entryTime = event ? businessTime(event) : run.args.now;
  const refusal = reentryRefusal(run, instanceId, entryTime);
  if (refusal) {
    run.note({ journeyId: definition.id, instanceId }, `does not enter: ${refusal}`);
    return;
  }
  const context: Record<string, string> = {};
  for (const [field, value] of Object.entries(detail)) if (typeof value === 'string') context[field] = value;
  const instance: JourneyInstance = {
    journeyId: definition.id,
    instanceId,
    definitionVersion: version,
    status: 'active',
    holdout: unitHash(`holdout:${definition.id}:${run.customerId}:${instanceId}`) < definition.holdout,
    enteredAt: entryTime,
    pc: 0,
    context,
    trigger: detail,
    lastEvent: event ? { type: event.detailType, time: entryTime, detail } : undefined,
    marks: {},
    goalDeadline: definition.goal ? addDuration(entryTime, definition.goal.within, run.timeZone) : undefined,
    sent: [],
    version: 0,
  };
  run.note(instance, instance.holdout ? 'enters (holdout)' : 'enters');
  run.lifecycle(instance, 'journey.entered');
  run.advance(instance, entryTime);
}

/** When `reentry: { after }` holds a customer back: the moment they may enter again. */
export function reentryAllowedFrom(run: Run): string | undefined {
  const { reentry } = run.definition;
  if (typeof reentry !== 'object') return undefined;
  const last = lastEntry(run);
  return last ? addDuration(last, reentry.after, run.timeZone) : undefined;
}

/** The entry moment of the newest entry, live or settled. */
function lastEntry(run: Run): string | undefined {
  const live = run
    .ownInstances()
    .filter((i) => i.status !== 'watching')
    .map((i) => i.enteredAt);
  const settled = run.history()?.lastEnteredAt;
  return [...live, ...(settled ? [settled] : [])].sort((a, b) => Date.parse(a) - Date.parse(b)).at(-1);
}

function reentryRefusal(run: Run, instanceId: string, eventTime: string): string | undefined {
  const { reentry, trigger } = run.definition;
  const existing = run.ownInstances().filter((i) => i.status !== 'watching');
  if (existing.some((i) => i.instanceId === instanceId) || run.archivedInstance(instanceId))
    return 'already entered for this key';
  const entered = existing.length + (run.history()?.entries ?? 0);
  // With an instance key (one instance per order), the key alone decides: other orders run alongside.
  if (('instanceKey' in trigger && trigger.instanceKey) || entered === 0) return undefined;
  if (reentry === 'never') return 're-entry is never allowed';
  if (existing.some((i) => i.status === 'active')) return 'an instance is still active';
  if (reentry === 'always') return undefined;
  const last = lastEntry(run) as string;
  const allowedFrom = addDuration(last, reentry.after, run.timeZone);
  return isBefore(eventTime, allowedFrom) ? `re-entry allowed from ${allowedFrom}` : undefined;
}
