/**
 * What a simulation reports: the emails (joined with what the SES emulator received), the events the
 * system published, rejections, errors, and a human-readable timeline in a deterministic order
 * although customers ran side by side.
 */
import type { DispatchOutcome } from '../../functions/services/dispatcher.ts';
import type { PublishedEvent } from '../runtime/runtime.ts';
import type { SesEmail } from '../servers/ses-emulator.ts';
import type { Origin, Timer } from './agenda.ts';

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

export type TimelineLine = {
  at: string;
  customerId?: string | undefined;
  kind: 'event' | 'email' | 'emit' | 'note' | 'rejected' | 'error';
  text: string;
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

/** A simulation's result before it is put in order, with the generation of each timeline line. */
export interface UnsortedResult {
  result: SimulationResult;
  generations: number[];
}

export type SentOutcome = Extract<DispatchOutcome, { status: 'sent' }>;

export class Timeline {
  readonly result: SimulationResult;
  /** The generation of each timeline line, to order causes before their effects within a second. */
  private readonly generations = new WeakMap<object, number>();
  private readonly sent: { outcome: SentOutcome; origin: Origin }[] = [];
  private readonly published: { event: PublishedEvent; origin: Origin }[] = [];

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
    this.generations.set(line, generation);
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
    for (const note of trace)
      this.line({ at, customerId, kind: 'note', text: `${note.journeyId} ${note.note}` }, generation);
  }

  emailSent(outcome: SentOutcome, origin: Origin): void {
    this.sent.push({ outcome, origin });
  }

  eventPublished(event: PublishedEvent, origin: Origin): void {
    this.published.push({ event, origin });
  }

  /** Joins the sends with what the SES emulator received (by message id) and puts everything in order. */
  finish(sesEmails: SesEmail[]): SimulationResult {
    this.collect(sesEmails);
    this.sort();
    return this.result;
  }

  /**
   * The result before its order (`finish` without the sort), with each timeline line's generation:
   * what a worker of a parallel run hands back (`Timeline.merge`).
   */
  unsorted(sesEmails: SesEmail[]): UnsortedResult {
    this.collect(sesEmails);
    return {
      result: this.result,
      generations: this.result.timeline.map((line) => this.generations.get(line) ?? 0),
    };
  }

  /**
   * Parts of one simulation run in several workers (each customer in one of them), as one result in
   * the order a single process gives: the parts' entries in part order, then the same sort.
   */
  static merge(parts: UnsortedResult[], store: SimulationResult['stats']['store']): SimulationResult {
    const merged = new Timeline(store);
    const result = merged.result;
    for (const { result: part, generations } of parts) {
      part.timeline.forEach((line, i) => {
        merged.line(line, generations[i] ?? 0);
      });
      // One by one: a spread of a year's emails would overflow the stack.
      for (const email of part.emails) result.emails.push(email);
      for (const event of part.events) result.events.push(event);
      for (const rejected of part.rejected) result.rejected.push(rejected);
      for (const error of part.errors) result.errors.push(error);
      result.stats.steps += part.stats.steps;
    }
    merged.sort();
    return result;
  }

  private collect(sesEmails: SesEmail[]): void {
    const result = this.result;
    const received = new Map<string, SesEmail>(sesEmails.map((m) => [m.messageId, m]));
    for (const { outcome: sent, origin } of this.sent) {
      const mail = received.get(sent.messageId);
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
        },
        origin.generation,
      );
    }
    for (const { event, origin } of this.published) {
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
          },
          origin.generation,
        );
      }
    }
  }

  /**
   * A deterministic order although customers ran side by side: time; then causes before effects
   * (generation: a published event's arrival after the work that emitted it); then customer; then
   * events before notes before emails (entries of one customer keep the order they happened in).
   */
  private sort(): void {
    const result = this.result;
    const rank = { event: 0, rejected: 1, note: 2, error: 3, email: 4, emit: 5 } as const;
    // The same order as `localeCompare`, from one collator: a year of a shop sorts a million lines,
    // so each distinct text is collated once (its rank) and the lines compare ranks.
    const collate = new Intl.Collator().compare;
    const customers = collationRanks(collate, [
      ...result.timeline.map((line) => line.customerId ?? ''),
      ...result.emails.map((email) => email.customerId ?? ''),
      ...result.events.map((event) => String(event.detail.customerId ?? '')),
    ]);
    const messages = collationRanks(
      collate,
      result.emails.map((email) => `${email.journey}/${email.message}`),
    );
    const detailTypes = collationRanks(
      collate,
      result.events.map((event) => event.detailType),
    );
    const byCustomer = (a?: string, b?: string) => collate(a ?? '', b ?? '');
    result.timeline = sortedBy(
      result.timeline,
      (line) => ({
        ms: Date.parse(line.at),
        generation: this.generations.get(line) ?? 0,
        customer: customers.get(line.customerId ?? '') as number,
      }),
      (a, b, x, y) =>
        x.ms - y.ms || x.generation - y.generation || x.customer - y.customer || rank[a.kind] - rank[b.kind],
    );
    result.emails = sortedBy(
      result.emails,
      (email) => ({
        ms: Date.parse(email.sentAt),
        customer: customers.get(email.customerId ?? '') as number,
        message: messages.get(`${email.journey}/${email.message}`) as number,
      }),
      (_a, _b, x, y) => x.ms - y.ms || x.customer - y.customer || x.message - y.message,
    );
    result.events = sortedBy(
      result.events,
      (event) => ({
        ms: Date.parse(event.at),
        customer: customers.get(String(event.detail.customerId ?? '')) as number,
        detailType: detailTypes.get(event.detailType) as number,
      }),
      (_a, _b, x, y) => x.ms - y.ms || x.customer - y.customer || x.detailType - y.detailType,
    );
    // In scenario order: otherwise `--json` lists two customers' rejections in whichever order their
    // handlers finished, which differed between DynamoDB Local and the memory table.
    result.rejected.sort(
      (a, b) =>
        a.index - b.index ||
        collate(a.detailType, b.detailType) ||
        collate(a.errors.join('\n'), b.errors.join('\n')),
    );
    result.errors.sort(
      (a, b) =>
        Date.parse(a.at) - Date.parse(b.at) ||
        byCustomer(a.customerId, b.customerId) ||
        collate(a.target, b.target),
    );
  }
}

/**
 * Each distinct text's place in `collate`'s order, texts the collator holds equal sharing one: comparing
 * two ranks gives the sign `collate` gives for the texts.
 */
function collationRanks(collate: (a: string, b: string) => number, texts: string[]): Map<string, number> {
  const distinct = [...new Set(texts)].sort(collate);
  const ranks = new Map<string, number>();
  let rank = 0;
  distinct.forEach((text, i) => {
    if (i > 0 && collate(distinct[i - 1] as string, text) !== 0) rank++;
    ranks.set(text, rank);
  });
  return ranks;
}

/** A stable sort with each element's key computed once, not in every comparison. */
function sortedBy<T, K>(items: T[], key: (item: T) => K, compare: (a: T, b: T, x: K, y: K) => number): T[] {
  return items
    .map((item, index) => ({ item, key: key(item), index }))
    .sort((a, b) => compare(a.item, b.item, a.key, b.key) || a.index - b.index)
    .map(({ item }) => item);
}
