/**
 * What an input does to the customer's instances of the journey: an event ends, resumes or reaches
 * the goal of the instances it concerns, then may start one; a timer resumes the instance it belongs
 * to, or fires an inactivity or anniversary watcher. Free functions over a decision's `Run` (engine.ts).
 */
import { DateTime } from 'luxon';
import type { Run } from './engine.ts';
import { applyTrigger, compactStamp, enter, nextAnniversary, reentryAllowedFrom } from './entry.ts';
import type { ShopEvent } from './events.ts';
import { businessTime } from './facts.ts';
import { recipientOf } from './sending.ts';
import { addDuration, isAtOrBefore, isBefore, latest } from './time.ts';

export function onEvent(run: Run, event: ShopEvent): void {
  // Business time: when it happened at the shop. Arrival order decides nothing an instance does.
  const at = businessTime(event);
  const detail = event.detail as Record<string, unknown>;

  for (const original of run.ownInstances()) {
    if (original.status === 'watching') continue;
    const instance = structuredClone(original);
    const { definition } = run.program(instance);
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
      if (exit && held && isAtOrBefore(held, latest(at, instance.enteredAt)) && run.knownExit(instance)) {
        // Stored: the exit applies once the send held for the address is decided (advance).
        run.note(instance, `exits on ${event.detailType} after the held send`);
      } else if (exit) {
        run.exit(instance, event.detailType);
        touched = true;
      } else if (waiting?.reason === 'waitFor' && waiting.event === event.detailType) {
        const correlate = waiting.correlate;
        const inTime = isAtOrBefore(waiting.from ?? instance.enteredAt, at);
        if (inTime && (!correlate || detail[correlate.field] === correlate.value)) {
          run.note(instance, `resumes on ${event.detailType}`);
          run.remember(instance, event.detailType, at, detail);
          instance.pc += 1;
          run.advance(instance, latest(at, waiting.from ?? at));
          touched = true;
        }
      } else if (waiting?.reason === 'address' && recipientOf(run)) {
        run.note(instance, `resumes: the email address arrived (${event.detailType})`);
        run.advance(instance, waiting.from ?? at);
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
      run.reachGoal(instance, goal.event, at);
      touched = true;
    }
    if (touched) run.changed.set(instance.instanceId, instance);
  }

  if (run.definition.enabled) applyTrigger(run, event);
}

export function onTimer(run: Run, instanceId: string, dueAt: string): void {
  const { now } = run.args;
  const original = run.ownInstances().find((i) => i.instanceId === instanceId);
  const live = original?.status === 'active' || original?.status === 'watching';
  if (!original || !live || original.waiting?.dueAt !== dueAt || isBefore(now, dueAt)) {
    return; // stale or early timer: the instance moved on, or the sweeper raced ahead of the clock
  }
  const instance = structuredClone(original);
  if (instance.status === 'watching') {
    run.changed.set(instance.instanceId, instance);
    instance.waiting = undefined;
    const trigger = run.definition.trigger;
    if (!run.definition.enabled) return;
    if ('anniversary' in trigger) {
      const year = DateTime.fromISO(now, { zone: run.timeZone }).year;
      enter(run, String(year), undefined);
      // Reschedule from a moment past today's date, so the watcher moves on to next year.
      const monthDay = run.args.customer.profile?.[trigger.anniversary.field];
      if (monthDay) {
        const next = nextAnniversary(
          monthDay,
          trigger.anniversary.at,
          run.timeZone,
          addDuration(now, 'PT1M', 'UTC'),
        );
        instance.waiting = { dueAt: next, reason: 'trigger' };
      }
    } else {
      // Still inactive, but re-entry is not allowed yet: keep watching and enter the moment it is,
      // rather than dropping the customer until their next order.
      const allowedFrom = reentryAllowedFrom(run);
      if (allowedFrom && isBefore(now, allowedFrom)) {
        instance.waiting = { dueAt: allowedFrom, reason: 'trigger' };
        run.note(instance, `does not enter yet: re-entry allowed from ${allowedFrom}`);
      } else {
        enter(run, compactStamp(now), undefined);
      }
    }
    return;
  }
  if (instance.waiting?.reason === 'waitFor') {
    run.note(instance, `times out waiting for ${instance.waiting.event}`);
    const ins = run.program(instance).program[instance.pc];
    if (ins?.op === 'waitFor') instance.pc = ins.timeoutTarget;
  }
  // A send held for the address is decided at its own moment (now skipped: no address came).
  const held = instance.waiting?.reason === 'address' ? instance.waiting.from : undefined;
  run.advance(instance, held ?? dueAt);
}
