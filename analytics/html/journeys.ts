/**
 * Journey sections of the report: a funnel and a per-message table per journey, and the holdout
 * uplift of every journey as a forest plot with its table.
 */
import type { JourneyFunnel, MoneyByCurrency } from '../report-types.ts';
import { forestChart } from './charts.ts';
import { currenciesOf, esc, type Format } from './format.ts';
import type { Context } from './overview.ts';

const ratio = (n: number, d: number) => (d > 0 ? n / d : null);

function bar(label: string, value: number, base: number, f: Format, rate?: string, cls = ''): string {
  const width = base > 0 ? Math.max(0.5, Math.min(100, (value / base) * 100)) : 0;
  return `<div class="f-row ${cls}"><span class="f-label">${esc(label)}</span><span class="f-bar"><i style="width:${width.toFixed(1)}%"></i></span><span class="f-num">${esc(f.int(value))}</span><span class="f-rate">${rate ? esc(rate) : ''}</span></div>`;
}

function rateText(f: Format, n: number, d: number, of: string): string {
  const r = ratio(n, d);
  return r === null ? '' : `${f.pct(r)} ${of}`;
}

function funnelHtml(ctx: Context, j: JourneyFunnel): string {
  const { f, t } = ctx;
  const tj = t.journeys;
  const treated = j.entered - j.heldOut;
  const holdRate = ratio(j.holdoutGoalReached, j.heldOut);
  const customers = [
    bar(tj.entered, j.entered, j.entered, f),
    bar(tj.heldOut, j.heldOut, j.entered, f, rateText(f, j.heldOut, j.entered, tj.ofEntered), 'muted-bar'),
    bar(
      tj.goalReached,
      j.goalReached,
      j.entered,
      f,
      rateText(f, j.goalReached, treated, tj.ofTreated),
      'goal',
    ),
  ];
  const holdNote = holdRate === null ? '' : `<p class="f-note">${esc(tj.holdoutGoal(f.pct(holdRate)))}</p>`;
  const emails = j.sent
    ? [
        bar(tj.sent, j.sent, j.sent, f),
        bar(tj.delivered, j.delivered, j.sent, f, rateText(f, j.delivered, j.sent, tj.ofSent)),
        bar(tj.opened, j.opened, j.sent, f, rateText(f, j.opened, j.delivered, tj.ofDelivered)),
        bar(tj.clicked, j.clicked, j.sent, f, rateText(f, j.clicked, j.opened, tj.ofOpened)),
      ].join('')
    : `<p class="muted small">${esc(tj.noMessages)}</p>`;
  return `<div class="funnel"><div class="f-group">${customers.join('')}${holdNote}</div><div class="f-group">${emails}</div></div>`;
}

function messagesTable(ctx: Context, j: JourneyFunnel): string {
  const { f, t } = ctx;
  const tj = t.journeys;
  if (j.messages.length === 0) return '';
  const pctOf = (n: number, d: number) => {
    const r = ratio(n, d);
    return r === null ? '' : `<span class="sub">${esc(f.pct(r))}</span>`;
  };
  const rows = j.messages
    .map(
      (m) => `<tr><th scope="row"><code>${esc(m.message)}</code></th>
<td>${esc(f.int(m.sent))}</td>
<td>${esc(f.int(m.delivered))}${pctOf(m.delivered, m.sent)}</td>
<td>${esc(f.int(m.opened))}${pctOf(m.opened, m.delivered)}</td>
<td>${esc(f.int(m.clicked))}${pctOf(m.clicked, m.opened)}</td>
<td>${esc(f.int(m.unsubscribed))}</td>
<td>${esc(f.int(m.bounced))}</td>
<td>${esc(f.int(m.complained))}</td></tr>`,
    )
    .join('\n');
  return `<div class="table-wrap"><table class="data messages">
<thead><tr><th>${esc(tj.message)}</th><th>${esc(tj.sent)}</th><th>${esc(tj.delivered)}</th><th>${esc(tj.opened)}</th><th>${esc(tj.clicked)}</th><th>${esc(tj.unsubscribed)}</th><th>${esc(tj.bounced)}</th><th>${esc(tj.complained)}</th></tr></thead>
<tbody>
${rows}
</tbody></table></div>`;
}

export function journeysHtml(ctx: Context): string {
  const { t, f } = ctx;
  const head = `<div class="section-head"><h2>${esc(t.journeys.title)}</h2><p class="muted">${esc(t.journeys.lede)}</p></div>`;
  if (ctx.data.journeys.length === 0)
    return `<section id="journeys" class="section">${head}<div class="empty">${esc(t.journeys.empty)}</div></section>`;
  const cards = ctx.data.journeys
    .map(
      (j) => `<article class="panel journey" data-journey="${esc(j.journey)}">
<header class="journey-head"><h3>${esc(j.journey)}</h3><span class="chip">${esc(t.journeys.entered)} ${esc(f.int(j.entered))}</span></header>
<div class="journey-body">${funnelHtml(ctx, j)}${messagesTable(ctx, j)}</div>
</article>`,
    )
    .join('\n');
  return `<section id="journeys" class="section">${head}<div class="journeys">${cards}</div></section>`;
}

