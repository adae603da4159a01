/**
 * Known-answer tests of the KPI queries on DuckDB: JSON Lines fixtures in a temp directory, read
 * through the same runner `journeys report` uses. Each fixture's answer was worked out by hand, or —
 * for the generated shop — computed a second way in this file, straight from the definitions.
 */
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { timeReport } from '../../analytics/bench.ts';
import { AnalyticsLogError, DuckDbRunner } from '../../analytics/duckdb.ts';
import { QUERY_NAMES } from '../../analytics/queries.ts';
import {
  computeReport,
  EmptyLogError,
  ReportInputError,
  type ReportOptions,
} from '../../analytics/report.ts';
import type { PeriodKpis, ReportData } from '../../analytics/report-types.ts';
import { twoProportionUplift } from '../../analytics/stats.ts';
import type { AnalyticsRecord } from '../../functions/analytics/record.ts';
import {
  email,
  entered,
  feedback,
  goalReached,
  key,
  order,
  record,
  refund,
  writeLog,
} from '../support/analytics-records.ts';

const dirs: string[] = [];
afterAll(async () => {
  await Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true })));
});

async function report(records: AnalyticsRecord[], options: Partial<ReportOptions> = {}): Promise<ReportData> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'kpis-'));
  dirs.push(dir);
  await writeLog(dir, records);
  const runner = await DuckDbRunner.open(dir, { materialize: true });
  try {
    return await computeReport(runner, {
      from: '2025-06-01',
      to: '2025-07-01',
      period: 'month',
      now: () => new Date('2025-07-02T00:00:00.000Z'),
      ...options,
    });
  } finally {
    runner.close();
  }
}

const range = (n: number) => Array.from({ length: n }, (_, i) => i);
const shop = (data: ReportData) => data.periods.filter((p) => p.market === null);

function expectIdentity(p: PeriodKpis) {
  expect(p.customersAtEnd, `${p.start} ${p.market}`).toBe(
    p.customersAtStart - p.lostCustomers + p.newCustomers + p.reactivatedCustomers,
  );
}

describe('retention (S, E, N, lost, reactivated, CRR, churn)', () => {
  it("reproduces the guides' worked example: 1,000 at the start, 300 new, 1,100 at the end → CRR 80 %", async () => {
    const records = [
      // 800 stay active: ordered three months ago, inside the 365-day window at both ends of June.
      ...range(800).map((i) => order(`kept${i}`, `o-kept${i}`, '2025-03-10')),
      // 200 are lost: their last order (June 2024) is in the window on 1 June, out of it on 1 July.
      ...range(200).map((i) => order(`lost${i}`, `o-lost${i}`, '2024-06-15')),
      // 300 order for the first time in June.
      ...range(300).map((i) => order(`new${i}`, `o-new${i}`, '2025-06-15')),
    ];
    const [june] = shop(await report(records));
    expect(june).toMatchObject({
      customersAtStart: 1000,
      newCustomers: 300,
      lostCustomers: 200,
      reactivatedCustomers: 0,
      customersAtEnd: 1100,
      retentionRate: 0.8,
      churnRate: 0.2,
      orders: 300,
    });
    expectIdentity(june as PeriodKpis);
  });

  it('counts a customer back from outside the window as reactivated, not new', async () => {
    const records = [
      order('back', 'o-back-1', '2023-05-01'),
      order('back', 'o-back-2', '2025-06-03'),
      order('back', 'o-back-3', '2025-06-20'),
      order('steady', 'o-steady-1', '2025-01-10'),
      order('steady', 'o-steady-2', '2025-06-10'),
    ];
    const [june] = shop(await report(records));
    expect(june).toMatchObject({
      customersAtStart: 1,
      customersAtEnd: 2,
      newCustomers: 0,
      reactivatedCustomers: 1,
      lostCustomers: 0,
      retentionRate: 2,
      churnRate: 0,
      repeatCustomerRate: 0.5,
      purchaseFrequency: 1.5,
      orders: 3,
      // churn 0 → no expected lifespan → no CLV
      customerLifetimeValue: {},
    });
    expectIdentity(june as PeriodKpis);
  });

  it('refuses an active window shorter than the period', async () => {
    await expect(report([order('a', 'o-a', '2025-06-01')], { activeWindowDays: 20 })).rejects.toThrow(
      new ReportInputError(
        'active window: 20 days is shorter than a month (31 days); use at least that or a shorter period',
      ),
    );
  });
});

