/**
 * Cohorts, email health, the market breakdown and the definitions of the HTML report.
 */
import type { MoneyByCurrency, PeriodKpis } from '../report-types.ts';
import { lineChart, sequentialColours } from './charts.ts';
import { currenciesOf, esc, type Format } from './format.ts';
import { type Context, isEmptyPeriod } from './overview.ts';

/** Background of a heatmap cell: from pale to deep teal with the value's share of the scale. */
function heat(k: number): { bg: string; ink: string } {
  const from = [240, 253, 250];
  const to = [15, 118, 110];
  const [r = 0, g = 0, b = 0] = from.map((c, i) => Math.round(c + ((to[i] ?? c) - c) * k));
  return { bg: `rgb(${r}, ${g}, ${b})`, ink: k > 0.55 ? '#fff' : '#134e4a' };
}

export function cohortsHtml(ctx: Context): string {
  const { f, t } = ctx;
  const tc = t.cohorts;
  const head = `<div class="section-head"><h2>${esc(tc.title)}</h2><p class="muted">${esc(tc.lede)}</p></div>`;
  const cohorts = ctx.data.cohorts;
  if (cohorts.length === 0)
    return `<section id="cohorts" class="section">${head}<div class="empty">${esc(tc.empty)}</div></section>`;
  const width = Math.max(...cohorts.map((c) => c.retention.length));
  // Month 0 is the first order itself (always everyone), so the colour scale starts at month 1.
  const later = cohorts.flatMap((c) => c.retention.slice(1)).filter((v): v is number => v !== null);
  const top = Math.max(0.01, ...later);
  const low = Math.min(top, ...later);
  // The scale spans the observed range, so neighbouring cohorts differ visibly even when all are 15–30 %.
  const scale = (v: number) => 0.12 + 0.88 * (top > low ? (v - low) / (top - low) : 1);
  const months = Array.from({ length: width }, (_, i) => i);
  const rows = cohorts
    .map((c) => {
      const cells = months
        .map((i) => {
          if (i >= c.retention.length) return '<td class="out"></td>';
          const v = c.retention[i];
          if (v === null || v === undefined)
            return `<td class="nil" title="${esc(t.why.noData)}">${t.dash}</td>`;
          if (i === 0) return `<td class="m0">${esc(f.pct(v, 0))}</td>`;
          const { bg, ink } = heat(Math.max(0, Math.min(1, scale(v))));
          return `<td style="background:${bg};color:${ink}">${esc(f.pct(v, 0))}</td>`;
        })
        .join('');
      return `<tr><th scope="row"><span class="long">${esc(f.month(c.cohort))}</span><span class="short">${esc(f.month(c.cohort, true))}</span></th><td class="n">${esc(f.int(c.customers))}</td>${cells}</tr>`;
    })
    .join('\n');
  const table = `<div class="table-wrap"><table class="heatmap">
<thead><tr><th rowspan="2">${esc(tc.cohort)}</th><th rowspan="2" class="n">${esc(tc.customers)}</th><th colspan="${width}" class="span">${esc(tc.monthsSince)}</th></tr>
<tr>${months.map((i) => `<th>${esc(tc.month(i))}</th>`).join('')}</tr></thead>
<tbody>
${rows}
</tbody></table></div>`;

  const currencies = currenciesOf(...cohorts.flatMap((c) => c.revenuePerCustomer));
  const colours = sequentialColours(cohorts.length);
  const revenue = currencies
    .map((cur) => {
      const spec = (w: number) =>
        lineChart({
          categories: months.map((i) => tc.month(i)),
          series: cohorts.map((c) => ({
            name: f.month(c.cohort, true),
            values: months.map((i) => {
              const v = c.revenuePerCustomer[i]?.[cur];
              return v === undefined ? null : Number(v);
            }),
          })),
          width: w,
          height: 300,
          formatValue: (v) => f.money(v, cur, true),
          legend: true,
          colors: colours,
          xName: tc.monthsSince,
          zero: true,
        });
      return `<figure class="panel"><figcaption>${esc(tc.revenueTitle(cur))}</figcaption><p class="muted small">${esc(tc.revenueLede)}</p>
<div class="chart chart-wide">${spec(620)}</div><div class="chart chart-narrow">${spec(360)}</div></figure>`;
    })
    .join('\n');
  return `<section id="cohorts" class="section">${head}
<div class="panel">${table}</div>
<div class="cohort-revenue">${revenue}</div>
</section>`;
}

