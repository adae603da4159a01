/**
 * The local mail viewer of `npm start` (GET /mail): every email the SES emulator holds, newest first,
 * with what a marketer checks before a journey goes live — the sender's name, subject, locale,
 * journey and message, the HTML and the text part, and the headers (List-Unsubscribe) — and buttons
 * that move the runtime's clock forward (clock.ts), so the next emails of a journey arrive while one
 * watches. Links in an email open in a new tab against the local preferences service.
 *
 * Read-only over the emulator's store; loopback and same-site requests only (the emails hold
 * customers' addresses).
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { esc } from '../preview/html.ts';
import { foreignRequest } from '../runtime/events-http.ts';
import { messageTags } from '../runtime/ses-event-source.ts';
import type { SesEmail } from '../servers/ses-emulator.ts';
import { MAIL_VIEWER_CSS } from './mail-viewer-css.ts';

export interface MailViewerSource {
  emails(): Promise<SesEmail[]>;
  /** The time the runtime decides with (its clock may be ahead of the wall clock). */
  now(): string;
}

/** What the viewer shows of one email. */
export interface ViewedEmail {
  id: string;
  at: string;
  fromName: string | undefined;
  fromAddress: string;
  to: string;
  subject: string;
  locale: string | undefined;
  journey: string | undefined;
  message: string | undefined;
  headers: { name: string; value: string }[];
  html: string | undefined;
  text: string | undefined;
}

/** The header only the local mailer adds (it carries SES's message tags, shown apart). */
const TAGS_HEADER = 'x-ses-message-tags';

export function viewed(email: SesEmail): ViewedEmail {
  const from = /^\s*"?([^"<]*?)"?\s*<([^>]+)>\s*$/.exec(email.from);
  const tags = messageTags(email);
  return {
    id: email.messageId,
    at: new Date(email.at * 1000).toISOString().replace(/\.\d{3}Z$/, 'Z'),
    fromName: from?.[1] || undefined,
    fromAddress: from?.[2] ?? email.from,
    to: email.destination.to.join(', '),
    subject: email.subject,
    // The templates write the recipient's locale on the document (`<html lang="de-AT">`).
    locale: /<html[^>]*\slang="([^"]+)"/i.exec(email.body.html ?? '')?.[1],
    journey: tags?.journey?.[0],
    message: tags?.message?.[0],
    headers: (email.headers ?? []).filter((h) => h.name.toLowerCase() !== TAGS_HEADER),
    html: email.body.html,
    text: email.body.text,
  };
}

/** Steps the clock buttons offer. */
const STEPS: [string, string][] = [
  ['PT1H', '+1 hour'],
  ['P1D', '+1 day'],
  ['P2D', '+2 days'],
  ['P1W', '+1 week'],
];

function listItem(e: ViewedEmail, selected: boolean): string {
  return `<a class="item${selected ? ' selected' : ''}" href="/mail?id=${encodeURIComponent(e.id)}">
  <span class="when">${esc(e.at.replace('T', ' ').replace('Z', ' UTC'))}</span>
  <span class="subject">${esc(e.subject)}</span>
  <span class="meta">${esc(e.to)}${e.journey ? ` · <b>${esc(e.journey)}/${esc(e.message ?? '?')}</b>` : ''}${e.locale ? ` · ${esc(e.locale)}` : ''}</span>
</a>`;
}