describe('orders, refunds and money', () => {
  it('counts an order unless it is fully refunded, and takes partial refunds off its revenue', async () => {
    const records = [
      order('full', 'o-full', '2025-06-02', '100.00'),
      refund('full', 'o-full', '2025-06-05'), // no amount: a full refund
      order('partial', 'o-partial', '2025-06-02', '100.00'),
      refund('partial', 'o-partial', '2025-06-06', '40.00'),
      order('summed', 'o-summed', '2025-06-02', '100.00'),
      refund('summed', 'o-summed', '2025-06-06', '60.00'),
      refund('summed', 'o-summed', '2025-06-07', '40.00'), // together ≥ the total
      // The refund is recorded before its order (events out of order): it still applies.
      refund('early', 'o-early', '2025-06-01'),
      order('early', 'o-early', '2025-06-03', '100.00'),
      // A refund in another currency is not taken off (never mix currencies).
      order('other', 'o-other', '2025-06-04', '20.00'),
      refund('other', 'o-other', '2025-06-05', '25.00', 'USD'),
    ];
    // Every record delivered twice (at-least-once): nothing may count twice.
    const [june] = shop(await report([...records, ...records]));
    expect(june).toMatchObject({
      orders: 2,
      newCustomers: 2,
      customersAtEnd: 2,
      revenue: { EUR: '80.00' },
      averageOrderValue: { EUR: '40.00' },
    });
  });

  it('keeps currencies apart: revenue, AOV and CLV per currency', async () => {
    const records = [
      order('kept', 'o-kept-0', '2025-02-01', '10.00'),
      order('gone', 'o-gone-0', '2024-06-10', '10.00'),
      order('kept', 'o-kept-1', '2025-06-02', '10.00', 'EUR'),
      order('kept', 'o-kept-2', '2025-06-12', '20.50', 'EUR'),
      order('us', 'o-us-1', '2025-06-03', '7.00', 'USD'),
    ];
    const [june] = shop(await report(records));
    // S = 2 (kept, gone), lost = 1 (gone) → churn 0.5; frequency = 3 orders / 2 customers = 1.5.
    expect(june).toMatchObject({
      churnRate: 0.5,
      purchaseFrequency: 1.5,
      revenue: { EUR: '30.50', USD: '7.00' },
      averageOrderValue: { EUR: '15.25', USD: '7.00' },
      // CLV = AOV × 1.5 × (1 / 0.5)
      customerLifetimeValue: { EUR: '45.75', USD: '21.00' },
    });
  });
});

describe('NPS', () => {
  it('counts a re-submitted answer once (the latest) per customer and order, or per customer without an order', async () => {
    const records = [
      feedback('x', '2025-06-02', 3, 'o1'),
      feedback('x', '2025-06-05', 10, 'o1'), // replaces the 3
      feedback('x', '2025-06-06', 0), // no order: its own answer
      feedback('y', '2025-06-07', 7),
      feedback('z', '2025-06-08', 9),
      feedback('z', '2025-06-08', 9), // the same record again
      feedback('w', '2025-05-20', 1), // May: not in June
    ];
    const [june] = shop(await report(records));
    expect(june).toMatchObject({ npsResponses: 4, promoters: 2, detractors: 1, nps: 25 });
  });
});

describe('cohorts', () => {
  it('gives each first-order month the share ordering again and cumulative revenue per customer', async () => {
    const records = [
      order('a', 'a1', '2025-01-05', '10.00'),
      order('a', 'a2', '2025-02-05', '20.00'),
      order('b', 'b1', '2025-01-06', '30.00'),
      order('b', 'b2', '2025-03-06', '5.00', 'USD'),
      order('c', 'c1', '2025-01-07', '50.00'),
      order('c', 'c2', '2025-02-07', '10.00'),
      order('d', 'd1', '2025-02-10', '40.00'),
      order('e', 'e1', '2024-12-10', '40.00'), // cohort before the range: not shown
      order('e', 'e2', '2025-01-10', '40.00'),
    ];
    const data = await report(records, { from: '2025-01-01', to: '2025-04-01' });
    expect(data.cohorts).toEqual([
      {
        cohort: '2025-01',
        customers: 3,
        retention: [1, 2 / 3, 1 / 3],
        revenuePerCustomer: [{ EUR: '30.00' }, { EUR: '40.00' }, { EUR: '40.00', USD: '1.67' }],
      },
      {
        cohort: '2025-02',
        customers: 1,
        retention: [1, 0],
        revenuePerCustomer: [{ EUR: '40.00' }, { EUR: '40.00' }],
      },
    ]);
  });
});

