/**
 * `journeys simulate`: runs a scenario on a virtual clock through the real handlers, store and
 * dispatcher against DynamoDB Local and the SES emulator. The clock jumps from one due moment (the
 * next scenario event or the next timer) to the next, so months of journey time take seconds.
 */

import { AsyncLocalStorage } from 'node:async_hooks';
import { randomUUID } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { DateTime, Duration } from 'luxon';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import { type CapacityMeter, type OutboxItem, outboxEntry } from '../../functions/adapters/store.ts';
import type { AnalyticsSink } from '../../functions/analytics/record.ts';
import type { Catalog } from '../../functions/catalog/catalog.ts';
import { formatIssues } from '../../functions/core/events.ts';
import { forEachCustomer } from '../../functions/services/concurrency.ts';
import type { DispatchOutcome } from '../../functions/services/dispatcher.ts';
import { DispatchNotSettledError, ScenarioError } from '../errors.ts';
import type { MemoryTables } from '../memory-table/table.ts';
import { LocalRuntime, type PublishedEvent } from '../runtime/runtime.ts';
import { type SesEmail, sesEmulatorStore } from '../servers/servers.ts';
import { expectationSchema } from './expectations.ts';
import { dispatchSettled } from './settled-dispatch.ts';

/**
 * Fixed, so simulations are reproducible: referral codes and link tokens derive from it, and the
 * scenario files' expectations name those codes. It is the value every local runtime used before
 * `npm start` got a secret per data directory, which is why it is worth nothing there.
 */
const SIMULATION_SIGNING_SECRET = 'local-signing-secret-not-for-production';

/** Customers simulated side by side; each customer's own events and timers stay in order. */
const CONCURRENCY = 16;

const offsetOrInstant = z
  .string()
  .refine((v) => Duration.fromISO(v).isValid || DateTime.fromISO(v, { setZone: true }).isValid, {
    message: 'must be an ISO 8601 duration from start (PT0S, P3D) or a timestamp',
  });

export const scenarioSchema = z
  .object({
    start: z.iso.datetime({
      offset: true,
      message: 'must be an ISO 8601 timestamp such as 2026-03-02T08:00:00Z',
    }),
    until: z
      .string()
      .refine((v) => Duration.fromISO(v).isValid, { message: 'must be an ISO 8601 duration such as P30D' }),
    events: z
      .array(
        z
          .object({
            at: offsetOrInstant,
            /** The envelope time the shop stamped, when the event arrives later than that (default: at). */
            time: offsetOrInstant.optional(),
            id: z.string().min(1).optional(),
            source: z.string().min(1).default('shop'),
            detailType: z.string().min(1),
            detail: z.record(z.string(), z.unknown()),
          })
          .strict(),
      )
      .default([]),
    /** The expected timeline; `journeys simulate --check` and the scenario tests compare against it. */
    expect: expectationSchema.optional(),
    /** What the scenario shows, for people reading it. */
    description: z.string().optional(),
  })
  .strict();

export type Scenario = z.infer<typeof scenarioSchema>;

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
  timer?: { journeyId: string; instanceId: string; dueAt: string };
  outbox?: { outboxId: string };
  /** `profile`, `journey:<id>` (as routed), or `dispatcher`. */
  target: string;
  error: string;
}

export interface SimulationResult {
  emails: SimulatedEmail[];
  events: { at: string; source: string; detailType: string; detail: Record<string, unknown> }[];
  rejected: { index: number; detailType: string; errors: string[] }[];
  /** Handler and dispatcher errors; `journeys simulate` exits non-zero when there are any. */
  errors: SimulationError[];
  /** Human-readable account in time order, for the default output. */
  timeline: {
    at: string;
    customerId?: string | undefined;
    kind: 'event' | 'email' | 'emit' | 'note' | 'rejected' | 'error';
    text: string;
  }[];
  stats: {
    virtualDays: number;
    wallMs: number;
    steps: number;
    /** Where the journey state lived. */
    store: 'dynamodb-local' | 'memory';
  };
}

