/**
 * The simulator's figures (issue 13): the synthetic shop (bench/scenario.ts, every journey) simulated
 * on the memory table with the in-process SES and no email bodies — what `journeys backtest` runs —
 * per customer-year and for 10,000 customers × 365 days (bar: under 60 s); the same shop as
 * `journeys simulate --store memory` runs it (every email rendered, 1,000 × 120 days, the figure
 * before); and on DynamoDB Local with the SES emulator. The floor, measured in the same run: the
 * memory table's bare PutItem rate, for the table requests a simulated customer makes.
 *
 * The year runs over every core (worker threads, local/simulate/parallel.ts); the per-customer-year
 * figure is also measured in one thread on `--single-thread-customers` of the same shop, so it stays
 * comparable with the figures before workers.
 *
 * `npx tsx bench/simulator.ts [--customers 10000 --days 365 --workers N --single-thread-customers 1000
 * --rendered-customers 1000 --dynamo-customers 100]` runs this section alone; bench/run.ts calls
 * `simulatorBench`.
 */
import { availableParallelism } from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { PutCommand } from '@aws-sdk/lib-dynamodb';
import type { CapacityMeter } from '../functions/adapters/store.ts';
import { createTableInput } from '../functions/adapters/table-schema.ts';
import { buildCatalog } from '../functions/catalog/build.ts';
import type { Catalog } from '../functions/catalog/catalog.ts';
import { MemoryTables } from '../local/memory-table/table.ts';
import { startDynamoDbLocal } from '../local/servers/dynamodb-local.ts';
import { stopAll } from '../local/servers/processes.ts';
import { startSesEmulator } from '../local/servers/ses-emulator.ts';
import { simulate } from '../local/simulate/index.ts';
import { printRows, type Row, withStatusLine } from './report.ts';
import { syntheticScenario } from './scenario.ts';

/** The bar of issue 13: a 10,000-customer × 365-day run on the memory table, in seconds. */
const BAR_SECONDS = 60;

class RequestCounter implements CapacityMeter {
  requests = 0;
  record(): void {
    this.requests++;
  }
}

export interface SimulatorBenchOptions {
  catalog: Catalog;
  /** The SES emulator, for the runs that send to it (rendered, DynamoDB Local). */
  sesEndpoint: string;
  /** Customers and days of the year run (memory table, in-process SES, no bodies). @default 10000, 365 */
  customers?: number;
  days?: number;
  /** Worker threads of the year's run (simulate's `workers`). @default every core */
  workers?: number;
  /**
   * Customers of the same year run in one thread, for the per-customer-year figure that stays
   * comparable across machines and with the figures before workers; 0 skips it. @default 1000
   */
  singleThreadCustomers?: number;
  /** Customers of the run as `journeys simulate --store memory` does it (120 days). @default 1000 */
  renderedCustomers?: number;
  /** Customers on DynamoDB Local (120 days); 0 skips it. @default 100 */
  dynamoCustomers?: number;
  progress?: (text: string) => void;
}

/** The memory table's bare PutItem rate: `count` puts of a 200-byte item, one at a time. */
async function memoryPutFloor(count: number): Promise<number> {
  const memory = new MemoryTables();
  memory.createTable(createTableInput('floor'));
  const started = performance.now();
  for (let i = 0; i < count; i++)
    await memory.send(
      new PutCommand({ TableName: 'floor', Item: { PK: `FLOOR#${i}`, SK: 'X', payload: 'x'.repeat(200) } }),
    );
  return count / ((performance.now() - started) / 1000);
}

