/**
 * A generated loyalty log checked against a second, deliberately naive implementation of the loyalty
 * KPI definitions (per customer and period, straight from the README's words) — the SQL's per-period
 * joins, its tie-break between joining and a tier change, and the adding up of segments must agree
 * with it in every period and segment.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { DuckDbRunner } from '../../analytics/duckdb.ts';
import { periodsBetween } from '../../analytics/periods.ts';
import { computeReport } from '../../analytics/report.ts';
import type { LoyaltyKpis } from '../../analytics/report-types.ts';
import type { AnalyticsRecord } from '../../functions/analytics/record.ts';
import {
  earned,
  expired,
  joined,
  order,
  redeemed,
  reversed,
  tierChanged,
  writeLog,
} from '../support/analytics-records.ts';

const TIERS = ['member', 'silver', 'gold'];
const FROM = '2025-01-01';
const TO = '2026-01-01';

let dir: string | undefined;
afterAll(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});

function generate(seed: number): AnalyticsRecord[] {
  let s = seed;
  const rnd = () => {
    s = (s * 1103515245 + 12345) % 2147483648;
    return s / 2147483648;
  };
  const pick = <T>(xs: readonly T[]) => xs[Math.floor(rnd() * xs.length)] as T;
  const out: AnalyticsRecord[] = [];
  const start = Date.parse('2024-10-01T00:00:00.000Z');
  for (let c = 0; c < 150; c++) {
    const market = pick(['DE', 'FR', 'US', undefined]);
    const who = { customer: `m${c}`, ...(market ? { market } : {}) };
    let t = start + rnd() * 420 * 86_400_000;
    // Some members joined before the log began: no joined record, no tier until a change.
    let tier = rnd() < 0.85 ? 0 : -1;
    if (tier === 0) out.push(joined(who, new Date(t).toISOString()));
    // Now and then a change at the very instant of joining (registration into a higher tier).
    if (tier === 0 && rnd() < 0.05) {
      tier = 1;
      out.push(tierChanged(who, new Date(t).toISOString(), 'silver', 'up'));
    }
    const steps = Math.floor(rnd() * 8);
    for (let k = 0; k < steps; k++) {
      t += rnd() * 60 * 86_400_000;
      const at = new Date(t).toISOString();
      const r = rnd();
      if (r < 0.4) {
        out.push(
          earned(
            who,
            at,
            10 + Math.floor(rnd() * 300),
            pick(['order', 'feedback', 'birthday']),
            `o${c}-${k}`,
          ),
        );
        if (rnd() < 0.1) out.push(order(who, `o${c}-${k}`, at)); // not loyalty: must not count
      } else if (r < 0.55)
        out.push(redeemed(who, at, pick([500, 1200, 2000]), pick(['five-off', 'fifteen-off'])));
      else if (r < 0.65) out.push(expired(who, at, Math.floor(rnd() * 400)));
      else if (r < 0.72) out.push(reversed(who, at, Math.floor(rnd() * 200), `o${c}-${k}`));
      else if (r < 0.86 && tier < 2) {
        tier = Math.max(tier, 0) + 1;
        out.push(tierChanged(who, at, TIERS[tier] as string, 'up'));
      } else if (tier > 0) {
        tier -= 1;
        out.push(tierChanged(who, at, TIERS[tier] as string, 'down'));
      }
    }
  }
  // At-least-once: a tenth of the records twice.
  return [...out, ...out.filter(() => rnd() < 0.1)];
}

/** The definitions, one customer and one period at a time. */
function naive(records: AnalyticsRecord[], breakdown: boolean): LoyaltyKpis[] {
  const unique = [...new Map(records.map((r) => [r.id, r])).values()];
  const loyalty = unique.filter((r) => r.type.startsWith('loyalty.') && r.customer);
  const customers = [...new Set(loyalty.map((r) => r.customer as string))];
  const segmentOf = (c: string) =>
    unique
      .filter((r) => r.customer === c && r.market)
      .sort((a, b) => a.time.localeCompare(b.time))
      .at(-1)?.market ?? 'unknown';
  const since = (c: string) =>
    loyalty
      .filter((r) => r.customer === c)
      .map((r) => r.time)
      .sort()[0] as string;
  const out: LoyaltyKpis[] = [];
  const segments = breakdown ? [...new Set(customers.map(segmentOf))].sort() : [];
  for (const segment of [null, ...segments]) {
    const mine = customers.filter((c) => segment === null || segmentOf(c) === segment);
    for (const p of periodsBetween(FROM, TO, 'month', 365)) {
      const members = mine.filter((c) => since(c) < p.end);
      const inPeriod = loyalty.filter(
        (r) => mine.includes(r.customer as string) && r.time >= p.start && r.time < p.end,
      );
      const of = (type: string) => inPeriod.filter((r) => r.type === type);
      const sum = (type: string) => of(type).reduce((n, r) => n + (r.points ?? 0), 0);
      const redeemers = new Set(of('loyalty.reward.redeemed').map((r) => r.customer));
      const tiers: Record<string, number> = Object.fromEntries([...TIERS, 'unknown'].map((t) => [t, 0]));
      for (const c of members) {
        const last = loyalty
          .filter(
            (r) =>
              r.customer === c &&
              r.time < p.end &&
              (r.type === 'loyalty.member.joined' || r.type === 'loyalty.tier.changed'),
          )
          .sort((a, b) => a.time.localeCompare(b.time) || (a.type === 'loyalty.tier.changed' ? 1 : -1))
          .at(-1);
        const tier = last?.tier ?? 'unknown';
        tiers[tier] = (tiers[tier] ?? 0) + 1;
      }
      const moves = (direction: string) =>
        Object.fromEntries(
          [...TIERS, 'unknown'].map((t) => [
            t,
            of('loyalty.tier.changed').filter((r) => r.reason === direction && r.tier === t).length,
          ]),
        );
      const upInto = moves('up');
      const downInto = moves('down');
      out.push({
        start: p.start,
        end: p.end,
        market: segment,
        members: members.length,
        newMembers: members.filter((c) => since(c) >= p.start).length,
        activeMembers: new Set(
          inPeriod
            .filter((r) => r.type === 'loyalty.points.earned' || r.type === 'loyalty.reward.redeemed')
            .map((r) => r.customer),
        ).size,
        pointsEarned: sum('loyalty.points.earned'),
        pointsRedeemed: sum('loyalty.reward.redeemed'),
        pointsExpired: sum('loyalty.points.expired'),
        pointsReversed: sum('loyalty.points.reversed'),
        redemptions: of('loyalty.reward.redeemed').length,
        redeemingMembers: redeemers.size,
        redemptionRate: members.length ? redeemers.size / members.length : null,
        redemptionFrequency: redeemers.size ? of('loyalty.reward.redeemed').length / redeemers.size : null,
        tiers,
        tierMovements: {
          up: Object.values(upInto).reduce((a, b) => a + b, 0),
          down: Object.values(downInto).reduce((a, b) => a + b, 0),
          upInto,
          downInto,
        },
      });
    }
  }
  return out;
}