export async function readScenario(file: string): Promise<Scenario> {
  let raw: unknown;
  try {
    const text = await readFile(file, 'utf8');
    raw = file.endsWith('.json') ? JSON.parse(text) : parseYaml(text);
  } catch (error) {
    throw new ScenarioError(`${file}: cannot read the scenario: ${(error as Error).message}`);
  }
  const parsed = scenarioSchema.safeParse(raw);
  if (!parsed.success) {
    throw new ScenarioError(
      `${file} is not a valid scenario:\n  ${formatIssues(parsed.error.issues, 'a scenario').join('\n  ')}`,
    );
  }
  return parsed.data;
}

const iso = (dt: DateTime) => dt.toUTC().toISO({ suppressMilliseconds: true }) as string;

function resolveAt(start: string, at: string): string {
  const offset = Duration.fromISO(at);
  return offset.isValid
    ? iso(DateTime.fromISO(start).plus(offset))
    : iso(DateTime.fromISO(at, { setZone: true }));
}

/** The SES emulator, and the table: DynamoDB Local (the default) or in memory (`--store memory`). */
export type SimulationServers = { sesEndpoint: string } & (
  | { dynamoEndpoint: string; memory?: undefined }
  | { memory: MemoryTables; dynamoEndpoint?: undefined }
);

/**
 * A clock that reads the moment of the customer being worked on: customers run side by side, each at
 * its own virtual time, so every decision and email carries its exact due moment.
 */
class ScopedClock {
  private readonly scope = new AsyncLocalStorage<string>();
  constructor(private readonly fallback: string) {}
  now = (): string => this.scope.getStore() ?? this.fallback;
  at<T>(instant: string, work: () => Promise<T>): Promise<T> {
    return this.scope.run(instant, work);
  }
}

type QueuedEvent = Omit<Scenario['events'][number], 'time'> & {
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
 * generation n published, e.g. a referral reward reaching the referrer). Causal, so deterministic.
 */
interface Origin {
  customerId: string;
  generation: number;
}
interface Timer {
  journeyId: string;
  instanceId: string;
  dueAt: string;
}
/** One customer's due work: scenario events, timers (learned from the decisions written) and outbox. */
interface Agenda {
  customerId: string;
  events: QueuedEvent[];
  timers: Map<string, Timer>;
  outbox: OutboxItem[];
}

/**
 * What a behaviour model may react to: an email the dispatcher sent, or an event the system emitted
 * (journey.entered with its holdout flag, coupon.issued …).
 */
export type Happening =
  | {
      kind: 'email';
      at: string;
      customerId: string;
      journey: string;
      message: string;
      outboxId: string;
      /** SES's message id and the address: what SES's own events about the email (opens …) carry. */
      messageId: string;
      to: string;
    }
  | { kind: 'emit'; at: string; customerId: string; detailType: string; detail: Record<string, unknown> };

/**
 * An event a behaviour model answers with (a shop event, or SES's `aws.ses` open or click); `at` is
 * an instant, never earlier than the happening. It joins the agenda of `customerId` (default: the
 * detail's), so it stays in order with that customer's other work.
 */
export type Reaction = Omit<Scenario['events'][number], 'at' | 'time' | 'source'> & {
  at: string;
  source?: string;
  customerId?: string;
};

/**
 * A simulated customer's behaviour (analytics/synthetic/shop.ts: a win-back email raises the chance of
 * a reorder). Called in the reacting customer's turn, so its answers are deterministic when it is.
 */
export type React = (happening: Happening) => readonly Reaction[] | undefined;

/** Days of virtual time processed between barriers; customers run side by side inside one. */
const WINDOW = 'P1D';

