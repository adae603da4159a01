/**
 * The synthetic shop end to end: simulated (real handlers, memory table, SES emulator) with its
 * planted win-back effect, logged as JSON Lines, reported by computeReport on DuckDB. The report must
 * recover the planted uplift inside its 95 % interval, and every KPI must equal the one computed a
 * second way, in plain TypeScript over the shop's own events (analytics/synthetic/expected-kpis.ts).
 *
 * Catalog variant: win-back alone, with a 50 % holdout instead of 10 %. The KPIs do not depend on the
 * journeys, a 10 % control group of a few hundred entries would leave an interval wider than the
 * effect, and the other journeys' emails (MJML rendering, the SES emulator) are most of a
 * simulation's time on two cores. The demo (npm run demo:report) runs the catalog as it is.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DuckDbRunner } from '../../analytics/duckdb.ts';
import { computeReport } from '../../analytics/report.ts';
import type { PeriodKpis, ReportData } from '../../analytics/report-types.ts';
import { type ExpectedPeriod, expectedKpis } from '../../analytics/synthetic/expected-kpis.ts';
import { catalogVariant, runSyntheticShop, type ShopRun } from '../../analytics/synthetic/run.ts';
import { trueUplift } from '../../analytics/synthetic/shop.ts';
import { buildCatalog } from '../../functions/catalog/build.ts';
import { testEnv } from './env.ts';

const CUSTOMERS = 2000;
const SEED = 1;
const FROM = '2026-01-01';
const TO = '2027-01-01';
/**
 * 90 days, not the default 365: in a shop that is one year old nobody can have been away for 365
 * days, so there would be no lost customer, no churn and no CLV to compare.
 */
const ACTIVE_WINDOW_DAYS = 90;

let dir: string;
let run: ShopRun;
let report: ReportData;

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'synthetic-shop-'));
  const { catalog } = await buildCatalog(process.cwd(), { defaultLocale: 'en' });
  run = await runSyntheticShop({
    customers: CUSTOMERS,
    seed: SEED,
    start: `${FROM}T00:00:00.000Z`,
    days: 365,
    effect: { probability: 0.3 },
    catalog: catalogVariant(catalog, { journeys: ['win-back'], holdout: { 'win-back': 0.5 } }),
    sesEndpoint: testEnv().sesEndpoint,
    dir,
  });
  const runner = await DuckDbRunner.open(dir, { materialize: true });
  try {
    report = await computeReport(runner, {
      from: FROM,
      to: TO,
      period: 'month',
      by: 'market',
      activeWindowDays: ACTIVE_WINDOW_DAYS,
    });
  } finally {
    runner.close();
  }
}, 180_000);

