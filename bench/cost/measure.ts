/**
 * Measures what the cost model multiplies: `customers` customers go through the local runtime
 * (the real services, on DynamoDB Local with ReturnConsumedCapacity and the SES v2 emulator) on a
 * virtual clock — each registers, orders, gets the order delivered, answers the NPS question and
 * gets a refund — then every timer of the following 40 days runs and the outbox drains. The
 * runtime's rules, stores and dispatcher are the bench's (bench/run.ts, bench/history.ts); this
 * file only sorts what they do into buckets: per shop event kind, per email, per SES event, per
 * idle sweep.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import { DynamoDBClient, ScanCommand } from '@aws-sdk/client-dynamodb';
import { logSize } from '../../analytics/synthetic/run.ts';
import { JsonLinesSink } from '../../functions/adapters/analytics-jsonl.ts';
import { VirtualClock } from '../../functions/adapters/clock.ts';
import type { CapacityMeter } from '../../functions/adapters/store.ts';
import type { AnalyticsRecord } from '../../functions/analytics/record.ts';
import type { Catalog } from '../../functions/catalog/catalog.ts';
import type { RawEvent } from '../../functions/core/events.ts';
import { LocalRuntime } from '../../local/runtime/runtime.ts';
import { gzippedSize } from '../analytics.ts';
import type { Measured, ShopEventKind, Work } from './bill.ts';
import { measureLogs } from './logs.ts';

const READS = new Set(['GetItem', 'BatchGetItem', 'Query', 'Scan']);
const TABLE = 'cost';
const DAY = 86_400_000;
const iso = (ms: number) => new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
const none = (): Work => ({
  invocations: 0,
  readUnits: 0,
  writeUnits: 0,
  lambdaMs: 0,
  analyticsRecords: 0,
  customEvents: 0,
  customEventBytes: 0,
});

/** Sends every request's reported capacity to the bucket the work in progress belongs to. */
class Buckets implements CapacityMeter {
  current: Work = none();
  requests = 0;
  record(operation: string, units: number | undefined): void {
    this.requests++;
    if (READS.has(operation)) this.current.readUnits += units ?? 0;
    else this.current.writeUnits += units ?? 0;
  }
}

export interface MeasureOptions {
  catalog: Catalog;
  dynamoEndpoint: string;
  sesEndpoint: string;
  customers: number;
  /** Customers whose registration and order go through the real handlers to count log bytes. */
  logCustomers: number;
  progress: (text: string) => void;
}

export interface Measurement extends Measured {
  /** CPU ms this process spent per shop-event invocation (for the memory choice: CPU scales with memory). */
  cpuMsPerInvocation: number;
  emailsSent: number;
}

/** The EventBridge envelope as the bus carries it: what EventBridge bills and the archive keeps. */
const envelopeBytes = (event: Pick<RawEvent, 'source' | 'detailType' | 'time' | 'detail'>) =>
  Buffer.byteLength(
    JSON.stringify({
      version: '0',
      id: '00000000-0000-0000-0000-000000000000',
      'detail-type': event.detailType,
      source: event.source,
      account: '123456789012',
      time: event.time,
      region: 'eu-central-1',
      resources: [],
      detail: event.detail,
    }),
  );