const SES_LIMITS = {
  bounce: { review: 0.05, pause: 0.1 },
  complaint: { review: 0.001, pause: 0.005 },
} as const;

function gauge(ctx: Context, kind: 'bounce' | 'complaint', value: number | null): string {
  const { f, t } = ctx;
  const te = t.email;
  const { review, pause } = SES_LIMITS[kind];
  const digits = kind === 'bounce' ? 1 : 2;
  const label = kind === 'bounce' ? te.bounce : te.complaint;
  const max = pause * 1.25;
  const pos = (v: number) => `${Math.min(100, (v / max) * 100).toFixed(1)}%`;
  const state = value === null ? 'none' : value >= pause ? 'pause' : value >= review ? 'review' : 'ok';
  const status = state === 'none' ? '' : `<span class="status ${state}">${esc(te[state])}</span>`;
  return `<div class="gauge" data-gauge="${kind}">
<div class="gauge-head"><span class="gauge-label">${esc(label)}</span>${status}</div>
<div class="gauge-value">${value === null ? t.dash : esc(f.pct(value, kind === 'bounce' ? 2 : 3))}</div>
<div class="track"><span class="zone ok" style="width:${pos(review)}"></span><span class="zone review" style="width:calc(${pos(pause)} - ${pos(review)})"></span><span class="zone pause"></span>${value === null ? '' : `<span class="marker" style="left:${pos(value)}"></span>`}</div>
<div class="ticks"><span style="left:${pos(review)}">${esc(f.pct(review, digits))}</span><span style="left:${pos(pause)}">${esc(f.pct(pause, digits))}</span></div>
<p class="muted small">${esc(te.limits(f.pct(review, digits), f.pct(pause, digits)))}</p>
</div>`;
}

export function emailHtml(ctx: Context): string {
  const { f, t } = ctx;
  const te = t.email;
  const h = ctx.data.emailHealth;
  const deliveredRate = h.sent > 0 ? h.delivered / h.sent : null;
  const tiles: [string, string, string][] = [
    [te.sent, f.int(h.sent), ''],
    [te.delivered, f.int(h.delivered), deliveredRate === null ? '' : f.pct(deliveredRate)],
    [te.unsubscribed, f.int(h.unsubscribed), h.sent > 0 ? f.pct(h.unsubscribed / h.sent, 2) : ''],
  ];
  const note = h.sent === 0 ? `<div class="notice">${esc(te.noSends)}</div>` : '';
  return `<section id="email" class="section">
<div class="section-head"><h2>${esc(te.title)}</h2><p class="muted">${esc(te.lede)}</p></div>
${note}
<div class="email-grid">
<div class="panel tiles">${tiles.map(([k, v, sub]) => `<div class="tile"><div class="tile-label">${esc(k)}</div><div class="tile-value">${esc(v)}</div>${sub ? `<div class="sub">${esc(sub)}</div>` : ''}</div>`).join('')}</div>
<div class="panel">${gauge(ctx, 'bounce', h.bounceRate)}</div>
<div class="panel">${gauge(ctx, 'complaint', h.complaintRate)}</div>
</div>
</section>`;
}

function moneyCell(f: Format, m: MoneyByCurrency, dash: string): string {
  const cs = currenciesOf(m);
  return cs.length ? cs.map((c) => esc(f.money(m[c] ?? '0', c))).join('<br>') : dash;
}

