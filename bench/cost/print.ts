/** How `npm run cost` shows the bill: the profile, where each figure came from, then the tables. */

import { textTable } from '../../local/text-table.ts';
import {
  type Assumptions,
  type Bill,
  byService,
  type Counts,
  lambdaSeconds,
  type Measured,
  monthlyWork,
  SHOP_EVENTS,
  type Work,
} from './bill.ts';
import { PRICES, REGION } from './prices.ts';
import type { ShopProfile } from './profile.ts';
import type { SeriesCount } from './series.ts';
import type { SynthCounts } from './synth.ts';

const out = (line = '') => process.stdout.write(`${line}\n`);
const usd = (n: number) => `$${n < 10 ? n.toFixed(2) : n.toFixed(0)}`.replace(/\B(?=(\d{3})+(?!\d))/g, ',');
const num = (n: number, digits = 2) =>
  n >= 1000 || Number.isInteger(n) ? Math.round(n).toLocaleString('en') : n.toFixed(n >= 100 ? 0 : digits);

function table(header: string[], rows: string[][], right: number[]): void {
  for (const line of textTable(header, rows, { right, rule: true })) out(`  ${line}`);
}

const describe = (w: Work) =>
  `${num(w.invocations)} invocations, ${num(w.readUnits, 1)} RRU + ${num(w.writeUnits, 1)} WRU, ${num(w.lambdaMs, 1)} ms Lambda, ${num(w.analyticsRecords)} analytics records, ${num(w.customEvents)} bus events (${num(w.customEventBytes, 0)} B)`;