describe('journey funnels and holdout uplift', () => {
  it('counts entries, emails and goals per journey and message, and the uplift of treated over held out', async () => {
    const records: AnalyticsRecord[] = [];
    // 100 treated entries, 30 reach the goal; 50 held out, 5 reach it.
    for (const i of range(150)) {
      const holdout = i >= 100;
      const c = `c${i}`;
      records.push(entered(c, 'win-back', `i${i}`, '2025-06-02', holdout));
      if ((!holdout && i < 30) || (holdout && i < 105)) {
        records.push(goalReached(c, 'win-back', `i${i}`, '2025-06-09', holdout));
        records.push(order(c, `o${i}`, '2025-06-09', holdout ? '20.00' : '30.00'));
      }
      if (holdout) continue;
      records.push(email('email.sent', c, 'win-back', 'offer', `s${i}`, '2025-06-02T13:00:00.000Z'));
      if (i < 95)
        records.push(email('email.delivered', c, 'win-back', 'offer', `s${i}`, '2025-06-02T13:01:00.000Z'));
      if (i < 50) {
        records.push(email('email.opened', c, 'win-back', 'offer', `s${i}`, '2025-06-03T08:00:00.000Z'));
        records.push(email('email.opened', c, 'win-back', 'offer', `s${i}`, '2025-06-04T08:00:00.000Z')); // opened twice: one email
      }
      if (i < 20)
        records.push(email('email.clicked', c, 'win-back', 'offer', `s${i}`, '2025-06-03T08:01:00.000Z'));
      if (i >= 95) {
        const reason = i < 98 ? 'permanent' : 'transient';
        records.push(
          email('email.bounced', c, 'win-back', 'offer', `s${i}`, '2025-06-02T13:01:00.000Z', reason),
        );
      }
      if (i === 40) records.push(email('email.complained', c, 'win-back', 'offer', `s${i}`, '2025-06-05'));
      if (i === 41 || i === 42) {
        records.push(email('email.unsubscribed', c, 'win-back', 'offer', `s${i}`, '2025-06-05'));
      }
    }
    // A second message, sent to 10, and a reminder with one send in July (outside the range).
    for (const i of range(10))
      records.push(email('email.sent', `c${i}`, 'win-back', 'reminder', `r${i}`, '2025-06-10'));
    records.push(email('email.sent', 'c0', 'win-back', 'late', 'late0', '2025-07-02'));
    // An order 31 days after entry: outside the 30-day goal window.
    records.push(order('c50', 'o-late', '2025-07-03', '999.00'));

    const data = await report(records);
    const [j] = data.journeys;
    expect(j).toMatchObject({
      journey: 'win-back',
      entered: 150,
      heldOut: 50,
      sent: 110,
      delivered: 95,
      opened: 50,
      clicked: 20,
      unsubscribed: 2,
      goalReached: 30,
      holdoutGoalReached: 5,
      revenuePerCustomer: { treated: { EUR: '9.00' }, heldOut: { EUR: '2.00' } },
    });
    expect(j?.messages).toEqual([
      {
        message: 'offer',
        sent: 100,
        delivered: 95,
        opened: 50,
        clicked: 20,
        unsubscribed: 2,
        bounced: 5,
        complained: 1,
      },
      {
        message: 'reminder',
        sent: 10,
        delivered: 0,
        opened: 0,
        clicked: 0,
        unsubscribed: 0,
        bounced: 0,
        complained: 0,
      },
    ]);
    expect(j?.uplift).toEqual(twoProportionUplift({ n: 100, x: 30 }, { n: 50, x: 5 }));
    expect(j?.uplift.absolute).toBeCloseTo(0.2, 12);
    expect(data.emailHealth).toEqual({
      sent: 110,
      delivered: 95,
      bounceRate: 3 / 110,
      complaintRate: 1 / 110,
      unsubscribed: 2,
    });
  });

  it('says "not enough data" for a small holdout', async () => {
    const records = range(40).map((i) => entered(`c${i}`, 'onboarding', `i${i}`, '2025-06-02', i < 5));
    const [j] = (await report(records)).journeys;
    expect(j?.uplift).toEqual({
      absolute: null,
      relative: null,
      ciLow: null,
      ciHigh: null,
      pValue: null,
      note: 'not enough data: 0 of 35 treated entries reached the goal (need at least 5 that did and 5 that did not)',
    });
  });
});

