/**
 * One customer's turn: the due event or timer handed to the real handlers, then the outbox entries
 * the decisions wrote handed to the dispatcher — each at its virtual moment, its outcome on the
 * timeline.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import type { DispatchOutcome } from '../../functions/services/dispatcher.ts';
import { DispatchNotSettledError } from '../errors.ts';
import type { Delivery, LocalRuntime } from '../runtime/runtime.ts';
import type { SesEmulator } from '../servers/ses-emulator.ts';
import {
  type Agenda,
  type Due,
  dropTimer,
  type Origin,
  type QueuedEvent,
  type Timer,
  takeEvent,
} from './agenda.ts';
import { dispatchSettled } from './settled-dispatch.ts';
import type { Timeline, TimelineLine } from './timeline.ts';

/** Dispatch attempts of one entry: the stream trigger's retries of a failed batch, then the DLQ. */
const DISPATCH_ATTEMPTS = 5;

/** A value for the work a callback does: the customer's moment, or the origin of its work. */
export interface Scope<T> {
  getStore(): T | undefined;
  run<R>(value: T, work: () => Promise<R>): Promise<R>;
}

/** For customers worked side by side: the value follows each one's promises (AsyncLocalStorage). */
export const asyncScope = <T>(): Scope<T> => new AsyncLocalStorage<T>();

/**
 * For customers worked one at a time: the value is a variable, set for the callback and restored
 * after it. AsyncLocalStorage's promise hooks cost about 6 % of a simulated year even where nothing
 * runs side by side.
 */
export function turnScope<T>(): Scope<T> {
  let current: T | undefined;
  return {
    getStore: () => current,
    async run(value, work) {
      const before = current;
      current = value;
      try {
        return await work();
      } finally {
        current = before;
      }
    },
  };
}

/**
 * A clock that reads the moment of the customer being worked on: customers run side by side or in
 * turns, each at its own virtual time, so every decision and email carries its exact due moment.
 */
export class ScopedClock {
  constructor(
    private readonly fallback: string,
    private readonly scope: Scope<string>,
  ) {}
  now = (): string => this.scope.getStore() ?? this.fallback;
  at<T>(instant: string, work: () => Promise<T>): Promise<T> {
    return this.scope.run(instant, work);
  }
}

export interface Work {
  runtime: LocalRuntime;
  clock: ScopedClock;
  /** The origin of the work running (scoped like the clock). */
  cause: Scope<Origin>;
  timeline: Timeline;
  /** What SES holds: the emulator's store, or the in-process SES. */
  ses: Pick<SesEmulator, 'emails'>;
  /** Whether SES's Send and Delivery events are delivered for each email (an analytics log listens). */
  emailEvents: boolean;
  /** Told of each email sent (the behaviour model's happening). */
  onSent: (outcome: Extract<DispatchOutcome, { status: 'sent' }>) => void;
}

const generation = (w: Work) => w.cause.getStore()?.generation ?? 0;

/** Works the customer's due event or timer at its moment, then dispatches what it wrote. */
export async function workDue(w: Work, a: Agenda, due: Due): Promise<void> {
  const origin: Origin = { customerId: a.customerId, generation: due.event?.generation ?? 0 };
  await w.cause.run(origin, () =>
    w.clock.at(due.at, async () => {
      if (due.event) await deliverEvent(w, a, takeEvent(a) as QueuedEvent, due.at);
      else if (due.timer) await fireTimer(w, a, due.timer, due.at);
    }),
  );
  await w.cause.run(origin, () => dispatch(w, a));
}

/** The fields of a received event the timeline shows (an order's id and total, a score, a code). */
const SHOWN_FIELDS = ['orderId', 'total', 'score', 'code', 'referralCode', 'tier', 'points'];

/** A received event for its timeline line; no `detail` key when nothing is shown (as after JSON, in a worker). */
function received(detailType: string, detail: Record<string, unknown>): NonNullable<TimelineLine['event']> {
  const shown = Object.fromEntries(
    SHOWN_FIELDS.filter((k) => detail[k] !== undefined).map((k) => [k, detail[k]]),
  );
  return Object.keys(shown).length ? { detailType, detail: shown } : { detailType };
}

