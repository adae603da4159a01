/**
 * The loyalty section of the HTML report: the latest whole-shop period's members, activity, points and
 * redemptions against the period before, the tiers at its end with the period's moves, and members
 * and points over every period of the report.
 */
import type { LoyaltyKpis } from '../report-types.ts';
import { lineChart, sequentialColours } from './charts.ts';
import { esc, type Format } from './format.ts';
import type { Context } from './overview.ts';

/** Whether a period has anything to show: members, or points moved (a log whose joins predate it). */
const hasActivity = (p: LoyaltyKpis) =>
  p.members > 0 || p.pointsEarned > 0 || p.pointsRedeemed > 0 || p.pointsExpired > 0 || p.pointsReversed > 0;

interface Tile {
  key: string;
  label: string;
  value: string;
  sub: string[];
}

function tiles(f: Format, ctx: Context, cur: LoyaltyKpis, prev: LoyaltyKpis | undefined): Tile[] {
  const tl = ctx.t.loyalty;
  const dash = ctx.t.dash;
  const rate = (v: number | null) => (v === null ? dash : f.pct(v));
  const freq = (v: number | null) => (v === null ? dash : f.dec(v, 2));
  const was = (text: string) => (prev ? [tl.previous(text)] : []);
  const share = cur.members > 0 ? [tl.ofMembers(f.pct(cur.activeMembers / cur.members))] : [];
  const points = (key: 'pointsEarned' | 'pointsRedeemed' | 'pointsExpired' | 'pointsReversed'): Tile => ({
    key,
    label: tl[key],
    value: f.int(cur[key]),
    sub: was(f.int(prev?.[key] ?? 0)),
  });
  return [
    {
      key: 'members',
      label: tl.members,
      value: f.int(cur.members),
      sub: [tl.newMembers(f.int(cur.newMembers)), ...was(f.int(prev?.members ?? 0))],
    },
    {
      key: 'activeMembers',
      label: tl.activeMembers,
      value: f.int(cur.activeMembers),
      sub: [...share, ...was(f.int(prev?.activeMembers ?? 0))],
    },
    {
      key: 'redemptionRate',
      label: tl.redemptionRate,
      value: rate(cur.redemptionRate),
      sub: [tl.redeemers(f.int(cur.redeemingMembers)), ...was(rate(prev?.redemptionRate ?? null))],
    },
    {
      key: 'redemptionFrequency',
      label: tl.redemptionFrequency,
      value: freq(cur.redemptionFrequency),
      sub: [tl.redemptions(f.int(cur.redemptions)), ...was(freq(prev?.redemptionFrequency ?? null))],
    },
    points('pointsEarned'),
    points('pointsRedeemed'),
    points('pointsExpired'),
    points('pointsReversed'),
  ];
}

function tiersHtml(ctx: Context, cur: LoyaltyKpis, tiers: string[]): string {
  const { f, t, data } = ctx;
  const tl = t.loyalty;
  const name = (tier: string) => (tier === 'unknown' ? tl.noTier : tier);
  const colours = sequentialColours(Math.max(2, tiers.length));
  const total = tiers.reduce((n, tier) => n + (cur.tiers[tier] ?? 0), 0);
  const bar = total
    ? `<div class="tier-bar" role="img" aria-label="${esc(tl.tiersTitle(f.period(cur.start, data.period)))}">${tiers
        .filter((tier) => (cur.tiers[tier] ?? 0) > 0)
        .map(
          (tier) =>
            `<span style="width:${(((cur.tiers[tier] ?? 0) / total) * 100).toFixed(2)}%;background:${colours[tiers.indexOf(tier)]}" title="${esc(name(tier))}"></span>`,
        )
        .join('')}</div>`
    : `<p class="muted small">${esc(tl.noMembers)}</p>`;
  const rows = tiers
    .map((tier) => {
      const n = cur.tiers[tier] ?? 0;
      const swatch = `<i class="swatch" style="background:${colours[tiers.indexOf(tier)]}"></i>`;
      const label =
        tier === 'unknown' ? `<span class="muted">${esc(name(tier))}</span>` : `<code>${esc(tier)}</code>`;
      return `<tr data-tier="${esc(tier)}"><th scope="row">${swatch}${label}</th><td class="num">${esc(f.int(n))}</td><td class="num">${total ? esc(f.pct(n / total)) : t.dash}</td><td class="num">${esc(f.int(cur.tierMovements.upInto[tier] ?? 0))}</td><td class="num">${esc(f.int(cur.tierMovements.downInto[tier] ?? 0))}</td></tr>`;
    })
    .join('\n');
  return `<figure class="panel" data-loyalty="tiers"><figcaption>${esc(tl.tiersTitle(f.period(cur.start, data.period)))}</figcaption>
${bar}
<div class="table-wrap"><table class="data tiers">
<thead><tr><th>${esc(tl.tier)}</th><th class="num">${esc(tl.members)}</th><th class="num">${esc(tl.share)}</th><th class="num">${esc(tl.movedUp)}</th><th class="num">${esc(tl.movedDown)}</th></tr></thead>
<tbody>
${rows}
</tbody></table></div></figure>`;
}

