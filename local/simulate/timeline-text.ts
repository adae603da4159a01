/**
 * The words of `journeys simulate`'s default output: the timeline (timeline.ts) as one line per thing
 * that happened, naming the customer, in the customer's local time with its offset, durations in words
 * ("60 days"), emitted events summarised; then a summary per journey. English, like the rest of the
 * CLI. Pure: a result and its scenario in, text out.
 *
 * Headings are the customer's local date. When the scenario's customers live in more than one time
 * zone, each heading names the zone too (`Tue 6 Jan 2026 · Pacific/Auckland`): the lines stay in the
 * order things happened, so a new heading starts whenever the local date or the zone changes.
 */
import { DateTime, Duration } from 'luxon';
import type { NoteFact } from './note-facts.ts';
import type { Scenario } from './scenario.ts';
import type { SimulationResult, TimelineLine } from './timeline.ts';

export interface TimelineTextOptions {
  /** The scenario's file name, for the title. */
  name: string;
  /** ANSI colours (stdout is a terminal). */
  color: boolean;
  /** Only these customers' lines, and the summary of their journeys (`--customer`). */
  customers?: ReadonlySet<string> | undefined;
  /** The time zone of a customer whose registration names none (the engine's default). */
  defaultTimeZone?: string;
}

interface Customer {
  label: string;
  email?: string | undefined;
  zone: string;
}

const ICONS = { event: '←', email: '✉', emit: '⚡', note: '·', rejected: '✗', error: '!' } as const;
const COLORS = { event: 36, email: 32, emit: 35, note: 2, rejected: 31, error: 31 } as const;
const UNITS = ['years', 'months', 'weeks', 'days', 'hours', 'minutes'] as const;

const plural = (n: number, unit: string) => `${n} ${n === 1 ? unit.replace(/s$/, '') : unit}`;

/** An ISO 8601 duration in words: P60D → "60 days", PT2H → "2 hours", P1DT2H → "1 day 2 hours". */
export function durationInWords(iso: string): string {
  const duration = Duration.fromISO(iso);
  if (!duration.isValid) return iso;
  const parts = UNITS.flatMap((u) => (duration.get(u) ? [plural(duration.get(u), u)] : []));
  return parts.join(' ') || 'no time';
}

/** The time from one instant to another in words, counting calendar days in `zone` (DST-proof). */
export function spanInWords(from: string, to: string, zone: string): string {
  const a = DateTime.fromISO(from, { zone });
  const diff = DateTime.fromISO(to, { zone }).diff(a, ['days', 'hours', 'minutes']);
  const parts = (['days', 'hours', 'minutes'] as const).flatMap((u) => {
    const n = Math.round(diff.get(u));
    return n ? [plural(n, u)] : [];
  });
  return parts.join(' ') || 'no time';
}

const at = (iso: string, zone: string) => DateTime.fromISO(iso, { zone }).setLocale('en');

/** `10:00 +01:00` */
export const clock = (iso: string, zone: string) => at(iso, zone).toFormat('HH:mm ZZ');

/** `Wed 7 Jan 10:00 +01:00`, with the year when it is not the year of `from`. */
export function moment(iso: string, zone: string, from?: string): string {
  const t = at(iso, zone);
  const sameYear = !from || at(from, zone).year === t.year;
  return t.toFormat(sameYear ? 'ccc d LLL HH:mm ZZ' : 'ccc d LLL yyyy HH:mm ZZ');
}

/** Every customer the scenario registers: a label (id, name, email) and the time zone. */
export function scenarioCustomers(
  scenario: Pick<Scenario, 'events'>,
  defaultTimeZone: string,
): Map<string, Customer> {
  const found = new Map<string, { firstName?: string; email?: string; zone?: string }>();
  for (const e of scenario.events) {
    const d = e.detail;
    const id = d.customerId;
    if (typeof id !== 'string' || !id) continue;
    const c = found.get(id) ?? {};
    if (typeof d.firstName === 'string') c.firstName ??= d.firstName;
    if (typeof d.email === 'string') c.email ??= d.email;
    if (typeof d.timeZone === 'string') c.zone ??= d.timeZone;
    found.set(id, c);
  }
  const customers = new Map<string, Customer>();
  for (const [id, c] of found) {
    const who = [c.firstName, c.email && `<${c.email}>`].filter(Boolean).join(' ');
    customers.set(id, { label: who ? `${id} ${who}` : id, email: c.email, zone: c.zone ?? defaultTimeZone });
  }
  return customers;
}

/** Instants and ISO durations inside free text, in the customer's time and in words. */
function humanise(text: string, zone: string, from: string): string {
  return text
    .replace(/\d{4}-\d{2}-\d{2}T[\d:.]+Z/g, (iso) => moment(iso, zone, from))
    .replace(/\bP(?:\d+[YMWD])*(?:T(?:\d+[HMS])+)?\b/g, (iso) => (iso === 'P' ? iso : durationInWords(iso)));
}

