/**
 * `journeys simulate`: runs a scenario on a virtual clock through the real handlers, store and
 * dispatcher against DynamoDB Local and the SES emulator. The clock jumps from one due moment (the
 * next scenario event or the next timer) to the next, so months of journey time take seconds.
 *
 * scenario.ts reads the file; run.ts sets the runtime up and works one window; agenda.ts keeps each
 * customer's due work and the windows customers work side by side in; work.ts hands one due item to
 * the handlers and the dispatcher; timeline.ts puts what happened in a deterministic order;
 * parallel.ts splits a large run by customer over worker threads.
 */
import type { CapacityMeter } from '../../functions/adapters/store.ts';
import type { AnalyticsSink } from '../../functions/analytics/record.ts';
import type { Catalog } from '../../functions/catalog/catalog.ts';
import type { MemoryTables } from '../memory-table/table.ts';
import { partitionScenario, simulateInParallel } from './parallel.ts';
import { startRun } from './run.ts';
import { period, type Scenario } from './scenario.ts';
import type { SimulationResult } from './timeline.ts';

export { readScenario, type Scenario, scenarioSchema } from './scenario.ts';
export type { SimulatedEmail, SimulationError, SimulationResult } from './timeline.ts';

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

/** How a simulation runs (simulate's options). */
export interface SimulateOptions {
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
  /**
   * Worker threads the customers are split over (each customer's work in one, its own memory table
   * and SES; the result is the one a single process gives). Only on the memory table with the
   * in-process SES, without `react` and `analytics`, when every event names its customer; otherwise
   * the run stays in this thread. @default 1
   */
  workers?: number;
}

export async function simulate(
  scenario: Scenario,
  projectCatalog: Catalog,
  servers: SimulationServers,
  options: SimulateOptions = {},
): Promise<SimulationResult> {
  const wallStart = performance.now();
  const bodies = options.bodies ?? true;
  if (!bodies && servers.sesEndpoint)
    throw new Error('a simulation without email bodies sends to the in-process SES, not to an emulator');
  const workers = options.workers ?? 1;
  const split = workers > 1 ? partitionScenario(scenario, options, servers, workers) : undefined;
  const result = split
    ? await simulateInParallel(scenario, split, projectCatalog, options)
    : await simulateHere(scenario, projectCatalog, servers, options);
  result.stats.wallMs = Math.round(performance.now() - wallStart);
  const { start, end } = period(scenario);
  result.stats.virtualDays = Math.round((Date.parse(end) - Date.parse(start)) / 86_400_000);
  return result;
}

/** The simulation in this thread, window by window. */
async function simulateHere(
  scenario: Scenario,
  catalog: Catalog,
  servers: SimulationServers,
  options: SimulateOptions,
): Promise<SimulationResult> {
  const events = scenario.events.map((e, index) => ({ ...e, index }));
  const run = await startRun(scenario, events, catalog, servers, options);
  await run.workThrough(options.onProgress);
  return run.finish();
}