function pValueText(f: Format, p: number): string {
  return p < 0.001 ? `< ${f.dec(0.001, 3)}` : f.dec(p, 3);
}

function moneyLines(f: Format, m: MoneyByCurrency, dash: string): string {
  const cs = currenciesOf(m);
  return cs.length ? cs.map((c) => esc(f.money(m[c] ?? '0', c))).join('<br>') : dash;
}

export function upliftHtml(ctx: Context): string {
  const { t, f } = ctx;
  const tu = t.uplift;
  const head = `<div class="section-head"><h2>${esc(tu.title)}</h2><p class="muted">${esc(tu.lede)}</p></div>`;
  const journeys = ctx.data.journeys;
  if (journeys.length === 0)
    return `<section id="uplift" class="section">${head}<div class="empty">${esc(tu.empty)}</div></section>`;
  const estimated = (j: JourneyFunnel) =>
    j.uplift.absolute !== null && j.uplift.ciLow !== null && j.uplift.ciHigh !== null;
  const rows = journeys.map((j) => ({
    label: j.journey,
    note:
      estimated(j) && j.uplift.absolute !== null
        ? `${f.pp(j.uplift.absolute)}${j.uplift.pValue === null ? '' : ` · p ${j.uplift.pValue < 0.001 ? '' : '= '}${pValueText(f, j.uplift.pValue)}`}`
        : tu.notEnough,
    absolute: j.uplift.absolute,
    ciLow: j.uplift.ciLow,
    ciHigh: j.uplift.ciHigh,
  }));
  const formatTick = (v: number) => f.signed(Math.round(v * 1000) / 10, Number.isInteger(v * 100) ? 0 : 1);
  const wide = forestChart(rows, { width: 1000, axisName: tu.axis, notes: true, formatTick });
  const narrow = forestChart(rows, { width: 380, axisName: tu.axis, notes: false, formatTick });
  const tableRows = journeys
    .map((j) => {
      const treated = ratio(j.goalReached, j.entered - j.heldOut);
      const held = ratio(j.holdoutGoalReached, j.heldOut);
      const u = j.uplift;
      const cells = estimated(j)
        ? `<td class="num strong">${esc(f.pp(u.absolute ?? 0))}</td>
<td class="num">${u.relative === null ? t.dash : esc(f.relative(u.relative))}</td>
<td class="num">${esc(`${f.signed((u.ciLow ?? 0) * 100, 1)} … ${f.pp(u.ciHigh ?? 0)}`)}</td>
<td class="num">${u.pValue === null ? t.dash : `${esc(pValueText(f, u.pValue))} <span class="badge ${u.pValue < 0.05 ? 'sig' : 'nsig'}">${esc(u.pValue < 0.05 ? tu.significant : tu.notSignificant)}</span>`}</td>`
        : `<td colspan="4" class="not-enough"><span class="badge nsig">${esc(tu.notEnough)}</span>${u.note ? ` <span class="muted">${esc(u.note)}</span>` : ''}</td>`;
      return `<tr data-journey="${esc(j.journey)}"><th scope="row">${esc(j.journey)}</th>
<td class="num">${treated === null ? t.dash : esc(f.pct(treated))}<span class="sub">${esc(f.int(j.goalReached))} / ${esc(f.int(j.entered - j.heldOut))}</span></td>
<td class="num">${held === null ? t.dash : esc(f.pct(held))}<span class="sub">${esc(f.int(j.holdoutGoalReached))} / ${esc(f.int(j.heldOut))}</span></td>
${cells}
<td class="num">${moneyLines(f, j.revenuePerCustomer.treated, t.dash)}</td>
<td class="num">${moneyLines(f, j.revenuePerCustomer.heldOut, t.dash)}</td></tr>`;
    })
    .join('\n');
  return `<section id="uplift" class="section">${head}
<div class="panel">
<div class="chart chart-wide">${wide}</div>
<div class="chart chart-narrow">${narrow}</div>
<div class="table-wrap"><table class="data uplift">
<thead><tr><th>${esc(tu.journey)}</th><th class="num">${esc(tu.treated)}</th><th class="num">${esc(tu.holdout)}</th><th class="num">${esc(tu.absolute)}</th><th class="num">${esc(tu.relative)}</th><th class="num">${esc(tu.interval)}</th><th class="num">${esc(tu.pValue)}</th><th class="num">${esc(tu.revenue)} · ${esc(tu.treated)}</th><th class="num">${esc(tu.revenue)} · ${esc(tu.holdout)}</th></tr></thead>
<tbody>
${tableRows}
</tbody></table></div>
</div>
</section>`;
}