async function deliverEvent(w: Work, a: Agenda, e: QueuedEvent, at: string): Promise<void> {
  const customerId = a.customerId;
  const g = generation(w);
  const delivery: Delivery = await w.runtime.deliver({
    id: e.id ?? `scenario-${e.index}`,
    source: e.source,
    detailType: e.detailType,
    time: e.stamped ?? e.time,
    detail: e.detail,
  });
  // A system event only the analytics log hears is not a line of the timeline.
  if (e.index >= 0 || delivery.targets.some((t) => t.target !== 'analytics'))
    w.timeline.line(
      {
        at,
        customerId,
        kind: 'event',
        text: `${e.detailType} ${customerId}`.trim(),
        event: received(e.detailType, e.detail),
      },
      g,
    );
  const rejected = delivery.targets.find((t) => t.outcome?.status === 'rejected');
  if (rejected?.outcome?.status === 'rejected') {
    w.timeline.result.rejected.push({
      index: e.index,
      detailType: e.detailType,
      errors: rejected.outcome.errors,
    });
    w.timeline.line(
      {
        at,
        customerId,
        kind: 'rejected',
        text: rejected.outcome.errors.join('; '),
        event: { detailType: e.detailType },
      },
      g,
    );
  } else if (!delivery.targets.length) {
    w.timeline.line({ at, customerId, kind: 'note', text: `no rule matches ${e.source}/${e.detailType}` }, g);
  }
  for (const t of delivery.targets) {
    if (t.error)
      w.timeline.error(
        { at, text: `${e.detailType}: ${t.target} threw ${t.error}` },
        {
          at,
          customerId,
          event: { index: e.index, detailType: e.detailType, id: delivery.event.id },
          target: t.target,
          error: t.error,
        },
        g,
      );
    if (t.outcome && 'trace' in t.outcome) w.timeline.notes(at, customerId, t.outcome.trace, g);
  }
}

async function fireTimer(w: Work, a: Agenda, timer: Timer, at: string): Promise<void> {
  const customerId = a.customerId;
  // Dropped first: if the instance (or the account) still waits, the decision written puts its new
  // timer back.
  dropTimer(a, timer);
  const target = timer.loyalty ? 'loyalty' : `journey:${timer.journeyId}`;
  try {
    const outcome = timer.loyalty
      ? await w.runtime.loyalty.handleTimer(customerId, timer.dueAt)
      : await w.runtime.services.journeys.handleTimer(
          timer.journeyId,
          customerId,
          timer.instanceId,
          timer.dueAt,
        );
    if ('trace' in outcome) w.timeline.notes(at, customerId, outcome.trace, generation(w));
  } catch (error) {
    const what = timer.loyalty ? 'loyalty' : `${timer.journeyId}/${timer.instanceId}`;
    w.timeline.error(
      { at, text: `timer ${what}: ${target} threw ${String(error)}` },
      { at, customerId, timer: { ...timer }, target, error: String(error) },
      generation(w),
    );
  }
}

/** Hands the customer's new outbox entries to the dispatcher, each at its decision's moment. */
export async function dispatch(w: Work, a: Agenda): Promise<void> {
  while (a.outbox.length) {
    const { item, origin } = a.outbox.shift() as Agenda['outbox'][number];
    await w.cause.run(origin, () =>
      w.clock.at(item.createdAt, async () => {
        const at = item.createdAt;
        const customerId = a.customerId;
        // Not retryOnConflict: the dispatcher throws rather than answering CONFLICT, and any failure (a
        // lost race, a failed publish) is retried as the stream trigger retries a batch; an entry SES
        // kept answering ambiguously is not.
        for (let attempt = 1; ; attempt++) {
          try {
            const { outcome, accepted } = await dispatchSettled(w.runtime, item, { ses: w.ses });
            if (outcome.status === 'sent') {
              w.timeline.emailSent(outcome, origin);
              w.onSent(outcome);
              // SES's Send and Delivery events, for the analytics log's email.* records.
              if (w.emailEvents)
                for (const d of accepted ?? (await w.runtime.emailAccepted(outcome)))
                  for (const t of d.targets.filter((t) => t.error))
                    w.timeline.result.errors.push({
                      at,
                      customerId,
                      outbox: { outboxId: item.outboxId },
                      target: t.target,
                      error: String(t.error),
                    });
            }
            if (outcome.status === 'failed')
              w.timeline.line(
                {
                  at,
                  customerId,
                  kind: 'error',
                  text: `outbox ${outcome.outboxId} failed: ${outcome.reason}`,
                },
                origin.generation,
              );
            if (outcome.status === 'skipped' && !outcome.reason.startsWith('already'))
              w.timeline.line(
                {
                  at,
                  customerId,
                  kind: 'note',
                  text: `outbox ${outcome.outboxId} skipped: ${outcome.reason}`,
                },
                origin.generation,
              );
            return;
          } catch (error) {
            if (attempt >= DISPATCH_ATTEMPTS || error instanceof DispatchNotSettledError) {
              w.timeline.error(
                { at, text: `dispatch failed: ${String(error)}` },
                {
                  at,
                  customerId,
                  outbox: { outboxId: item.outboxId },
                  target: 'dispatcher',
                  error: String(error),
                },
                origin.generation,
              );
              return;
            }
            await new Promise((resolve) => setTimeout(resolve, 20 * 2 ** attempt));
          }
        }
      }),
    );
  }
}