function trendFigure(
  ctx: Context,
  key: string,
  title: string,
  rows: LoyaltyKpis[],
  series: [string, (p: LoyaltyKpis) => number][],
  wide: number,
): string {
  const { f, data } = ctx;
  const spec = (width: number) =>
    lineChart({
      categories: rows.map((p) => f.period(p.start, data.period, true)),
      series: series.map(([name, value]) => ({ name, values: rows.map(value) })),
      width,
      height: 240,
      formatValue: (v) => f.compact(v),
      legend: true,
      zero: true,
    });
  return `<figure class="panel" data-loyalty="${key}"><figcaption>${esc(title)}</figcaption><div class="chart chart-wide">${spec(wide)}</div><div class="chart chart-narrow">${spec(360)}</div></figure>`;
}

export function loyaltyHtml(ctx: Context): string {
  const { f, t, data } = ctx;
  const tl = t.loyalty;
  // A report saved before the loyalty section existed has none.
  const loyalty = data.loyalty ?? { tiers: [], periods: [] };
  const shop = loyalty.periods
    .filter((p) => p.market === null)
    .sort((a, b) => a.start.localeCompare(b.start));
  const cur = shop.at(-1);
  const head = (period: string) =>
    `<div class="section-head"><h2>${esc(tl.title)}</h2>${period ? `<p class="muted">${esc(tl.lede(period))}</p>` : ''}</div>`;
  if (!cur || !shop.some(hasActivity))
    return `<section id="loyalty" class="section">${head('')}<div class="empty">${esc(tl.empty)}</div></section>`;
  const tileHtml = tiles(f, ctx, cur, shop.at(-2))
    .map(
      (tile) =>
        `<div class="tile" data-loyalty="${tile.key}"><div class="tile-label">${esc(tile.label)}</div><div class="tile-value">${esc(tile.value)}</div>${tile.sub.map((s) => `<div class="sub">${esc(s)}</div>`).join('')}</div>`,
    )
    .join('');
  return `<section id="loyalty" class="section">${head(f.period(cur.start, data.period))}
<div class="panel tiles loyalty-tiles">${tileHtml}</div>
<div class="loyalty-grid">
${tiersHtml(ctx, cur, loyalty.tiers)}
${trendFigure(
  ctx,
  'members',
  tl.membersTitle,
  shop,
  [
    [tl.members, (p) => p.members],
    [tl.activeMembers, (p) => p.activeMembers],
  ],
  620,
)}
</div>
${trendFigure(
  ctx,
  'points',
  tl.pointsTitle,
  shop,
  [
    [tl.pointsEarned, (p) => p.pointsEarned],
    [tl.pointsRedeemed, (p) => p.pointsRedeemed],
    [tl.pointsExpired, (p) => p.pointsExpired],
    [tl.pointsReversed, (p) => p.pointsReversed],
  ],
  1000,
)}
</section>`;
}
