/**
 * A generated shop checked against a second, deliberately naive implementation of the KPI definitions
 * (per customer, per period, straight from the README's text): the SQL's clever parts (each order's
 * previous and next order instead of a customer × period table) must agree with it everywhere.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { DuckDbRunner } from '../../analytics/duckdb.ts';
import { addDays, isoDate, parseIsoDate } from '../../analytics/periods.ts';
import { computeReport } from '../../analytics/report.ts';
import type { PeriodKpis, ReportData } from '../../analytics/report-types.ts';
import type { AnalyticsRecord } from '../../functions/analytics/record.ts';
import { feedback, order, refund, writeLog } from '../support/analytics-records.ts';

const range = (n: number) => Array.from({ length: n }, (_, i) => i);
let dir: string | undefined;
afterAll(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});

async function report(records: AnalyticsRecord[], from: string, to: string): Promise<ReportData> {
  dir = await mkdtemp(path.join(os.tmpdir(), 'kpis-generated-'));
  await writeLog(dir, records);
  const runner = await DuckDbRunner.open(dir, { materialize: true });
  try {
    return await computeReport(runner, { from, to, period: 'month', by: 'market' });
  } finally {
    runner.close();
  }
}

function expectIdentity(p: PeriodKpis) {
  expect(p.customersAtEnd, `${p.start} ${p.market}`).toBe(
    p.customersAtStart - p.lostCustomers + p.newCustomers + p.reactivatedCustomers,
  );
}

describe('a generated shop, computed a second way', () => {
  function generate(seed: number): AnalyticsRecord[] {
    let s = seed;
    const rnd = () => {
      s = (s * 1103515245 + 12345) % 2147483648;
      return s / 2147483648;
    };
    const out: AnalyticsRecord[] = [];
    const start = Date.parse('2024-01-01T00:00:00.000Z');
    for (const c of range(160)) {
      const market = rnd() < 0.45 ? 'DE' : rnd() < 0.7 ? 'US' : undefined;
      const currency = market === 'US' ? 'USD' : 'EUR';
      let t = start + rnd() * 700 * 86_400_000;
      const n = 1 + Math.floor(rnd() * 5);
      for (const o of range(n)) {
        const at = new Date(t).toISOString();
        const who = { customer: `g${c}`, ...(market ? { market } : {}) };
        const amount = (5 + Math.floor(rnd() * 9000) / 100).toFixed(2);
        out.push(order(who, `g${c}-${o}`, at, amount, currency));
        const r = rnd();
        if (r < 0.08) out.push(refund(who, `g${c}-${o}`, new Date(t + 86_400_000).toISOString()));
        else if (r < 0.16)
          out.push(refund(who, `g${c}-${o}`, new Date(t + 86_400_000).toISOString(), '3.00', currency));
        if (rnd() < 0.3)
          out.push(feedback(who, new Date(t + 2 * 86_400_000).toISOString(), Math.floor(rnd() * 11)));
        t += rnd() * 450 * 86_400_000;
      }
    }
    return [...out, ...out.filter(() => rnd() < 0.1)];
  }

  function naive(records: AnalyticsRecord[], from: string, to: string, months: number, w: number) {
    const unique = [...new Map(records.map((r) => [r.id, r])).values()];
    const refunds = unique.filter((r) => r.type === 'order.refunded');
    const counted = unique.filter((r) => {
      if (r.type !== 'order.placed') return false;
      const mine = refunds.filter((f) => f.order === r.order);
      if (mine.some((f) => f.amount === null)) return false;
      const sum = mine.filter((f) => f.currency === r.currency).reduce((n, f) => n + Number(f.amount), 0);
      return sum < Number(r.amount);
    });
    const customers = [...new Set(counted.map((o) => o.customer as string))];
    const times = (c: string) => counted.filter((o) => o.customer === c).map((o) => o.time);
    const back = (d: string) => isoDate(addDays(parseIsoDate(d) as Date, -w));
    const activeAt = (c: string, t: string) => times(c).some((x) => x >= back(t) && x < t);
    const latest = new Map<string, AnalyticsRecord>();
    for (const f of unique.filter((r) => r.type === 'feedback.submitted')) {
      const k = `${f.customer}|${f.order ?? ''}`;
      if (!latest.has(k) || (latest.get(k) as AnalyticsRecord).time < f.time) latest.set(k, f);
    }
    const out = [];
    for (let m = 0, ps = from; m < months; m++) {
      const d = parseIsoDate(ps) as Date;
      const pe = isoDate(new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + 1, 1)));
      const first = (c: string) => times(c).sort()[0] as string;
      const S = customers.filter((c) => activeAt(c, ps));
      const E = customers.filter((c) => activeAt(c, pe));
      const inPeriod = counted.filter((o) => o.time >= ps && o.time < pe);
      const orderers = [...new Set(inPeriod.map((o) => o.customer as string))];
      const revenue: Record<string, number> = {};
      for (const o of inPeriod) {
        const partial = refunds
          .filter((f) => f.order === o.order && f.currency === o.currency)
          .reduce((n, f) => n + Number(f.amount), 0);
        revenue[o.currency as string] = (revenue[o.currency as string] ?? 0) + Number(o.amount) - partial;
      }
      const answers = [...latest.values()].filter((f) => f.time >= ps && f.time < pe);
      out.push({
        start: ps,
        customersAtStart: S.length,
        customersAtEnd: E.length,
        newCustomers: customers.filter((c) => first(c) >= ps && first(c) < pe).length,
        lostCustomers: S.filter((c) => !E.includes(c)).length,
        reactivatedCustomers: E.filter((c) => !S.includes(c) && first(c) < ps).length,
        orders: inPeriod.length,
        repeatCustomerRate:
          orderers.length === 0
            ? null
            : orderers.filter((c) => inPeriod.filter((o) => o.customer === c).length >= 2).length /
              orderers.length,
        revenue: Object.fromEntries(Object.entries(revenue).map(([k, v]) => [k, v.toFixed(2)])),
        npsResponses: answers.length,
        promoters: answers.filter((a) => (a.score as number) >= 9).length,
        detractors: answers.filter((a) => (a.score as number) <= 6).length,
      });
      ps = pe;
    }
    void to;
    return out;
  }

  it('agrees with the naive computation in every month, and E = S − lost + N + reactivated', async () => {
    const records = generate(7);
    const data = await report(records, '2024-07-01', '2025-12-01');
    const expected = naive(records, '2024-07-01', '2025-12-01', 17, 365);
    const actual = data.periods
      .filter((p) => p.market === null)
      .map((p) => {
        expectIdentity(p);
        const {
          start,
          customersAtStart,
          customersAtEnd,
          newCustomers,
          lostCustomers,
          reactivatedCustomers,
          orders,
        } = p;
        const { repeatCustomerRate, npsResponses, promoters, detractors } = p;
        const revenue = Object.fromEntries(
          Object.entries(p.revenue).map(([k, v]) => [k, Number(v).toFixed(2)]),
        );
        return {
          start,
          customersAtStart,
          customersAtEnd,
          newCustomers,
          lostCustomers,
          reactivatedCustomers,
          orders,
          repeatCustomerRate,
          revenue,
          npsResponses,
          promoters,
          detractors,
        };
      });
    expect(actual).toEqual(expected);
    // Busy enough to mean something.
    expect(
      expected.some((p) => p.reactivatedCustomers > 0 && p.lostCustomers > 0 && p.newCustomers > 0),
    ).toBe(true);
    // The market rows add up to the whole shop.
    for (const p of data.periods.filter((p) => p.market === null)) {
      const parts = data.periods.filter((q) => q.market !== null && q.start === p.start);
      for (const k of [
        'customersAtStart',
        'customersAtEnd',
        'newCustomers',
        'lostCustomers',
        'orders',
      ] as const) {
        expect(parts.reduce((n, q) => n + q[k], 0)).toBe(p[k]);
      }
      for (const q of parts) expectIdentity(q);
    }
  });
});
