/**
 * The cost model: measured figures × a shop profile × resource counts from the synthesised stack ×
 * list prices → a month's line items. Pure (no I/O, no clock), so the arithmetic is unit-tested
 * apart from the measuring (bench/cost/measure.ts) and the synthesis (bench/cost/synth.ts).
 */
import type { Prices } from './prices.ts';
import type { ShopProfile } from './profile.ts';

export const SHOP_EVENTS = ['registrations', 'orders', 'deliveries', 'refunds', 'feedback'] as const;
export type ShopEventKind = (typeof SHOP_EVENTS)[number];

/** What one unit of work costs in the services billed by use, as measured. */
export interface Work {
  /** Lambda invocations (each rule target, stream batch or SES event handler run). */
  invocations: number;
  readUnits: number;
  writeUnits: number;
  /** Lambda time in ms over all those invocations. */
  lambdaMs: number;
  analyticsRecords: number;
  /**
   * Custom events put on the journeys bus, the shop's own event included (EventBridge bills each;
   * AWS service events such as SES's are free).
   */
  customEvents: number;
  /** Bytes of those events, which the bus's archive keeps. */
  customEventBytes: number;
}

export interface Measured {
  /** Where the figures come from, printed with the bill. */
  source: string;
  perEvent: Record<ShopEventKind, Work>;
  /** Everything after the shop events, per email: timers, dispatch, SES's Send/Delivery, system events. */
  perEmail: Work;
  /** One more SES event (an open or a click) on its way through the SES-events function and the log. */
  perSesEvent: Work;
  /** One sweeper run with nothing due (the schedule runs it every minute). */
  perSweep: Work;
  analyticsRecordBytes: number;
  /** Compressed ÷ raw size of the analytics log (gzip; Parquet is smaller still). */
  analyticsCompression: number;
  /** Bytes the handlers write to CloudWatch Logs per invocation (log lines and embedded metrics). */
  logBytesPerInvocation: number;
  /** Compressed ÷ raw size of those log lines: CloudWatch bills stored logs compressed. */
  logCompression: number;
  /**
   * Share of the measured Lambda time this process spent on the CPU (the rest waits for DynamoDB
   * and SES). Lambda gives a function CPU in proportion to its memory, a whole vCPU at 1,769 MB.
   */
  cpuFraction: number;
  /** DynamoDB bytes a customer keeps (their items after the measured month). */
  tableBytesPerCustomer: number;
}

/** What the synthesised stack holds, and the metric series its code can emit (bench/cost/synth.ts). */
export interface Counts {
  lambdaMemoryMb: number;
  /** Whether Lambda writes its platform records (START, REPORT) at INFO into the log groups. */
  platformLogs: boolean;
  tracedFunctions: number;
  functions: number;
  /** Custom metric series published in a healthy hour (each billed per hour it is published). */
  steadyMetricSeries: number;
  alarmMetrics: number;
  compositeAlarms: number;
  dashboards: number;
  kmsKeys: number;
  secrets: number;
  logRetentionDays: number;
  archiveRetentionDays: number;
  analyticsRetentionMonths: number;
}

/** Figures the model needs but cannot measure here, each stated with its reason. */
export interface Assumptions {
  /** Lambda's own `platform.start` and `platform.report` JSON records per invocation. */
  platformLogBytesPerInvocation: number;
  /** X-Ray's default sampling rule: the first request each second, then 5 %. */
  xrayReservoirPerSecond: number;
  xrayFixedRate: number;
  /** Queries of the monthly report, each scanning the whole retained log at most. */
  reportQueries: number;
  /** Firehose writes one S3 object per buffer interval (15 minutes). */
  s3PutsPerMonth: number;
}

export const SECONDS_PER_MONTH = 30.4375 * 86_400;
export const SWEEPS_PER_MONTH = SECONDS_PER_MONTH / 60;
const GB = 1024 ** 3;
const FIREHOSE_RECORD_BYTES = 5 * 1024;

export interface LineItem {
  service: string;
  item: string;
  quantity: number;
  unit: string;
  usd: number;
  /** Which measured figure or synthesised count the quantity comes from. */
  source: string;
}

export interface Bill {
  customers: number;
  items: LineItem[];
  /** Every item but SES's per-email fee. */
  total: number;
  sesPerEmail: number;
}

const scaled = (work: Work, times: number): Work => ({
  invocations: work.invocations * times,
  readUnits: work.readUnits * times,
  writeUnits: work.writeUnits * times,
  lambdaMs: work.lambdaMs * times,
  analyticsRecords: work.analyticsRecords * times,
  customEvents: work.customEvents * times,
  customEventBytes: work.customEventBytes * times,
});

