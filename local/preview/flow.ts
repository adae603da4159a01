/**
 * A journey's steps as a flow diagram and its settings as chips, for the gallery. The step tree is
 * walked with `matchStep`, so a new step kind does not compile until it is drawn here too.
 */
import type { JourneyDefinition, Step } from '../../functions/core/definition.ts';
import { matchStep } from '../../functions/core/steps.ts';
import { esc, msgAnchor } from './html.ts';
import { conditionWords, durationWords, triggerWords } from './words.ts';

export function flowHtml(steps: Step[], journeyId: string): string {
  const items = steps.map((step) =>
    matchStep(step, {
      send: (s) => {
        const name = typeof s.send === 'string' ? s.send : s.send.message;
        const extra: string[] = [];
        if (typeof s.send === 'object') {
          const c = s.send.coupon;
          if (c)
            extra.push(
              `with a ${c.percentOff !== undefined ? `${c.percentOff} %` : `${c.amountOff} ${c.currency}`} coupon, valid ${durationWords(c.validFor)}`,
            );
          if (s.send.reward)
            extra.push(
              `grants a reward of ${Object.entries(s.send.reward)
                .map(([cur, amount]) => `${amount} ${cur}`)
                .join(' / ')}`,
            );
        }
        return node(
          'send',
          '✉',
          `Send <a href="#${msgAnchor(journeyId, name)}">${esc(name)}</a>`,
          extra.map(esc).join('; '),
        );
      },
      wait: (s) => {
        const w = s.wait;
        const text =
          typeof w === 'string'
            ? `Wait ${durationWords(w)}`
            : w.sinceEntry
              ? `Wait until ${durationWords(w.sinceEntry)} after entry`
              : `Wait ${durationWords(w.duration ?? 'PT0S')}${w.since ? ` after ${w.since}` : ''}`;
        return node('wait', '◷', esc(text));
      },
      emit: (s) => {
        const e = s.emit;
        const note = [
          e.to ? `to ${e.to}` : '',
          e.detail ? Object.values(e.detail).map(String).join(', ') : '',
        ]
          .filter(Boolean)
          .join(' · ');
        return node('emit', '⚡', `Emit <code>${esc(e.detailType)}</code>`, esc(note));
      },
      waitFor: (s) => {
        const w = s.waitFor;
        return node(
          'waitfor',
          '◎',
          `Wait for <code>${esc(w.event)}</code>`,
          esc(
            [
              w.correlate ? `same ${w.correlate}` : '',
              `up to ${durationWords(w.timeout)}`,
              w.since ? `counted from ${w.since}` : '',
            ]
              .filter(Boolean)
              .join(', '),
          ),
          [
            s.onEvent?.length ? branch('if it comes', s.onEvent, journeyId) : '',
            s.onTimeout?.length ? branch('if not', s.onTimeout, journeyId) : '',
          ].join(''),
        );
      },
      if: (s) =>
        node(
          'if',
          '◇',
          `If ${esc(conditionWords(s.if))}`,
          '',
          [branch('then', s.then, journeyId), s.else?.length ? branch('else', s.else, journeyId) : ''].join(
            '',
          ),
        ),
    }),
  );
  return `<ol class="flow">${items.join('')}</ol>`;
}

function node(kind: string, icon: string, title: string, note = '', children = ''): string {
  return `<li class="step ${kind}"><span class="dot" aria-hidden="true">${icon}</span><div class="what"><div class="title">${title}</div>${
    note ? `<div class="note">${note}</div>` : ''
  }${children ? `<div class="branches">${children}</div>` : ''}</div></li>`;
}

function branch(label: string, steps: Step[], journeyId: string): string {
  return `<div class="branch"><div class="branch-label">${esc(label)}</div>${flowHtml(steps, journeyId)}</div>`;
}

export function journeyMeta(j: JourneyDefinition): string {
  const chips = [
    j.enabled === false
      ? '<span class="chip disabled"><b>Disabled</b> no new entrants; customers inside finish</span>'
      : '',
    `<span class="chip"><b>Starts</b> ${esc(triggerWords(j))}</span>`,
    j.exitOn.length
      ? `<span class="chip"><b>Exits on</b> ${esc(j.exitOn.map((e) => (typeof e === 'string' ? e : e.event)).join(', '))}</span>`
      : '',
    j.goal
      ? `<span class="chip"><b>Goal</b> ${esc(j.goal.event)} within ${esc(durationWords(j.goal.within))}</span>`
      : '',
    j.holdout ? `<span class="chip"><b>Holdout</b> ${Math.round(j.holdout * 100)} %</span>` : '',
    j.quietHours ? `<span class="chip"><b>Quiet</b> ${j.quietHours.start}–${j.quietHours.end}</span>` : '',
    `<span class="chip"><b>Re-entry</b> ${esc(
      typeof j.reentry === 'string' ? j.reentry : `after ${durationWords(j.reentry.after)}`,
    )}</span>`,
  ];
  return chips.filter(Boolean).join('');
}