function noteWords(fact: NoteFact, line: TimelineLine, zone: string): string | undefined {
  const when = (iso: string) => moment(iso, zone, line.at);
  switch (fact.kind) {
    case 'enters':
      return fact.holdout ? 'enters, in the holdout (tracked, not mailed)' : 'enters';
    case 'doesNotEnter':
      return `does not enter: ${humanise(fact.reason, zone, line.at)}`;
    case 'sends':
      return undefined; // the ✉ line says it, with the subject
    case 'waits':
      return `waits ${spanInWords(line.at, fact.until, zone)}, until ${when(fact.until)}`;
    case 'waitsFor':
      return `waits up to ${spanInWords(line.at, fact.until, zone)} for ${fact.event}, until ${when(fact.until)}`;
    case 'watches':
      return `starts ${when(fact.until)} if no ${fact.event} comes in ${durationInWords(fact.after)}`;
    case 'anniversary':
      return `next anniversary ${when(fact.until)}`;
    case 'condition':
      return `condition ${fact.path} ${fact.holds ? 'holds' : 'does not hold'}`;
    case 'exits':
      return `exits on ${fact.event}`;
    case 'goal':
      return `reaches its goal (${fact.event})`;
    case 'completes':
      return 'completes';
  }
}

/** `key=value …` for a detail, leaving out what the line says already. */
function fields(detail: Record<string, unknown>, zone: string, from: string, omit: string[] = []): string {
  return Object.entries(detail)
    .filter(([k, v]) => v !== undefined && !['customerId', 'outboxId', ...omit].includes(k))
    .map(([k, v]) => `${k}=${humanise(typeof v === 'string' ? v : JSON.stringify(v), zone, from)}`)
    .join(' ');
}

const money = (v: unknown) => {
  const m = v as { amount?: unknown; currency?: unknown } | undefined;
  return m && typeof m === 'object' ? `${m.amount} ${m.currency}` : String(v);
};

/** An emitted event in words: the ones people meet often by name, any other as `type key=value …`. */
export function emittedWords(
  detailType: string,
  detail: Record<string, unknown>,
  zone: string,
  from: string,
): string {
  const d = detail as Record<string, string | number | undefined>;
  switch (detailType) {
    case 'referral.code.created':
      return `referral code ${d.code} created`;
    case 'referral.attributed':
      return `referred by ${d.referrerId} (code ${d.code})`;
    case 'coupon.issued':
      return `coupon ${d.code}: ${d.percentOff} % off${d.expiresAt ? `, valid until ${moment(String(d.expiresAt), zone, from)}` : ''}${d.journey ? ` (${d.journey}/${d.message})` : ''}`;
    case 'loyalty.member.joined':
      return `joins the loyalty program (tier ${d.tier})`;
    case 'loyalty.points.earned':
      return d.availableAt
        ? `earns ${d.points} points (${d.reason}${d.orderId ? ` ${d.orderId}` : ''}), available ${moment(String(d.availableAt), zone, from)}; balance ${d.balance}`
        : `earns ${d.points} points (${d.reason}), balance ${d.balance}`;
  }
  const rest = fields(detail, zone, from);
  return rest ? `${detailType} ${rest}` : detailType;
}

/** The words of one line after its icon, or undefined for a line not shown. */
function lineWords(line: TimelineLine, customer: Customer | undefined, zone: string): string | undefined {
  switch (line.kind) {
    case 'note': {
      const words = line.fact
        ? noteWords(line.fact, line, zone)
        : humanise(line.text.replace(/^\S+ /, ''), zone, line.at);
      if (words === undefined) return undefined;
      return line.journey ? `${line.journey} ${words}` : humanise(line.text, zone, line.at);
    }
    case 'email': {
      const e = line.email;
      if (!e) return humanise(line.text, zone, line.at);
      const to = e.to === customer?.email ? '' : ` → ${e.to}`;
      return `${line.journey}/${e.message} [${e.locale}] “${e.subject}”${to}`;
    }
    case 'emit': {
      const e = line.event;
      if (!e?.detail) return humanise(line.text, zone, line.at);
      const about = e.detail.customerId;
      const other = typeof about === 'string' && about !== line.customerId ? ` (for ${about})` : '';
      return `${emittedWords(e.detailType, e.detail, zone, line.at)}${other}`;
    }
    case 'event': {
      const e = line.event;
      if (!e) return line.text;
      const d = e.detail ?? {};
      const order = d.orderId === undefined ? '' : ` ${d.orderId}`;
      const total = d.total === undefined ? '' : `, ${money(d.total)}`;
      const rest = fields(d, zone, line.at, ['orderId', 'total']);
      return `${e.detailType}${order}${total}${rest ? ` ${rest}` : ''}`;
    }
    case 'rejected':
      return `${line.event ? `${line.event.detailType} ` : ''}rejected: ${line.text}`;
    case 'error':
      return humanise(line.text, zone, line.at);
  }
}