export async function measure(o: MeasureOptions): Promise<Measurement> {
  const dir = await mkdtemp(path.join(tmpdir(), 'cost-analytics-'));
  try {
    return await measureInto(dir, o);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

async function measureInto(dir: string, o: MeasureOptions): Promise<Measurement> {
  const start = Date.parse('2026-01-05T09:00:00Z');
  const clock = new VirtualClock(iso(start));
  const buckets = new Buckets();
  const jsonl = new JsonLinesSink(dir, { writer: 'cost' });
  const runtime = await LocalRuntime.create({
    catalog: o.catalog,
    clock,
    dynamoEndpoint: o.dynamoEndpoint,
    sesEndpoint: o.sesEndpoint,
    env: { TABLE_NAME: TABLE },
    meter: buckets,
    analyticsSink: {
      write(records: readonly AnalyticsRecord[]) {
        buckets.current.analyticsRecords += records.length;
        return jsonl.write(records);
      },
    },
    onPublish: (event) => {
      buckets.current.customEvents++;
      buckets.current.customEventBytes += envelopeBytes(event);
    },
  });

  // Every rule target the runtime hands an event to is one Lambda invocation in AWS; SES's events
  // (the runtime delivers them itself after a drain) are sorted into their own bucket.
  const ses = none();
  let sesEvents = 0;
  // Lambda bills the handlers' own time: the dispatcher's per outbox entry (without the routing of
  // what it publishes, timed as deliveries), each delivery's, the sweeper's — not the local stream
  // poller or the SES emulator's store, which stand in for AWS's side.
  let dispatching = false;
  let nestedMs = 0;
  const dispatcher = runtime.services.dispatcher;
  const dispatch = dispatcher.dispatch.bind(dispatcher);
  dispatcher.dispatch = async (item) => {
    const t0 = performance.now();
    dispatching = true;
    nestedMs = 0;
    try {
      return await dispatch(item);
    } finally {
      dispatching = false;
      buckets.current.lambdaMs += performance.now() - t0 - nestedMs;
    }
  };
  const deliver = runtime.deliver.bind(runtime);
  runtime.deliver = async (event) => {
    const outer = buckets.current;
    if (event.source === 'aws.ses') {
      buckets.current = ses;
      sesEvents++;
    }
    const t0 = performance.now();
    const delivery = await deliver(event);
    const ms = performance.now() - t0;
    buckets.current.lambdaMs += ms;
    if (dispatching) nestedMs += ms;
    buckets.current.invocations += delivery.targets.length;
    buckets.current = outer;
    const failed = delivery.targets.find((t) => t.error || t.outcome?.status === 'rejected');
    if (failed) throw new Error(`${event.detailType}: ${failed.error ?? JSON.stringify(failed.outcome)}`);
    return delivery;
  };

  // An idle sweep: what the one-minute schedule costs before any customer exists.
  const perSweep = none();
  buckets.current = perSweep;
  // The median of several: the first run of a process pays for loading and compiling the code.
  const sweepMs: number[] = [];
  for (let i = 0; i < 7; i++) {
    const sweepStart = performance.now();
    await runtime.services.sweeper.sweep(clock.now());
    sweepMs.push(performance.now() - sweepStart);
  }
  perSweep.readUnits /= sweepMs.length;
  perSweep.writeUnits /= sweepMs.length;
  perSweep.lambdaMs = sweepMs.sort((a, b) => a - b)[3] ?? 0;
  perSweep.invocations = 1;

  const followUp = none();
  let emailsSent = 0;
  const drain = async () => {
    buckets.current = followUp;
    // One entry at a time, so no entry's time includes another's.
    const { outcomes, failures } = await runtime.drainOutbox(5, 1);
    if (failures.length) throw new Error(`outbox dispatch failed: ${failures[0]}`);
    // One dispatcher invocation per stream record: an upper bound, Lambda batches them.
    followUp.invocations += outcomes.length;
    emailsSent += outcomes.filter((x) => x.status === 'sent').length;
  };
  const runUntil = async (until: number) => {
    for (;;) {
      const next = await runtime.nextTimer();
      if (!next || Date.parse(next) > until) break;
      clock.set(iso(Math.max(Date.parse(next), Date.parse(clock.now()))));
      buckets.current = followUp;
      await runtime.pollSesEvents();
      const t0 = performance.now();
      await runtime.services.sweeper.sweep(clock.now());
      followUp.lambdaMs += performance.now() - t0;
      await drain();
    }
    clock.set(iso(until));
  };

  const perEvent = {} as Record<ShopEventKind, Work>;
  let cpuMicros = 0;
  let eventInvocations = 0;
  let eventMs = 0;
  const phase = async (
    kind: ShopEventKind,
    day: number,
    detailType: string,
    detail: (i: number, at: string) => Record<string, unknown>,
  ) => {
    const at = start + day * DAY;
    await runUntil(at);
    const work = none();
    perEvent[kind] = work;
    const cpu = process.cpuUsage();
    for (let i = 0; i < o.customers; i++) {
      o.progress(`measuring: ${detailType} ${i + 1}/${o.customers}`);
      buckets.current = work;
      const event = { source: 'shop', detailType, time: iso(at), detail: detail(i, iso(at)) };
      work.customEvents++;
      work.customEventBytes += envelopeBytes(event);
      await runtime.deliver({ id: `cost-${kind}-${i}`, ...event });
    }
    const used = process.cpuUsage(cpu);
    cpuMicros += used.user + used.system;
    eventInvocations += work.invocations;
    eventMs += work.lambdaMs;
    for (const key of Object.keys(work) as (keyof Work)[]) work[key] /= o.customers;
    await drain();
  };

  const customer = (i: number) => `cost-${i}`;
  const order = (i: number) => `cost-order-${i}`;
  await phase('registrations', 0, 'customer.registered', (i, at) => ({
    customerId: customer(i),
    email: `${customer(i)}@example.com`,
    firstName: 'Sam',
    locale: i % 2 ? 'de-DE' : 'en-GB',
    timeZone: 'Europe/Berlin',
    marketingConsent: true,
    registeredAt: at,
  }));
  await phase('orders', 2, 'order.placed', (i, at) => ({
    orderId: order(i),
    customerId: customer(i),
    placedAt: at,
    total: { amount: '42.00', currency: 'EUR' },
    items: [{ sku: 'SKU-1', name: 'Item', quantity: 1, unitPrice: '42.00' }],
  }));
  await phase('deliveries', 5, 'order.delivered', (i, at) => ({
    orderId: order(i),
    customerId: customer(i),
    deliveredAt: at,
  }));
  await phase('feedback', 15, 'feedback.submitted', (i) => ({
    customerId: customer(i),
    orderId: order(i),
    score: i % 11,
  }));
  await phase('refunds', 20, 'order.refunded', (i) => ({
    orderId: order(i),
    customerId: customer(i),
    amount: '42.00',
    currency: 'EUR',
  }));
  o.progress('measuring: every timer of the next 40 days');
  await runUntil(start + 60 * DAY);
  await drain();

  if (emailsSent === 0)
    throw new Error('the measured customers were sent no email: nothing to price per email');
  const perEmail = { ...followUp };
  for (const key of Object.keys(perEmail) as (keyof Work)[])
    perEmail[key] = (followUp[key] + ses[key]) / emailsSent;
  const perSesEvent = { ...ses };
  for (const key of Object.keys(perSesEvent) as (keyof Work)[]) perSesEvent[key] /= Math.max(1, sesEvents);

  o.progress('measuring: log bytes of the real handlers');
  const logs = await measureLogs(runtime, o.logCustomers, () => clock.now());
  const log = logSize(dir);
  const tableBytes = await scanBytes(o.dynamoEndpoint, 'cost-logs-');
  return {
    source: `${o.customers} customers on DynamoDB Local (ReturnConsumedCapacity) and the SES emulator, virtual clock, 60 days`,
    perEvent,
    perEmail,
    perSesEvent,
    perSweep,
    analyticsRecordBytes: log.bytes / Math.max(1, log.records),
    analyticsCompression: log.bytes ? (await gzippedSize(dir)) / log.bytes : 1,
    logBytesPerInvocation: logs.bytesPerInvocation,
    logCompression: logs.compression,
    tableBytesPerCustomer: tableBytes / o.customers,
    cpuMsPerInvocation: cpuMicros / 1000 / Math.max(1, eventInvocations),
    cpuFraction: Math.min(1, cpuMicros / 1000 / Math.max(1, eventMs)),
    emailsSent,
  };
}

/** The table's bytes by DynamoDB's item-size rules (names + values), read with a full scan. */
async function scanBytes(endpoint: string, skip: string): Promise<number> {
  const client = new DynamoDBClient({
    region: 'eu-central-1',
    endpoint,
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  });
  let bytes = 0;
  let ExclusiveStartKey: Record<string, AttributeValue> | undefined;
  do {
    const page = await client.send(new ScanCommand({ TableName: TABLE, ExclusiveStartKey }));
    for (const item of page.Items ?? []) {
      if (item.PK?.S?.includes(skip)) continue;
      for (const [name, value] of Object.entries(item)) bytes += Buffer.byteLength(name) + valueBytes(value);
    }
    ExclusiveStartKey = page.LastEvaluatedKey;
  } while (ExclusiveStartKey);
  client.destroy();
  return bytes;
}

function valueBytes(value: AttributeValue): number {
  if (value.S !== undefined) return Buffer.byteLength(value.S);
  if (value.N !== undefined) return Math.ceil(value.N.replace(/[-.]/g, '').length / 2) + 1;
  if (value.B !== undefined) return value.B.length;
  if (value.BOOL !== undefined || value.NULL !== undefined) return 1;
  if (value.SS) return value.SS.reduce((n, s) => n + Buffer.byteLength(s), 0);
  if (value.NS) return value.NS.reduce((n, s) => n + Math.ceil(s.length / 2) + 1, 0);
  if (value.L) return 3 + value.L.reduce((n, v) => n + 1 + valueBytes(v), 0);
  if (value.M)
    return 3 + Object.entries(value.M).reduce((n, [k, v]) => n + 1 + Buffer.byteLength(k) + valueBytes(v), 0);
  return 0;
}
