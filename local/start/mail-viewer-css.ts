import { BASE_CSS, HEADER_BAND } from '../preview/base-css.ts';

/** The mail viewer's style sheet (mail-viewer.ts): the preview gallery's palette, list left, email right. */
export const MAIL_VIEWER_CSS = `${BASE_CSS}.warn { color: var(--amber); font-weight: 600; }
.eyebrow { font-size: 12px; letter-spacing: .06em; text-transform: uppercase; color: #99f6e4; font-weight: 600; }
.bar { display: flex; gap: 24px; align-items: flex-end; justify-content: space-between; flex-wrap: wrap; padding: 18px 28px; ${HEADER_BAND} }
.bar h1 { margin: 2px 0 0; font-size: 24px; color: #fff; }
.clock { display: flex; gap: 8px; align-items: center; flex-wrap: wrap; }
.clock time { font-weight: 700; color: #fff; margin-right: 6px; }
.clock button { font: inherit; font-weight: 600; padding: 5px 12px; border-radius: 999px; border: 1px solid rgba(255,255,255,.35); background: rgba(255,255,255,.12); color: #fff; cursor: pointer; }
.clock button:hover { background: rgba(255,255,255,.24); }
.clock .muted { color: #ccfbf1; }
main { display: grid; grid-template-columns: minmax(260px, 360px) 1fr; gap: 0; min-height: calc(100vh - 80px); }
.list { border-right: 1px solid var(--line); background: #fff; overflow-y: auto; max-height: calc(100vh - 80px); }
.count { margin: 0; padding: 10px 16px; font-size: 12px; text-transform: uppercase; letter-spacing: .06em; color: var(--muted); border-bottom: 1px solid var(--line); }
.item { display: block; padding: 10px 16px; border-bottom: 1px solid var(--line); color: inherit; text-decoration: none; }
.item:hover { background: var(--page); }
.item.selected { background: var(--accent-soft); box-shadow: inset 3px 0 0 var(--accent); }
.item .when { display: block; font-size: 12px; color: var(--muted); }
.item .subject { display: block; font-weight: 600; color: var(--ink); }
.item .meta { display: block; font-size: 12px; color: var(--muted); overflow: hidden; text-overflow: ellipsis; white-space: nowrap; }
.empty { padding: 24px 16px; }
.detail { padding: 20px 28px; min-width: 0; }
.detail h2 { margin: 0 0 10px; color: var(--ink); font-size: 20px; }
.detail h3 { margin: 18px 0 8px; font-size: 12px; text-transform: uppercase; letter-spacing: .06em; color: var(--muted); }
.facts { display: grid; grid-template-columns: max-content 1fr; gap: 4px 16px; margin: 0; padding: 12px 16px; background: #fff; border: 1px solid var(--line); border-radius: 10px; }
.facts dt { color: var(--muted); }
.facts dd { margin: 0; color: var(--ink); word-break: break-all; }
.parts { display: grid; grid-template-columns: minmax(0, 3fr) minmax(0, 2fr); gap: 20px; }
.parts iframe { width: 100%; height: 640px; border: 1px solid var(--line); border-radius: 10px; background: #fff; }
.text { margin: 0; height: 640px; overflow: auto; padding: 14px; background: #fff; border: 1px solid var(--line); border-radius: 10px; white-space: pre-wrap; font: 13px/1.5 ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; color: var(--ink); }
.headers { width: 100%; border-collapse: collapse; background: #fff; border: 1px solid var(--line); border-radius: 10px; overflow: hidden; }
.headers th, .headers td { text-align: left; vertical-align: top; padding: 6px 12px; border-bottom: 1px solid var(--line); font: 12px/1.5 ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; word-break: break-all; }
.headers th { width: 1%; white-space: nowrap; color: var(--muted); font-weight: 600; }
@media (max-width: 900px) { main { grid-template-columns: 1fr; } .list { max-height: 40vh; border-right: 0; } .parts { grid-template-columns: 1fr; } }
`;