export function printBill(o: {
  profile: ShopProfile;
  measured: Measured & { cpuMsPerInvocation: number; emailsSent: number };
  synth: SynthCounts;
  series: SeriesCount;
  counts: Counts;
  bills: Bill[];
  assumptions: Assumptions;
}): void {
  const prices = Object.values(PRICES);
  const unverified = prices.filter((p) => !p.verified).length;
  out();
  out(`retention-journeys: what a month costs in ${REGION}`);
  out(
    `list prices of ${prices[0]?.asOf} in bench/cost/prices.ts, no free tier; ${unverified} of ${prices.length} prices not verified against the live price pages`,
  );
  out();
  out('Shop profile, per customer and month (--profile FILE or --<field> X to change):');
  out(
    `  ${Object.entries(o.profile)
      .map(([k, v]) => `${k} ${v}`)
      .join(', ')}`,
  );
  out();
  out(`Measured in this run — ${o.measured.source}:`);
  const rows: [string, string][] = [
    ...SHOP_EVENTS.map((k): [string, string] => [
      `per ${k.replace(/s$/, '').replace('deliverie', 'delivery')}`,
      describe(o.measured.perEvent[k]),
    ]),
    [
      'per email',
      `${describe(o.measured.perEmail)} (everything after the shop events ÷ ${o.measured.emailsSent} emails)`,
    ],
    [
      'per open or click',
      `${describe(o.measured.perSesEvent)} (as measured for SES's Send and Delivery events)`,
    ],
    ['per idle sweep', `${describe(o.measured.perSweep)} (the schedule runs one a minute)`],
    [
      'analytics record',
      `${num(o.measured.analyticsRecordBytes, 0)} bytes of JSON, gzip ${(o.measured.analyticsCompression * 100).toFixed(0)} %`,
    ],
    [
      'log per invocation',
      `${num(o.measured.logBytesPerInvocation, 0)} bytes (real handlers' log lines and embedded metrics), gzip ${(o.measured.logCompression * 100).toFixed(0)} %${o.counts.platformLogs ? `; + ${o.assumptions.platformLogBytesPerInvocation} bytes of Lambda platform records (assumed)` : '; Lambda platform records not logged (system log level WARN)'}`,
    ],
    [
      'table per customer',
      `${num(o.measured.tableBytesPerCustomer, 0)} bytes (DynamoDB item sizes after 60 days)`,
    ],
    ['CPU per invocation', `${num(o.measured.cpuMsPerInvocation, 1)} ms of this process (shop events)`],
  ];
  const width = Math.max(...rows.map(([k]) => k.length));
  for (const [k, v] of rows) out(`  ${k.padEnd(width)}  ${v}`);
  out();
  const retention = [...new Set(o.synth.logGroups.map((g) => g.retentionDays ?? 'never'))].join(', ');
  const memories = [...new Set(o.synth.functions.map((f) => f.memoryMb))].join(', ');
  out('Synthesised (the stack built in-process, analytics on):');
  out(
    `  ${o.synth.functions.length} functions (${memories} MB; ${o.synth.tracedFunctions} with X-Ray active tracing), ${o.synth.logGroups.length} log groups kept ${retention} days`,
  );
  out(
    `  ${o.synth.alarms} alarms (${o.synth.alarmMetrics} alarm metrics), ${o.synth.compositeAlarms} composite; ${o.synth.dashboards} dashboard(s) with ${o.synth.dashboardMetrics} metrics; ${o.synth.kmsKeys} KMS key(s), ${o.synth.secrets} secret(s)`,
  );
  out(
    `  custom metric series (functions/metrics.ts × ${o.series.metrics.length} metrics × catalog): ${o.series.traffic} published in a healthy hour, ${o.series.failure} only on failures`,
  );
  out();

  const focusBill = o.bills.find((b) => b.customers === 100_000) ?? o.bills[0];
  if (focusBill) {
    const { total, drivers } = monthlyWork(focusBill.customers, o.profile, o.measured);
    const invocations = Object.values(drivers).reduce((n, w) => n + w.invocations, 0);
    out(
      `Lambda memory, from the measured time (${(o.measured.cpuFraction * 100).toFixed(0)} % of it CPU, which Lambda gives in proportion to memory) at ${focusBill.customers.toLocaleString('en')} customers:`,
    );
    table(
      ['memory', 'mean duration', 'GB-s a month', 'USD a month'],
      [128, 256, 512, 1024].map((mb) => {
        const seconds = lambdaSeconds(total.lambdaMs, o.measured.cpuFraction, mb);
        const gbs = seconds * (mb / 1024);
        return [
          `${mb} MB${mb === o.counts.lambdaMemoryMb ? ' (deployed)' : ''}`,
          `${((seconds * 1000) / invocations).toFixed(1)} ms`,
          num(gbs),
          (gbs * PRICES.lambdaGbSecondArm.usd).toFixed(2),
        ];
      }),
      [1, 2, 3],
    );
    out();
  }
  const header = [
    'monthly bill (USD)',
    ...o.bills.map((b) => `${b.customers.toLocaleString('en')} customers`),
  ];
  const services = byService(o.bills[0]?.items ?? []).map((s) => s.service);
  const body = services.map((service) => [
    service,
    ...o.bills.map((b) => usd(byService(b.items).find((s) => s.service === service)?.usd ?? 0)),
  ]);
  body.push(['total, without SES per-email fee', ...o.bills.map((b) => usd(b.total))]);
  body.push(['SES per-email fee (separate)', ...o.bills.map((b) => usd(b.sesPerEmail))]);
  table(
    header,
    body,
    o.bills.map((_, i) => i + 1),
  );
  out();

  const focus = o.bills.find((b) => b.customers === 100_000) ?? o.bills[0];
  if (!focus) return;
  out(`Line items at ${focus.customers.toLocaleString('en')} customers, and where each quantity comes from:`);
  table(
    ['service', 'item', 'quantity', 'unit', 'USD', 'from'],
    focus.items.map((i) => [i.service, i.item, num(i.quantity), i.unit, i.usd.toFixed(2), i.source]),
    [2, 4],
  );
  out();
  if (focus.customers === 100_000) {
    const met = focus.total <= 10;
    out(
      `Bar: 100,000 customers without SES's per-email fee ≤ $10/month — ${usd(focus.total)}, ${met ? 'met' : 'NOT met'}`,
    );
  }
  out();
}
