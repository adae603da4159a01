/**
 * `npm run bench [-- --customers 500 --concurrency 16]`: pushes synthetic registrations and orders
 * through the real services (profile projection + every journey the event routes to) against
 * DynamoDB Local, then drains the outbox through the dispatcher into the SES emulator. Prints
 * throughput, DynamoDB requests and consumed capacity per event, and — as the floor measured in the
 * same run on the same machine — bare PutItem throughput, with the ratio. Then the simulator
 * (bench/simulator.ts: a year of a 10,000-customer synthetic shop on the memory table, and 120-day runs
 * with every email rendered and on DynamoDB Local; `--simulator-only`). Then the capacity one
 * `order.placed` costs at a weekly subscriber's first, 100th and 400th order (bench/history.ts;
 * `--history-only`). Then the analytics bars (bench/analytics.ts: the report over a 100,000-customer
 * log against count(*), the log's bytes per shop event; `--analytics-only`). Then module
 * initialisation of each function bundle against a bundle holding only the DynamoDB client
 * (bench/module-init.ts; `--module-init-only`). No timed assertions: the
 * numbers are for people to compare across changes.
 */
import { parseArgs } from 'node:util';
import { DynamoDBClient, PutItemCommand } from '@aws-sdk/client-dynamodb';
import { systemClock } from '../functions/adapters/clock.ts';
import type { CapacityMeter } from '../functions/adapters/store.ts';
import { buildCatalog } from '../functions/catalog/build.ts';
import type { Catalog } from '../functions/catalog/catalog.ts';
import { LocalRuntime } from '../local/runtime/runtime.ts';
import { startDynamoDbLocal } from '../local/servers/dynamodb-local.ts';
import { stopAll } from '../local/servers/processes.ts';
import { startSesEmulator } from '../local/servers/ses-emulator.ts';
import { analyticsBench } from './analytics.ts';
import { historyBench } from './history.ts';
import { type ModuleInitOptions, moduleInitBench } from './module-init.ts';
import { printRows, withStatusLine } from './report.ts';
import { simulatorBench } from './simulator.ts';

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

const { values } = parseArgs({
  options: {
    customers: { type: 'string', default: '300' },
    concurrency: { type: 'string', default: '16' },
    /** Simulator (bench/simulator.ts): customers and days of the year run on the memory table. */
    'sim-customers': { type: 'string', default: '10000' },
    'sim-days': { type: 'string', default: '365' },
    /** Customers of the 120-day runs with every email rendered (memory) and on DynamoDB Local. */
    'sim-rendered-customers': { type: 'string', default: '1000' },
    'sim-dynamo-customers': { type: 'string', default: '100' },
    /** Module initialisation (bench/module-init.ts): fresh processes per bundle, and which SDK build. */
    'init-runs': { type: 'string', default: '7' },
    'init-sdk': { type: 'string', default: 'bundled' },
    /** Only the module-initialisation section (no servers). */
    'module-init-only': { type: 'boolean', default: false },
    /** Only the simulator section. */
    'simulator-only': { type: 'boolean', default: false },
    /** Analytics (issue 9): customers of the directly written log the report is timed over. */
    'report-customers': { type: 'string', default: '100000' },
    /** Analytics: customers of the simulated synthetic shop whose log is measured per shop event. */
    'log-customers': { type: 'string', default: '300' },
    /** Only the analytics section (no DynamoDB Local). */
    'analytics-only': { type: 'boolean', default: false },
    /** Cost per order against history length (bench/history.ts): the orders to report at. */
    'history-orders': { type: 'string', default: '1,100,400' },
    /** Only the history section. */
    'history-only': { type: 'boolean', default: false },
  },
});
const CUSTOMERS = Number(values.customers);
const CONCURRENCY = Number(values.concurrency);
const LOCAL = { region: 'eu-central-1', credentials: { accessKeyId: 'local', secretAccessKey: 'local' } };

class Meter implements CapacityMeter {
  requests = new Map<string, number>();
  capacity = 0;
  reported = 0;
  record(operation: string, units: number | undefined): void {
    this.requests.set(operation, (this.requests.get(operation) ?? 0) + 1);
    if (units !== undefined) {
      this.capacity += units;
      this.reported++;
    }
  }
  total(): number {
    return [...this.requests.values()].reduce((a, b) => a + b, 0);
  }
  reset(): void {
    this.requests.clear();
    this.capacity = 0;
    this.reported = 0;
  }
}

async function pool<T>(items: T[], concurrency: number, work: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < items.length) await work(items[next++] as T);
    }),
  );
}

const progress = (label: string, done: number, total: number) => {
  if (process.stderr.isTTY) process.stderr.write(`\r  ${label} ${done}/${total}`);
};

