/** The cohort table from cohorts.sql's rows: share ordering again and cumulative revenue per customer. */
import { divideMoney, toUnits } from './money.ts';
import type { CohortRow } from './report-types.ts';
import { num, ratio } from './rows.ts';
import type { SqlRow } from './sql-runner.ts';

const monthIndex = (yyyyMm: string) => Number(yyyyMm.slice(0, 4)) * 12 + Number(yyyyMm.slice(5, 7)) - 1;

export function cohortRows(rows: SqlRow[], to: string): CohortRow[] {
  // The last month with any day before `to`.
  const last = monthIndex(new Date(Date.parse(`${to}T00:00:00.000Z`) - 1).toISOString());
  const cohorts = new Map<
    string,
    { ordering: Map<number, number>; revenue: Map<number, Map<string, bigint>> }
  >();
  for (const row of rows) {
    const key = String(row.cohort);
    const c = cohorts.get(key) ?? { ordering: new Map(), revenue: new Map() };
    cohorts.set(key, c);
    const k = num(row.months_since);
    if (row.currency === null) c.ordering.set(k, num(row.customers));
    else {
      const m = c.revenue.get(k) ?? new Map<string, bigint>();
      c.revenue.set(k, m);
      m.set(String(row.currency), (m.get(String(row.currency)) ?? 0n) + toUnits(String(row.revenue ?? '0')));
    }
  }
  return [...cohorts.keys()].sort().map((cohort) => {
    const c = cohorts.get(cohort);
    const size = c?.ordering.get(0) ?? 0;
    const months = Math.max(0, last - monthIndex(cohort)) + 1;
    const cumulative = new Map<string, bigint>();
    const retention: (number | null)[] = [];
    const revenuePerCustomer: Record<string, string>[] = [];
    for (let k = 0; k < months; k++) {
      retention.push(ratio(c?.ordering.get(k) ?? 0, size));
      for (const [currency, units] of c?.revenue.get(k) ?? []) {
        cumulative.set(currency, (cumulative.get(currency) ?? 0n) + units);
      }
      revenuePerCustomer.push(divideMoney(cumulative, size));
    }
    return { cohort, customers: size, retention, revenuePerCustomer };
  });
}
