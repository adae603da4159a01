/**
 * `journeys simulate`: runs a scenario on a virtual clock through the real handlers, store and
 * dispatcher against DynamoDB Local and the SES emulator. The clock jumps from one due moment (the
 * next scenario event or the next timer) to the next, so months of journey time take seconds.
 *
 * scenario.ts reads the file; agenda.ts keeps each customer's due work and the windows customers
 * work side by side in; work.ts hands one due item to the handlers and the dispatcher; timeline.ts
 * puts what happened in a deterministic order.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import { randomUUID } from 'node:crypto';
import type { CapacityMeter } from '../../functions/adapters/store.ts';
import type { AnalyticsSink } from '../../functions/analytics/record.ts';
import type { Catalog } from '../../functions/catalog/catalog.ts';
import { forEachCustomer } from '../../functions/services/concurrency.ts';
import type { MemoryTables } from '../memory-table/table.ts';
import { LocalRuntime } from '../runtime/runtime.ts';
import { sesEmulatorStore } from '../servers/ses-emulator.ts';
import { Agendas, journeysEmittingToOthers, type Origin } from './agenda.ts';
import { MemorySes } from './memory-ses.ts';
import { sampledRenderer } from './sampled-renderer.ts';
import { period, resolveAt, type Scenario, scenarioCatalog } from './scenario.ts';
import { type SimulationResult, Timeline } from './timeline.ts';
import { dispatch, ScopedClock, type Work, workDue } from './work.ts';

export { readScenario, type Scenario, scenarioSchema } from './scenario.ts';
export type { SimulatedEmail, SimulationError, SimulationResult } from './timeline.ts';

/**
 * Fixed, so simulations are reproducible: referral codes and link tokens derive from it, and the
 * scenario files' expectations name those codes. It is the value every local runtime used before
 * `npm start` got a secret per data directory, which is why it is worth nothing there.
 */
const SIMULATION_SIGNING_SECRET = 'local-signing-secret-not-for-production';

/** Customers simulated side by side; each customer's own events and timers stay in order. */
const CONCURRENCY = 16;

/**
 * The table: DynamoDB Local (the default) or in memory (`--store memory`); and SES: the emulator at
 * `sesEndpoint`, or without one in process (memory-ses.ts: large runs, the benchmark, backtests).
 */
export type SimulationServers = { sesEndpoint?: string | undefined } & (
  | { dynamoEndpoint: string; memory?: undefined }
  | { memory: MemoryTables; dynamoEndpoint?: undefined }
);

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

