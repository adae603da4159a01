/**
 * A journey in words, for the gallery: durations, conditions and triggers as a marketer reads them.
 */
import { Duration } from 'luxon';
import type { Condition, JourneyDefinition } from '../../functions/core/definition.ts';

/** `P2D` -> "2 days", `PT1H30M` -> "1 hour 30 minutes". */
export function durationWords(iso: string): string {
  const d = Duration.fromISO(iso);
  if (!d.isValid) return iso;
  const o = d.toObject();
  const parts: string[] = [];
  const unit = (n: number | undefined, word: string) => {
    if (n) parts.push(`${n} ${word}${n === 1 ? '' : 's'}`);
  };
  unit(o.years, 'year');
  unit(o.months, 'month');
  unit(o.weeks, 'week');
  unit(o.days, 'day');
  unit(o.hours, 'hour');
  unit(o.minutes, 'minute');
  unit(o.seconds, 'second');
  return parts.join(' ') || 'no time';
}

function comparisonWords(c: Partial<Record<'eq' | 'gt' | 'gte' | 'lt' | 'lte', number>>): string {
  const ops = { eq: '=', gt: '>', gte: '≥', lt: '<', lte: '≤' } as const;
  return (Object.keys(ops) as (keyof typeof ops)[])
    .filter((k) => c[k] !== undefined)
    .map((k) => `${ops[k]} ${c[k]}`)
    .join(' and ');
}

type Test = {
  equals?: unknown;
  in?: unknown[] | undefined;
  startsWith?: string | undefined;
  exists?: boolean | undefined;
  compare?: Parameters<typeof comparisonWords>[0] | undefined;
  moneyAtLeast?: Record<string, string> | undefined;
};

function testWords(field: string, t: Test): string {
  if (t.exists !== undefined) return t.exists ? `${field} is set` : `no ${field}`;
  if (t.equals !== undefined) return `${field} = ${String(t.equals)}`;
  if (t.in) return `${field} in ${t.in.join(', ')}`;
  if (t.startsWith !== undefined) return `${field} starts with “${t.startsWith}”`;
  if (t.compare) return `${field} ${comparisonWords(t.compare)}`;
  if (t.moneyAtLeast)
    return `${field} ≥ ${Object.entries(t.moneyAtLeast)
      .map(([cur, amount]) => `${amount} ${cur}`)
      .join(' / ')}`;
  return field;
}

export function conditionWords(c: Condition): string {
  if ('orders' in c) {
    const o = c.orders;
    const scope = [
      o.delivered ? 'delivered ' : '',
      'orders',
      o.sinceEntry ? ' since entry' : '',
      o.within ? ` in the last ${durationWords(o.within)}` : '',
    ].join('');
    return `${scope} ${comparisonWords(o.count)}`;
  }
  if ('event' in c) return testWords(c.event.field, c.event);
  if ('profile' in c) return testWords(c.profile.field, c.profile);
  if ('entries' in c)
    return `entries ${comparisonWords(c.entries.count)} ${
      c.entries.period === 'calendarYear' ? 'this calendar year' : `in ${durationWords(c.entries.period)}`
    }`;
  if ('loyalty' in c) return testWords(`loyalty ${c.loyalty.field}`, c.loyalty);
  if ('all' in c) return c.all.map(conditionWords).join(' and ');
  if ('any' in c) return c.any.map(conditionWords).join(' or ');
  return `not (${conditionWords(c.not)})`;
}

export function triggerWords(j: JourneyDefinition): string {
  const t = j.trigger;
  if ('anyOf' in t)
    return `on ${t.anyOf.map((e) => `${e.event}${e.if ? ` (${conditionWords(e.if)})` : ''}`).join(' or ')}`;
  if ('inactivity' in t) return `no ${t.inactivity.event} for ${durationWords(t.inactivity.after)}`;
  if ('anniversary' in t) return `every year on the ${t.anniversary.field}, ${t.anniversary.at} local time`;
  return `on ${t.event}${t.if ? ` (${conditionWords(t.if)})` : ''}${t.instanceKey ? `, one per ${t.instanceKey}` : ''}`;
}
