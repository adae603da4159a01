/**
 * The simulator's schedule: each customer's due work (events, timers, outbox entries) in time order,
 * and the windows in which customers work side by side. Customers only meet through the table and
 * the bus; the windows end where one customer's work may meet another's, so every customer sees its
 * inputs in time order without the schedule knowing which journey or rule makes them meet.
 */
import { DateTime, Duration } from 'luxon';
import { type OutboxItem, outboxEntry, type SaveRequest } from '../../functions/adapters/store.ts';
import type { Catalog } from '../../functions/catalog/catalog.ts';
import { forEachStep } from '../../functions/core/steps.ts';
import { iso, type Scenario } from './scenario.ts';

/** Days of virtual time processed between barriers; customers run side by side inside one. */
const WINDOW = 'P1D';

export type QueuedEvent = Omit<Scenario['events'][number], 'time'> & {
  /** Its place in the scenario; reactions count on after it, -1 for an event the system published. */
  index: number;
  /** When it is delivered. */
  time: string;
  /** The envelope's time, when the scenario sets one apart from the delivery. */
  stamped?: string | undefined;
  /** 0 for the scenario's own events; one more than the work that published it for the system's. */
  generation?: number;
};

/**
 * Where a piece of work comes from, for reading order: the customer whose partition it runs in and
 * its generation (0: the scenario's events and timers; n + 1: work caused by an event that work of
 * generation n published to another customer). Causal, so deterministic.
 */
export interface Origin {
  customerId: string;
  generation: number;
}

/** A journey instance's timer, or the loyalty account's (one per customer: hold, expiry, tier review …). */
export type Timer =
  | { journeyId: string; instanceId: string; dueAt: string; loyalty?: undefined }
  | { loyalty: true; dueAt: string; journeyId?: undefined; instanceId?: undefined };

/** The agenda's key of a timer; the account's cannot collide with an instance's (`<journey>#<instance>`). */
export const LOYALTY_TIMER = '#LOYALTY';
export const timerKey = (t: Timer) => (t.loyalty ? LOYALTY_TIMER : `${t.journeyId}#${t.instanceId}`);

/** One customer's due work: scenario events, timers (learned from the decisions written) and outbox. */
export interface Agenda {
  customerId: string;
  events: QueuedEvent[];
  timers: Map<string, Timer>;
  outbox: { item: OutboxItem; origin: Origin }[];
  /**
   * What `proposal` and `busy` read of this agenda, kept until its events or timers change: they run
   * once per window over every customer, and a year of a shop has hundreds of windows.
   */
  next?: NextWork | undefined;
}

interface NextWork {
  due: Due | undefined;
  dueMs: number;
  /** The first work that may emit to another customer (firstEmittingToOthers). */
  emitting: string | undefined;
  emittingMs: number;
}

/** Takes the agenda's first event (the one due). */
export function takeEvent(a: Agenda): QueuedEvent | undefined {
  a.next = undefined;
  return a.events.shift();
}

/** Drops a timer from the agenda (it fired; a decision that still waits sets it again). */
export function dropTimer(a: Agenda, timer: Timer): void {
  a.next = undefined;
  a.timers.delete(timerKey(timer));
}

export type Due =
  | { at: string; event?: QueuedEvent; timer?: undefined }
  | { at: string; timer: Timer; event?: undefined };

/** Scenario events and reactions keep the scenario's order among equals; the system's keep arrival order. */
const byTimeThenIndex = (x: QueuedEvent, y: QueuedEvent) =>
  Date.parse(x.time) - Date.parse(y.time) || x.index - y.index;
const byTime = (x: QueuedEvent, y: QueuedEvent) => Date.parse(x.time) - Date.parse(y.time);

/** Journeys with a step that emits an event to another customer (`emit.to`). */
export function journeysEmittingToOthers(catalog: Catalog): Set<string> {
  const ids = new Set<string>();
  for (const { definition } of catalog.journeys)
    forEachStep(definition.steps, (step) => {
      if ('emit' in step && step.emit.to) ids.add(definition.id);
    });
  return ids;
}

