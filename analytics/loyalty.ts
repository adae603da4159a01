/**
 * The loyalty section of the report from loyalty.sql and loyalty-tiers.sql: counts per period and
 * segment added up to the whole shop (every customer is in one segment), then the two rates.
 */
import { UNKNOWN } from './funnels.ts';
import type { Period } from './periods.ts';
import type { LoyaltyKpis, LoyaltyReport } from './report-types.ts';
import { num, ratio, str } from './rows.ts';
import type { SqlRow } from './sql-runner.ts';

const COUNT_COLUMNS = {
  members: 'members',
  newMembers: 'new_members',
  activeMembers: 'active_members',
  pointsEarned: 'points_earned',
  pointsRedeemed: 'points_redeemed',
  pointsExpired: 'points_expired',
  pointsReversed: 'points_reversed',
  redemptions: 'redemptions',
  redeemingMembers: 'redeeming_members',
} as const;
type CountKey = keyof typeof COUNT_COLUMNS;

interface Counts extends Record<CountKey, number> {
  tiers: Map<string, number>;
  upInto: Map<string, number>;
  downInto: Map<string, number>;
}

const emptyCounts = (): Counts => ({
  ...(Object.fromEntries(Object.keys(COUNT_COLUMNS).map((k) => [k, 0])) as Record<CountKey, number>),
  tiers: new Map(),
  upInto: new Map(),
  downInto: new Map(),
});

const add = (m: Map<string, number>, key: string, n: number) => m.set(key, (m.get(key) ?? 0) + n);

/** The key of the whole shop among the segments (no segment can be named so). */
const SHOP = '\u0000';

/**
 * `tierOrder`: the program's tier ids, lowest first (loyalty.yaml). Tiers in the data it does not
 * name, or all of them without it, follow by their members at the end of the last period, most
 * first — the base tier is the biggest in any program that has tiers worth the name.
 */
export function loyaltyReport(
  periods: readonly Period[],
  rows: readonly SqlRow[],
  tierRows: readonly SqlRow[],
  breakdown: boolean,
  tierOrder: readonly string[] = [],
): LoyaltyReport {
  const bySegment = new Map<string, Map<string, Counts>>();
  const counts = (row: SqlRow): Counts[] =>
    [str(row.segment) ?? UNKNOWN, SHOP].map((segment) => {
      const segments = bySegment.get(segment) ?? new Map<string, Counts>();
      bySegment.set(segment, segments);
      const start = String(row.period_start);
      const c = segments.get(start) ?? emptyCounts();
      segments.set(start, c);
      return c;
    });
  for (const row of rows)
    for (const c of counts(row))
      for (const [key, column] of Object.entries(COUNT_COLUMNS)) c[key as CountKey] += num(row[column]);
  for (const row of tierRows) {
    const tier = str(row.tier) ?? UNKNOWN;
    const n = num(row.n);
    for (const c of counts(row)) {
      if (row.direction === 'up') add(c.upInto, tier, n);
      else if (row.direction === 'down') add(c.downInto, tier, n);
      else add(c.tiers, tier, n);
    }
  }

  const tiers = orderTiers(bySegment.get(SHOP), periods, tierOrder);
  const segments = breakdown ? [...bySegment.keys()].filter((s) => s !== SHOP).sort() : [];
  const out: LoyaltyKpis[] = [];
  for (const segment of [SHOP, ...segments])
    for (const p of periods)
      out.push(kpis(p, segment === SHOP ? null : segment, tiers, bySegment.get(segment)?.get(p.start)));
  return { tiers, periods: out };
}

function orderTiers(
  shop: Map<string, Counts> | undefined,
  periods: readonly Period[],
  tierOrder: readonly string[],
): string[] {
  const seen = new Set<string>();
  for (const c of shop?.values() ?? [])
    for (const m of [c.tiers, c.upInto, c.downInto]) for (const t of m.keys()) seen.add(t);
  const last = shop?.get(periods.at(-1)?.start ?? '')?.tiers ?? new Map<string, number>();
  const rest = [...seen]
    .filter((t) => !tierOrder.includes(t) && t !== UNKNOWN)
    .sort((a, b) => (last.get(b) ?? 0) - (last.get(a) ?? 0) || a.localeCompare(b));
  return [...tierOrder, ...rest, ...(seen.has(UNKNOWN) ? [UNKNOWN] : [])];
}

function kpis(p: Period, market: string | null, tiers: string[], c: Counts = emptyCounts()): LoyaltyKpis {
  const byTier = (m: Map<string, number>) => Object.fromEntries(tiers.map((t) => [t, m.get(t) ?? 0]));
  const sum = (m: Map<string, number>) => [...m.values()].reduce((a, b) => a + b, 0);
  return {
    start: p.start,
    end: p.end,
    market,
    members: c.members,
    newMembers: c.newMembers,
    activeMembers: c.activeMembers,
    pointsEarned: c.pointsEarned,
    pointsRedeemed: c.pointsRedeemed,
    pointsExpired: c.pointsExpired,
    pointsReversed: c.pointsReversed,
    redemptions: c.redemptions,
    redeemingMembers: c.redeemingMembers,
    redemptionRate: ratio(c.redeemingMembers, c.members),
    redemptionFrequency: ratio(c.redemptions, c.redeemingMembers),
    tiers: byTier(c.tiers),
    tierMovements: {
      up: sum(c.upInto),
      down: sum(c.downInto),
      upInto: byTier(c.upInto),
      downInto: byTier(c.downInto),
    },
  };
}