export async function simulate(
  scenario: Scenario,
  catalog: Catalog,
  servers: SimulationServers,
  options: {
    tableName?: string;
    onProgress?: (at: string) => void;
    meter?: CapacityMeter;
    react?: React;
    /** Writes the analytics log of the simulation (`recorded` is virtual time). */
    analytics?: AnalyticsSink;
    /** How long a send waits for SES before its outcome is `unknown` (the runtime's default otherwise). */
    sesRequestTimeoutMs?: number;
  } = {},
): Promise<SimulationResult> {
  const wallStart = performance.now();
  const start = iso(DateTime.fromISO(scenario.start, { setZone: true }));
  const end = iso(DateTime.fromISO(start).plus(Duration.fromISO(scenario.until)));
  const clock = new ScopedClock(start);
  const cause = new AsyncLocalStorage<Origin>();
  /** Outbox entries by `customerId|outboxId`: the origin of the decision that wrote them. */
  const outboxOrigins = new Map<string, Origin>();
  const published: { event: PublishedEvent; origin: Origin }[] = [];
  /** The generation of each timeline line, to order causes before their effects within a second. */
  const generations = new WeakMap<object, number>();
  const addLine = (
    line: SimulationResult['timeline'][number],
    generation = cause.getStore()?.generation ?? 0,
  ) => {
    generations.set(line, generation);
    result.timeline.push(line);
  };
  const agendas = new Map<string, Agenda>();
  const agenda = (customerId: string): Agenda => {
    let a = agendas.get(customerId);
    if (!a) {
      a = { customerId, events: [], timers: new Map(), outbox: [] };
      agendas.set(customerId, a);
    }
    return a;
  };
  let reactions = 0;
  /** Queues what the behaviour model answers, each on its customer's agenda, not before `at`. */
  const react = (happening: Happening) => {
    for (const r of options.react?.(happening) ?? []) {
      const time = new Date(Math.max(Date.parse(r.at), Date.parse(happening.at))).toISOString();
      const { customerId, ...event } = r;
      const a = agenda(customerId ?? String(r.detail.customerId ?? ''));
      a.events.push({
        ...event,
        at: time,
        source: r.source ?? 'shop',
        index: scenario.events.length + reactions++,
        time,
        generation: (cause.getStore()?.generation ?? 0) + 1,
      });
      a.events.sort((x, y) => Date.parse(x.time) - Date.parse(y.time) || x.index - y.index);
    }
  };
  const runtime = await LocalRuntime.create({
    catalog,
    clock,
    // No table stream: the simulator follows outbox entries from the decisions it writes (onSaved).
    ...(servers.memory
      ? { memory: servers.memory }
      : { dynamoEndpoint: servers.dynamoEndpoint, stream: false }),
    sesEndpoint: servers.sesEndpoint,
    env: {
      TABLE_NAME: options.tableName ?? `simulation-${Date.now()}-${Math.floor(Math.random() * 1e6)}`,
      SIGNING_SECRET: SIMULATION_SIGNING_SECRET,
      ...(options.sesRequestTimeoutMs ? { SES_REQUEST_TIMEOUT_MS: String(options.sesRequestTimeoutMs) } : {}),
    },
    onPublish: (event) => {
      published.push({ event, origin: cause.getStore() ?? { customerId: '', generation: 0 } });
      react({
        kind: 'emit',
        at: event.time,
        customerId: String(event.detail.customerId ?? ''),
        detailType: event.detailType,
        detail: event.detail,
      });
    },
    // An event the system publishes (a referral reward for the referrer) joins the agenda of the
    // customer it is about, at its moment, so each customer still sees its inputs in time order.
    routePublished: async (event) => {
      if (!runtime.hasRoute(event)) return;
      const customerId = String(event.detail.customerId ?? '');
      const a = agenda(customerId);
      a.events.push({
        at: event.time,
        id: randomUUID(),
        source: event.source,
        detailType: event.detailType,
        detail: event.detail,
        index: -1,
        time: event.time,
        generation: (cause.getStore()?.generation ?? 0) + 1,
      });
      a.events.sort((x, y) => Date.parse(x.time) - Date.parse(y.time));
    },
    meter: options.meter,
    analyticsSink: options.analytics,
    // The simulator follows each decision as it is written: the timers it set (instead of polling the
    // timer index every virtual minute) and its outbox entries (handed to the dispatcher at once, as
    // the stream trigger would, so a send happens at the moment of its decision).
    onSaved: (request) => {
      const a = agenda(request.customerId);
      for (const instance of request.instances ?? []) {
        const key = `${instance.journeyId}#${instance.instanceId}`;
        const live = instance.status === 'active' || instance.status === 'watching';
        if (live && instance.waiting) {
          a.timers.set(key, {
            journeyId: instance.journeyId,
            instanceId: instance.instanceId,
            dueAt: instance.waiting.dueAt,
          });
        } else a.timers.delete(key);
      }
      for (const effect of request.effects ?? []) {
        a.outbox.push(outboxEntry(request.customerId, effect, request.now));
        outboxOrigins.set(
          `${request.customerId}|${effect.outboxId}`,
          cause.getStore() ?? { customerId: request.customerId, generation: 0 },
        );
      }
    },
  });

  const result: SimulationResult = {
    emails: [],
    events: [],
    rejected: [],
    errors: [],
    timeline: [],
    stats: { virtualDays: 0, wallMs: 0, steps: 0, store: servers.memory ? 'memory' : 'dynamodb-local' },
  };
  const sentOutcomes: { outcome: Extract<DispatchOutcome, { status: 'sent' }>; origin: Origin }[] = [];
  for (const [index, e] of scenario.events.entries()) {
    agenda(String(e.detail.customerId ?? '')).events.push({
      ...e,
      index,
      time: resolveAt(start, e.at),
      stamped: e.time === undefined ? undefined : resolveAt(start, e.time),
    });
  }
  for (const a of agendas.values()) {
    a.events.sort((x, y) => Date.parse(x.time) - Date.parse(y.time) || x.index - y.index);
  }

  /** Hands the customer's new outbox entries to the dispatcher, each at its decision's moment. */
  const dispatch = async (a: Agenda) => {
    while (a.outbox.length) {
      const item = a.outbox.shift() as OutboxItem;
      const origin = outboxOrigins.get(`${item.customerId}|${item.outboxId}`) ?? {
        customerId: item.customerId,
        generation: 0,
      };
      outboxOrigins.delete(`${item.customerId}|${item.outboxId}`);
      await cause.run(origin, () =>
        clock.at(item.createdAt, async () => {
          for (let attempt = 1; ; attempt++) {
            try {
              const { outcome, accepted } = await dispatchSettled(runtime, item, {
                sesEndpoint: servers.sesEndpoint,
              });
              if (outcome.status === 'sent') {
                sentOutcomes.push({ outcome, origin });
                react({
                  kind: 'email',
                  at: outcome.sentAt,
                  customerId: outcome.customerId,
                  journey: outcome.journeyId,
                  message: outcome.message,
                  outboxId: outcome.outboxId,
                  messageId: outcome.messageId,
                  to: outcome.to,
                });
                // SES's Send and Delivery events, for the analytics log's email.* records.
                if (options.analytics)
                  for (const d of accepted ?? (await runtime.emailAccepted(outcome)))
                    for (const t of d.targets.filter((t) => t.error))
                      result.errors.push({
                        at: item.createdAt,
                        customerId: a.customerId,
                        outbox: { outboxId: item.outboxId },
                        target: t.target,
                        error: String(t.error),
                      });
              }
              const at = item.createdAt;
              const customerId = a.customerId;
              if (outcome.status === 'failed') {
                addLine({
                  at,
                  customerId,
                  kind: 'error',
                  text: `outbox ${outcome.outboxId} failed: ${outcome.reason}`,
                });
              }
              if (outcome.status === 'skipped' && !outcome.reason.startsWith('already')) {
                addLine({
                  at,
                  customerId,
                  kind: 'note',
                  text: `outbox ${outcome.outboxId} skipped: ${outcome.reason}`,
                });
              }
              return;
            } catch (error) {
              // Transient (a conflict, a failed publish): retried like the stream trigger would, then
              // reported; an entry SES kept answering ambiguously is reported at once.
              if (attempt >= 5 || error instanceof DispatchNotSettledError) {
                addLine({
                  at: item.createdAt,
                  customerId: a.customerId,
                  kind: 'error',
                  text: `dispatch failed: ${String(error)}`,
                });
                result.errors.push({
                  at: item.createdAt,
                  customerId: a.customerId,
                  outbox: { outboxId: item.outboxId },
                  target: 'dispatcher',
                  error: String(error),
                });
                return;
              }
              await new Promise((resolve) => setTimeout(resolve, 20 * 2 ** attempt));
            }
          }
        }),
      );
    }
  };

  const nextDue = (a: Agenda): { at: string; event?: QueuedEvent; timer?: Timer } | undefined => {
    const event = a.events[0];
    let timer: Timer | undefined;
    for (const t of a.timers.values()) if (!timer || t.dueAt < timer.dueAt) timer = t;
    if (event && (!timer || Date.parse(event.time) <= Date.parse(timer.dueAt)))
      return { at: event.time, event };
    return timer ? { at: timer.dueAt, timer } : undefined;
  };

  /** Works one customer's agenda up to `until`, in time order. */
  const work = async (a: Agenda, until: string) => {
    for (;;) {
      const due = nextDue(a);
      if (!due || Date.parse(due.at) > Date.parse(until)) return;
      result.stats.steps++;
      const at = due.at;
      const customerId = a.customerId;
      const origin: Origin = { customerId, generation: due.event?.generation ?? 0 };
      await cause.run(origin, () =>
        clock.at(at, async () => {
          if (due.event) {
            const e = a.events.shift() as QueuedEvent;
            const delivery = await runtime.deliver({
              id: e.id ?? `scenario-${e.index}`,
              source: e.source,
              detailType: e.detailType,
              time: e.stamped ?? e.time,
              detail: e.detail,
            });
            // A system event only the analytics log hears is not a line of the timeline.
            if (e.index >= 0 || delivery.targets.some((t) => t.target !== 'analytics'))
              addLine({
                at,
                customerId,
                kind: 'event',
                text: `${e.detailType} ${customerId}`.trim(),
              });
            const rejected = delivery.targets.find((t) => t.outcome?.status === 'rejected');
            if (rejected?.outcome?.status === 'rejected') {
              result.rejected.push({
                index: e.index,
                detailType: e.detailType,
                errors: rejected.outcome.errors,
              });
              addLine({
                at,
                customerId,
                kind: 'rejected',
                text: rejected.outcome.errors.join('; '),
              });
            } else if (!delivery.targets.length) {
              addLine({
                at,
                customerId,
                kind: 'note',
                text: `no rule matches ${e.source}/${e.detailType}`,
              });
            }
            for (const t of delivery.targets) {
              if (t.error) {
                addLine({
                  at,
                  customerId,
                  kind: 'error',
                  text: `${e.detailType}: ${t.target} threw ${t.error}`,
                });
                result.errors.push({
                  at,
                  customerId,
                  event: { index: e.index, detailType: e.detailType, id: delivery.event.id },
                  target: t.target,
                  error: t.error,
                });
              }
              if (t.outcome && 'trace' in t.outcome) {
                for (const note of t.outcome.trace) {
                  addLine({
                    at,
                    customerId,
                    kind: 'note',
                    text: `${note.journeyId} ${note.note}`,
                  });
                }
              }
            }
          } else if (due.timer) {
            const timer = due.timer;
            // Dropped first: if the instance still waits, the decision written puts its new timer back.
            a.timers.delete(`${timer.journeyId}#${timer.instanceId}`);
            try {
              const outcome = await runtime.services.journeys.handleTimer(
                timer.journeyId,
                customerId,
                timer.instanceId,
                timer.dueAt,
              );
              if ('trace' in outcome) {
                for (const note of outcome.trace) {
                  addLine({
                    at,
                    customerId,
                    kind: 'note',
                    text: `${note.journeyId} ${note.note}`,
                  });
                }
              }
            } catch (error) {
              addLine({
                at,
                customerId,
                kind: 'error',
                text: `timer ${timer.journeyId}/${timer.instanceId}: journey:${timer.journeyId} threw ${String(error)}`,
              });
              result.errors.push({
                at,
                customerId,
                timer: { ...timer },
                target: `journey:${timer.journeyId}`,
                error: String(error),
              });
            }
          }
        }),
      );
      await cause.run(origin, () => dispatch(a));
    }
  };

  // A registration naming a referral code needs the referrer's code to exist: every customer is
  // brought up to just before it, so the simulation does not depend on who ran first.
  const barriers = scenario.events
    .filter((e) => e.detailType === 'customer.registered' && e.detail.referredByCode)
    .map((e) => resolveAt(start, e.at))
    .sort();

  // Window by window: every customer with something due in the window works it up, side by side.
  let from = start;
  for (;;) {
    const dues = [...agendas.values()].map((a) => nextDue(a)?.at).filter((t): t is string => t !== undefined);
    const earliest = dues.sort()[0];
    if (!earliest || Date.parse(earliest) > Date.parse(end)) break;
    if (Date.parse(earliest) > Date.parse(from)) from = earliest;
    const barrier = barriers.find((b) => Date.parse(b) > Date.parse(from));
    const windowEnd = [
      iso(DateTime.fromISO(from).plus(Duration.fromISO(WINDOW))),
      end,
      ...(barrier ? [new Date(Date.parse(barrier) - 1).toISOString()] : []),
    ].sort((x, y) => Date.parse(x) - Date.parse(y))[0] as string;
    options.onProgress?.(windowEnd);
    const busy = [...agendas.values()].filter((a) => {
      const due = nextDue(a);
      return due && Date.parse(due.at) <= Date.parse(windowEnd);
    });
    await forEachCustomer(
      busy,
      (a) => a.customerId,
      CONCURRENCY,
      (a) => work(a, windowEnd),
    );
    // Entries written for other customers (a referral reward reaches the referrer) go out now.
    for (const a of agendas.values()) if (a.outbox.length) await dispatch(a);
    from =
      barrier &&
      Date.parse(windowEnd) < Date.parse(barrier) &&
      Date.parse(barrier) - Date.parse(windowEnd) <= 1
        ? barrier
        : windowEnd;
  }

  // Join what the dispatcher sent with what the SES emulator received, by message id.
  const sesEmails = new Map<string, SesEmail>(
    (await sesEmulatorStore(servers.sesEndpoint).emails()).map((m) => [m.messageId, m]),
  );
  for (const { outcome: sent, origin } of sentOutcomes) {
    const mail = sesEmails.get(sent.messageId);
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
    addLine(
      {
        at: sent.sentAt,
        customerId: sent.customerId,
        kind: 'email',
        text: `${sent.journeyId}/${sent.message} [${sent.locale}] → ${sent.to} “${email.subject}”`,
      },
      origin.generation,
    );
  }
  for (const { event, origin } of published) {
    result.events.push({
      at: event.time,
      source: event.source,
      detailType: event.detailType,
      detail: event.detail,
    });
    if (!event.detailType.startsWith('journey.')) {
      // Shown with the customer whose decision emitted it (a reward earned by a referee's order is
      // emitted in the referee's work, about the referrer).
      addLine(
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
  // A deterministic order although customers ran side by side: time; then causes before effects
  // (generation: a published event's arrival after the work that emitted it); then customer; then
  // events before notes before emails (entries of one customer keep the order they happened in).
  const rank = { event: 0, rejected: 1, note: 2, error: 3, email: 4, emit: 5 } as const;
  const byCustomer = (a?: string, b?: string) => (a ?? '').localeCompare(b ?? '');
  result.timeline.sort(
    (a, b) =>
      Date.parse(a.at) - Date.parse(b.at) ||
      (generations.get(a) ?? 0) - (generations.get(b) ?? 0) ||
      byCustomer(a.customerId, b.customerId) ||
      rank[a.kind] - rank[b.kind],
  );
  result.emails.sort(
    (a, b) =>
      Date.parse(a.sentAt) - Date.parse(b.sentAt) ||
      byCustomer(a.customerId, b.customerId) ||
      `${a.journey}/${a.message}`.localeCompare(`${b.journey}/${b.message}`),
  );
  result.events.sort(
    (a, b) =>
      Date.parse(a.at) - Date.parse(b.at) ||
      byCustomer(String(a.detail.customerId ?? ''), String(b.detail.customerId ?? '')) ||
      a.detailType.localeCompare(b.detailType),
  );
  // In scenario order: otherwise `--json` lists two customers' rejections in whichever order their
  // handlers finished, which differed between DynamoDB Local and the memory table.
  result.rejected.sort(
    (a, b) =>
      a.index - b.index ||
      a.detailType.localeCompare(b.detailType) ||
      a.errors.join('\n').localeCompare(b.errors.join('\n')),
  );
  result.errors.sort(
    (a, b) =>
      Date.parse(a.at) - Date.parse(b.at) ||
      byCustomer(a.customerId, b.customerId) ||
      a.target.localeCompare(b.target),
  );
  result.stats.wallMs = Math.round(performance.now() - wallStart);
  result.stats.virtualDays = Math.round((Date.parse(end) - Date.parse(start)) / 86_400_000);
  return result;
}