/** What one schedule says about the next window (Agendas.proposal). */
interface WindowProposal {
  earliest: string | undefined;
  emitting: string | undefined;
}

/**
 * The window after `from` given the schedule's proposal and read barriers (sorted), or none when
 * nothing is due by `end`.
 */
function windowAfter(
  from: string,
  end: string,
  { earliest, emitting }: WindowProposal,
  readBarriers: readonly string[],
): { from: string; until: string } | undefined {
  if (!earliest) return undefined;
  const earliestMs = Date.parse(earliest);
  if (earliestMs > Date.parse(end)) return undefined;
  const start = earliestMs > Date.parse(from) ? earliest : from;
  const barrier = readBarriers.find((b) => Date.parse(b) > Date.parse(start));
  const until = [
    iso(DateTime.fromISO(start).plus(Duration.fromISO(WINDOW))),
    end,
    ...(barrier ? [new Date(Date.parse(barrier) - 1).toISOString()] : []),
    ...(emitting && Date.parse(emitting) >= Date.parse(start) ? [emitting] : []),
  ].sort((x, y) => Date.parse(x) - Date.parse(y))[0] as string;
  return { from: start, until };
}

/** Where the window after one that ended at `until` starts: a read barrier a millisecond on is its own. */
function windowStartAfter(until: string, readBarriers: readonly string[]): string {
  const barrier = readBarriers.find((b) => Date.parse(b) > Date.parse(until));
  return barrier && Date.parse(barrier) - Date.parse(until) <= 1 ? barrier : until;
}

export class Agendas {
  private readonly agendas = new Map<string, Agenda>();
  /**
   * Moments where a scenario event reads what other customers' earlier work wrote: every customer
   * is brought up to just before each.
   */
  private readBarriers: string[] = [];

  constructor(
    /** Journeys whose work may emit to another customer: a window ends with such work. */
    private readonly emittingToOthers: ReadonlySet<string>,
  ) {}

  /** Adds moments at which an event reads what other customers' earlier work wrote. */
  readsOthersAt(moments: string[]): void {
    this.readBarriers = [...this.readBarriers, ...moments].sort();
  }

  of(customerId: string): Agenda {
    let a = this.agendas.get(customerId);
    if (!a) {
      a = { customerId, events: [], timers: new Map(), outbox: [] };
      this.agendas.set(customerId, a);
    }
    return a;
  }

  all(): Agenda[] {
    return [...this.agendas.values()];
  }

  /** Queues a scenario event or a reaction (`byIndex`) or an event the system published. */
  queue(customerId: string, event: QueuedEvent, byIndex: boolean): void {
    const a = this.of(customerId);
    a.next = undefined;
    a.events.push(event);
    a.events.sort(byIndex ? byTimeThenIndex : byTime);
  }

  /** Learns from a decision written the timers it set or cleared and the outbox entries it added. */
  follow(request: SaveRequest, origin: Origin): void {
    const a = this.of(request.customerId);
    a.next = undefined;
    for (const instance of request.instances ?? []) {
      const timer: Timer = {
        journeyId: instance.journeyId,
        instanceId: instance.instanceId,
        dueAt: instance.waiting?.dueAt ?? '',
      };
      const live = instance.status === 'active' || instance.status === 'watching';
      if (live && instance.waiting) a.timers.set(timerKey(timer), timer);
      else a.timers.delete(timerKey(timer));
    }
    // The account carries one timer, as an instance does: the decision written sets, moves or clears it.
    if (request.loyalty) {
      const dueAt = request.loyalty.next.dueAt;
      if (dueAt) a.timers.set(LOYALTY_TIMER, { loyalty: true, dueAt });
      else a.timers.delete(LOYALTY_TIMER);
    }
    for (const effect of request.effects ?? [])
      a.outbox.push({ item: outboxEntry(request.customerId, effect, request.now), origin });
  }