function detail(e: ViewedEmail): string {
  // Links open in a new tab: the frame is sandboxed (no scripts), and popups leave the sandbox.
  const html = e.html?.replace(/<head([^>]*)>/i, '<head$1><base target="_blank">');
  return `<article class="detail" data-id="${esc(e.id)}">
  <h2>${esc(e.subject)}</h2>
  <dl class="facts">
    <dt>From</dt><dd>${e.fromName ? `<b class="from-name">${esc(e.fromName)}</b> ` : '<span class="warn">no sender name</span> '}&lt;${esc(e.fromAddress)}&gt;</dd>
    <dt>To</dt><dd>${esc(e.to)}</dd>
    <dt>Received</dt><dd>${esc(e.at)} <span class="muted">(by the SES emulator, on the wall clock)</span></dd>
    <dt>Journey</dt><dd>${e.journey ? `<code>${esc(e.journey)}/${esc(e.message ?? '?')}</code>` : '<span class="muted">not tagged</span>'}</dd>
    <dt>Language</dt><dd>${e.locale ? `<code>${esc(e.locale)}</code>` : '<span class="muted">unknown</span>'}</dd>
  </dl>
  <div class="parts">
    <section><h3>HTML</h3>${html ? `<iframe title="HTML part" sandbox="allow-popups allow-popups-to-escape-sandbox" srcdoc="${esc(html)}"></iframe>` : '<p class="muted">no HTML part</p>'}</section>
    <section><h3>Text</h3><pre class="text">${esc(e.text ?? '(no text part)')}</pre></section>
  </div>
  <h3>Headers</h3>
  <table class="headers">${e.headers.map((h) => `<tr><th>${esc(h.name)}</th><td>${esc(h.value)}</td></tr>`).join('') || '<tr><td class="muted">none</td></tr>'}</table>
</article>`;
}

export function mailViewerPage(emails: ViewedEmail[], now: string, selectedId: string | undefined): string {
  const newest = [...emails].reverse();
  const selected = newest.find((e) => e.id === selectedId) ?? newest[0];
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>Mail · retention-journeys</title><style>${MAIL_VIEWER_CSS}</style></head>
<body>
<header class="bar">
  <div><span class="eyebrow">retention-journeys · npm start</span><h1>Mail</h1></div>
  <div class="clock"><span class="eyebrow">Clock</span> <time id="now" datetime="${esc(now)}">${esc(now.replace('T', ' ').replace('Z', ' UTC'))}</time>
    ${STEPS.map(([by, label]) => `<button type="button" data-by="${by}">${label}</button>`).join('')}
    <span id="clock-status" class="muted" role="status"></span></div>
</header>
<main>
  <nav class="list" aria-label="Emails"><p class="count">${emails.length} email${emails.length === 1 ? '' : 's'}</p>${newest.map((e) => listItem(e, e === selected)).join('') || '<p class="muted empty">No emails yet: send an event (npm run demo).</p>'}</nav>
  ${selected ? detail(selected) : '<article class="detail empty muted">Nothing to show yet.</article>'}
</main>
<script>
// Moves the clock, then reloads to show what the days in between sent.
for (const button of document.querySelectorAll('button[data-by]'))
  button.addEventListener('click', async () => {
    const status = document.getElementById('clock-status');
    status.textContent = 'moving…';
    const answer = await fetch('/clock/advance', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ by: button.dataset.by }) });
    const body = await answer.json();
    status.textContent = answer.ok ? 'moved ' + body.inWords : body.message;
    if (answer.ok) setTimeout(() => location.reload(), 1500);
  });
// New emails appear without a reload by hand.
const shown = ${emails.length};
setInterval(async () => {
  const answer = await fetch('/mail/count');
  if (answer.ok && (await answer.json()).count !== shown) location.reload();
}, 3000);
</script>
</body></html>`;
}

function send(res: ServerResponse, status: number, type: string, body: string): void {
  res.writeHead(status, { 'content-type': type, 'cache-control': 'no-store' });
  res.end(body);
}

/** GET /mail and /mail/count; undefined when the request is for neither. */
export async function serveMailViewer(
  req: IncomingMessage,
  res: ServerResponse,
  source: MailViewerSource,
): Promise<string | undefined> {
  const url = new URL(req.url ?? '/', 'http://127.0.0.1');
  if (url.pathname !== '/mail' && url.pathname !== '/mail/' && url.pathname !== '/mail/count')
    return undefined;
  const foreign = foreignRequest(req);
  if (foreign) {
    send(res, foreign.status, 'text/plain; charset=utf-8', foreign.message);
    return 'refused';
  }
  if (req.method !== 'GET') {
    send(res, 405, 'text/plain; charset=utf-8', 'GET only');
    return 'refused';
  }
  const emails = await source.emails();
  if (url.pathname === '/mail/count') {
    send(res, 200, 'application/json', JSON.stringify({ count: emails.length }));
    return 'count';
  }
  const page = mailViewerPage(emails.map(viewed), source.now(), url.searchParams.get('id') ?? undefined);
  send(res, 200, 'text/html; charset=utf-8', page);
  return 'page';
}
