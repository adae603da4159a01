/**
 * Shared helpers for fault rows (faults/rows/*.ts). Everything runs the real services: the same
 * handlers, store code, dispatcher and renderer as the Lambdas, the real SES v2 emulator, and the
 * memory table (local/memory-table/table.ts) where DynamoDB semantics are not the point.
 *
 * - `loadCatalog()`            the shipped journeys and templates, built once per process.
 * - `withSesEmulator(fn)`      a fresh SES v2 emulator for the duration of `fn`, stopped even on failure.
 * - `capturedSince(endpoint)`  a mark in the emulator's store; calling the result returns every email
 *                              SES received since (the store is process-wide: rows run one at a time).
 * - `simulateOnMemory(...)`    `journeys simulate --store memory` on a fresh table (shipped catalog
 *                              or the one given): result + emails SES received during the run.
 * - `memoryRuntime(...)`       a LocalRuntime on a fresh memory table with a virtual clock; it keeps
 *                              the outbox entries the decisions wrote and `drain()` hands them to the
 *                              dispatcher, as the stream trigger does in AWS.
 * - `driveRuntime(...)`       plays a scenario on a `memoryRuntime` without the simulator: events in
 *                              time order, due timers swept at their moment, the outbox drained after
 *                              each step; with `copies: 3` every event and sweep is handled three
 *                              times at once (concurrent duplicate invocations) and every outbox
 *                              entry dispatched three times (one after the other, or at once with
 *                              `concurrentOutbox`).
 * - `emailKey`, `countDiff`    compare what was sent with what should have been: lost and doubled.
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Duration } from 'luxon';
import { VirtualClock } from '../../functions/adapters/clock.ts';
import { type OutboxItem, outboxEntry } from '../../functions/adapters/store.ts';
import { buildCatalog } from '../../functions/catalog/build.ts';
import type { Catalog } from '../../functions/catalog/catalog.ts';
import type { DispatchOutcome } from '../../functions/services/dispatcher.ts';
import { MemoryTables } from '../../local/memory-table/table.ts';
import { LocalRuntime, type PublishedEvent } from '../../local/runtime/runtime.ts';
import { startDynamoDbLocal } from '../../local/servers/dynamodb-local.ts';
import {
  type SesEmail,
  type SesEmulator,
  sesEmulatorStore,
  startSesEmulator,
} from '../../local/servers/ses-emulator.ts';
import { type Scenario, type SimulationResult, simulate } from '../../local/simulate/index.ts';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

let catalog: Promise<Catalog> | undefined;

/** The shipped journeys and templates (default locale `en`), compiled once per process. */
export function loadCatalog(): Promise<Catalog> {
  catalog ??= buildCatalog(ROOT, { defaultLocale: 'en' }).then((built) => built.catalog);
  return catalog;
}

export async function withSesEmulator<T>(fn: (ses: SesEmulator) => Promise<T>): Promise<T> {
  const ses = await startSesEmulator();
  try {
    return await fn(ses);
  } finally {
    await ses.stop();
  }
}

/** DynamoDB Local and the SES emulator for one row, stopped whatever happens. */
export async function withLocalServers<T>(
  fn: (servers: { dynamoEndpoint: string; sesEndpoint: string }) => Promise<T>,
): Promise<T> {
  const dynamo = await startDynamoDbLocal();
  try {
    return await withSesEmulator((ses) => fn({ dynamoEndpoint: dynamo.endpoint, sesEndpoint: ses.endpoint }));
  } finally {
    await dynamo.stop();
  }
}

/** A mark in the emulator's store: the returned function lists the emails received after it. */
export async function capturedSince(endpoint: string): Promise<() => Promise<SesEmail[]>> {
  const store = sesEmulatorStore(endpoint);
  const before = (await store.emails()).length;
  return async () => (await store.emails()).slice(before);
}

export interface MemorySimulation {
  result: SimulationResult;
  /** What the SES emulator received during the run, duplicates included. */
  captured: SesEmail[];
}

export async function simulateOnMemory(
  scenario: Scenario,
  sesEndpoint: string,
  catalog?: Catalog,
): Promise<MemorySimulation> {
  const since = await capturedSince(sesEndpoint);
  const result = await simulate(scenario, catalog ?? (await loadCatalog()), {
    memory: new MemoryTables(),
    sesEndpoint,
  });
  return { result, captured: await since() };
}

export interface MemoryRuntime {
  runtime: LocalRuntime;
  clock: VirtualClock;
  memory: MemoryTables;
  published: PublishedEvent[];
  /**
   * Dispatches every outbox entry written since the last drain, `times` times each: one after the
   * other (a stream record redelivered after its batch failed or timed out), or all at once with
   * `concurrent` (a second dispatcher racing the first, e.g. a redrive while the stream still runs).
   */
  drain(times?: number, concurrent?: boolean): Promise<DispatchOutcome[]>;
}