const sum = (works: readonly Work[]): Work =>
  works.reduce(
    (a, b) => ({
      invocations: a.invocations + b.invocations,
      readUnits: a.readUnits + b.readUnits,
      writeUnits: a.writeUnits + b.writeUnits,
      lambdaMs: a.lambdaMs + b.lambdaMs,
      analyticsRecords: a.analyticsRecords + b.analyticsRecords,
      customEvents: a.customEvents + b.customEvents,
      customEventBytes: a.customEventBytes + b.customEventBytes,
    }),
    scaled(works[0] ?? ({} as Work), 0),
  );

/** The month's work for `customers` customers of `profile`, by driver. */
export function monthlyWork(customers: number, profile: ShopProfile, measured: Measured) {
  const emails = customers * profile.emails;
  const drivers = {
    ...Object.fromEntries(
      SHOP_EVENTS.map((kind) => [kind, scaled(measured.perEvent[kind], customers * profile[kind])]),
    ),
    emails: scaled(measured.perEmail, emails),
    opensAndClicks: scaled(measured.perSesEvent, emails * (profile.opensPerEmail + profile.clicksPerEmail)),
    sweeps: scaled(measured.perSweep, SWEEPS_PER_MONTH),
  } as Record<ShopEventKind | 'emails' | 'opensAndClicks' | 'sweeps', Work>;
  return { drivers, total: sum(Object.values(drivers)), emails };
}

