/**
 * The HTML report: `ReportData` → one self-contained HTML file a shop owner can open offline or
 * forward. Inline CSS, charts as inline SVG rendered here by ECharts, no script, no font or image
 * from the network; a Content-Security-Policy says so to the browser as well. Every string from the
 * data is escaped (journey and message names come from configuration and may contain anything).
 */
import type { ReportData } from '../report-types.ts';
import { createFormat, esc, lastDay } from './format.ts';
import { journeysHtml, upliftHtml } from './journeys.ts';
import { loyaltyHtml } from './loyalty.ts';
import { MESSAGES, type ReportLocale } from './messages.ts';
import { type Context, headerHtml, overviewHtml, trendsHtml } from './overview.ts';
import { cohortsHtml, definitionsHtml, emailHtml, marketsHtml } from './sections.ts';
import { REPORT_CSS } from './styles.ts';

export type { ReportLocale } from './messages.ts';

export interface RenderOptions {
  locale: ReportLocale;
  shopName?: string | undefined;
}

/** Nothing may load: no script, no remote style, font, image or frame. Inline styles and SVG only. */
const CSP =
  "default-src 'none'; style-src 'unsafe-inline'; img-src data:; base-uri 'none'; form-action 'none'";

export function renderReportHtml(data: ReportData, options: RenderOptions): string {
  const t = MESSAGES[options.locale] ?? MESSAGES.en;
  const f = createFormat(t);
  const shop = data.periods.filter((p) => p.market === null).sort((a, b) => a.start.localeCompare(b.start));
  const ctx: Context = {
    data,
    f,
    t,
    shopName: options.shopName?.trim() || undefined,
    shop,
    current: shop.at(-1),
    previous: shop.at(-2),
    breakdown: data.periods.filter((p) => p.market !== null),
  };
  const nav: [string, string][] = [
    ['overview', t.nav.overview],
    ['trends', t.nav.trends],
    ['cohorts', t.nav.cohorts],
    ['journeys', t.nav.journeys],
    ['uplift', t.nav.uplift],
    ['email', t.nav.email],
    ['loyalty', t.nav.loyalty],
    ...(ctx.breakdown.length ? ([['markets', t.nav.markets]] as [string, string][]) : []),
  ];
  const title = ctx.shopName ? `${ctx.shopName} · ${t.title}` : t.title;
  return `<!doctype html>
<html lang="${options.locale}">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="${CSP}">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="color-scheme" content="light">
<title>${esc(title)} · ${esc(f.date(data.from))} – ${esc(f.date(lastDay(data.to)))}</title>
<style>${REPORT_CSS}</style>
</head>
<body>
${headerHtml(ctx)}
<nav class="toolbar" aria-label="${esc(t.title)}"><div class="wrap toc">${nav.map(([id, label]) => `<a href="#${id}">${esc(label)}</a>`).join('')}</div></nav>
<main class="wrap">
${overviewHtml(ctx)}
${trendsHtml(ctx)}
${cohortsHtml(ctx)}
${journeysHtml(ctx)}
${upliftHtml(ctx)}
${emailHtml(ctx)}
${loyaltyHtml(ctx)}
${marketsHtml(ctx)}
${definitionsHtml(ctx)}
</main>
<footer class="wrap page-foot">${esc(t.footer)}</footer>
</body>
</html>
`;
}
