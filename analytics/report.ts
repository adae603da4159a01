/**
 * computeReport: runs the KPI queries (analytics/queries) on any SqlRunner — DuckDB locally, Athena in
 * AWS — and assembles ReportData. SQL does the scans and the per-customer work; this file only adds
 * up segment rows, divides, and runs the uplift statistics, so both engines share every definition.
 */
import { IDENTIFIERS, type Identifier, param, type SqlParam } from './binder.ts';
import { cohortRows } from './cohorts.ts';
import { emailHealth, journeyFunnels, UNKNOWN } from './funnels.ts';
import { loyaltyReport } from './loyalty.ts';
import { addMoney, fromNumber, toMoneyByCurrency } from './money.ts';
import { MAX_PERIOD_DAYS, PERIOD_UNITS, type Period, parseIsoDate, periodsBetween } from './periods.ts';
import { boundQuery, includesFor, QUERY_NAMES, type QueryName } from './queries.ts';
import type { PeriodKpis, PeriodUnit, ReportData } from './report-types.ts';
import { num, ratio, str } from './rows.ts';
import type { SqlRow, SqlRunner } from './sql-runner.ts';

export const DEFAULT_ACTIVE_WINDOW_DAYS = 365;
/** Revenue per customer after a journey entry counts orders up to this many days after the entry day. */
export const DEFAULT_GOAL_WINDOW_DAYS = 30;
/** Label of the breakdown row for customers with no market (or locale) on any record. */
export const UNKNOWN_SEGMENT = UNKNOWN;

export interface ReportOptions {
  /** ISO date, inclusive. */
  from: string;
  /** ISO date, exclusive. */
  to: string;
  period: PeriodUnit;
  by?: Identifier | undefined;
  activeWindowDays?: number | undefined;
  goalWindowDays?: number | undefined;
  /**
   * The loyalty program's tier ids, lowest first (loyalty.yaml's `tiers.levels`): the loyalty section
   * lists every tier in this order, also those without members. Without it, the tiers in the data
   * are ordered by their members at the end, most first.
   */
  loyaltyTiers?: readonly string[] | undefined;
  /**
   * Run the queries at the same time: for Athena, where each query waits seconds in a queue; not for
   * DuckDB, which already uses every core for one query. @default false
   */
  parallel?: boolean | undefined;
  /** One line per query as it starts ("retention (2/10)…"). */
  onProgress?: ((message: string) => void) | undefined;
  /** Things worth telling the reader that are not errors (periods without any record …). */
  onNotice?: ((message: string) => void) | undefined;
  now?: (() => Date) | undefined;
  queryDir?: string | undefined;
}

/** A bad option (dates, window): the CLI prints the message, no stack. */
export class ReportInputError extends Error {
  override name = 'ReportInputError';
}

/** The log has no record at all. */
export class EmptyLogError extends Error {
  override name = 'EmptyLogError';
}

/** Checks the options computeReport takes (dates, windows) without running anything. */
export function checkReportOptions(o: ReportOptions): { activeWindowDays: number; goalWindowDays: number } {
  if (!(PERIOD_UNITS as readonly string[]).includes(o.period)) {
    throw new ReportInputError(`period: "${o.period}" is not one of ${PERIOD_UNITS.join(', ')}`);
  }
  if (o.by !== undefined && !(IDENTIFIERS as readonly string[]).includes(o.by)) {
    throw new ReportInputError(`by: "${o.by}" is not one of ${IDENTIFIERS.join(', ')}`);
  }
  for (const [flag, value] of [
    ['from', o.from],
    ['to', o.to],
  ] as const) {
    if (!parseIsoDate(value)) throw new ReportInputError(`${flag}: "${value}" is not a date (YYYY-MM-DD)`);
  }
  if (o.from >= o.to) throw new ReportInputError(`from (${o.from}) must be before to (${o.to})`);
  // A year can have 366 days: its default window grows to match (see MAX_PERIOD_DAYS).
  const activeWindowDays =
    o.activeWindowDays ?? Math.max(DEFAULT_ACTIVE_WINDOW_DAYS, MAX_PERIOD_DAYS[o.period]);
  const goalWindowDays = o.goalWindowDays ?? DEFAULT_GOAL_WINDOW_DAYS;
  for (const [flag, value] of [
    ['active window', activeWindowDays],
    ['goal window', goalWindowDays],
  ] as const) {
    if (!Number.isSafeInteger(value) || value < 1 || value > 3660) {
      throw new ReportInputError(`${flag}: ${value} is not a number of days between 1 and 3660`);
    }
  }
  for (const tier of o.loyaltyTiers ?? []) {
    if (!/^[a-z][a-z0-9-]{0,63}$/.test(tier))
      throw new ReportInputError(`loyalty tiers: "${tier}" is not a tier id`);
  }
  if (activeWindowDays < MAX_PERIOD_DAYS[o.period]) {
    // Shorter, a customer who orders early in a period could be inactive again at its end: the
    // counts would no longer add up (E = S − lost + N + reactivated) and retention.sql assumes they do.
    throw new ReportInputError(
      `active window: ${activeWindowDays} days is shorter than a ${o.period} (${MAX_PERIOD_DAYS[o.period]} days); use at least that or a shorter period`,
    );
  }
  return { activeWindowDays, goalWindowDays };
}