export function bill(
  customers: number,
  profile: ShopProfile,
  measured: Measured,
  counts: Counts,
  prices: Prices,
  assumptions: Assumptions,
): Bill {
  const { total: work, emails } = monthlyWork(customers, profile, measured);
  const items: LineItem[] = [];
  const add = (service: string, item: string, quantity: number, unit: string, usd: number, source: string) =>
    items.push({ service, item, quantity, unit, usd, source });
  const m = 'measured';

  add(
    'DynamoDB',
    'write request units',
    work.writeUnits,
    'WRU',
    work.writeUnits * prices.dynamoWriteRequestUnit.usd,
    `${m}: capacity per event, email, SES event and sweep`,
  );
  add(
    'DynamoDB',
    'read request units',
    work.readUnits,
    'RRU',
    work.readUnits * prices.dynamoReadRequestUnit.usd,
    `${m}: capacity per event, email, SES event and sweep`,
  );
  const tableGb = (customers * measured.tableBytesPerCustomer) / GB;
  add(
    'DynamoDB',
    'storage',
    tableGb,
    'GB-month',
    tableGb * prices.dynamoStorage.usd,
    `${m}: bytes per customer after a month`,
  );

  add(
    'Lambda',
    'requests',
    work.invocations,
    'invocations',
    work.invocations * prices.lambdaRequest.usd,
    `${m}: invocations per event, email, SES event; one per sweep`,
  );
  const gbSeconds =
    lambdaSeconds(work.lambdaMs, measured.cpuFraction, counts.lambdaMemoryMb) *
    (counts.lambdaMemoryMb / 1024);
  add(
    'Lambda',
    `duration at ${counts.lambdaMemoryMb} MB`,
    gbSeconds,
    'GB-s',
    gbSeconds * prices.lambdaGbSecondArm.usd,
    `${m}: ms per invocation × synthesised memory`,
  );

  add(
    'EventBridge',
    'custom events',
    work.customEvents,
    'events',
    work.customEvents * prices.eventBridgeCustomEvent.usd,
    `${m}: the shop event itself + system events published`,
  );
  const archivedGb = work.customEventBytes / GB;
  add(
    'EventBridge',
    'archive: events archived',
    archivedGb,
    'GB',
    archivedGb * prices.eventBridgeArchive.usd,
    `${m}: bytes per event`,
  );
  const archiveStoredGb = archivedGb * (counts.archiveRetentionDays / 30.4375);
  add(
    'EventBridge',
    `archive: ${counts.archiveRetentionDays} days kept`,
    archiveStoredGb,
    'GB-month',
    archiveStoredGb * prices.eventArchiveStorage.usd,
    `synthesised: archive retention`,
  );

  const platform = counts.platformLogs ? assumptions.platformLogBytesPerInvocation : 0;
  const ingestedGb = (work.invocations * (measured.logBytesPerInvocation + platform)) / GB;
  add(
    'CloudWatch',
    'logs ingested',
    ingestedGb,
    'GB',
    ingestedGb * prices.logsIngestion.usd,
    counts.platformLogs
      ? `${m}: log bytes per invocation + Lambda's platform records (assumed)`
      : `${m}: log bytes per invocation`,
  );
  // In a steady month the group holds `retention` days of ingestion, compressed.
  const storedGb = ingestedGb * measured.logCompression * (counts.logRetentionDays / 30.4375);
  add(
    'CloudWatch',
    `logs stored (${counts.logRetentionDays} days)`,
    storedGb,
    'GB-month',
    storedGb * prices.logsStorage.usd,
    `${m}: compression; synthesised: retention`,
  );
  add(
    'CloudWatch',
    'custom metric series',
    counts.steadyMetricSeries,
    'metrics',
    counts.steadyMetricSeries * prices.cloudWatchMetric.usd,
    'metric contract × catalog (published every hour)',
  );
  add(
    'CloudWatch',
    'alarms',
    counts.alarmMetrics,
    'alarm metrics',
    counts.alarmMetrics * prices.cloudWatchAlarmMetric.usd +
      counts.compositeAlarms * prices.cloudWatchCompositeAlarm.usd,
    `synthesised: ${counts.alarmMetrics} alarm metrics, ${counts.compositeAlarms} composite`,
  );
  add(
    'CloudWatch',
    'dashboards',
    counts.dashboards,
    'dashboards',
    counts.dashboards * prices.cloudWatchDashboard.usd,
    'synthesised',
  );

  const tracedInvocations =
    work.invocations * (counts.functions ? counts.tracedFunctions / counts.functions : 0);
  const reservoir = Math.min(tracedInvocations, assumptions.xrayReservoirPerSecond * SECONDS_PER_MONTH);
  const traces = reservoir + (tracedInvocations - reservoir) * assumptions.xrayFixedRate;
  add(
    'X-Ray',
    'traces recorded',
    traces,
    'traces',
    traces * prices.xrayTrace.usd,
    `synthesised: ${counts.tracedFunctions} of ${counts.functions} functions traced; default sampling`,
  );

  add(
    'KMS',
    'customer-managed keys',
    counts.kmsKeys,
    'keys',
    counts.kmsKeys * prices.kmsKey.usd,
    'synthesised',
  );
  add(
    'Secrets Manager',
    'secrets',
    counts.secrets,
    'secrets',
    counts.secrets * prices.secret.usd,
    'synthesised',
  );

  const rawLogGb = (work.analyticsRecords * measured.analyticsRecordBytes) / GB;
  const firehoseGb =
    (work.analyticsRecords * Math.max(FIREHOSE_RECORD_BYTES, measured.analyticsRecordBytes)) / GB;
  add(
    'Analytics',
    'Firehose ingestion (5 KB per record)',
    firehoseGb,
    'GB',
    firehoseGb * prices.firehoseIngestion.usd,
    `${m}: records per event and email`,
  );
  add(
    'Analytics',
    'Firehose Parquet conversion',
    firehoseGb,
    'GB',
    firehoseGb * prices.firehoseConversion.usd,
    `${m}: records per event and email`,
  );
  const keptGb = rawLogGb * measured.analyticsCompression * counts.analyticsRetentionMonths;
  add(
    'Analytics',
    `S3 (${Math.round(counts.analyticsRetentionMonths)} months kept, at most)`,
    keptGb,
    'GB-month',
    keptGb * prices.s3Storage.usd + assumptions.s3PutsPerMonth * prices.s3Put.usd,
    `${m}: bytes per record, compression; synthesised: expiry`,
  );
  const scannedBytes = keptGb * GB * assumptions.reportQueries;
  add(
    'Analytics',
    'Athena (monthly report)',
    scannedBytes / GB,
    'GB scanned',
    scannedBytes * prices.athenaScan.usd,
    `KPI queries × retained log, at most`,
  );

  const total = items.reduce((n, i) => n + i.usd, 0);
  return { customers, items, total, sesPerEmail: emails * prices.sesEmail.usd };
}

/** A whole vCPU from this much memory up (Lambda's documented 1,769 MB). */
export const FULL_VCPU_MB = 1769;

/**
 * Seconds the measured work takes at `memoryMb`: the waiting as measured, the CPU part stretched by
 * the share of a vCPU that memory buys (measured on a whole core here).
 */
export function lambdaSeconds(measuredMs: number, cpuFraction: number, memoryMb: number): number {
  const stretch = Math.max(1, FULL_VCPU_MB / memoryMb);
  return (measuredMs * (1 - cpuFraction) + measuredMs * cpuFraction * stretch) / 1000;
}

/** Line items summed per service, in the order they first appear. */
export function byService(items: readonly LineItem[]): { service: string; usd: number }[] {
  const totals = new Map<string, number>();
  for (const item of items) totals.set(item.service, (totals.get(item.service) ?? 0) + item.usd);
  return [...totals].map(([service, usd]) => ({ service, usd }));
}