export async function simulate(
  scenario: Scenario,
  projectCatalog: Catalog,
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
    /**
     * Whether the emails carry their subject, text and HTML. Without, each (message, locale) is
     * rendered once to prove it renders (sampled-renderer.ts) and the emails have no content: for
     * counts over many customers. Only with the in-process SES (the emulator refuses empty emails).
     * @default true
     */
    bodies?: boolean;
  } = {},
): Promise<SimulationResult> {
  const wallStart = performance.now();
  const bodies = options.bodies ?? true;
  if (!bodies && servers.sesEndpoint)
    throw new Error('a simulation without email bodies sends to the in-process SES, not to an emulator');
  const catalog = scenarioCatalog(scenario, projectCatalog);
  const memorySes = servers.sesEndpoint ? undefined : new MemorySes();
  const ses = memorySes ?? sesEmulatorStore(servers.sesEndpoint as string);
  const { start, end } = period(scenario);
  const clock = new ScopedClock(start);
  const cause = new AsyncLocalStorage<Origin>();
  const origin = (customerId: string): Origin => cause.getStore() ?? { customerId, generation: 0 };
  const effectGeneration = () => (cause.getStore()?.generation ?? 0) + 1;
  const timeline = new Timeline(servers.memory ? 'memory' : 'dynamodb-local');
  const agendas = new Agendas(journeysEmittingToOthers(catalog));
  let reactions = 0;
  /** Queues what the behaviour model answers, each on its customer's agenda, not before `at`. */
  const react = (happening: Parameters<React>[0]) => {
    for (const r of options.react?.(happening) ?? []) {
      const time = new Date(Math.max(Date.parse(r.at), Date.parse(happening.at))).toISOString();
      const { customerId, ...event } = r;
      agendas.queue(
        customerId ?? String(r.detail.customerId ?? ''),
        {
          ...event,
          at: time,
          source: r.source ?? 'shop',
          index: scenario.events.length + reactions++,
          time,
          generation: effectGeneration(),
        },
        true,
      );
    }
  };
  const runtime = await LocalRuntime.create({
    catalog,
    clock,
    // No table stream: the simulator follows outbox entries from the decisions it writes (onSaved).
    ...(servers.memory
      ? { memory: servers.memory }
      : { dynamoEndpoint: servers.dynamoEndpoint, stream: false }),
    ...(memorySes ? { sesClient: memorySes.client } : { sesEndpoint: servers.sesEndpoint as string }),
    ...(bodies ? {} : { renderer: sampledRenderer(catalog.templates) }),
    env: {
      TABLE_NAME: options.tableName ?? `simulation-${Date.now()}-${Math.floor(Math.random() * 1e6)}`,
      SIGNING_SECRET: SIMULATION_SIGNING_SECRET,
      ...(options.sesRequestTimeoutMs ? { SES_REQUEST_TIMEOUT_MS: String(options.sesRequestTimeoutMs) } : {}),
    },
    onPublish: (event) => {
      timeline.eventPublished(event, origin(''));
      react({
        kind: 'emit',
        at: event.time,
        customerId: String(event.detail.customerId ?? ''),
        detailType: event.detailType,
        detail: event.detail,
      });
    },
    // An event the system publishes joins the agenda of the customer it is about, at its moment, so
    // each customer still sees its inputs in time order — also one emitted to another customer.
    routePublished: async (event) => {
      if (!runtime.hasRoute(event)) return;
      agendas.queue(
        String(event.detail.customerId ?? ''),
        {
          at: event.time,
          id: randomUUID(),
          source: event.source,
          detailType: event.detailType,
          detail: event.detail,
          index: -1,
          time: event.time,
          generation: effectGeneration(),
        },
        false,
      );
    },
    meter: options.meter,
    analyticsSink: options.analytics,
    // The simulator follows each decision as it is written: the timers it set (instead of polling the
    // timer index every virtual minute) and its outbox entries (handed to the dispatcher at once, as
    // the stream trigger would, so a send happens at the moment of its decision).
    onSaved: (request) => agendas.follow(request, origin(request.customerId)),
  });

  const events = scenario.events.map((e, index) => ({
    ...e,
    index,
    time: resolveAt(start, e.at),
    stamped: e.time === undefined ? undefined : resolveAt(start, e.time),
  }));
  agendas.readsOthersAt(
    events.filter((e) => runtime.readsAnotherCustomer({ ...e, id: '', time: e.time })).map((e) => e.time),
  );
  for (const e of events) agendas.queue(String(e.detail.customerId ?? ''), e, true);

  const work: Work = {
    runtime,
    clock,
    cause,
    timeline,
    ses,
    emailEvents: options.analytics !== undefined,
    onSent: (outcome) =>
      react({
        kind: 'email',
        at: outcome.sentAt,
        customerId: outcome.customerId,
        journey: outcome.journeyId,
        message: outcome.message,
        outboxId: outcome.outboxId,
        messageId: outcome.messageId,
        to: outcome.to,
      }),
  };
  // Window by window: every customer with something due in the window works it up, side by side.
  let from = start;
  for (let window = agendas.nextWindow(from, end); window; window = agendas.nextWindow(from, end)) {
    const { until } = window;
    options.onProgress?.(until);
    await forEachCustomer(
      agendas.busy(until),
      (a) => a.customerId,
      CONCURRENCY,
      async (a) => {
        for (let due = agendas.dueBy(a, until); due; due = agendas.dueBy(a, until)) {
          timeline.result.stats.steps++;
          await workDue(work, a, due);
        }
      },
    );
    // Entries a decision wrote outside its customer's turn go out now.
    for (const a of agendas.all()) if (a.outbox.length) await dispatch(work, a);
    from = agendas.after(until);
  }

  const result = timeline.finish(await ses.emails());
  result.stats.wallMs = Math.round(performance.now() - wallStart);
  result.stats.virtualDays = Math.round((Date.parse(end) - Date.parse(start)) / 86_400_000);
  return result;
}
