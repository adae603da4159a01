/**
 * What a simulation reports: the emails (joined with what the SES emulator received), the events the
 * system published, rejections, errors, and a human-readable timeline in a deterministic order
 * although customers ran side by side.
 */
import type { DispatchOutcome } from '../../functions/services/dispatcher.ts';
import type { PublishedEvent } from '../runtime/runtime.ts';
import type { SesEmail } from '../servers/ses-emulator.ts';
import type { Origin, Timer } from './agenda.ts';
import { type NoteFact, noteFact } from './note-facts.ts';
import { collate, type ListOrders, listOrders, mergeOrderedParts } from './order.ts';

export interface SimulatedEmail {
  sentAt: string;
  /** The outbox entry it went out for: `journey#instance#step`. */
  outboxId: string;
  customerId: string;
  to: string;
  journey: string;
  message: string;
  locale: string;
  subject: string;
  text: string;
  html: string;
  headers: Record<string, string>;
}

/**
 * A handler or the dispatcher threw (in AWS: retries, then the DLQ). What was being handled: a scenario
 * event (`index` in the scenario, -1 for an event the system published), a timer, or an outbox entry.
 */
export interface SimulationError {
  at: string;
  customerId: string;
  event?: { index: number; detailType: string; id: string };
  /** A journey instance's timer, or the loyalty account's (`loyalty: true`). */
  timer?: Timer;
  outbox?: { outboxId: string };
  /** `profile`, `loyalty`, `journey:<id>` (as routed), or `dispatcher`. */
  target: string;
  error: string;
}

/**
 * One thing that happened. `text` is the plain account (the engine's note, the event's JSON); the other
 * fields carry the same as data for the CLI's renderer (timeline-text.ts), which words it for people.
 */
export type TimelineLine = {
  at: string;
  customerId?: string | undefined;
  kind: 'event' | 'email' | 'emit' | 'note' | 'rejected' | 'error';
  text: string;
  /** The journey a note, an email or an emitted event belongs to. */
  journey?: string;
  /** A note's facts, when the note is one noteFact knows. */
  fact?: NoteFact;
  /** An email sent. */
  email?: { message: string; locale: string; to: string; subject: string };
  /** An event received (`kind: 'event'`), rejected, or emitted, with a few fields worth showing. */
  event?: { detailType: string; detail?: Record<string, unknown> };
};

export interface SimulationResult {
  emails: SimulatedEmail[];
  events: { at: string; source: string; detailType: string; detail: Record<string, unknown> }[];
  rejected: { index: number; detailType: string; errors: string[] }[];
  /** Handler and dispatcher errors; `journeys simulate` exits non-zero when there are any. */
  errors: SimulationError[];
  /** Human-readable account in time order, for the default output. */
  timeline: TimelineLine[];
  stats: {
    virtualDays: number;
    wallMs: number;
    steps: number;
    /** Where the journey state lived. */
    store: 'dynamodb-local' | 'memory';
  };
}

/**
 * What a worker of a parallel run hands over after each window (parallel.ts): the entries since the
 * last hand-over, each timeline line with its generation, and the table steps worked.
 */
export interface TimelineDelta {
  timeline: TimelineLine[];
  generations: number[];
  emails: SimulatedEmail[];
  events: SimulationResult['events'];
  rejected: SimulationResult['rejected'];
  errors: SimulationError[];
  steps: number;
}

/** A worker's whole part, with the order its lists sort in (order.ts). */
export interface SortedPart extends TimelineDelta {
  orders: ListOrders;
}

export type SentOutcome = Extract<DispatchOutcome, { status: 'sent' }>;

/** The email SES received for a message id (the emulator's store, or the in-process SES). */
export type ReceivedMail = (messageId: string) => SesEmail | undefined;

export class Timeline {
  readonly result: SimulationResult;
  /** The generation of each timeline line (same positions), to order causes before their effects. */
  private generations: number[] = [];
  private readonly sent: { outcome: SentOutcome; origin: Origin }[] = [];
  private readonly published: { event: PublishedEvent; origin: Origin }[] = [];
  /** How far `collect` joined the sends and published events, and how far `drain` handed over. */
  private collected = { sent: 0, published: 0 };
  private drained = { timeline: 0, emails: 0, events: 0, rejected: 0, errors: 0, steps: 0 };

  constructor(store: SimulationResult['stats']['store']) {
    this.result = {
      emails: [],
      events: [],
      rejected: [],
      errors: [],
      timeline: [],
      stats: { virtualDays: 0, wallMs: 0, steps: 0, store },
    };
  }

  line(line: TimelineLine, generation: number): void {
    this.generations.push(generation);
    this.result.timeline.push(line);
  }

  /** An error: a line of the timeline and an entry of `errors`. */
  error(line: Omit<TimelineLine, 'kind' | 'customerId'>, error: SimulationError, generation: number): void {
    this.line({ ...line, customerId: error.customerId, kind: 'error' }, generation);
    this.result.errors.push(error);
  }

  notes(
    at: string,
    customerId: string,
    trace: { journeyId: string; note: string }[],
    generation: number,
  ): void {
    for (const note of trace) {
      const fact = noteFact(note.note);
      this.line(
        {
          at,
          customerId,
          kind: 'note',
          text: `${note.journeyId} ${note.note}`,
          journey: note.journeyId,
          ...(fact ? { fact } : {}),
        },
        generation,
      );
    }
  }

