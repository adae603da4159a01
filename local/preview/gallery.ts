/**
 * The gallery page: coverage matrix, sample customers, and per journey its flow and every message as
 * a card per locale. Pure: the gallery's cells come in, one HTML string comes out.
 */
import { DEMO_SHOP } from '../../functions/core/shop.ts';
import type { MessageClass } from '../../functions/email/index.ts';
import { customerCurrency, PREVIEW_NOW, sampleCustomer } from './fixtures.ts';
import { flowHtml, journeyMeta } from './flow.ts';
import { GALLERY_CSS } from './gallery-css.ts';
import { badge, cellAnchor, esc, id, msgAnchor } from './html.ts';
import type { Gallery, GalleryCell } from './render.ts';

const LOCALE_NAMES: Record<string, string> = {
  de: 'Deutsch',
  en: 'English',
  es: 'Español',
  fr: 'Français',
  it: 'Italiano',
};

function cardHtml(cell: GalleryCell, messageClass: MessageClass): string {
  const c = cell.customer;
  const who = `${esc(c.firstName ?? '—')} · ${esc(c.locale)} · ${esc(customerCurrency(c))}`;
  const head = `<div class="card-head"><span class="loc">${esc(cell.locale)}</span><span class="locname">${esc(
    LOCALE_NAMES[cell.locale] ?? cell.locale,
  )}</span>${badge(messageClass)}</div>`;
  if (!cell.ok) {
    return `<div class="card l-${esc(cell.locale)} failed" id="${cellAnchor(cell.journeyId, cell.messageId, cell.locale)}">${head}<div class="error"><b>Render failed</b><br>${esc(cell.error)}</div></div>`;
  }
  const e = cell.email;
  return `<div class="card l-${esc(cell.locale)}" id="${cellAnchor(cell.journeyId, cell.messageId, cell.locale)}">
${head}
<div class="subject" title="${esc(e.subject)}">${esc(e.subject)}</div>
<div class="preheader" title="${esc(e.preheader)}">${esc(e.preheader)}</div>
<a class="frame" href="${esc(cell.htmlFile)}" title="Open the full email"><iframe src="${esc(cell.htmlFile)}" title="${esc(`${cell.journeyId}/${cell.messageId} (${cell.locale})`)}" tabindex="-1" scrolling="no" sandbox></iframe></a>
<div class="card-foot"><span class="who">${who}</span><span class="links"><a href="${esc(cell.htmlFile)}">HTML</a><a href="${esc(cell.textFile)}">Text</a></span></div>
</div>`;
}

