/**
 * What every local page shares (the preview gallery, the mail viewer): the palette, the page's type
 * and code spans, and the teal header band, so the local tools look like one product.
 */
export const BASE_CSS = `
:root { --ink: #18181b; --ink2: #3f3f46; --muted: #71717a; --line: #e4e4e7; --page: #f4f4f5; --accent: #0f766e; --accent-soft: #f0fdfa; --amber: #b45309; --amber-soft: #fffbeb; }
* { box-sizing: border-box; }
body { margin: 0; background: var(--page); color: var(--ink2); font: 14px/1.5 -apple-system, BlinkMacSystemFont, "Segoe UI", Roboto, Helvetica, Arial, sans-serif; }
code { font: 12px/1.4 ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; background: rgba(0,0,0,.05); padding: 1px 5px; border-radius: 4px; }
.muted { color: var(--muted); }
`;

/** The header band's background and text colour. */
export const HEADER_BAND =
  'background: linear-gradient(135deg, #0f766e 0%, #115e59 55%, #134e4a 100%); color: #f0fdfa;';