  nextDue(a: Agenda): Due | undefined {
    return this.nextWork(a).due;
  }

  private nextWork(a: Agenda): NextWork {
    if (a.next) return a.next;
    const event = a.events[0];
    let timer: Timer | undefined;
    for (const t of a.timers.values()) if (!timer || t.dueAt < timer.dueAt) timer = t;
    const due: Due | undefined =
      event && (!timer || Date.parse(event.time) <= Date.parse(timer.dueAt))
        ? { at: event.time, event }
        : timer
          ? { at: timer.dueAt, timer }
          : undefined;
    const emitting = this.emittingToOthers.size ? this.firstEmittingOf(a) : undefined;
    a.next = {
      due,
      dueMs: due ? Date.parse(due.at) : Number.POSITIVE_INFINITY,
      emitting,
      emittingMs: emitting === undefined ? Number.POSITIVE_INFINITY : Date.parse(emitting),
    };
    return a.next;
  }

  /** The customer's next work if it is due by `until`. */
  dueBy(a: Agenda, until: string): Due | undefined {
    const next = this.nextWork(a);
    return next.due && next.dueMs <= Date.parse(until) ? next.due : undefined;
  }

  /** The customers with work due by `until`. */
  busy(until: string): Agenda[] {
    const by = Date.parse(until);
    const busy: Agenda[] = [];
    for (const a of this.agendas.values()) if (this.nextWork(a).dueMs <= by) busy.push(a);
    return busy;
  }

  /**
   * The next window after `from`, or none when nothing is due by `end`: at most a day, ending just
   * before a read barrier and with the first work that may emit to another customer, so the
   * receiver's agenda holds that event before it works past its moment.
   */
  nextWindow(from: string, end: string): { from: string; until: string } | undefined {
    return windowAfter(from, end, this.proposal(), this.readBarriers);
  }

  /**
   * What this schedule says about the next window: its earliest due work and the first work that may
   * emit to another customer.
   */
  private proposal(): WindowProposal {
    // One pass, no sort: this runs once per window over every customer of the simulation.
    let earliest: string | undefined;
    let earliestMs = Number.POSITIVE_INFINITY;
    for (const a of this.agendas.values()) {
      const { due, dueMs: ms } = this.nextWork(a);
      const at = due?.at;
      if (at === undefined) continue;
      if (ms < earliestMs || (ms === earliestMs && earliest !== undefined && at < earliest)) {
        earliest = at;
        earliestMs = ms;
      }
    }
    return { earliest, emitting: this.firstEmittingToOthers() };
  }

  /** Where the window after one that ended at `until` starts: a read barrier a millisecond on is its own. */
  after(until: string): string {
    return windowStartAfter(until, this.readBarriers);
  }

  /**
   * The first due work that may emit to another customer: a timer of such a journey, or an event of
   * a customer inside one (it may advance the instance to its emit step).
   */
  private firstEmittingToOthers(): string | undefined {
    if (!this.emittingToOthers.size) return undefined;
    let first: string | undefined;
    let firstMs = Number.POSITIVE_INFINITY;
    for (const a of this.agendas.values()) {
      const { emitting, emittingMs } = this.nextWork(a);
      if (emitting !== undefined && emittingMs < firstMs) {
        first = emitting;
        firstMs = emittingMs;
      }
    }
    return first;
  }

  /** One agenda's part of `firstEmittingToOthers`: the earliest, the first of equals in agenda order. */
  private firstEmittingOf(a: Agenda): string | undefined {
    let first: string | undefined;
    const earlier = (at: string) => {
      if (!first || Date.parse(at) < Date.parse(first)) first = at;
    };
    let inside = false;
    for (const t of a.timers.values())
      if (t.journeyId !== undefined && this.emittingToOthers.has(t.journeyId)) {
        inside = true;
        earlier(t.dueAt);
      }
    const event = a.events[0];
    if (inside && event) earlier(event.time);
    return first;
  }
}