describe('breakdowns', () => {
  it('puts each customer in their latest market and adds up to the whole shop', async () => {
    const records = [
      order({ customer: 'mover', market: 'AT' }, 'm1', '2025-02-01'),
      order({ customer: 'mover', market: 'DE' }, 'm2', '2025-06-05'),
      record('customer.updated', '2025-06-20', { customer: key('mover'), market: null }), // null does not count
      order({ customer: 'de', market: 'DE' }, 'd1', '2025-06-05', '10.00'),
      order({ customer: 'us', market: 'US' }, 'u1', '2025-06-06', '12.00', 'USD'),
      order('nowhere', 'n1', '2025-06-07'),
    ];
    const data = await report(records, { by: 'market' });
    const rows = Object.fromEntries(data.periods.map((p) => [p.market ?? 'shop', p]));
    expect(Object.keys(rows)).toEqual(['shop', 'DE', 'US', 'unknown']);
    expect(rows.DE).toMatchObject({
      customersAtStart: 1,
      newCustomers: 1,
      orders: 2,
      revenue: { EUR: '60.00' },
    });
    expect(rows.US).toMatchObject({ newCustomers: 1, revenue: { USD: '12.00' } });
    expect(rows.unknown).toMatchObject({ newCustomers: 1 });
    expect(rows.shop).toMatchObject({ customersAtStart: 1, newCustomers: 3, orders: 4 });
  });
});

describe('the log itself', () => {
  it('names a directory without records', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'kpis-empty-'));
    dirs.push(dir);
    await expect(DuckDbRunner.open(dir)).rejects.toThrow(AnalyticsLogError);
    await expect(DuckDbRunner.open(path.join(dir, 'missing'))).rejects.toThrow(/does not exist/);
  });

  it('tells when a range or a period has no records, and counts distinct records', async () => {
    const notices: string[] = [];
    const records = [order('a', 'o-a', '2025-06-10'), order('b', 'o-b', '2025-08-10')];
    const data = await report([...records, ...records], {
      from: '2025-06-01',
      to: '2025-09-01',
      onNotice: (n) => notices.push(n),
    });
    expect(notices).toEqual(['no records in the period 2025-07-01 … 2025-08-01']);
    expect(data.generated).toMatchObject({ records: 2, at: '2025-07-02T00:00:00.000Z' });
    expect(data.generated.source).toMatch(/^duckdb:/);
  });
});

/**
 * A generated shop checked against a second, deliberately naive implementation of the definitions
 * (per customer, per period, straight from the text of the README) — the SQL's clever parts (the
 * previous/next order per order) must agree with it everywhere.
 */
describe('the runner for the bench', () => {
  it('answers count(*) on the files, then loads them and runs the report on the same instance', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'kpis-bench-'));
    dirs.push(dir);
    const records = [order('a', 'o-a', '2025-06-10'), order('b', 'o-b', '2025-06-11')];
    await writeLog(dir, [...records, records[0] as AnalyticsRecord]);
    const t = await timeReport(dir, { from: '2025-06-01', to: '2025-07-01', period: 'month' });
    expect(t.records).toBe(3); // raw rows: the bare count does not dedupe
    expect(t.report.generated.records).toBe(2);
    expect(t.report.periods[0]?.orders).toBe(2);
    expect(t.countMs).toBeGreaterThan(0);
    expect(t.ratio).toBeGreaterThan(0);
  });

  it('reports an empty log (files without a line) as empty', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'kpis-blank-'));
    dirs.push(dir);
    await writeLog(dir, []);
    await mkdir(path.join(dir, 'dt=2025-06-01'), { recursive: true });
    await writeFile(path.join(dir, 'dt=2025-06-01', 'part-0.jsonl'), '');
    const runner = await DuckDbRunner.open(dir);
    try {
      await expect(
        computeReport(runner, { from: '2025-06-01', to: '2025-07-01', period: 'month' }),
      ).rejects.toThrow(new EmptyLogError('the analytics log has no records'));
    } finally {
      runner.close();
    }
  });
});

describe('parallel queries (for Athena)', () => {
  it('gives the same report when all queries are in flight at once', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'kpis-parallel-'));
    dirs.push(dir);
    await writeLog(dir, [
      order('a', 'o-a', '2025-06-10'),
      feedback('a', '2025-06-11', 9),
      entered('a', 'win-back', 'i-a', '2025-06-01', false),
    ]);
    const duck = await DuckDbRunner.open(dir);
    try {
      // One DuckDB connection runs one query at a time: queue them, and count how many were asked for at once.
      let inFlight = 0;
      let most = 0;
      let queue: Promise<unknown> = Promise.resolve();
      const runner = {
        source: duck.source,
        query: (sql: string) => {
          inFlight++;
          most = Math.max(most, inFlight);
          const result = queue.then(() => duck.query(sql)).finally(() => inFlight--);
          queue = result.catch(() => undefined);
          return result;
        },
      };
      const options = {
        from: '2025-06-01',
        to: '2025-07-01',
        period: 'month' as const,
        now: () => new Date(0),
      };
      const together = await computeReport(runner, { ...options, parallel: true });
      expect(most).toBe(QUERY_NAMES.length);
      expect(together).toEqual(await computeReport(duck, options));
    } finally {
      duck.close();
    }
  });
});
