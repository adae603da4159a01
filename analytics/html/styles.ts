/**
 * The report's stylesheet, inlined into the file. Same palette, type and panels as the email preview
 * gallery (local/preview/gallery-css.ts) so the two pages read as one product. System fonts only: nothing loads.
 */
export const REPORT_CSS = `
:root { --ink: #18181b; --ink2: #3f3f46; --muted: #71717a; --line: #e4e4e7; --page: #f4f4f5; --accent: #0f766e; --accent-soft: #f0fdfa; --amber: #b45309; --amber-soft: #fffbeb; --good: #047857; --good-soft: #ecfdf5; --bad: #b91c1c; --bad-soft: #fef2f2; }
* { box-sizing: border-box; }
html { scroll-behavior: smooth; -webkit-text-size-adjust: 100%; }
body { margin: 0; background: var(--page); color: var(--ink2); font: 14px/1.5 system-ui, -apple-system, BlinkMacSystemFont, "Segoe UI", Roboto, Helvetica, Arial, sans-serif; font-variant-numeric: tabular-nums; }
a { color: var(--accent); text-decoration: none; }
a:hover { text-decoration: underline; }
code { font: 12px/1.4 ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; background: rgba(0,0,0,.05); padding: 1px 5px; border-radius: 4px; overflow-wrap: anywhere; }
h2, h3 { color: var(--ink); letter-spacing: -.01em; }
.wrap { max-width: 1280px; margin: 0 auto; padding: 0 28px; }
.muted { color: var(--muted); }
.small { font-size: 13px; }
.sr { position: absolute; width: 1px; height: 1px; overflow: hidden; clip: rect(0 0 0 0); white-space: nowrap; }
.eyebrow { font-size: 12px; letter-spacing: .06em; text-transform: uppercase; color: var(--muted); font-weight: 600; }
.eyebrow.light { color: #99f6e4; }
.page-head { background: linear-gradient(135deg, #0f766e 0%, #115e59 55%, #134e4a 100%); color: #f0fdfa; padding: 36px 0 32px; }
.head-row { display: flex; gap: 32px; align-items: flex-end; justify-content: space-between; }
.page-head h1 { margin: 6px 0 8px; font-size: 30px; line-height: 1.2; color: #fff; letter-spacing: -.01em; overflow-wrap: anywhere; }
.h1-sub { font-weight: 500; color: #ccfbf1; }
.lede { margin: 0; max-width: 720px; color: #ccfbf1; font-size: 15px; }
.generated { margin: 8px 0 0; color: #99f6e4; font-size: 12.5px; overflow-wrap: anywhere; }
.stats { display: grid; grid-template-columns: repeat(4, auto); gap: 10px; margin: 0; }
.stats div { background: rgba(255,255,255,.1); border: 1px solid rgba(255,255,255,.18); border-radius: 12px; padding: 10px 16px; min-width: 104px; text-align: center; }
.stats dt { font-size: 11px; text-transform: uppercase; letter-spacing: .06em; color: #99f6e4; }
.stats dd { margin: 2px 0 0; font-size: 24px; font-weight: 700; color: #fff; }
.toolbar { position: sticky; top: 0; z-index: 10; background: rgba(255,255,255,.94); backdrop-filter: blur(8px); border-bottom: 1px solid var(--line); }
.toc { display: flex; gap: 4px 20px; font-weight: 600; font-size: 13px; padding-top: 11px; padding-bottom: 11px; overflow-x: auto; white-space: nowrap; }
.toc a { color: var(--ink2); }
.toc a:hover { color: var(--accent); }
main.wrap { padding-top: 8px; padding-bottom: 24px; }
.section { margin-top: 30px; scroll-margin-top: 56px; }
.section-head { display: flex; flex-wrap: wrap; align-items: baseline; gap: 4px 16px; margin-bottom: 14px; }
.section-head h2 { margin: 0; font-size: 21px; }
.section-head p { margin: 0; max-width: 820px; }
.panel { background: #fff; border: 1px solid var(--line); border-radius: 14px; padding: 18px 20px; box-shadow: 0 1px 2px rgba(0,0,0,.04); min-width: 0; margin: 0; }
.section > .panel + .panel, .section > .panel + .cohort-revenue { margin-top: 16px; }
figcaption { font-size: 14px; font-weight: 700; color: var(--ink); margin-bottom: 6px; }
.empty { background: #fff; border: 1px dashed #d4d4d8; border-radius: 14px; padding: 28px 20px; text-align: center; color: var(--muted); }
.notice { background: var(--amber-soft); border: 1px solid #fde68a; color: var(--amber); border-radius: 10px; padding: 10px 14px; margin-bottom: 14px; }
.chart svg { display: block; width: 100%; height: auto; }
.chart-narrow { display: none; }
.kpis { display: grid; grid-template-columns: repeat(4, minmax(0, 1fr)); gap: 16px; }
.kpi { background: #fff; border: 1px solid var(--line); border-radius: 14px; padding: 16px 18px 14px; box-shadow: 0 1px 2px rgba(0,0,0,.04); display: flex; flex-direction: column; gap: 4px; min-width: 0; }
.kpi h3 { margin: 0 0 2px; font-size: 12px; text-transform: uppercase; letter-spacing: .06em; color: var(--muted); font-weight: 700; }
.kpi .value { font-size: 30px; font-weight: 750; color: var(--ink); line-height: 1.15; letter-spacing: -.02em; overflow-wrap: anywhere; }
.kpi-money .value { font-size: 24px; }
.kpi .value.none { color: #a1a1aa; }
.money-row + .money-row { margin-top: 4px; padding-top: 6px; border-top: 1px dashed #f0f0f2; }
.change { font-size: 12.5px; display: flex; flex-wrap: wrap; gap: 2px 8px; align-items: center; }
.delta { display: inline-block; font-weight: 700; border-radius: 999px; padding: 0 8px; line-height: 20px; }
.delta.good { color: var(--good); background: var(--good-soft); }
.delta.bad { color: var(--bad); background: var(--bad-soft); }
.delta.flat { color: var(--muted); background: var(--page); }
.prev { color: var(--muted); }
.why { margin: 0; color: var(--muted); font-size: 12.5px; }
.detail { margin: 2px 0 0; color: var(--ink2); font-size: 12.5px; }
.hint { margin: auto 0 0; padding-top: 8px; color: var(--muted); font-size: 12px; border-top: 1px solid #f4f4f5; }
.trends { display: grid; grid-template-columns: repeat(4, minmax(0, 1fr)); gap: 16px; }
.trend { padding: 14px 14px 8px; }
.table-wrap { overflow-x: auto; -webkit-overflow-scrolling: touch; }
table { border-collapse: collapse; }
.data { width: 100%; font-size: 13px; }
.data th, .data td { padding: 7px 10px; text-align: left; border-bottom: 1px solid #f4f4f5; vertical-align: top; }
.data thead th { font-size: 11px; text-transform: uppercase; letter-spacing: .05em; color: var(--muted); border-bottom: 1px solid var(--line); vertical-align: bottom; line-height: 1.3; }
.data td.num { white-space: nowrap; }
.messages tbody th { white-space: nowrap; }
.messages tbody th code { overflow-wrap: normal; }
.data tbody th { color: var(--ink); font-weight: 600; }
.data .num, .messages td { text-align: right; }
.data thead th.num, .messages thead th:not(:first-child) { text-align: right; }
.data .strong { font-weight: 700; color: var(--ink); }
.sub { display: block; color: var(--muted); font-size: 11.5px; }
.code { font: 600 10.5px/16px ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; color: var(--accent); background: var(--accent-soft); border: 1px solid #99f6e4; border-radius: 4px; padding: 0 4px; margin-left: 4px; }
.badge { display: inline-block; font-size: 10.5px; font-weight: 700; text-transform: uppercase; letter-spacing: .05em; border-radius: 999px; padding: 0 8px; line-height: 18px; white-space: nowrap; }
.badge.sig { background: var(--good-soft); color: var(--good); border: 1px solid #a7f3d0; }
.badge.nsig { background: var(--page); color: var(--muted); border: 1px solid var(--line); }
.not-enough { color: var(--muted); }
.heatmap { font-size: 12.5px; width: 100%; }
.heatmap th, .heatmap td { padding: 6px 6px; text-align: center; border: 2px solid #fff; white-space: nowrap; }
.heatmap thead th { font-size: 11px; font-weight: 700; text-transform: uppercase; letter-spacing: .04em; color: var(--muted); }
.heatmap thead th.span { border-bottom: 1px solid var(--line); }
.heatmap tbody th { text-align: left; color: var(--ink); font-weight: 600; padding-right: 12px; }
.heatmap td { min-width: 46px; border-radius: 6px; font-weight: 600; }
.heatmap td.n { color: var(--muted); font-weight: 500; text-align: right; padding-right: 12px; }
.heatmap td.m0 { background: #f4f4f5; color: var(--muted); }
.heatmap td.out { background: transparent; }
.heatmap .short { display: none; }
.heatmap td.nil { color: #a1a1aa; }
.cohort-revenue { display: grid; grid-template-columns: repeat(auto-fit, minmax(min(100%, 480px), 1fr)); gap: 16px; }
.journeys { display: grid; gap: 16px; }
.journey-head { display: flex; align-items: center; gap: 10px; margin-bottom: 12px; }
.journey-head h3 { margin: 0; font: 700 16px/1.3 ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; overflow-wrap: anywhere; min-width: 0; }
.chip { font-size: 12px; background: var(--page); border: 1px solid var(--line); border-radius: 999px; padding: 1px 10px; color: var(--ink2); white-space: nowrap; }
.journey-body { display: grid; gap: 14px; }
.funnel { display: grid; grid-template-columns: minmax(0, 1fr) minmax(0, 1fr); gap: 6px 36px; padding-bottom: 4px; }
.f-group { display: grid; gap: 6px; align-content: start; }
.f-group + .f-group { border-left: 1px solid #f0f0f2; padding-left: 36px; }
.f-row { display: grid; grid-template-columns: 130px minmax(40px, 1fr) 60px 170px; gap: 10px; align-items: center; font-size: 13px; }
.f-label { color: var(--ink2); font-weight: 600; overflow: hidden; text-overflow: ellipsis; white-space: nowrap; }
.f-bar { height: 14px; background: #f4f4f5; border-radius: 4px; overflow: hidden; }
.f-bar i { display: block; height: 100%; background: linear-gradient(90deg, #14b8a6, #0f766e); border-radius: 4px; }
.muted-bar .f-bar i { background: #d4d4d8; }
.goal .f-bar i { background: linear-gradient(90deg, #f59e0b, #d97706); }
.f-num { text-align: right; font-weight: 700; color: var(--ink); }
.f-rate { color: var(--muted); font-size: 12px; white-space: nowrap; }
.f-note { margin: 0 0 0 140px; font-size: 12px; color: var(--muted); }
.email-grid { display: grid; grid-template-columns: minmax(0, 1fr) minmax(0, 1.3fr) minmax(0, 1.3fr); gap: 16px; }
.tiles { display: grid; gap: 12px; align-content: start; }
.tile-label { font-size: 11px; text-transform: uppercase; letter-spacing: .06em; color: var(--muted); font-weight: 700; }
.tile-value { font-size: 22px; font-weight: 750; color: var(--ink); }
.gauge-head { display: flex; justify-content: space-between; align-items: center; gap: 8px; }
.gauge-label { font-size: 12px; text-transform: uppercase; letter-spacing: .06em; color: var(--muted); font-weight: 700; }
.gauge-value { font-size: 30px; font-weight: 750; color: var(--ink); margin: 4px 0 10px; }
.track { position: relative; display: flex; height: 12px; border-radius: 999px; overflow: visible; }
.zone { display: block; height: 100%; }
.zone.ok { background: #a7f3d0; border-radius: 999px 0 0 999px; }
.zone.review { background: #fde68a; }
.zone.pause { background: #fecaca; flex: 1; border-radius: 0 999px 999px 0; }
.marker { position: absolute; top: -5px; width: 4px; height: 22px; margin-left: -2px; background: var(--ink); border-radius: 2px; box-shadow: 0 0 0 2px #fff; }
.ticks { position: relative; height: 18px; font-size: 11px; color: var(--muted); margin-top: 4px; }
.ticks span { position: absolute; transform: translateX(-50%); }
.status { font-size: 11px; font-weight: 700; border-radius: 999px; padding: 1px 10px; }
.status.ok { background: var(--good-soft); color: var(--good); }
.status.review { background: var(--amber-soft); color: var(--amber); }
.status.pause { background: var(--bad-soft); color: var(--bad); }
.loyalty-tiles { grid-template-columns: repeat(4, minmax(0, 1fr)); gap: 14px 20px; }
.loyalty-grid { display: grid; grid-template-columns: minmax(0, 1fr) minmax(0, 1.2fr); gap: 16px; margin: 16px 0; }
.tier-bar { display: flex; height: 18px; border-radius: 6px; overflow: hidden; background: #f4f4f5; margin: 6px 0 12px; }
.tier-bar span { display: block; height: 100%; }
.swatch { display: inline-block; width: 10px; height: 10px; border-radius: 3px; margin-right: 8px; vertical-align: baseline; }
.markets tbody th, .uplift tbody th, .tiers tbody th { white-space: nowrap; }
.why-row td { color: var(--muted); font-size: 12px; text-align: left; }
.definitions { border-top: 1px solid var(--line); padding-top: 20px; }
.definitions h2 { font-size: 15px; margin: 0 0 10px; }
.definitions dl { display: grid; grid-template-columns: repeat(auto-fill, minmax(min(100%, 360px), 1fr)); gap: 8px 24px; margin: 0; font-size: 13px; }
.definitions dt { font-weight: 700; color: var(--ink); display: inline; }
.definitions dt::after { content: ": "; }
.definitions dd { display: inline; margin: 0; color: var(--ink2); }
.page-foot { color: var(--muted); font-size: 12px; padding-top: 16px; padding-bottom: 40px; }
@media (max-width: 1100px) {
  .kpis, .trends { grid-template-columns: repeat(2, minmax(0, 1fr)); }
  .email-grid, .funnel, .loyalty-grid { grid-template-columns: minmax(0, 1fr); }
  .f-group + .f-group { border-left: 0; padding-left: 0; border-top: 1px solid #f0f0f2; padding-top: 10px; }
  .head-row { flex-direction: column; align-items: flex-start; }
}
@media (max-width: 640px) {
  .wrap { padding: 0 16px; }
  .page-head { padding: 26px 0 22px; }
  .page-head h1 { font-size: 24px; }
  .stats { grid-template-columns: repeat(2, minmax(0, 1fr)); width: 100%; }
  .stats div { min-width: 0; }
  .kpis, .trends { grid-template-columns: minmax(0, 1fr); }
  .loyalty-tiles { grid-template-columns: repeat(2, minmax(0, 1fr)); }
  .chart-wide { display: none; }
  .chart-narrow { display: block; }
  .heatmap .long { display: none; }
  .heatmap .short { display: inline; }
  .f-row { grid-template-columns: minmax(0, 1fr) auto; gap: 2px 10px; }
  .f-label { grid-column: 1; grid-row: 1; }
  .f-num { grid-column: 2; grid-row: 1; }
  .f-bar { grid-column: 1 / -1; grid-row: 2; }
  .f-rate { grid-column: 1 / -1; grid-row: 3; }
  .f-note { margin-left: 0; }
  .panel { padding: 14px; }
}
@media print {
  .toolbar { display: none; }
  .page-head { -webkit-print-color-adjust: exact; print-color-adjust: exact; }
  .panel, .kpi { break-inside: avoid; box-shadow: none; }
}
`;