export async function simulatorBench(options: SimulatorBenchOptions): Promise<Row[]> {
  const { catalog, sesEndpoint } = options;
  const customers = options.customers ?? 10_000;
  const days = options.days ?? 365;
  const rows: Row[] = [];
  const run = async (
    label: string,
    count: number,
    runDays: number,
    servers: Parameters<typeof simulate>[2],
    bodies: boolean,
    workers = 1,
  ) => {
    const scenario = syntheticScenario(count, runDays);
    const meter = new RequestCounter();
    const started = performance.now();
    const result = await simulate(scenario, catalog, servers, {
      tableName: 'bench-simulation',
      meter,
      bodies,
      workers,
      onProgress: (at) =>
        options.progress?.(
          `${label}: ${count} customers, day ${Math.round((Date.parse(at) - Date.parse(scenario.start)) / 86_400_000)}/${runDays}`,
        ),
    });
    const seconds = (performance.now() - started) / 1000;
    if (result.errors.length) throw new Error(`${label}: ${result.errors.length} handler errors`);
    return { scenario, result, seconds, requests: meter.requests / count };
  };

  // The year: what `journeys backtest` runs, over every core (`--sim-customers 0` leaves it out).
  const workers = options.workers ?? availableParallelism();
  let yearMsPerCustomer: number | undefined;
  if (customers > 0) {
    const year = await run(
      `memory, no bodies, ${workers} worker(s)`,
      customers,
      days,
      { memory: new MemoryTables() },
      false,
      workers,
    );
    yearMsPerCustomer = (year.seconds * 1000) / customers;
    // Per customer-year in one thread: comparable with the figures before workers, and across machines.
    const singleCustomers =
      workers === 1 ? customers : Math.min(options.singleThreadCustomers ?? 1000, customers);
    const single =
      workers === 1
        ? year
        : singleCustomers > 0
          ? await run(
              'memory, no bodies, one thread',
              singleCustomers,
              days,
              { memory: new MemoryTables() },
              false,
            )
          : undefined;
    const floorRate = await memoryPutFloor(Math.max(10_000, Math.round(year.requests * 1000)));
    const perCustomerYear = (r: typeof year, count: number) => ((r.seconds * 1000) / count) * (365 / days);
    rows.push(
      [
        'simulator, memory table, in-process SES, no bodies',
        `${customers} customers × ${days} days on ${workers} worker thread(s) (${year.scenario.events.length} events, ${year.result.emails.length} emails, ${year.result.events.length} emitted) in ${year.seconds.toFixed(1)} s`,
      ],
      [
        '  per customer-year, one thread',
        single
          ? `${perCustomerYear(single, singleCustomers).toFixed(2)} ms (${singleCustomers} customers × ${days} days in ${single.seconds.toFixed(1)} s), ${year.requests.toFixed(1)} table requests (floor: bare memory-table PutItem ${Math.round(floorRate)}/s, so those requests alone ${((year.requests / floorRate) * 1000).toFixed(2)} ms)`
          : 'not run (--single-thread-customers 0)',
      ],
      [
        `  per customer-year, ${workers} worker(s)`,
        `${perCustomerYear(year, customers).toFixed(2)} ms of wall time`,
      ],
    );
    if (customers === 10_000 && days === 365)
      rows.push([
        `  bar: 10,000 × 365 under ${BAR_SECONDS} s`,
        `${year.seconds.toFixed(1)} s on ${workers} worker(s) — ${year.seconds < BAR_SECONDS ? 'met' : 'NOT met'}`,
      ]);
  }

  // As `journeys simulate --store memory` runs: every email rendered (the figure issue 13 started from).
  const renderedCustomers = options.renderedCustomers ?? 1000;
  if (renderedCustomers > 0) {
    const rendered = await run(
      'memory, rendered',
      renderedCustomers,
      120,
      { memory: new MemoryTables() },
      true,
    );
    rows.push(
      [
        'simulator, memory table, every email rendered',
        `${renderedCustomers} customers × 120 days (${rendered.result.emails.length} emails) in ${rendered.seconds.toFixed(1)} s`,
      ],
      [
        '  per customer',
        `${((rendered.seconds * 1000) / renderedCustomers).toFixed(1)} ms${yearMsPerCustomer === undefined ? '' : ` (no bodies: ${yearMsPerCustomer.toFixed(1)} ms for ${days} days)`}`,
      ],
    );
  }

  // DynamoDB Local and the SES emulator, as the scenario tests run: a fresh JVM (see bench/run.ts).
  const dynamoCustomers = options.dynamoCustomers ?? 100;
  if (dynamoCustomers > 0) {
    const dynamo = await startDynamoDbLocal();
    try {
      const onDynamo = await run(
        'DynamoDB Local',
        dynamoCustomers,
        120,
        { dynamoEndpoint: dynamo.endpoint, sesEndpoint },
        true,
      );
      rows.push(
        [
          'simulator on DynamoDB Local + SES emulator',
          `${dynamoCustomers} customers × 120 days (${onDynamo.result.emails.length} emails) in ${onDynamo.seconds.toFixed(1)} s`,
        ],
        [
          '  per customer',
          `${((onDynamo.seconds * 1000) / dynamoCustomers).toFixed(1)} ms, ${onDynamo.requests.toFixed(1)} table requests`,
        ],
      );
    } finally {
      await dynamo.stop();
    }
  }
  return rows;
}

// `tsx bench/simulator.ts`: this section alone.
if (process.argv[1] && path.resolve(process.argv[1]) === path.resolve(import.meta.filename)) {
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
  const { values } = parseArgs({
    options: {
      customers: { type: 'string', default: '10000' },
      days: { type: 'string', default: '365' },
      'rendered-customers': { type: 'string', default: '1000' },
      'dynamo-customers': { type: 'string', default: '100' },
      workers: { type: 'string', default: String(availableParallelism()) },
      'single-thread-customers': { type: 'string', default: '1000' },
    },
  });
  const { catalog } = await buildCatalog(process.cwd(), { defaultLocale: 'en' });
  const ses = await startSesEmulator();
  try {
    const rows = await withStatusLine((progress) =>
      simulatorBench({
        catalog,
        sesEndpoint: ses.endpoint,
        customers: Number(values.customers),
        days: Number(values.days),
        workers: Number(values.workers),
        singleThreadCustomers: Number(values['single-thread-customers']),
        renderedCustomers: Number(values['rendered-customers']),
        dynamoCustomers: Number(values['dynamo-customers']),
        progress,
      }),
    );
    printRows(`retention-journeys simulator benchmark (Node ${process.version})`, rows);
  } finally {
    await stopAll();
  }
}
