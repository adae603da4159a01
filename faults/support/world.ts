/**
 * Shared helpers for fault rows (faults/rows/*.ts). Everything runs the real services: the same
 * handlers, store code, dispatcher and renderer as the Lambdas, the real SES v2 emulator, and the
 * memory table (local/memory-table.ts) where DynamoDB semantics are not the point.
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
 * - `emailKey`, `countDiff`    compare what was sent with what should have been: lost and doubled.
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { VirtualClock } from '../../functions/adapters/clock.ts';
import { type OutboxItem, outboxEntry } from '../../functions/adapters/store.ts';
import { buildCatalog } from '../../functions/catalog/build.ts';
import type { Catalog } from '../../functions/catalog/catalog.ts';
import type { DispatchOutcome } from '../../functions/services/dispatcher.ts';
import { MemoryTables } from '../../local/memory-table.ts';
import { LocalRuntime, type PublishedEvent } from '../../local/runtime.ts';
import { type SesEmail, type SesEmulator, sesEmulatorStore, startSesEmulator } from '../../local/servers.ts';
import { type Scenario, type SimulationResult, simulate } from '../../local/simulate.ts';

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
  /** Dispatches every outbox entry written since the last drain, `times` times each (a redelivered stream). */
  drain(times?: number): Promise<DispatchOutcome[]>;
}

export async function memoryRuntime(options: {
  sesEndpoint: string;
  start: string;
  env?: Record<string, string | undefined>;
}): Promise<MemoryRuntime> {
  const clock = new VirtualClock(options.start);
  const memory = new MemoryTables();
  const published: PublishedEvent[] = [];
  let pending: OutboxItem[] = [];
  const runtime = await LocalRuntime.create({
    catalog: await loadCatalog(),
    clock,
    memory,
    sesEndpoint: options.sesEndpoint,
    env: { TABLE_NAME: 'faults', ...options.env },
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
    async drain(times = 1) {
      const outcomes: DispatchOutcome[] = [];
      // Dispatching can write new entries (a published event reaches a journey): loop until quiet.
      while (pending.length) {
        const batch = pending;
        pending = [];
        for (const item of batch) {
          for (let n = 0; n < times; n++) outcomes.push(await runtime.services.dispatcher.dispatch(item));
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