afterAll(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('the synthetic shop, simulated, logged and reported', () => {
  it('recovers the planted win-back uplift inside the 95 % interval', () => {
    const outcomes = run.outcomes;
    const treated = outcomes.filter((o) => !o.holdout);
    const held = outcomes.filter((o) => o.holdout);
    const truth = trueUplift(outcomes);
    const winBack = report.journeys.find((j) => j.journey === 'win-back');

    // The counts are exact: every entry, every goal reached, as the generator's coins say.
    expect(winBack).toMatchObject({
      entered: outcomes.length,
      heldOut: held.length,
      goalReached: treated.filter((o) => o.withEmail).length,
      holdoutGoalReached: held.filter((o) => o.withoutEmail).length,
    });
    // And entry by entry: what the engine decided is the potential outcome of the arm drawn.
    const reached = new Set(
      run.result.events
        .filter((e) => e.detailType === 'journey.goal.reached' && e.detail.journey === 'win-back')
        .map((e) => `${e.detail.customerId}#${e.detail.instanceId}`),
    );
    const wrong = outcomes.filter(
      (o) => reached.has(`${o.customerId}#${o.instanceId}`) !== (o.holdout ? o.withoutEmail : o.withEmail),
    );
    expect(wrong).toEqual([]);
    const { uplift } = winBack ?? { uplift: undefined };
    expect(uplift?.note).toBeUndefined();
    expect(truth).toBeGreaterThan(0.1);
    expect(uplift?.ciLow).toBeLessThanOrEqual(truth);
    expect(uplift?.ciHigh).toBeGreaterThanOrEqual(truth);
    // Near, and the interval is informative: narrower than the effect itself, and away from zero.
    expect(Math.abs((uplift?.absolute ?? Number.NaN) - truth)).toBeLessThan(0.06);
    expect((uplift?.ciHigh ?? 1) - (uplift?.ciLow ?? 0)).toBeLessThan(truth * 1.5);
    expect(uplift?.ciLow).toBeGreaterThan(0);
    expect(uplift?.pValue).toBeLessThan(0.01);
  });

  it('has the KPIs of every month, whole shop and per market, computed independently from the shop events', () => {
    const marketOf = new Map(run.shop.customers.map((c) => [c.customerId, c.market]));
    const expected = expectedKpis(run.shop.events(), {
      from: FROM,
      to: TO,
      period: 'month',
      activeWindowDays: ACTIVE_WINDOW_DAYS,
      marketOf,
    });
    // A market with no customer in a period has no row in the report; compare those that have one.
    const key = (p: { start: string; market: string | null }) => `${p.start} ${p.market ?? '*'}`;
    const reported = new Map(report.periods.map((p) => [key(p), p]));
    expect(report.periods.filter((p) => p.market === null)).toHaveLength(12);
    let compared = 0;
    for (const want of expected) {
      const got = reported.get(key(want));
      if (!got && want.market !== null && want.customersAtStart + want.customersAtEnd + want.orders === 0)
        continue;
      expect(got, key(want)).toBeDefined();
      expect(comparable(got as PeriodKpis), key(want)).toEqual(comparable(want));
      compared++;
    }
    expect(compared).toBeGreaterThan(60);
    // The shop is not trivial: customers come, stay, lapse and come back; refunds and NPS are there.
    const december = expected.find((p) => p.start === '2026-12-01' && p.market === null);
    expect(december?.customersAtStart).toBeGreaterThan(500);
    expect(december?.lostCustomers).toBeGreaterThan(0);
    expect(december?.reactivatedCustomers).toBeGreaterThan(0);
    expect(Object.keys(december?.customerLifetimeValue ?? {})).toHaveLength(4);
    expect(Object.keys(december?.revenue ?? {}).sort()).toEqual(['CHF', 'EUR', 'GBP', 'USD']);
    expect(december?.npsResponses).toBeGreaterThan(50);
  });
});

/** Counts exactly, rates to 1e-9, money to the cent the report rounds to. */
function comparable(p: PeriodKpis | ExpectedPeriod) {
  const rate = (r: number | null) => (r === null ? null : Math.round(r * 1e9) / 1e9);
  const cents = (m: Record<string, string | number>) =>
    Object.fromEntries(
      Object.entries(m)
        .sort(([a], [b]) => a.localeCompare(b))
        .map(([c, v]) => [c, Math.round(Number(v) * 100)]),
    );
  return {
    customersAtStart: p.customersAtStart,
    newCustomers: p.newCustomers,
    reactivatedCustomers: p.reactivatedCustomers,
    lostCustomers: p.lostCustomers,
    customersAtEnd: p.customersAtEnd,
    retentionRate: rate(p.retentionRate),
    churnRate: rate(p.churnRate),
    repeatCustomerRate: rate(p.repeatCustomerRate),
    purchaseFrequency: rate(p.purchaseFrequency),
    orders: p.orders,
    revenue: cents(p.revenue),
    averageOrderValue: cents(p.averageOrderValue),
    customerLifetimeValue: cents(p.customerLifetimeValue),
    nps: rate(p.nps),
    npsResponses: p.npsResponses,
    promoters: p.promoters,
    detractors: p.detractors,
  };
}
