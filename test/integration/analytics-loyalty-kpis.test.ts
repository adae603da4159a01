/**
 * Known-answer tests of the loyalty KPIs (analytics/queries/loyalty.sql, loyalty-tiers.sql) on
 * DuckDB, through the same runner and computeReport as `journeys report`. The answer to the fixture
 * was worked out by hand (the comments show the sums); every record is delivered twice.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { DuckDbRunner } from '../../analytics/duckdb.ts';
import { computeReport, ReportInputError, type ReportOptions } from '../../analytics/report.ts';
import type { LoyaltyKpis, ReportData } from '../../analytics/report-types.ts';
import type { AnalyticsRecord } from '../../functions/analytics/record.ts';
import {
  earned,
  expired,
  joined,
  order,
  record,
  redeemed,
  reversed,
  tierChanged,
  writeLog,
} from '../support/analytics-records.ts';

const dirs: string[] = [];
afterAll(async () => {
  await Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true })));
});

async function report(records: AnalyticsRecord[], options: Partial<ReportOptions> = {}): Promise<ReportData> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'kpis-loyalty-'));
  dirs.push(dir);
  await writeLog(dir, records);
  const runner = await DuckDbRunner.open(dir, { materialize: true });
  try {
    return await computeReport(runner, {
      from: '2025-05-01',
      to: '2025-07-01',
      period: 'month',
      now: () => new Date('2025-07-02T00:00:00.000Z'),
      ...options,
    });
  } finally {
    runner.close();
  }
}

const anna = { customer: 'anna', market: 'DE' };
const dan = { customer: 'dan', market: 'DE' };
const ben = { customer: 'ben', market: 'FR' };
const cara = { customer: 'cara', market: 'FR' };
const gina = { customer: 'gina', market: 'FR' };

/** Two months of a small program: members member < silver < gold. */
const program: AnalyticsRecord[] = [
  // anna: a member since January; earns 600 in May and goes up to silver; redeems twice in June.
  joined(anna, '2025-01-10'),
  order(anna, 'a1', '2025-05-03', '600.00'), // an order is not a loyalty record
  earned(anna, '2025-05-03', 600, 'order', 'a1'),
  tierChanged(anna, '2025-05-20', 'silver', 'up'),
  redeemed(anna, '2025-06-02', 500),
  earned(anna, '2025-06-05', 100, 'feedback'),
  redeemed(anna, '2025-06-20', 500),
  // ben: joins in May with the registration bonus, which expires in June (expiry is no activity).
  joined(ben, '2025-05-15'),
  earned(ben, '2025-05-15', 100, 'registration'),
  expired(ben, '2025-06-30T23:59:59.999Z', 100),
  // cara: joins in June with an order that is refunded (its points reversed).
  joined(cara, '2025-06-10'),
  earned(cara, '2025-06-10', 59, 'order', 'c1'),
  reversed(cara, '2025-06-12', 59, 'c1'),
  // dan: gold since last year, down to silver in June, redeems in June.
  joined(dan, '2024-03-01'),
  tierChanged(dan, '2024-04-01', 'silver', 'up'),
  tierChanged(dan, '2024-06-01', 'gold', 'up'),
  tierChanged(dan, '2025-06-15', 'silver', 'down'),
  redeemed(dan, '2025-06-16', 1200, 'fifteen-off'),
  // gina: joins and moves up at the same instant — the change comes after the joining.
  joined(gina, '2025-06-03T10:00:00.000Z'),
  tierChanged(gina, '2025-06-03T10:00:00.000Z', 'silver', 'up'),
  // frank: joined before the log began (no joined record, no tier); earns in June.
  earned('frank', '2025-06-25', 50, 'birthday'),
  // eve: joins after the range.
  joined('eve', '2025-07-02'),
  earned('eve', '2025-07-02', 100, 'registration'),
];

const shop = (data: ReportData) => data.loyalty.periods.filter((p) => p.market === null);