/** The analytics section (bench/analytics.ts), with the SES emulator `sesEndpoint` for the simulated shop. */
const analyticsRows = (catalog: Catalog, sesEndpoint: string) =>
  withStatusLine((progress) =>
    analyticsBench({
      catalog,
      sesEndpoint,
      reportCustomers: Number(values['report-customers']),
      logCustomers: Number(values['log-customers']),
      progress,
    }),
  );

/** Capacity per order.placed against the customer's history (bench/history.ts), on its own DynamoDB Local. */
const historyRows = (catalog: Catalog, dynamoEndpoint: string, sesEndpoint: string) =>
  withStatusLine((progress) =>
    historyBench({
      catalog,
      dynamoEndpoint,
      sesEndpoint,
      checkpoints: values['history-orders'].split(',').map(Number),
      progress,
    }),
  );

/** The simulator section (bench/simulator.ts). */
const simulatorRows = (catalog: Catalog, sesEndpoint: string) =>
  withStatusLine((progress) =>
    simulatorBench({
      catalog,
      sesEndpoint,
      customers: Number(values['sim-customers']),
      days: Number(values['sim-days']),
      renderedCustomers: Number(values['sim-rendered-customers']),
      dynamoCustomers: Number(values['sim-dynamo-customers']),
      progress,
    }),
  );

/** Module initialisation of each function bundle against a DynamoDB-client-only floor (bench/module-init.ts). */
const moduleInitRows = () =>
  withStatusLine((status) => {
    status('bundling the functions and starting each in fresh processes…');
    return moduleInitBench({
      runs: Number(values['init-runs']),
      sdk: values['init-sdk'] as ModuleInitOptions['sdk'],
    });
  });