export function marketsHtml(ctx: Context): string {
  const { f, t, data } = ctx;
  const tm = t.markets;
  if (ctx.breakdown.length === 0) return '';
  const latest =
    ctx.current?.start ??
    ctx.breakdown
      .map((p) => p.start)
      .sort()
      .at(-1) ??
    '';
  const rows = ctx.breakdown.filter((p) => p.start === latest);
  const markets = [...new Set(ctx.breakdown.map((p) => p.market ?? ''))];
  const pct = (v: number | null) => (v === null ? t.dash : esc(f.pct(v)));
  const body = rows
    .map((p: PeriodKpis) => {
      const empty = isEmptyPeriod(p);
      return `<tr data-market="${esc(p.market)}"><th scope="row">${esc(f.market(p.market ?? ''))} <span class="code">${esc(p.market)}</span></th>
<td class="num">${esc(f.int(p.customersAtEnd))}</td><td class="num">${esc(f.int(p.newCustomers))}</td>
<td class="num">${pct(p.retentionRate)}</td><td class="num">${pct(p.churnRate)}</td><td class="num">${pct(p.repeatCustomerRate)}</td>
<td class="num">${p.purchaseFrequency === null ? t.dash : esc(f.dec(p.purchaseFrequency))}</td><td class="num">${esc(f.int(p.orders))}</td>
<td class="num">${moneyCell(f, p.revenue, t.dash)}</td><td class="num">${moneyCell(f, p.averageOrderValue, t.dash)}</td>
<td class="num">${p.nps === null ? t.dash : esc(f.signed(Math.round(p.nps)))}</td></tr>${empty ? `<tr class="why-row"><td colspan="11">${esc(t.why.noData)}</td></tr>` : ''}`;
    })
    .join('\n');
  const starts = [...new Set(ctx.breakdown.map((p) => p.start))].sort();
  const chart = (w: number) =>
    lineChart({
      categories: starts.map((s) => f.period(s, data.period, true)),
      series: markets.map((m) => ({
        name: f.market(m),
        values: starts.map(
          (s) => ctx.breakdown.find((p) => p.market === m && p.start === s)?.retentionRate ?? null,
        ),
      })),
      width: w,
      height: 260,
      formatValue: (v) => f.pct(v, 0),
      legend: true,
    });
  const k = t.kpi;
  return `<section id="markets" class="section">
<div class="section-head"><h2>${esc(tm.title)}</h2><p class="muted">${esc(tm.lede(latest ? f.period(latest, data.period) : ''))}</p></div>
<div class="panel"><div class="table-wrap"><table class="data markets">
<thead><tr><th>${esc(tm.market)}</th><th class="num">${esc(tm.active)}</th><th class="num">${esc(tm.fresh)}</th><th class="num">${esc(k.retentionRate)}</th><th class="num">${esc(k.churnRate)}</th><th class="num">${esc(k.repeatCustomerRate)}</th><th class="num">${esc(k.purchaseFrequency)}</th><th class="num">${esc(tm.orders)}</th><th class="num">${esc(k.revenue)}</th><th class="num">${esc(k.averageOrderValue)}</th><th class="num">NPS</th></tr></thead>
<tbody>
${body}
</tbody></table></div></div>
<figure class="panel"><figcaption>${esc(tm.retentionTrend)}</figcaption><div class="chart chart-wide">${chart(1000)}</div><div class="chart chart-narrow">${chart(360)}</div></figure>
</section>`;
}

export function definitionsHtml(ctx: Context): string {
  const { t, data, f } = ctx;
  return `<section class="section definitions"><h2>${esc(t.definitions.title)}</h2><dl>${[
    ...t.definitions.items,
    ...t.loyalty.definitions,
  ]
    .map(([k, v]) => `<div><dt>${esc(k)}</dt><dd>${esc(v)}</dd></div>`)
    .join(
      '',
    )}<div><dt>${esc(t.definitions.window)}</dt><dd>${esc(t.definitions.days(f.int(data.activeWindowDays)))}</dd></div></dl></section>`;
}
