/**
 * Hostile strings and the checks that tell whether one got through (faults/rows/hostile-strings.ts;
 * reusable by any row that puts customer text into emails).
 *
 * Each payload targets one way customer text can misbehave in an email: markup, Liquid that would
 * be evaluated, line breaks that would start a new header, direction overrides and invisible
 * characters, control characters, very long or astral text, prototype keys. `emailLeaks` looks at
 * one email as SES received it and names every way a payload got through.
 */
import type { SesEmail } from '../../local/servers/ses-emulator.ts';

export interface Payload {
  kind: 'markup' | 'liquid' | 'header' | 'bidi' | 'control' | 'long' | 'astral' | 'prototype';
  value: string;
}

/** Liquid that, if evaluated, leaves an upper-case marker the payload itself does not contain. */
export const LIQUID_MARKERS = ['LIQA1', 'LIQB2', 'LIQC3'];

export const PAYLOADS: readonly Payload[] = [
  { kind: 'markup', value: '<script>alert("x")</script>' },
  { kind: 'markup', value: '"><img src=x onerror=alert(1)>' },
  { kind: 'markup', value: "'><svg/onload=alert(1)>" },
  { kind: 'markup', value: '</td></tr></table><a href="javascript:alert(1)">win</a>' },
  { kind: 'markup', value: '<style>*{display:none}</style><!--' },
  { kind: 'liquid', value: '{{ "liqa1" | upcase }}' },
  { kind: 'liquid', value: '{% capture x %}{{ "liqb2" | upcase }}{% endcapture %}{{ x }}' },
  { kind: 'liquid', value: '{%- if true -%}{{ "liqc3" | upcase }}{%- endif -%}{{ shop.name }}' },
  { kind: 'liquid', value: '{{ oops' },
  { kind: 'liquid', value: '{% include "secrets" %}{% render "x" %}' },
  { kind: 'header', value: 'Anna\r\nBcc: victim@example.com' },
  { kind: 'header', value: 'Anna\nX-Injected: yes' },
  { kind: 'header', value: 'Anna\r\n\r\n<h1>a body of my own</h1>' },
  { kind: 'header', value: 'Anna\u2028X-Line: \u2029\u0085yes' },
  { kind: 'bidi', value: 'Anna\u202egnp.exe\u202c' },
  { kind: 'bidi', value: '\u2066Anna\u2069\u200bB\ufeffob\u2060' },
  { kind: 'control', value: 'A\u0000B\u0007C\u001b[31mred\u001b[0m\u007f' },
  { kind: 'long', value: 'W'.repeat(200) },
  { kind: 'long', value: 'Ω'.repeat(20_000) },
  { kind: 'astral', value: '🦄 𝕬𝖓𝖓𝖆 👨‍👩‍👧 🏳️‍🌈 \ud800' },
  { kind: 'prototype', value: '__proto__' },
  { kind: 'prototype', value: 'constructor' },
  { kind: 'prototype', value: 'toString' },
];

/** Addresses with hostile but RFC 5322-legal local parts, and some that are not legal at all. */
export const EMAIL_LOCAL_PARTS: readonly string[] = [
  "o'brien+tag",
  'x--',
  '{{shop.name}}',
  '"<script>"',
  'a\r\nbcc:victim',
  '\u202eanna',
  '__proto__',
];

/** Locales and time zones at the edge: unusual but valid ones, and ones that are not valid at all. */
export const EDGE_LOCALES: readonly string[] = [
  'de-AT-u-nu-arab',
  'EN-gb',
  'zh-Hant-TW',
  'ar-EG',
  'he',
  'i-klingon',
  'en-US-x-twain',
];
export const INVALID_LOCALES: readonly string[] = ['__proto__', 'toString', 'de_DE'];
export const LOCALES: readonly string[] = [...EDGE_LOCALES, ...INVALID_LOCALES];
export const EDGE_TIME_ZONES: readonly string[] = [
  'Pacific/Kiritimati',
  'Pacific/Chatham',
  'Asia/Kathmandu',
  'Etc/GMT-14',
  'America/St_Johns',
  'UTC',
];
export const INVALID_TIME_ZONES: readonly string[] = ['__proto__', '../../etc/passwd'];
export const TIME_ZONES: readonly string[] = [...EDGE_TIME_ZONES, ...INVALID_TIME_ZONES];

const MARKUP = PAYLOADS.filter((p) => p.kind === 'markup').map((p) => p.value);
/**
 * Tags no shipped template contains, with a real `<`: their presence means markup got through.
 * (Escaped, `&lt;img src=x onerror=…` is text and harmless.)
 */
const ACTIVE_MARKUP = /<script|<svg|<img\b|<style>\*|<a href="javascript:/i;
// biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what this looks for
const CONTROL = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/;
const DIRECTION_AND_INVISIBLE = /[\u202a-\u202e\u2066-\u2069\u200b\u2060\ufeff]/;
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;
const LINE_BREAK = /[\r\n\u2028\u2029\u0085]/;
/** A header field name (RFC 5322: printable ASCII but colon). */
const HEADER_NAME = /^[!-9;-~]+$/;

/** Every way a hostile payload shows in one email as SES received it; empty when none. */
export function emailLeaks(email: SesEmail): string[] {
  const leaks: string[] = [];
  const html = email.body.html ?? '';
  const text = email.body.text ?? '';
  if (LINE_BREAK.test(email.subject) || CONTROL.test(email.subject)) leaks.push('line break in the subject');
  for (const header of email.headers ?? []) {
    if (!HEADER_NAME.test(header.name) || LINE_BREAK.test(header.value) || CONTROL.test(header.value))
      leaks.push(`header ${JSON.stringify(header.name)} injected or broken`);
  }
  const recipients = [...email.destination.to, ...email.destination.cc, ...email.destination.bcc];
  if (recipients.length !== 1 || recipients.some((r) => LINE_BREAK.test(r) || CONTROL.test(r)))
    leaks.push(`recipients ${JSON.stringify(recipients)}`);
  if (MARKUP.some((m) => html.includes(m)) || ACTIVE_MARKUP.test(html)) leaks.push('markup in the HTML part');
  for (const [part, value] of [
    ['subject', email.subject],
    ['HTML part', html],
    ['text part', text],
  ] as const) {
    if (LIQUID_MARKERS.some((m) => value.includes(m))) leaks.push(`Liquid evaluated in the ${part}`);
    if (DIRECTION_AND_INVISIBLE.test(value))
      leaks.push(`direction override or invisible character in the ${part}`);
    if (CONTROL.test(value) || LONE_SURROGATE.test(value)) leaks.push(`control character in the ${part}`);
  }
  return leaks;
}

/** Whether anything was added to Object.prototype (a `__proto__` key merged somewhere). */
export function prototypePolluted(): string[] {
  const polluted = Object.keys(Object.prototype as object);
  return polluted.length ? [`Object.prototype gained ${polluted.join(', ')}`] : [];
}