async function main(): Promise<void> {
  const { catalog } = await buildCatalog(process.cwd(), { defaultLocale: 'en' });
  if (values['analytics-only']) {
    const ses = await startSesEmulator();
    try {
      printRows(
        `retention-journeys analytics benchmark (Node ${process.version})`,
        await analyticsRows(catalog, ses.endpoint),
      );
    } finally {
      await stopAll();
    }
    return;
  }
  if (values['history-only']) {
    const [dynamo, ses] = await Promise.all([startDynamoDbLocal(), startSesEmulator()]);
    try {
      printRows(
        `retention-journeys history benchmark (Node ${process.version})`,
        await historyRows(catalog, dynamo.endpoint, ses.endpoint),
      );
    } finally {
      await stopAll();
    }
    return;
  }
  if (values['module-init-only']) {
    printRows(`retention-journeys module initialisation (Node ${process.version})`, await moduleInitRows());
    return;
  }
  if (values['simulator-only']) {
    const ses = await startSesEmulator();
    try {
      printRows(
        `retention-journeys simulator benchmark (Node ${process.version})`,
        await simulatorRows(catalog, ses.endpoint),
      );
    } finally {
      await stopAll();
    }
    return;
  }
  process.stderr.write('Starting DynamoDB Local and the SES emulator…\n');
  const [dynamo, ses] = await Promise.all([startDynamoDbLocal(), startSesEmulator()]);
  try {
    // Floor: the same machine's bare PutItem throughput, same concurrency, same server.
    const raw = new DynamoDBClient({ ...LOCAL, endpoint: dynamo.endpoint });
    const meter = new Meter();
    const runtime = await LocalRuntime.create({
      catalog,
      clock: systemClock,
      dynamoEndpoint: dynamo.endpoint,
      sesEndpoint: ses.endpoint,
      env: { TABLE_NAME: 'bench' },
      meter,
    });
    // Warm the JVM first: a cold DynamoDB Local is several times slower and would flatter the ratios.
    await pool(
      Array.from({ length: 300 }, (_, i) => i),
      CONCURRENCY,
      async (i) => {
        await raw.send(
          new PutItemCommand({ TableName: 'bench', Item: { PK: { S: `WARM#${i}` }, SK: { S: 'X' } } }),
        );
      },
    );
    const floorOps = CUSTOMERS * 2;
    const floorStart = performance.now();
    let done = 0;
    await pool(
      Array.from({ length: floorOps }, (_, i) => i),
      CONCURRENCY,
      async (i) => {
        await raw.send(
          new PutItemCommand({
            TableName: 'bench',
            Item: { PK: { S: `FLOOR#${i}` }, SK: { S: 'X' }, payload: { S: 'x'.repeat(200) } },
          }),
        );
        if (++done % 50 === 0) progress('floor PutItem', done, floorOps);
      },
    );
    const floorSeconds = (performance.now() - floorStart) / 1000;
    const floorRate = floorOps / floorSeconds;

    // The real path: registration, then an order, per customer.
    const events = Array.from({ length: CUSTOMERS }, (_, i) => i).flatMap((i) => [
      {
        id: `bench-reg-${i}`,
        source: 'shop',
        detailType: 'customer.registered',
        time: systemClock.now(),
        detail: {
          customerId: `bench-${i}`,
          email: `bench-${i}@example.com`,
          firstName: 'Bench',
          locale: i % 2 ? 'de-DE' : 'en-GB',
          timeZone: 'Europe/Berlin',
          marketingConsent: true,
        },
      },
    ]);
    const orders = Array.from({ length: CUSTOMERS }, (_, i) => ({
      id: `bench-order-${i}`,
      source: 'shop',
      detailType: 'order.placed',
      time: systemClock.now(),
      detail: {
        orderId: `bench-o-${i}`,
        customerId: `bench-${i}`,
        placedAt: systemClock.now(),
        total: { amount: '42.00', currency: 'EUR' },
      },
    }));
    const all = [...events, ...orders];
    meter.reset();
    const start = performance.now();
    done = 0;
    let invocations = 0;
    await pool(all, CONCURRENCY, async (event) => {
      // Stamped at delivery: an order stamped before its customer entered would count as "before entry".
      const now = systemClock.now();
      const delivery = await runtime.deliver({
        ...event,
        time: now,
        detail: 'placedAt' in event.detail ? { ...event.detail, placedAt: now } : event.detail,
      });
      invocations += delivery.targets.length;
      const failed = delivery.targets.find((t) => t.error || t.outcome?.status === 'rejected');
      if (failed) throw new Error(`${event.id}: ${failed.error ?? JSON.stringify(failed.outcome)}`);
      if (++done % 50 === 0) progress('events', done, all.length);
    });
    const eventSeconds = (performance.now() - start) / 1000;
    const eventRequests = meter.total();
    const eventRequestMix = Object.fromEntries(meter.requests);
    const eventCapacity = meter.capacity;
    const capacityReported = meter.reported > 0;

    meter.reset();
    const dispatchStart = performance.now();
    const { outcomes } = await runtime.drainOutbox();
    const dispatchSeconds = (performance.now() - dispatchStart) / 1000;
    const emails = outcomes.filter((o) => o.status === 'sent').length;
    const published = outcomes.filter((o) => o.status === 'published').length;
    if (process.stderr.isTTY) process.stderr.write('\r\u001b[2K');

    const rate = all.length / eventSeconds;
    const rows: [string, string][] = [
      [
        'customers × events',
        `${CUSTOMERS} × 2 = ${all.length} shop events (${invocations} handler invocations)`,
      ],
      ['concurrency', String(CONCURRENCY)],
      [
        'floor: bare PutItem',
        `${floorRate.toFixed(0)} writes/s (${floorOps} in ${floorSeconds.toFixed(2)} s)`,
      ],
      ['shop events', `${rate.toFixed(0)} events/s (${eventSeconds.toFixed(2)} s)`],
      [
        'ratio events/s ÷ PutItem/s',
        `${(rate / floorRate).toFixed(2)}  (one event = ${(eventRequests / all.length).toFixed(2)} DynamoDB requests)`,
      ],
      [
        'DynamoDB requests per event',
        `${(eventRequests / all.length).toFixed(2)}  ${JSON.stringify(eventRequestMix)}`,
      ],
      [
        'consumed capacity per event',
        capacityReported
          ? `${(eventCapacity / all.length).toFixed(2)} capacity units (RCU + WCU, as reported by ReturnConsumedCapacity)`
          : 'not reported by this DynamoDB Local build',
      ],
      [
        'outbox dispatch',
        `${emails} emails + ${published} events in ${dispatchSeconds.toFixed(2)} s (${((emails + published) / dispatchSeconds).toFixed(0)} entries/s), ${(meter.total() / Math.max(1, emails + published)).toFixed(2)} DynamoDB requests per entry`,
      ],
    ];
    // The simulator (bench/simulator.ts): a year of the synthetic shop on the memory table, the
    // rendered run, and DynamoDB Local on a fresh JVM — the handler benchmark's tables and streams
    // slow every later request of the same JVM several-fold.
    await dynamo.stop();
    rows.push(...(await simulatorRows(catalog, ses.endpoint)));

    // Cost per order against the customer's history, on a fresh DynamoDB Local of its own.
    const historyDynamo = await startDynamoDbLocal();
    rows.push(...(await historyRows(catalog, historyDynamo.endpoint, ses.endpoint)));
    await historyDynamo.stop();

    rows.push(...(await analyticsRows(catalog, ses.endpoint)));
    rows.push(...(await moduleInitRows()));

    printRows(
      `retention-journeys benchmark (DynamoDB Local ${dynamo.endpoint}, Node ${process.version})`,
      rows,
    );
  } finally {
    await stopAll();
  }
}

main().catch(async (error) => {
  process.stderr.write(`benchmark failed: ${error instanceof Error ? error.stack : String(error)}\n`);
  await stopAll().catch(() => undefined);
  process.exit(1);
});