/** Whether a line is about one of the customers followed (an emitted event: whom it is about, too). */
function followed(line: TimelineLine, customers: ReadonlySet<string>): boolean {
  if (customers.has(line.customerId ?? '')) return true;
  const about = line.event?.detail?.customerId;
  return line.kind === 'emit' && typeof about === 'string' && customers.has(about);
}

/** The timeline in words, then the summary per journey (see the module comment). */
export function renderTimeline(
  result: SimulationResult,
  scenario: Pick<Scenario, 'events'>,
  options: TimelineTextOptions,
): string {
  const paint = (code: number, text: string) => (options.color ? `\u001b[${code}m${text}\u001b[0m` : text);
  const defaultZone = options.defaultTimeZone ?? 'Europe/Berlin';
  const customers = scenarioCustomers(scenario, defaultZone);
  const only = options.customers;
  const shown = only ? result.timeline.filter((l) => followed(l, only)) : result.timeline;
  const zones = new Set([...customers.values()].map((c) => c.zone));
  const labels = new Set(shown.map((l) => customers.get(l.customerId ?? '')?.label ?? l.customerId ?? ''));
  const width = Math.min(36, Math.max(1, ...[...labels].map((label) => label.length)));
  const following = only ? `, following ${[...only].join(', ')}` : '';
  const lines = [
    `${paint(1, `Simulation of ${options.name}`)} — ${result.stats.virtualDays} days of virtual time${following}; times are each customer's own`,
    '',
  ];
  let heading = '';
  for (const line of shown) {
    const customer = customers.get(line.customerId ?? '');
    const zone = customer?.zone ?? (line.customerId ? defaultZone : 'UTC');
    const words = lineWords(line, customer, zone);
    if (words === undefined) continue;
    const day = at(line.at, zone).toFormat('ccc d LLL yyyy') + (zones.size > 1 ? ` · ${zone}` : '');
    if (day !== heading) {
      lines.push(paint(1, day));
      heading = day;
    }
    const who = (customer?.label ?? line.customerId ?? '') || '—';
    lines.push(
      `  ${clock(line.at, zone)}  ${who.padEnd(width)}  ${paint(COLORS[line.kind], `${ICONS[line.kind]} ${words}`)}`,
    );
  }
  lines.push('', ...journeySummary(result, only, paint));
  return lines.join('\n');
}

interface JourneyCounts {
  entered: number;
  holdout: number;
  exited: number;
  goals: number;
  completed: number;
  emails: Map<string, number>;
}

/**
 * Per journey: how many entered (in the holdout), the emails per message, exits, goals reached,
 * completions, and how many were still in it when the simulated time ran out (entered, neither
 * exited nor completed).
 */
export function journeySummary(
  result: SimulationResult,
  customers: ReadonlySet<string> | undefined,
  paint: (code: number, text: string) => string = (_c, t) => t,
): string[] {
  const mine = (id: unknown) => !customers || customers.has(String(id));
  const journeys = new Map<string, JourneyCounts>();
  const of = (id: string) => {
    let counts = journeys.get(id);
    if (!counts) {
      counts = { entered: 0, holdout: 0, exited: 0, goals: 0, completed: 0, emails: new Map() };
      journeys.set(id, counts);
    }
    return counts;
  };
  for (const e of result.events) {
    const journey = e.detail.journey;
    if (!e.detailType.startsWith('journey.') || typeof journey !== 'string' || !mine(e.detail.customerId))
      continue;
    const c = of(journey);
    if (e.detailType === 'journey.entered') {
      c.entered++;
      if (e.detail.holdout === true) c.holdout++;
    } else if (e.detailType === 'journey.exited') c.exited++;
    else if (e.detailType === 'journey.goal.reached') c.goals++;
    else if (e.detailType === 'journey.completed') c.completed++;
  }
  for (const e of result.emails) {
    if (!mine(e.customerId)) continue;
    const c = of(e.journey);
    c.emails.set(e.message, (c.emails.get(e.message) ?? 0) + 1);
  }
  if (!journeys.size) return [paint(1, 'No journey was entered.')];
  const width = Math.max(...[...journeys.keys()].map((j) => j.length));
  const out = [paint(1, 'Per journey')];
  for (const [id, c] of journeys) {
    const still = c.entered - c.exited - c.completed;
    const emails = [...c.emails].map(([m, n]) => `${m} ×${n}`).join(', ');
    const parts = [
      `entered ${c.entered}${c.holdout ? ` (${c.holdout} in the holdout)` : ''}`,
      emails ? `emails: ${emails}` : 'no email',
      c.exited && `exited ${c.exited}`,
      c.goals && `goal reached ${c.goals}`,
      c.completed && `completed ${c.completed}`,
      still > 0 && `still in it at the end ${still}`,
    ].filter(Boolean);
    out.push(`  ${id.padEnd(width)}  ${parts.join(' · ')}`);
  }
  return out;
}