describe('a generated loyalty log, computed a second way', () => {
  it('agrees with the naive definitions in every month and market', async () => {
    const records = generate(11);
    dir = await mkdtemp(path.join(os.tmpdir(), 'kpis-loyalty-generated-'));
    await writeLog(dir, records);
    const runner = await DuckDbRunner.open(dir, { materialize: true });
    try {
      const data = await computeReport(runner, {
        from: FROM,
        to: TO,
        period: 'month',
        by: 'market',
        loyaltyTiers: TIERS,
      });
      expect(data.loyalty.tiers).toEqual([...TIERS, 'unknown']);
      const expected = naive(records, true);
      expect(data.loyalty.periods).toHaveLength(expected.length);
      for (const [i, want] of expected.entries()) {
        const got = data.loyalty.periods[i];
        expect(got, `${want.start} ${want.market}`).toEqual(want);
      }
      // Not vacuous: the log has every kind of fact, in most months.
      const shop = data.loyalty.periods.filter((p) => p.market === null);
      expect(shop.filter((p) => p.redemptions > 0).length).toBeGreaterThan(6);
      expect(shop.filter((p) => p.tierMovements.down > 0).length).toBeGreaterThan(3);
      expect(shop.at(-1)?.tiers.unknown).toBeGreaterThan(0);
      expect(shop.at(-1)?.tiers.gold).toBeGreaterThan(0);
    } finally {
      runner.close();
    }
  });
});
