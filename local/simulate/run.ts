/**
 * One simulation's moving parts — the runtime on its virtual clock, the customers' agendas, the
 * timeline — worked window by window. `simulate` drives one in this thread; a parallel run
 * (parallel.ts) drives one per worker, each with its share of the customers, through the same windows.
 */
import { randomUUID } from 'node:crypto';
import type { Catalog } from '../../functions/catalog/catalog.ts';
import { forEachCustomer } from '../../functions/services/concurrency.ts';
import { LocalRuntime } from '../runtime/runtime.ts';
import { sesEmulatorStore } from '../servers/ses-emulator.ts';
import { Agendas, journeysEmittingToOthers, type Origin, type QueuedEvent } from './agenda.ts';
import type { React, SimulateOptions, SimulationServers } from './index.ts';
import { MemorySes } from './memory-ses.ts';
import type { ListOrders } from './order.ts';
import { sampledRenderer } from './sampled-renderer.ts';
import { period, resolveAt, type Scenario, scenarioCatalog } from './scenario.ts';
import { type SimulationResult, Timeline, type TimelineDelta } from './timeline.ts';
import { asyncScope, dispatch, ScopedClock, turnScope, type Work, workDue } from './work.ts';

/**
 * Fixed, so simulations are reproducible: referral codes and link tokens derive from it, and the
 * scenario files' expectations name those codes. It is the value every local runtime used before
 * `npm start` got a secret per data directory, which is why it is worth nothing there.
 */
export const SIMULATION_SIGNING_SECRET = 'local-signing-secret-not-for-production';

/**
 * Customers simulated side by side where the stores answer over the network (DynamoDB Local, the
 * SES emulator); each customer's own events and timers stay in order.
 */
const CONCURRENCY = 16;

/** A scenario event with its place in the scenario (which a worker's share keeps). */
export type IndexedEvent = Scenario['events'][number] & { index: number };

export interface SimulationRun {
  /** The simulated period as UTC instants. */
  start: string;
  end: string;
  /**
   * Works the whole period window by window: every customer's due work up to the window's end, side
   * by side; `afterWindow` is told each window's end once it is worked.
   */
  workThrough(afterWindow?: (until: string) => void): Promise<void>;
  /** The result, in order. */
  finish(): Promise<SimulationResult>;
  /** A worker's entries since its last hand-over (parallel.ts; the in-process SES only). */
  drain(): TimelineDelta;
  /** The order of everything handed over so far, for the coordinator to merge. */
  orders(): ListOrders;
}

/**
 * Sets a simulation up: `events` are the scenario's (all of them, or one worker's share with their
 * places in the whole scenario); `scenario.events.length` counts on for the reactions' places.
 */
export async function startRun(
  scenario: Scenario,
  events: readonly IndexedEvent[],
  projectCatalog: Catalog,
  servers: SimulationServers,
  options: SimulateOptions,
): Promise<SimulationRun> {
  const bodies = options.bodies ?? true;
  const catalog = scenarioCatalog(scenario, projectCatalog);
  const memorySes = servers.sesEndpoint ? undefined : new MemorySes();
  const ses = memorySes ?? sesEmulatorStore(servers.sesEndpoint as string);
  const { start, end } = period(scenario);
  // In memory nothing waits on I/O, so customers take turns one at a time (the same results: a
  // customer's work depends on its own inputs and moments) and the scopes need no promise hooks.
  const inTurns = Boolean(servers.memory && memorySes);
  const scope = inTurns ? turnScope : asyncScope;
  const clock = new ScopedClock(start, scope<string>());
  const cause = scope<Origin>();
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

  const queued: QueuedEvent[] = events.map((e) => ({
    ...e,
    time: resolveAt(start, e.at),
    stamped: e.time === undefined ? undefined : resolveAt(start, e.time),
  }));
  agendas.readsOthersAt(
    queued.filter((e) => runtime.readsAnotherCustomer({ ...e, id: '', time: e.time })).map((e) => e.time),
  );
  for (const e of queued) agendas.queue(String(e.detail.customerId ?? ''), e, true);

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
  return {
    start,
    end,
    async workThrough(afterWindow) {
      for (let from = start; ; ) {
        const window = agendas.nextWindow(from, end);
        if (!window) return;
        await workWindow(window.until);
        afterWindow?.(window.until);
        from = agendas.after(window.until);
      }
    },
    finish: async () => timeline.finish(await ses.emails()),
    drain: () => {
      if (!memorySes) throw new Error('a parallel simulation sends to the in-process SES');
      return timeline.drain(memorySes.received);
    },
    orders: () => timeline.orders(),
  };

  // Every customer with something due in the window works it up, side by side.
  async function workWindow(until: string): Promise<void> {
    await forEachCustomer(
      agendas.busy(until),
      (a) => a.customerId,
      inTurns ? 1 : CONCURRENCY,
      async (a) => {
        for (let due = agendas.dueBy(a, until); due; due = agendas.dueBy(a, until)) {
          timeline.result.stats.steps++;
          await workDue(work, a, due);
        }
      },
    );
    // Entries a decision wrote outside its customer's turn go out now.
    for (const a of agendas.all()) if (a.outbox.length) await dispatch(work, a);
  }
}
