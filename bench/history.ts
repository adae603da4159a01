/**
 * Cost per event against the length of a customer's history (issue 13): one customer who registers
 * and then orders every week — a coffee subscriber — through the local runtime on DynamoDB Local,
 * on a virtual clock. Each order is delivered two days later and every timer in between runs (the
 * post-purchase series, goals, win-back watching), so the partition holds what years of real use
 * leave there. Prints the capacity units DynamoDB reports (ReturnConsumedCapacity) for handling one
 * `order.placed` — profile projection and every journey the event routes to — at the first order and
 * at later ones; the first order is the floor. `npm run bench -- --history-only` runs just this.
 */

import { VirtualClock } from '../functions/adapters/clock.ts';
import type { CapacityMeter } from '../functions/adapters/store.ts';
import type { Catalog } from '../functions/catalog/catalog.ts';
import { LocalRuntime } from '../local/runtime/runtime.ts';

class CapacityTally implements CapacityMeter {
  units = 0;
  requests = 0;
  /** Per operation: requests and the capacity units reported for them. */
  byOperation = new Map<string, { requests: number; units: number }>();
  record(operation: string, units: number | undefined): void {
    this.requests++;
    this.units += units ?? 0;
    const op = this.byOperation.get(operation) ?? { requests: 0, units: 0 };
    this.byOperation.set(operation, { requests: op.requests + 1, units: op.units + (units ?? 0) });
  }
  snapshot(): Sample {
    const byOperation = new Map([...this.byOperation].map(([k, v]) => [k, { ...v }]));
    return { units: this.units, requests: this.requests, byOperation };
  }
}

interface Sample {
  units: number;
  requests: number;
  byOperation: Map<string, { requests: number; units: number }>;
}

const since = (after: Sample, before: Sample): Sample => ({
  units: after.units - before.units,
  requests: after.requests - before.requests,
  byOperation: new Map(
    [...after.byOperation].map(([op, { requests, units }]) => {
      const was = before.byOperation.get(op) ?? { requests: 0, units: 0 };
      return [op, { requests: requests - was.requests, units: units - was.units }];
    }),
  ),
});

export interface HistoryBenchOptions {
  catalog: Catalog;
  dynamoEndpoint: string;
  sesEndpoint: string;
  /** The order numbers to report (1-based); the largest is how many orders are placed. */
  checkpoints: number[];
  progress?: (text: string) => void;
}

const WEEK = 7 * 86_400_000;
const DAY = 86_400_000;
const iso = (ms: number) => new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');

export async function historyBench(options: HistoryBenchOptions): Promise<[string, string][]> {
  const start = Date.parse('2020-01-06T09:00:00Z');
  const clock = new VirtualClock(iso(start));
  const meter = new CapacityTally();
  const runtime = await LocalRuntime.create({
    catalog: options.catalog,
    clock,
    dynamoEndpoint: options.dynamoEndpoint,
    sesEndpoint: options.sesEndpoint,
    env: { TABLE_NAME: 'bench-history' },
    meter,
  });
  const customerId = 'subscriber';
  let seq = 0;
  const deliver = async (detailType: string, time: string, detail: Record<string, unknown>) => {
    const delivery = await runtime.deliver({
      id: `history-${++seq}`,
      source: 'shop',
      detailType,
      time,
      detail: { customerId, ...detail },
    });
    const failed = delivery.targets.find((t) => t.error || t.outcome?.status === 'rejected');
    if (failed) throw new Error(`${detailType}: ${failed.error ?? JSON.stringify(failed.outcome)}`);
  };
  /** Runs every timer due up to `until`, dispatching what they send, then moves the clock there. */
  const runUntil = async (until: number) => {
    for (;;) {
      const next = await runtime.nextTimer();
      if (!next || Date.parse(next) > until) break;
      clock.set(iso(Math.max(Date.parse(next), Date.parse(clock.now()))));
      await runtime.sweep();
      await runtime.drainOutbox();
    }
    clock.set(iso(until));
  };

  await deliver('customer.registered', iso(start), {
    email: 'subscriber@example.com',
    firstName: 'Sam',
    locale: 'de-DE',
    timeZone: 'Europe/Berlin',
    marketingConsent: true,
  });
  await runtime.drainOutbox();
  const orders = Math.max(...options.checkpoints);
  const measured = new Map<number, Sample>();
  for (let n = 1; n <= orders; n++) {
    const placedAt = start + n * WEEK;
    await runUntil(placedAt);
    const before = meter.snapshot();
    await deliver('order.placed', iso(placedAt), {
      orderId: `order-${n}`,
      placedAt: iso(placedAt),
      total: { amount: '24.90', currency: 'EUR' },
    });
    measured.set(n, since(meter.snapshot(), before));
    await runtime.drainOutbox();
    await runUntil(placedAt + 2 * DAY);
    await deliver('order.delivered', iso(placedAt + 2 * DAY), {
      orderId: `order-${n}`,
      deliveredAt: iso(placedAt + 2 * DAY),
    });
    await runtime.drainOutbox();
    options.progress?.(`history: order ${n}/${orders}`);
  }
  const first = measured.get(1) as Sample;
  return options.checkpoints.map((n) => {
    const m = measured.get(n) as Sample;
    // DynamoDB Local reports no capacity for BatchGetItem: its requests are shown, not priced.
    const mix = [...m.byOperation]
      .filter(([, { requests }]) => requests > 0)
      .map(([op, { requests, units }]) => `${requests} ${op} ${units.toFixed(1)}`)
      .join(', ');
    return [
      `order.placed at order #${n}`,
      `${m.units.toFixed(1)} capacity units in ${m.requests} requests (${mix})${
        n === 1 ? ', the floor: a first order' : `: ${(m.units / first.units).toFixed(2)}× the first order`
      }`,
    ];
  });
}