describe('loyalty KPIs', () => {
  it('members, activity, points, redemption rate and frequency, tiers and movements per period', async () => {
    const data = await report([...program, ...program], { loyaltyTiers: ['member', 'silver', 'gold'] });
    expect(data.loyalty.tiers).toEqual(['member', 'silver', 'gold', 'unknown']);
    const [may, june] = shop(data);
    expect(may).toEqual({
      start: '2025-05-01',
      end: '2025-06-01',
      market: null,
      members: 3, // anna, ben, dan
      newMembers: 1, // ben
      activeMembers: 2, // anna, ben earned
      pointsEarned: 700, // 600 + 100
      pointsRedeemed: 0,
      pointsExpired: 0,
      pointsReversed: 0,
      redemptions: 0,
      redeemingMembers: 0,
      redemptionRate: 0,
      redemptionFrequency: null, // nobody redeemed: no frequency
      tiers: { member: 1, silver: 1, gold: 1, unknown: 0 }, // ben, anna, dan
      tierMovements: {
        up: 1,
        down: 0,
        upInto: { member: 0, silver: 1, gold: 0, unknown: 0 },
        downInto: { member: 0, silver: 0, gold: 0, unknown: 0 },
      },
    } satisfies LoyaltyKpis);
    expect(june).toEqual({
      start: '2025-06-01',
      end: '2025-07-01',
      market: null,
      members: 6, // anna, ben, dan + cara, gina, frank (eve joins in July)
      newMembers: 3, // cara, gina, frank (a member since their first loyalty record)
      activeMembers: 4, // anna, cara, dan, frank — not ben (expiry) nor gina (no points)
      pointsEarned: 209, // 100 + 59 + 50
      pointsRedeemed: 2200, // 500 + 500 + 1200
      pointsExpired: 100,
      pointsReversed: 59,
      redemptions: 3,
      redeemingMembers: 2, // anna twice, dan
      redemptionRate: 2 / 6,
      redemptionFrequency: 1.5,
      // member: ben, cara; silver: anna, dan (down from gold), gina; frank has no tier record.
      tiers: { member: 2, silver: 3, gold: 0, unknown: 1 },
      tierMovements: {
        up: 1,
        down: 1,
        upInto: { member: 0, silver: 1, gold: 0, unknown: 0 },
        downInto: { member: 0, silver: 1, gold: 0, unknown: 0 },
      },
    } satisfies LoyaltyKpis);
  });

  it('without the program, orders the tiers by their members at the end, most first', async () => {
    const data = await report(program);
    // June's end: silver 3, member 2, gold 0; unknown always last.
    expect(data.loyalty.tiers).toEqual(['silver', 'member', 'gold', 'unknown']);
    // A program tier nobody is in is still listed when the program names it.
    const named = await report(program, { loyaltyTiers: ['member', 'silver', 'gold', 'platinum'] });
    expect(named.loyalty.tiers).toEqual(['member', 'silver', 'gold', 'platinum', 'unknown']);
    expect(shop(named)[1]?.tiers.platinum).toBe(0);
  });

  it('breaks down by market, and the segments add up to the whole shop', async () => {
    const data = await report(program, { by: 'market', loyaltyTiers: ['member', 'silver', 'gold'] });
    const june = Object.fromEntries(
      data.loyalty.periods.filter((p) => p.start === '2025-06-01').map((p) => [p.market ?? 'shop', p]),
    );
    expect(Object.keys(june)).toEqual(['shop', 'DE', 'FR', 'unknown']);
    expect(june.DE).toMatchObject({
      members: 2,
      activeMembers: 2,
      redemptions: 3,
      redeemingMembers: 2,
      redemptionRate: 1,
      tiers: { member: 0, silver: 2, gold: 0, unknown: 0 },
      tierMovements: { up: 0, down: 1 },
    });
    expect(june.FR).toMatchObject({
      members: 3,
      newMembers: 2,
      activeMembers: 1,
      pointsEarned: 59,
      pointsExpired: 100,
      pointsReversed: 59,
      tiers: { member: 2, silver: 1, gold: 0, unknown: 0 },
    });
    expect(june.unknown).toMatchObject({ members: 1, activeMembers: 1, tiers: { unknown: 1 } });
    const counts = [
      'members',
      'newMembers',
      'activeMembers',
      'pointsEarned',
      'pointsRedeemed',
      'pointsExpired',
      'pointsReversed',
      'redemptions',
      'redeemingMembers',
    ] as const;
    for (const p of data.loyalty.periods.filter((r) => r.market === null)) {
      const parts = data.loyalty.periods.filter((r) => r.market !== null && r.start === p.start);
      for (const k of counts)
        expect(
          parts.reduce((n, r) => n + r[k], 0),
          `${p.start} ${k}`,
        ).toBe(p[k]);
      for (const t of data.loyalty.tiers)
        expect(parts.reduce((n, r) => n + (r.tiers[t] ?? 0), 0)).toBe(p.tiers[t]);
    }
  });

  it('a log without the loyalty program: zero members and no rates, a row per period all the same', async () => {
    const data = await report([order('a', 'o1', '2025-05-10'), order('b', 'o2', '2025-06-10')]);
    expect(data.loyalty.tiers).toEqual([]);
    expect(shop(data).map((p) => [p.start, p.members, p.redemptionRate, p.redemptionFrequency])).toEqual([
      ['2025-05-01', 0, null, null],
      ['2025-06-01', 0, null, null],
    ]);
  });

  it('ignores loyalty records of nobody and sums points only from the movements they belong to', async () => {
    const data = await report([
      joined('x', '2025-06-01'),
      // An expiring reminder and an at-risk note move no points.
      record('loyalty.points.expiring', '2025-06-02', { customer: 'k-x_____________', points: 300 }),
      record('loyalty.tier.at-risk', '2025-06-02', {
        customer: 'k-x_____________',
        tier: 'gold',
        points: 40,
      }),
      record('loyalty.points.available', '2025-06-03', { customer: 'k-x_____________', points: 70 }),
      // A record without a customer (never written so, but the query must not count it).
      record('loyalty.points.earned', '2025-06-04', { customer: null, points: 1000 }),
    ]);
    expect(shop(data)[1]).toMatchObject({
      members: 1,
      activeMembers: 0,
      pointsEarned: 0,
      pointsExpired: 0,
      tiers: { member: 1 },
    });
  });

  it('refuses a tier list that is not tier ids', async () => {
    await expect(report(program, { loyaltyTiers: ['Gold Tier'] })).rejects.toThrow(
      new ReportInputError('loyalty tiers: "Gold Tier" is not a tier id'),
    );
  });
});