export async function computeReport(runner: SqlRunner, options: ReportOptions): Promise<ReportData> {
  const { activeWindowDays, goalWindowDays } = checkReportOptions(options);
  const periods = periodsBetween(options.from, options.to, options.period, activeWindowDays);
  const params: Record<string, SqlParam> = {
    start: param.date(options.from),
    end: param.date(options.to),
    periods: param.dateRows(periods.map((p) => [p.start, p.end, p.activeFromAtStart, p.activeFromAtEnd])),
    dimension: param.identifier(options.by ?? 'market'),
    goalWindowDays: param.int(goalWindowDays),
  };
  const run = async (name: QueryName, i: number): Promise<[QueryName, SqlRow[]]> => {
    options.onProgress?.(`${name} (${i + 1}/${QUERY_NAMES.length})…`);
    const sql = boundQuery(name, params, {
      dir: options.queryDir,
      includes: includesFor(options.by !== undefined),
    });
    return [name, await runner.query(sql)];
  };
  const results = new Map<QueryName, SqlRow[]>();
  if (options.parallel) {
    for (const [name, rows] of await Promise.all(QUERY_NAMES.map(run))) results.set(name, rows);
  } else {
    for (const [i, name] of QUERY_NAMES.entries()) {
      const [, rows] = await run(name, i);
      results.set(name, rows);
      // Stop before the expensive queries when the log is empty.
      if (name === 'overview' && rows.length === 0) break;
    }
  }
  checkOverview(results.get('overview') ?? [], periods, options);
  const rows = (name: QueryName) => results.get(name) ?? [];
  const emails = rows('emails');
  return {
    from: options.from,
    to: options.to,
    period: options.period,
    activeWindowDays,
    periods: periodKpis(periods, rows('retention'), rows('revenue'), rows('nps'), options.by !== undefined),
    cohorts: cohortRows(rows('cohorts'), options.to),
    journeys: journeyFunnels(rows('journeys'), emails, rows('journey-revenue')),
    emailHealth: emailHealth(emails),
    loyalty: loyaltyReport(
      periods,
      rows('loyalty'),
      rows('loyalty-tiers'),
      options.by !== undefined,
      options.loyaltyTiers,
    ),
    generated: {
      at: (options.now?.() ?? new Date()).toISOString(),
      source: runner.source,
      records: rows('overview').reduce((n, r) => n + num(r.records), 0),
    },
  };
}

function checkOverview(rows: SqlRow[], periods: Period[], options: ReportOptions): void {
  if (rows.length === 0) throw new EmptyLogError('the analytics log has no records');
  const days = rows.map((r) => String(r.day));
  const empty = periods.filter((p) => !days.some((d) => d >= p.start && d < p.end));
  if (empty.length === periods.length) {
    const sorted = days.sort();
    options.onNotice?.(
      `no records between ${options.from} and ${options.to}; the log has records from ${sorted[0]} to ${sorted[sorted.length - 1]}`,
    );
  } else {
    for (const p of empty) options.onNotice?.(`no records in the period ${p.start} … ${p.end}`);
  }
}

interface Counts {
  customersAtStart: number;
  customersAtEnd: number;
  newCustomers: number;
  lostCustomers: number;
  reactivatedCustomers: number;
  orderingCustomers: number;
  repeatCustomers: number;
  orders: number;
  revenue: Map<string, bigint>;
  currencyOrders: Map<string, number>;
  responses: number;
  promoters: number;
  detractors: number;
}

const emptyCounts = (): Counts => ({
  customersAtStart: 0,
  customersAtEnd: 0,
  newCustomers: 0,
  lostCustomers: 0,
  reactivatedCustomers: 0,
  orderingCustomers: 0,
  repeatCustomers: 0,
  orders: 0,
  revenue: new Map(),
  currencyOrders: new Map(),
  responses: 0,
  promoters: 0,
  detractors: 0,
});

