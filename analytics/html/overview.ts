/**
 * The top of the report: header, KPI cards (latest period against the one before) and a trend chart
 * per KPI over all periods of the whole shop.
 */
import type { MoneyByCurrency, PeriodKpis, ReportData } from '../report-types.ts';
import { lineChart } from './charts.ts';
import { currenciesOf, esc, type Format, lastDay } from './format.ts';
import type { Messages } from './messages.ts';

export interface Context {
  data: ReportData;
  f: Format;
  t: Messages;
  shopName: string | undefined;
  /** Whole-shop rows (market null), oldest first. */
  shop: PeriodKpis[];
  current: PeriodKpis | undefined;
  previous: PeriodKpis | undefined;
  /** Breakdown rows (market set), in the data's order. */
  breakdown: PeriodKpis[];
}

type KpiKey = keyof Messages['kpi'];
type Kind = 'rate' | 'frequency' | 'nps' | 'money';

interface KpiSpec {
  key: KpiKey;
  kind: Kind;
  /** Churn is the one KPI where going up is bad. */
  upIsGood: boolean;
}

export const KPIS: KpiSpec[] = [
  { key: 'retentionRate', kind: 'rate', upIsGood: true },
  { key: 'churnRate', kind: 'rate', upIsGood: false },
  { key: 'repeatCustomerRate', kind: 'rate', upIsGood: true },
  { key: 'purchaseFrequency', kind: 'frequency', upIsGood: true },
  { key: 'averageOrderValue', kind: 'money', upIsGood: true },
  { key: 'customerLifetimeValue', kind: 'money', upIsGood: true },
  { key: 'nps', kind: 'nps', upIsGood: true },
  { key: 'revenue', kind: 'money', upIsGood: true },
];

/** The precision each kind of change is shown with (0.1 pp, 0.01, 0.1 NPS points). */
const STEP: Record<Kind, number> = { rate: 0.001, frequency: 0.01, nps: 0.1, money: 0.001 };

export function isEmptyPeriod(p: PeriodKpis): boolean {
  return p.customersAtStart === 0 && p.customersAtEnd === 0 && p.orders === 0 && p.npsResponses === 0;
}

function numberOf(p: PeriodKpis, key: KpiKey): number | null {
  const v = p[key];
  return typeof v === 'number' ? v : null;
}

function moneyOf(p: PeriodKpis, key: KpiKey): MoneyByCurrency {
  const v = p[key];
  return v && typeof v === 'object' ? v : {};
}

/** Why a figure is undefined, in words a shop owner understands. */
export function whyMissing(t: Messages, p: PeriodKpis | undefined, key: KpiKey): string {
  if (!p || isEmptyPeriod(p)) return t.why.noData;
  switch (key) {
    case 'retentionRate':
    case 'churnRate':
      return t.why.noStartCustomers;
    case 'nps':
      return t.why.noResponses;
    case 'customerLifetimeValue':
      return p.orders > 0 ? t.why.noChurn : t.why.noOrders;
    default:
      return t.why.noOrders;
  }
}

export function valueText(f: Format, kind: Kind, v: number): string {
  if (kind === 'rate') return f.pct(v);
  if (kind === 'frequency') return f.dec(v, 2);
  return f.signed(Math.round(v));
}

/** `step` is the smallest change the text shows: below it the change reads and colours as none. */
function deltaHtml(
  ctx: Context,
  spec: KpiSpec,
  diff: number,
  step: number,
  text: string,
  previous: string,
): string {
  const { t } = ctx;
  const flat = Math.abs(diff) < step / 2;
  const good = flat ? 'flat' : diff > 0 === spec.upIsGood ? 'good' : 'bad';
  const arrow = flat ? '→' : diff > 0 ? '▲' : '▼';
  const verdict = flat ? t.unchanged : good === 'good' ? t.better : t.worse;
  return `<span class="delta ${good}" title="${esc(verdict)}"><span aria-hidden="true">${arrow}</span> ${esc(text)}<span class="sr"> (${esc(verdict)})</span></span> <span class="prev">${esc(t.previous(previous))}</span>`;
}

function missing(ctx: Context, key: KpiKey): string {
  const why = whyMissing(ctx.t, ctx.current, key);
  return `<div class="value none" title="${esc(why)}">${ctx.t.dash}</div><p class="why">${esc(why)}</p>`;
}

function kpiCard(ctx: Context, spec: KpiSpec): string {
  const { f, t, current: cur, previous: prev } = ctx;
  let body: string;
  if (!cur) {
    body = missing(ctx, spec.key);
  } else if (spec.kind === 'money') {
    const now = moneyOf(cur, spec.key);
    const before = prev ? moneyOf(prev, spec.key) : {};
    const currencies = currenciesOf(now);
    body = currencies.length
      ? currencies
          .map((c) => {
            const v = Number(now[c]);
            const p = before[c];
            const change =
              p !== undefined && Number(p) !== 0
                ? deltaHtml(
                    ctx,
                    spec,
                    (v - Number(p)) / Number(p),
                    0.001,
                    f.relative((v - Number(p)) / Number(p)),
                    f.money(p, c),
                  )
                : '';
            return `<div class="money-row"><div class="value">${esc(f.money(now[c] ?? '0', c))}</div>${change ? `<div class="change">${change}</div>` : ''}</div>`;
          })
          .join('')
      : missing(ctx, spec.key);
  } else {
    const v = numberOf(cur, spec.key);
    const p = prev ? numberOf(prev, spec.key) : null;
    if (v === null) body = missing(ctx, spec.key);
    else {
      const diff = p === null ? null : v - p;
      const text =
        diff === null
          ? ''
          : spec.kind === 'rate'
            ? f.pp(diff)
            : spec.kind === 'frequency'
              ? f.signed(diff, 2)
              : f.signed(diff, 1);
      const change =
        diff === null || p === null
          ? ''
          : deltaHtml(ctx, spec, diff, STEP[spec.kind], text, valueText(f, spec.kind, p));
      body = `<div class="value">${esc(valueText(f, spec.kind, v))}</div>${change ? `<div class="change">${change}</div>` : ''}`;
    }
    if (spec.key === 'nps' && cur.npsResponses > 0)
      body += `<p class="detail">${esc(t.npsDetail(f.int(cur.npsResponses), f.int(cur.promoters), f.int(cur.detractors)))}</p>`;
    if (spec.key === 'retentionRate' && !isEmptyPeriod(cur))
      body += `<p class="detail">${esc(
        t.customersDetail(
          f.int(cur.customersAtStart),
          f.int(cur.customersAtEnd),
          f.int(cur.lostCustomers),
          f.int(cur.newCustomers),
        ),
      )}</p>`;
  }
  return `<article class="kpi kpi-${spec.kind}" data-kpi="${spec.key}">
<h3>${esc(t.kpi[spec.key])}</h3>
${body}
<p class="hint">${esc(t.kpiHint[spec.key])}</p>
</article>`;
}

