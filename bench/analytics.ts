/**
 * The analytics bars of issue 9, for `npm run bench`: the report over a 100,000-customer, 12-month
 * log (≥ 500,000 records, written directly as JSON Lines) timed against a bare `count(*)` over the
 * same files in the same run; and the log's size per shop event, measured on the synthetic shop's
 * simulated log, with the monthly S3 / Firehose / Athena volume it means at 100,000 customers.
 */
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { timeReport } from '../analytics/bench.ts';
import { writeBulkLog } from '../analytics/synthetic/bulk-log.ts';
import { runSyntheticShop } from '../analytics/synthetic/run.ts';
import type { Catalog } from '../functions/catalog/catalog.ts';

/** Firehose bills each record rounded up to the next 5 KB (one analytics record = one Firehose record). */
const FIREHOSE_BILLED_RECORD_BYTES = 5 * 1024;
/**
 * List prices (us-east-1, USD) for the cost estimate; check the pricing pages for your region:
 * Firehose Direct PUT ingestion per GB (first 500 TB/month), its JSON→Parquet conversion per GB,
 * S3 Standard per GB-month, Athena per TB scanned.
 */
const PRICE = { firehosePerGb: 0.029, conversionPerGb: 0.018, s3PerGbMonth: 0.023, athenaPerTb: 5 };
const GB = 1024 ** 3;

export interface AnalyticsBenchOptions {
  catalog: Catalog;
  sesEndpoint: string;
  /** Customers in the directly written log the report runs over. */
  reportCustomers: number;
  /** Customers of the simulated synthetic shop whose log is measured per shop event. */
  logCustomers: number;
  progress: (text: string) => void;
}

const seconds = (since: number) => (performance.now() - since) / 1000;

export async function analyticsBench(o: AnalyticsBenchOptions): Promise<[string, string][]> {
  const rows: [string, string][] = [];
  const dir = await mkdtemp(path.join(tmpdir(), 'bench-analytics-'));
  try {
    o.progress(`writing a ${o.reportCustomers}-customer, 12-month analytics log…`);
    const writeStart = performance.now();
    const log = writeBulkLog(dir, { customers: o.reportCustomers, seed: 1 });
    rows.push([
      'analytics log (direct JSON Lines)',
      `${o.reportCustomers} customers × 12 months: ${log.records} records, ${(log.bytes / 1e6).toFixed(0)} MB in ${log.partitions} dt= partitions (written in ${seconds(writeStart).toFixed(1)} s)`,
    ]);

    o.progress('count(*), then the report over the log…');
    // The kpis' own timing (analytics/bench.ts): count(*) on the view, then load + every query.
    const t = await timeReport(dir, { from: '2026-01-01', to: '2027-01-01', period: 'month' });
    rows.push(
      [
        'floor: bare count(*)',
        `${(t.countMs / 1000).toFixed(2)} s (${t.records} rows, DuckDB over the same files)`,
      ],
      [
        'report (12 months, monthly)',
        `${(t.reportMs / 1000).toFixed(2)} s (loading the log into memory and every query); goal < 10 s`,
      ],
      ['ratio report ÷ count(*)', `${t.ratio.toFixed(1)}×`],
    );
  } finally {
    await rm(dir, { recursive: true, force: true });
  }

  // Bytes per shop event: the simulated synthetic shop (every journey), its log as written.
  const shopDir = await mkdtemp(path.join(tmpdir(), 'bench-shop-log-'));
  try {
    const simStart = performance.now();
    const run = await runSyntheticShop({
      customers: o.logCustomers,
      seed: 1,
      catalog: o.catalog,
      sesEndpoint: o.sesEndpoint,
      dir: shopDir,
      onProgress: (at) => o.progress(`synthetic shop (${o.logCustomers} customers), ${at.slice(0, 10)}`),
    });
    const gzipped = await gzippedSize(shopDir);
    const perEvent = run.log.bytes / run.shopEvents;
    const recordsPerEvent = run.log.records / run.shopEvents;
    rows.push([
      'log per shop event',
      `${perEvent.toFixed(0)} bytes JSON Lines (${(gzipped / run.shopEvents).toFixed(0)} gzipped), ${recordsPerEvent.toFixed(2)} records (${(run.log.bytes / run.log.records).toFixed(0)} bytes each) — synthetic shop, ${o.logCustomers} customers, every journey: ${run.shopEvents} shop events, ${run.result.emails.length} emails, ${run.log.records} records, simulated in ${seconds(simStart).toFixed(0)} s`,
    ]);
    // Scaled to 100,000 customers by the synthetic shop's own rate of shop events per month a customer
    // is registered (its customers join through the year, so per customer of the year would undercount).
    const end = Date.parse(run.shop.scenario.start) + 365 * 86_400_000;
    const customerMonths = run.shop.customers.reduce(
      (sum, c) => sum + (end - Date.parse(c.registeredAt)) / (30.4375 * 86_400_000),
      0,
    );
    const eventsPerMonth = (run.shopEvents / customerMonths) * 100_000;
    const recordsPerMonth = eventsPerMonth * recordsPerEvent;
    const rawGb = (eventsPerMonth * perEvent) / GB;
    const billedGb = (recordsPerMonth * FIREHOSE_BILLED_RECORD_BYTES) / GB;
    const storedGb = (eventsPerMonth * gzipped) / run.shopEvents / GB;
    const cost = {
      firehose: billedGb * (PRICE.firehosePerGb + PRICE.conversionPerGb),
      s3: storedGb * 25 * PRICE.s3PerGbMonth,
      athena: ((storedGb * 25) / 1024) * PRICE.athenaPerTb,
    };
    rows.push(
      [
        'volume at 100,000 customers',
        `${(run.shopEvents / customerMonths).toFixed(2)} shop events per customer-month → ${(eventsPerMonth / 1e6).toFixed(2)} M shop events/month → ${(recordsPerMonth / 1e6).toFixed(2)} M records, ${rawGb.toFixed(2)} GB JSON (${storedGb.toFixed(2)} GB gzipped; Parquet is smaller still)`,
      ],
      [
        '  Firehose',
        `${billedGb.toFixed(1)} GB/month billed (each record rounded up to 5 KB) ≈ $${cost.firehose.toFixed(2)}/month with Parquet conversion`,
      ],
      [
        '  S3 + Athena',
        `after 25 months ≤ ${(storedGb * 25).toFixed(1)} GB stored ≈ $${cost.s3.toFixed(2)}/month; a report scanning all of it ≤ $${cost.athena.toFixed(3)} (list prices: ${JSON.stringify(PRICE)})`,
      ],
    );
  } finally {
    await rm(shopDir, { recursive: true, force: true });
  }
  return rows;
}

export async function gzippedSize(dir: string): Promise<number> {
  let total = 0;
  for (const entry of await readdir(dir, { recursive: true, withFileTypes: true })) {
    if (entry.isFile() && entry.name.endsWith('.jsonl'))
      total += gzipSync(await readFile(path.join(entry.parentPath, entry.name))).length;
  }
  return total;
}
