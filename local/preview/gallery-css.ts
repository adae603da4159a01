import { BASE_CSS, HEADER_BAND } from './base-css.ts';

/** The gallery page's style sheet: inline in index.html, so the gallery opens offline from disk. */
export const GALLERY_CSS = `${BASE_CSS}html { scroll-behavior: smooth; }
a { color: var(--accent); text-decoration: none; }
a:hover { text-decoration: underline; }
.wrap { max-width: 1360px; margin: 0 auto; padding: 0 28px; }
.small { font-size: 13px; }
.eyebrow { font-size: 12px; letter-spacing: .06em; text-transform: uppercase; color: var(--muted); font-weight: 600; }
.eyebrow code { text-transform: none; letter-spacing: 0; }
.eyebrow.light { color: #99f6e4; }
.page-head { ${HEADER_BAND} padding: 36px 0 32px; }
.head-row { display: flex; gap: 32px; align-items: flex-end; justify-content: space-between; }
.page-head h1 { margin: 6px 0 8px; font-size: 30px; line-height: 1.2; color: #fff; letter-spacing: -.01em; }
.lede { margin: 0; max-width: 760px; color: #ccfbf1; }
.stats { display: flex; gap: 10px; margin: 0; }
.stats div { background: rgba(255,255,255,.1); border: 1px solid rgba(255,255,255,.18); border-radius: 12px; padding: 10px 16px; min-width: 92px; text-align: center; }
.stats dt { font-size: 11px; text-transform: uppercase; letter-spacing: .06em; color: #99f6e4; }
.stats dd { margin: 2px 0 0; font-size: 26px; font-weight: 700; color: #fff; }
.toolbar { position: sticky; top: 0; z-index: 10; background: rgba(255,255,255,.92); backdrop-filter: blur(8px); border-bottom: 1px solid var(--line); }
.toolbar .wrap { display: flex; gap: 24px; align-items: center; justify-content: space-between; padding-top: 10px; padding-bottom: 10px; }
.filter { display: flex; gap: 6px; align-items: center; }
.filter-label { font-size: 12px; font-weight: 600; text-transform: uppercase; letter-spacing: .06em; color: var(--muted); margin-right: 4px; }
.filter input { position: absolute; opacity: 0; pointer-events: none; }
.filter span { display: inline-block; padding: 4px 12px; border-radius: 999px; border: 1px solid var(--line); background: #fff; color: var(--ink2); font-weight: 600; cursor: pointer; }
.filter label:hover span { border-color: var(--accent); }
.filter input:checked + span { background: var(--accent); border-color: var(--accent); color: #fff; }
.filter input:focus-visible + span { outline: 2px solid var(--accent); outline-offset: 2px; }
.toc { display: flex; flex-wrap: wrap; gap: 4px 16px; font-weight: 600; font-size: 13px; }
.toc a { color: var(--ink2); }
.toc a:hover { color: var(--accent); }
main.wrap { padding-top: 28px; padding-bottom: 24px; }
.alert { background: #fef2f2; border: 1px solid #fecaca; color: #991b1b; border-radius: 10px; padding: 12px 16px; margin-bottom: 16px; }
.overview { display: grid; grid-template-columns: minmax(0, 1fr) 320px; gap: 20px; align-items: start; }
.panel { background: #fff; border: 1px solid var(--line); border-radius: 14px; padding: 18px 20px; box-shadow: 0 1px 2px rgba(0,0,0,.04); }
.panel-title { font-size: 15px; margin: 0 0 12px; color: var(--ink); }
.panel-title + * { margin-top: 0; }
.side-panel .panel-title:not(:first-child) { margin-top: 18px; }
.matrix { border-collapse: collapse; width: 100%; font-size: 13px; }
.matrix th, .matrix td { padding: 5px 10px; text-align: left; border-bottom: 1px solid #f4f4f5; }
.matrix thead th { font-size: 11px; text-transform: uppercase; letter-spacing: .06em; color: var(--muted); border-bottom: 1px solid var(--line); }
.matrix tr.first > * { border-top: 1px solid var(--line); }
.matrix th.mj { vertical-align: top; font-weight: 600; white-space: nowrap; }
.matrix th.mj a { color: var(--ink); }
.matrix td.mm a { color: var(--ink2); }
.matrix .lc { text-align: center; width: 56px; }
.matrix td.ok a { display: inline-block; width: 24px; height: 24px; line-height: 24px; border-radius: 6px; background: var(--accent-soft); color: var(--accent); font-weight: 700; }
.matrix td.bad a { display: inline-block; width: 24px; height: 24px; line-height: 24px; border-radius: 6px; background: #fef2f2; color: #b91c1c; font-weight: 700; }
.matrix td.ok a:hover { background: var(--accent); color: #fff; text-decoration: none; }
.customers { list-style: none; margin: 0 0 10px; padding: 0; }
.customers li { padding: 4px 0; border-bottom: 1px solid #f4f4f5; }
.loc { display: inline-block; min-width: 28px; text-align: center; font: 700 11px/18px ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; text-transform: uppercase; color: var(--accent); background: var(--accent-soft); border: 1px solid #99f6e4; border-radius: 5px; padding: 0 5px; margin-right: 6px; }
.badge { display: inline-block; font-size: 10.5px; font-weight: 700; text-transform: uppercase; letter-spacing: .05em; border-radius: 999px; padding: 1px 8px; line-height: 18px; white-space: nowrap; }
.badge.transactional { background: #eff6ff; color: #1d4ed8; border: 1px solid #bfdbfe; }
.badge.marketing { background: var(--amber-soft); color: var(--amber); border: 1px solid #fde68a; }
.badge.disabled, .chip.disabled { background: #f4f4f5; color: #52525b; border: 1px dashed #a1a1aa; }
.journey.disabled { border-style: dashed; }
.journey { margin-top: 36px; background: #fff; border: 1px solid var(--line); border-radius: 16px; padding: 26px 28px 10px; box-shadow: 0 1px 3px rgba(0,0,0,.04); scroll-margin-top: 64px; }
.journey-top { display: grid; grid-template-columns: minmax(0, 1fr) minmax(0, 460px); gap: 32px; padding-bottom: 22px; border-bottom: 1px solid var(--line); }
.journey h2 { margin: 4px 0 8px; font-size: 24px; color: var(--ink); letter-spacing: -.01em; }
.desc { margin: 0 0 14px; font-size: 15px; color: var(--ink2); max-width: 680px; }
.chips { display: flex; flex-wrap: wrap; gap: 6px; }
.chip { font-size: 12px; background: var(--page); border: 1px solid var(--line); border-radius: 999px; padding: 2px 10px; color: var(--ink2); }
.chip b { color: var(--muted); font-weight: 600; margin-right: 3px; }
.journey-flow { background: #fafafa; border: 1px solid var(--line); border-radius: 12px; padding: 14px 16px 6px; }
.flow-title { font-size: 11px; font-weight: 700; text-transform: uppercase; letter-spacing: .06em; color: var(--muted); margin-bottom: 8px; }
.flow { list-style: none; margin: 0; padding: 0; position: relative; }
.flow > .step { position: relative; display: flex; gap: 10px; padding: 0 0 10px; }
.flow > .step:not(:last-child)::before { content: ""; position: absolute; left: 12px; top: 26px; bottom: 0; width: 2px; background: #d4d4d8; }
.dot { flex: none; width: 26px; height: 26px; border-radius: 50%; display: grid; place-items: center; font-size: 13px; background: #fff; border: 2px solid #d4d4d8; color: var(--muted); position: relative; z-index: 1; }
.step.send > .dot { background: var(--accent); border-color: var(--accent); color: #fff; }
.step.wait > .dot, .step.waitfor > .dot { border-color: #a1a1aa; }
.step.if > .dot { border-color: #7c3aed; color: #7c3aed; }
.step.emit > .dot { border-color: #db2777; color: #db2777; }
.what { min-width: 0; padding-top: 3px; }
.what .title { color: var(--ink); font-weight: 600; }
.what .title a { color: var(--accent); }
.what .note { color: var(--muted); font-size: 12.5px; }
.branches { display: grid; gap: 8px; margin-top: 8px; }
.branch { border-left: 2px dashed #d4d4d8; padding: 2px 0 0 12px; }
.branch-label { font-size: 11px; font-weight: 700; text-transform: uppercase; letter-spacing: .06em; color: #7c3aed; margin-bottom: 6px; }
.message { padding: 22px 0 18px; border-bottom: 1px solid #f4f4f5; scroll-margin-top: 64px; }
.message:last-child { border-bottom: 0; }
.message-head { display: flex; align-items: center; gap: 10px; margin-bottom: 14px; }
.message-head h3 { margin: 0; font-size: 17px; color: var(--ink); font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; }
.cards { display: grid; grid-template-columns: repeat(auto-fill, 232px); gap: 16px; }
.card { width: 232px; background: #fff; border: 1px solid var(--line); border-radius: 12px; padding: 10px 10px 8px; display: flex; flex-direction: column; gap: 4px; scroll-margin-top: 72px; transition: box-shadow .15s, border-color .15s; }
.card:hover, .card:target { border-color: #5eead4; box-shadow: 0 6px 20px rgba(15,118,110,.12); }
.card-head { display: flex; align-items: center; gap: 4px; margin-bottom: 2px; }
.card-head .locname { font-size: 12px; color: var(--muted); flex: 1; }
.subject { font-weight: 700; color: var(--ink); font-size: 13.5px; line-height: 1.35; display: -webkit-box; -webkit-line-clamp: 2; -webkit-box-orient: vertical; overflow: hidden; min-height: 36px; }
.preheader { color: var(--muted); font-size: 12px; line-height: 1.4; display: -webkit-box; -webkit-line-clamp: 2; -webkit-box-orient: vertical; overflow: hidden; min-height: 34px; }
.frame { display: block; position: relative; width: 212px; height: 350px; overflow: hidden; border-radius: 8px; border: 1px solid var(--line); background: #f4f4f5; margin-top: 4px; }
.frame iframe { position: absolute; top: 0; left: 0; width: 600px; height: 991px; border: 0; transform: scale(0.35333); transform-origin: 0 0; pointer-events: none; background: #f4f4f5; }
.frame::after { content: "Open ↗"; position: absolute; right: 8px; bottom: 8px; font-size: 11px; font-weight: 700; background: rgba(24,24,27,.78); color: #fff; padding: 2px 8px; border-radius: 999px; opacity: 0; transition: opacity .15s; }
.frame:hover::after { opacity: 1; }
.card-foot { display: flex; justify-content: space-between; align-items: center; font-size: 11.5px; color: var(--muted); margin-top: 4px; }
.card-foot .links a { margin-left: 8px; font-weight: 600; }
.card.failed .error { color: #b91c1c; background: #fef2f2; border-radius: 8px; padding: 10px; font-size: 12px; overflow-wrap: anywhere; }
.page-foot { color: var(--muted); font-size: 12px; padding-bottom: 40px; }
body:has(.filter input:not(#f-all):checked) .cards { grid-template-columns: repeat(auto-fill, 400px); }
body:has(.filter input:not(#f-all):checked) .card { width: 400px; }
body:has(.filter input:not(#f-all):checked) .frame { width: 380px; height: 640px; }
body:has(.filter input:not(#f-all):checked) .frame iframe { height: 1011px; transform: scale(0.63333); }
@media (max-width: 1000px) { .overview, .journey-top { grid-template-columns: 1fr; } .head-row { flex-direction: column; align-items: flex-start; } }
`;