export function headerHtml(ctx: Context): string {
  const { data, f, t } = ctx;
  const range = ctx.shop.length
    ? `${f.period(ctx.shop[0]?.start ?? data.from, data.period)} – ${f.period(ctx.shop.at(-1)?.start ?? data.to, data.period)}`
    : `${f.date(data.from)} – ${f.date(lastDay(data.to))}`;
  const orders = ctx.shop.reduce((n, p) => n + p.orders, 0);
  const stats: [string, string][] = [
    [t.stats.active, ctx.current ? f.int(ctx.current.customersAtEnd) : t.dash],
    [t.stats.orders, f.int(orders)],
    [t.stats.journeys, f.int(data.journeys.length)],
    [t.stats.emails, f.int(data.emailHealth.sent)],
  ];
  return `<header class="page-head">
  <div class="wrap head-row">
    <div>
      <div class="eyebrow light">${esc(t.eyebrow)}</div>
      <h1>${ctx.shopName ? `${esc(ctx.shopName)} <span class="h1-sub">· ${esc(t.title)}</span>` : esc(t.title)}</h1>
      <p class="lede">${esc(t.lede(range, t.units[data.period]))}</p>
      <p class="generated">${esc(t.generated(f.dateTime(data.generated.at), data.generated.source, f.int(data.generated.records)))}</p>
    </div>
    <dl class="stats">${stats.map(([k, v]) => `<div><dt>${esc(k)}</dt><dd>${esc(v)}</dd></div>`).join('')}</dl>
  </div>
</header>`;
}

export function overviewHtml(ctx: Context): string {
  const { f, t, data } = ctx;
  const title = ctx.current ? t.overview.title(f.period(ctx.current.start, data.period)) : t.nav.overview;
  const compared = ctx.previous
    ? t.overview.compared(f.period(ctx.previous.start, data.period))
    : t.overview.noPrevious;
  const note =
    ctx.current && isEmptyPeriod(ctx.current) ? `<div class="notice">${esc(t.why.noData)}</div>` : '';
  return `<section id="overview" class="section">
<div class="section-head"><h2>${esc(title)}</h2><p class="muted">${esc(compared)}</p></div>
${note}
<div class="kpis">
${KPIS.map((k) => kpiCard(ctx, k)).join('\n')}
</div>
</section>`;
}

export function trendsHtml(ctx: Context): string {
  const { f, t, data } = ctx;
  const head = `<div class="section-head"><h2>${esc(t.trends.title)}</h2><p class="muted">${esc(t.trends.lede)}</p></div>`;
  if (ctx.shop.length === 0)
    return `<section id="trends" class="section">${head}<div class="empty">${esc(t.trends.empty)}</div></section>`;
  const categories = ctx.shop.map((p) => f.period(p.start, data.period, true));
  const panels = KPIS.map((spec) => {
    let svg: string;
    if (spec.kind === 'money') {
      const currencies = currenciesOf(...ctx.shop.map((p) => moneyOf(p, spec.key)));
      const series = currencies.map((c) => ({
        name: c,
        values: ctx.shop.map((p) => {
          const v = moneyOf(p, spec.key)[c];
          return v === undefined ? null : Number(v);
        }),
      }));
      svg = lineChart({
        categories,
        series,
        width: 300,
        height: 170,
        formatValue: (v) =>
          currencies.length === 1 ? f.money(v, currencies[0] ?? 'EUR', true) : f.compact(v),
        legend: currencies.length > 1,
      });
    } else {
      const values = ctx.shop.map((p) => numberOf(p, spec.key)).filter((v): v is number => v !== null);
      // A narrow range (retention 96–98 %) needs a decimal, or the ticks repeat.
      const rateDigits = values.length && Math.max(...values) - Math.min(...values) < 0.06 ? 1 : 0;
      svg = lineChart({
        categories,
        series: [{ name: t.kpi[spec.key], values: ctx.shop.map((p) => numberOf(p, spec.key)) }],
        width: 300,
        height: 170,
        formatValue: (v) => (spec.kind === 'rate' ? f.pct(v, rateDigits) : valueText(f, spec.kind, v)),
        colors: [spec.upIsGood ? '#0f766e' : '#b45309'],
      });
    }
    return `<figure class="panel trend" data-kpi="${spec.key}"><figcaption>${esc(t.kpi[spec.key])}</figcaption><div class="chart">${svg}</div></figure>`;
  });
  return `<section id="trends" class="section">${head}<div class="trends">${panels.join('\n')}</div></section>`;
}