const RETENTION_COLUMNS = {
  customersAtStart: 'customers_at_start',
  customersAtEnd: 'customers_at_end',
  newCustomers: 'new_customers',
  lostCustomers: 'lost_customers',
  reactivatedCustomers: 'reactivated_customers',
  orderingCustomers: 'ordering_customers',
  repeatCustomers: 'repeat_customers',
  orders: 'orders',
} as const;

function periodKpis(
  periods: Period[],
  retention: SqlRow[],
  revenue: SqlRow[],
  nps: SqlRow[],
  breakdown: boolean,
): PeriodKpis[] {
  // (period start, segment) → counts; the whole shop is the sum over segments (each customer has one).
  const bySegment = new Map<string, Map<string, Counts>>();
  const counts = (row: SqlRow): [Counts, Counts] => {
    const segment = str(row.segment) ?? UNKNOWN_SEGMENT;
    const start = String(row.period_start);
    const segments = bySegment.get(segment) ?? new Map<string, Counts>();
    bySegment.set(segment, segments);
    const c = segments.get(start) ?? emptyCounts();
    segments.set(start, c);
    const all = bySegment.get('\u0000') ?? new Map<string, Counts>();
    bySegment.set('\u0000', all);
    const t = all.get(start) ?? emptyCounts();
    all.set(start, t);
    return [c, t];
  };
  for (const row of retention) {
    for (const c of counts(row)) {
      for (const [key, column] of Object.entries(RETENTION_COLUMNS)) {
        c[key as keyof typeof RETENTION_COLUMNS] += num(row[column]);
      }
    }
  }
  for (const row of revenue) {
    const currency = String(row.currency);
    for (const c of counts(row)) {
      addMoney(c.revenue, currency, String(row.revenue ?? '0'));
      c.currencyOrders.set(currency, (c.currencyOrders.get(currency) ?? 0) + num(row.orders));
    }
  }
  for (const row of nps) {
    for (const c of counts(row)) {
      c.responses += num(row.responses);
      c.promoters += num(row.promoters);
      c.detractors += num(row.detractors);
    }
  }
  const out: PeriodKpis[] = [];
  const segments = breakdown ? [...bySegment.keys()].filter((s) => s !== '\u0000').sort() : [];
  for (const segment of ['\u0000', ...segments]) {
    for (const p of periods) {
      const c = bySegment.get(segment)?.get(p.start) ?? emptyCounts();
      out.push(kpis(p, segment === '\u0000' ? null : segment, c));
    }
  }
  return out;
}

function kpis(p: Period, market: string | null, c: Counts): PeriodKpis {
  const churnRate = ratio(c.lostCustomers, c.customersAtStart);
  const purchaseFrequency = ratio(c.orders, c.orderingCustomers);
  const averageOrderValue: Record<string, string> = {};
  const customerLifetimeValue: Record<string, string> = {};
  for (const [currency, units] of [...c.revenue.entries()].sort(([a], [b]) => a.localeCompare(b))) {
    const orders = c.currencyOrders.get(currency) ?? 0;
    if (orders === 0) continue;
    const aov = Number(units) / 10_000 / orders;
    averageOrderValue[currency] = fromNumber(aov);
    // CLV = AOV × purchase frequency × expected lifespan (1 / churn, in periods).
    if (churnRate !== null && churnRate > 0 && purchaseFrequency !== null) {
      customerLifetimeValue[currency] = fromNumber((aov * purchaseFrequency) / churnRate);
    }
  }
  return {
    start: p.start,
    end: p.end,
    market,
    customersAtStart: c.customersAtStart,
    newCustomers: c.newCustomers,
    reactivatedCustomers: c.reactivatedCustomers,
    lostCustomers: c.lostCustomers,
    customersAtEnd: c.customersAtEnd,
    retentionRate: ratio(c.customersAtEnd - c.newCustomers, c.customersAtStart),
    churnRate,
    repeatCustomerRate: ratio(c.repeatCustomers, c.orderingCustomers),
    purchaseFrequency,
    orders: c.orders,
    revenue: toMoneyByCurrency(c.revenue),
    averageOrderValue,
    customerLifetimeValue,
    nps: c.responses === 0 ? null : ((c.promoters - c.detractors) / c.responses) * 100,
    npsResponses: c.responses,
    promoters: c.promoters,
    detractors: c.detractors,
  };
}