export async function memoryRuntime(options: {
  sesEndpoint: string;
  start: string;
  env?: Record<string, string | undefined>;
}): Promise<MemoryRuntime> {
  const clock = new VirtualClock(options.start);
  const memory = new MemoryTables();
  // The emulator is shared by the runs a row compares, and its times are whole seconds: a runtime
  // reading SES events from the second it was created in would see a previous run's emails, whose
  // outbox tags are the same (deterministic ids), and settle this run's pending entries as sent.
  // So it starts reading at the next whole second, and waits for it.
  const sesEventsSince = Math.floor(Date.now() / 1000) + 1;
  await new Promise((resolve) => setTimeout(resolve, sesEventsSince * 1000 - Date.now() + 5));
  const published: PublishedEvent[] = [];
  let pending: OutboxItem[] = [];
  const runtime = await LocalRuntime.create({
    catalog: await loadCatalog(),
    clock,
    memory,
    sesEndpoint: options.sesEndpoint,
    sesEventsSince,
    // A fixed secret: runs are compared with each other, and referral codes and coupons derive from it.
    env: { TABLE_NAME: 'faults', SIGNING_SECRET: 'fault-suite-signing-secret', ...options.env },
    onPublish: (event) => published.push(event),
    onSaved: (request) => {
      for (const effect of request.effects ?? [])
        pending.push(outboxEntry(request.customerId, effect, request.now));
    },
  });
  return {
    runtime,
    clock,
    memory,
    published,
    async drain(times = 1, concurrent = false) {
      const outcomes: DispatchOutcome[] = [];
      // Dispatching can write new entries (a published event reaches a journey): loop until quiet.
      while (pending.length) {
        const batch = pending;
        pending = [];
        for (const item of batch) {
          if (concurrent) {
            const copies = Array.from({ length: times }, () =>
              runtime.services.dispatcher.dispatch(structuredClone(item)),
            );
            outcomes.push(...(await Promise.all(copies)));
          } else {
            for (let n = 0; n < times; n++)
              outcomes.push(await runtime.services.dispatcher.dispatch(structuredClone(item)));
          }
        }
      }
      return outcomes;
    },
  };
}

/** Who got which message when: the identity of one email for lost/doubled counts. */
export function emailKey(email: {
  customerId: string;
  journey: string;
  message: string;
  sentAt: string;
}): string {
  return `${email.customerId} ${email.journey}/${email.message} @${email.sentAt}`;
}

/**
 * Compares two multisets of keys: `lost` counts expected keys that are missing (or fewer),
 * `doubled` actual keys beyond what was expected.
 */
export function countDiff(
  expected: readonly string[],
  actual: readonly string[],
): { lost: number; doubled: number; missing: string[]; extra: string[] } {
  const counts = new Map<string, number>();
  for (const key of expected) counts.set(key, (counts.get(key) ?? 0) + 1);
  for (const key of actual) counts.set(key, (counts.get(key) ?? 0) - 1);
  const missing: string[] = [];
  const extra: string[] = [];
  for (const [key, n] of counts) {
    for (let i = 0; i < n; i++) missing.push(key);
    for (let i = 0; i < -n; i++) extra.push(key);
  }
  return { lost: missing.length, doubled: extra.length, missing, extra };
}

/** Handler or dispatch errors the simulator reported: each one crashed instead of accept/reject. */
export function crashes(result: SimulationResult): string[] {
  return result.timeline
    .filter((line) => line.kind === 'error')
    .map((line) => `${line.customerId}: ${line.text}`);
}

export interface DrivenRun {
  sent: Extract<DispatchOutcome, { status: 'sent' }>[];
  published: Extract<DispatchOutcome, { status: 'published' }>[];
  /** Handler invocations, sweeps and dispatches that threw. */
  errors: string[];
  /** What the SES emulator received during the run. */
  captured: SesEmail[];
}

export async function driveRuntime(
  scenario: Scenario,
  sesEndpoint: string,
  options: { copies?: number; concurrentOutbox?: boolean } = {},
): Promise<DrivenRun> {
  const copies = options.copies ?? 1;
  const concurrentOutbox = options.concurrentOutbox ?? false;
  const since = await capturedSince(sesEndpoint);
  const world = await memoryRuntime({ sesEndpoint, start: scenario.start });
  const run: DrivenRun = { sent: [], published: [], errors: [], captured: [] };
  const settle = async () => {
    try {
      for (const outcome of await world.drain(copies, concurrentOutbox)) {
        if (outcome.status === 'sent') run.sent.push(outcome);
        if (outcome.status === 'published') run.published.push(outcome);
        if (outcome.status === 'failed') run.errors.push(`outbox ${outcome.outboxId}: ${outcome.reason}`);
      }
    } catch (error) {
      run.errors.push(`dispatch: ${String(error)}`);
    }
  };
  /** Sweeps every timer due up to `instant`, each at its own moment, `copies` sweepers at once. */
  const advanceTo = async (instant: string) => {
    for (let guard = 0; guard < 100_000; guard++) {
      const next = await world.runtime.nextTimer();
      if (!next || Date.parse(next) > Date.parse(instant)) break;
      if (Date.parse(next) > Date.parse(world.clock.now())) world.clock.set(next);
      const reports = await Promise.all(Array.from({ length: copies }, () => world.runtime.sweep()));
      for (const report of reports) {
        for (const f of report.failed) run.errors.push(`timer ${f.journeyId} ${f.customerId}: ${f.error}`);
      }
      await settle();
    }
    if (Date.parse(instant) > Date.parse(world.clock.now())) world.clock.set(instant);
  };
  const events = scenario.events
    .map((event, index) => ({ ...event, index }))
    .sort((a, b) => Date.parse(a.at) - Date.parse(b.at) || a.index - b.index);
  for (const event of events) {
    await advanceTo(event.at);
    const deliveries = await Promise.all(
      Array.from({ length: copies }, () =>
        world.runtime.deliver({
          id: event.id ?? `scenario-${event.index}`,
          source: event.source,
          detailType: event.detailType,
          time: event.at,
          detail: structuredClone(event.detail),
        }),
      ),
    );
    for (const delivery of deliveries) {
      for (const target of delivery.targets) {
        if (target.error) run.errors.push(`${event.detailType} → ${target.target}: ${target.error}`);
      }
    }
    await settle();
  }
  const end = new Date(
    Date.parse(scenario.start) + Duration.fromISO(scenario.until).toMillis(),
  ).toISOString();
  await advanceTo(end.replace(/\.\d{3}Z$/, 'Z'));
  run.captured = await since();
  return run;
}