export function galleryIndexHtml(g: Gallery): string {
  const cellOf = new Map(g.cells.map((c) => [`${c.journeyId}/${c.messageId}/${c.locale}`, c]));
  const { counts } = g;

  const filter = `<div class="filter" role="group" aria-label="Locale">
<span class="filter-label">Locale</span>
<label><input type="radio" name="loc" id="f-all" checked><span>All</span></label>
${g.locales.map((l) => `<label><input type="radio" name="loc" id="f-${esc(l)}"><span>${esc(l)}</span></label>`).join('\n')}
</div>`;
  const filterCss = g.locales
    .map(
      (l) =>
        `body:has(#f-${l}:checked) .card:not(.l-${l}), body:has(#f-${l}:checked) .matrix .lc:not(.l-${l}) { display: none; }`,
    )
    .join('\n');

  const matrixRows = g.journeys
    .map((j) => {
      const ms = g.messages.filter((m) => m.journeyId === j.id);
      return ms
        .map((m, i) => {
          const cells = g.locales
            .map((l) => {
              const cell = cellOf.get(`${m.journeyId}/${m.messageId}/${l}`);
              const ok = cell?.ok === true;
              return `<td class="lc l-${esc(l)} ${ok ? 'ok' : 'bad'}"><a href="#${cellAnchor(m.journeyId, m.messageId, l)}" title="${esc(
                ok ? cell.email.subject : cell && !cell.ok ? cell.error : 'not rendered',
              )}">${ok ? '✓' : '✗'}</a></td>`;
            })
            .join('');
          const journeyCell =
            i === 0
              ? `<th class="mj" rowspan="${ms.length}" scope="rowgroup"><a href="#${id('j', j.id)}">${esc(j.name)}</a></th>`
              : '';
          return `<tr class="${i === 0 ? 'first' : ''}">${journeyCell}<td class="mm"><a href="#${msgAnchor(m.journeyId, m.messageId)}">${esc(m.messageId)}</a></td><td>${badge(m.messageClass)}</td>${cells}</tr>`;
        })
        .join('\n');
    })
    .join('\n');

  const customers = g.locales
    .map((l) => {
      const c = sampleCustomer(l);
      return `<li><span class="loc">${esc(l)}</span> ${esc(c.firstName ?? '')} <span class="muted">${esc(c.locale)} · ${esc(
        c.timeZone,
      )} · ${esc(customerCurrency(c))}</span></li>`;
    })
    .join('');

  const toc = g.journeys.map((j) => `<a href="#${id('j', j.id)}">${esc(j.name)}</a>`).join('');

  const sections = g.journeys
    .map((j) => {
      const ms = g.messages.filter((m) => m.journeyId === j.id);
      const messagesHtml = ms
        .map((m) => {
          const cards = g.locales
            .map((l) => cellOf.get(`${m.journeyId}/${m.messageId}/${l}`))
            .filter((c): c is GalleryCell => c !== undefined)
            .map((c) => cardHtml(c, m.messageClass))
            .join('\n');
          const borrowed =
            m.template !== `${m.journeyId}/${m.messageId}`
              ? `<span class="muted">template <code>${esc(m.template)}</code></span>`
              : '';
          return `<article class="message" id="${msgAnchor(m.journeyId, m.messageId)}">
<header class="message-head"><h3>${esc(m.messageId)}</h3>${badge(m.messageClass)}${borrowed}</header>
<div class="cards">${cards}</div>
</article>`;
        })
        .join('\n');
      return `<section class="journey${j.enabled === false ? ' disabled' : ''}" id="${id('j', j.id)}">
<div class="journey-top">
  <div class="journey-intro">
    <div class="eyebrow">Journey · <code>${esc(j.id)}</code>${j.enabled === false ? ` ${badge('disabled')}` : ''}</div>
    <h2>${esc(j.name)}</h2>
    ${j.description ? `<p class="desc">${esc(j.description.trim())}</p>` : ''}
    <div class="chips">${journeyMeta(j)}</div>
  </div>
  <div class="journey-flow"><div class="flow-title">Steps</div>${flowHtml(j.steps, j.id)}</div>
</div>
${messagesHtml}
</section>`;
    })
    .join('\n');

  const failures = g.cells.filter((c) => !c.ok);
  const failureNote = failures.length
    ? `<div class="alert">✗ ${failures.length} render(s) failed: ${failures
        .map(
          (c) =>
            `<a href="#${cellAnchor(c.journeyId, c.messageId, c.locale)}">${esc(`${c.journeyId}/${c.messageId} ${c.locale}`)}</a>`,
        )
        .join(', ')}</div>`
    : '';

  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Email preview · ${esc(DEMO_SHOP.name)}</title>
<style>
${GALLERY_CSS}
${filterCss}
</style>
</head>
<body>
<header class="page-head">
  <div class="wrap">
    <div class="head-row">
      <div>
        <div class="eyebrow light">retention-journeys · email preview</div>
        <h1>Every journey email, in every language</h1>
        <p class="lede">Rendered from the deployed catalog (journeys/ and templates/) with sample data for ${esc(DEMO_SHOP.name)} — sample date ${esc(
          new Intl.DateTimeFormat('en-GB', { dateStyle: 'long', timeZone: 'UTC' }).format(
            new Date(PREVIEW_NOW),
          ),
        )}. Each email's data is what the engine decides for a sample customer's story starting then; links go to ${esc(
          DEMO_SHOP.url,
        )} and are signed with a preview key.</p>
      </div>
      <dl class="stats">
        <div><dt>Journeys</dt><dd>${counts.journeys}</dd></div>
        <div><dt>Messages</dt><dd>${counts.messages}</dd></div>
        <div><dt>Locales</dt><dd>${counts.locales}</dd></div>
        <div><dt>Renders</dt><dd>${counts.renders}</dd></div>
      </dl>
    </div>
  </div>
</header>
<div class="toolbar"><div class="wrap">${filter}<nav class="toc">${toc}</nav></div></div>
<main class="wrap">
${failureNote}
<section class="overview">
  <div class="panel matrix-panel">
    <h2 class="panel-title">Coverage <span class="muted">messages × locales</span></h2>
    <table class="matrix">
      <thead><tr><th>Journey</th><th>Message</th><th>Class</th>${g.locales.map((l) => `<th class="lc l-${esc(l)}">${esc(l)}</th>`).join('')}</tr></thead>
      <tbody>
${matrixRows}
      </tbody>
    </table>
  </div>
  <div class="panel side-panel">
    <h2 class="panel-title">Sample customers</h2>
    <ul class="customers">${customers}</ul>
    <p class="muted small">Each registers, orders three items (four pieces) and goes through the journey with the real engine; every email carries what the engine decided for it — coupons, order, NPS answer, referral codes and rewards — and the shop's identity (${esc(DEMO_SHOP.name)}, ${esc(DEMO_SHOP.address)}).</p>
    <h2 class="panel-title">Classes</h2>
    <p class="small">${badge('transactional')} sent regardless of consent, no unsubscribe link.<br>${badge('marketing')} needs consent, honours quiet hours, carries the one-click unsubscribe link.</p>
  </div>
</section>
${sections}
</main>
<footer class="wrap page-foot">Generated by <code>npx journeys preview</code> · one file per email: <code>&lt;journey&gt;/&lt;message&gt;.&lt;locale&gt;.html</code> and <code>.txt</code></footer>
</body>
</html>
`;
}