  emailSent(outcome: SentOutcome, origin: Origin): void {
    this.sent.push({ outcome, origin });
  }

  eventPublished(event: PublishedEvent, origin: Origin): void {
    this.published.push({ event, origin });
  }

  /** Joins the sends with what the SES emulator received (by message id) and puts everything in order. */
  finish(sesEmails: SesEmail[]): SimulationResult {
    const received = new Map<string, SesEmail>(sesEmails.map((m) => [m.messageId, m]));
    this.collect((id) => received.get(id));
    const result = this.result;
    const orders = this.orders();
    const at = <T>(list: T[], order: Int32Array) => Array.from(order, (i) => list[i] as T);
    result.timeline = at(result.timeline, orders.timeline);
    result.emails = at(result.emails, orders.emails);
    result.events = at(result.events, orders.events);
    sortRejectedAndErrors(result);
    return result;
  }

  /** The entries since the last hand-over, the sends joined with what SES received (parallel.ts). */
  drain(received: ReceivedMail): TimelineDelta {
    this.collect(received);
    const r = this.result;
    const d = this.drained;
    const delta: TimelineDelta = {
      timeline: r.timeline.slice(d.timeline),
      generations: this.generations.slice(d.timeline),
      emails: r.emails.slice(d.emails),
      events: r.events.slice(d.events),
      rejected: r.rejected.slice(d.rejected),
      errors: r.errors.slice(d.errors),
      steps: r.stats.steps - d.steps,
    };
    this.drained = {
      timeline: r.timeline.length,
      emails: r.emails.length,
      events: r.events.length,
      rejected: r.rejected.length,
      errors: r.errors.length,
      steps: r.stats.steps,
    };
    return delta;
  }

  /** The order of everything collected so far (a worker's part, after its last `drain`). */
  orders(): ListOrders {
    return listOrders({ ...this.result, generations: this.generations });
  }

  /**
   * Parts of one simulation run in several workers (each customer in one of them), as one result in
   * the order a single process gives: the same as joining the parts in part order and sorting.
   */
  static merge(parts: SortedPart[], store: SimulationResult['stats']['store']): SimulationResult {
    const result = new Timeline(store).result;
    const merged = mergeOrderedParts(parts);
    result.timeline = merged.timeline;
    result.emails = merged.emails;
    result.events = merged.events;
    for (const part of parts) {
      // One by one: a spread of a year's entries would overflow the stack.
      for (const rejected of part.rejected) result.rejected.push(rejected);
      for (const error of part.errors) result.errors.push(error);
      result.stats.steps += part.steps;
    }
    sortRejectedAndErrors(result);
    return result;
  }

  /** Joins the sends and published events since the last call into emails, events and lines. */
  private collect(received: ReceivedMail): void {
    const result = this.result;
    for (const { outcome: sent, origin } of this.sent.slice(this.collected.sent)) {
      const mail = received(sent.messageId);
      const email: SimulatedEmail = {
        sentAt: sent.sentAt,
        outboxId: sent.outboxId,
        customerId: sent.customerId,
        to: sent.to,
        journey: sent.journeyId,
        message: sent.message,
        locale: sent.locale,
        subject: mail?.subject ?? '',
        text: mail?.body.text ?? '',
        html: mail?.body.html ?? '',
        headers: Object.fromEntries((mail?.headers ?? []).map((h) => [h.name, h.value])),
      };
      result.emails.push(email);
      this.line(
        {
          at: sent.sentAt,
          customerId: sent.customerId,
          kind: 'email',
          text: `${sent.journeyId}/${sent.message} [${sent.locale}] → ${sent.to} “${email.subject}”`,
          journey: sent.journeyId,
          email: { message: sent.message, locale: sent.locale, to: sent.to, subject: email.subject },
        },
        origin.generation,
      );
    }
    for (const { event, origin } of this.published.slice(this.collected.published)) {
      result.events.push({
        at: event.time,
        source: event.source,
        detailType: event.detailType,
        detail: event.detail,
      });
      if (!event.detailType.startsWith('journey.')) {
        // Shown with the customer whose decision emitted it, which may not be the customer it is about.
        this.line(
          {
            at: event.time,
            customerId: origin.customerId || String(event.detail.customerId ?? ''),
            kind: 'emit',
            text: `${event.detailType} ${JSON.stringify(event.detail)}`,
            event: { detailType: event.detailType, detail: event.detail },
          },
          origin.generation,
        );
      }
    }
    this.collected = { sent: this.sent.length, published: this.published.length };
  }
}

/** Rejections in scenario order (else `--json` lists them as handlers finished); errors by time. */
function sortRejectedAndErrors(result: SimulationResult): void {
  result.rejected.sort(
    (a, b) =>
      a.index - b.index ||
      collate(a.detailType, b.detailType) ||
      collate(a.errors.join('\n'), b.errors.join('\n')),
  );
  result.errors.sort(
    (a, b) =>
      Date.parse(a.at) - Date.parse(b.at) ||
      collate(a.customerId ?? '', b.customerId ?? '') ||
      collate(a.target, b.target),
  );
}
