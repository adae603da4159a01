/** Report periods: calendar weeks (Monday), months, quarters and years in UTC, as ISO dates. */
import type { PeriodUnit } from './report-types.ts';

export const PERIOD_UNITS = ['week', 'month', 'quarter', 'year'] as const satisfies readonly PeriodUnit[];

/** Longest length of one period in days: the active window must be at least this for E = S − lost + N + reactivated. */
export const MAX_PERIOD_DAYS: Record<PeriodUnit, number> = { week: 7, month: 31, quarter: 92, year: 366 };

const ISO_DATE = /^\d{4}-\d{2}-\d{2}$/;

/** Parses YYYY-MM-DD strictly (2025-02-30 is not a date); undefined when it is not one. */
export function parseIsoDate(text: string): Date | undefined {
  if (!ISO_DATE.test(text)) return undefined;
  const d = new Date(`${text}T00:00:00.000Z`);
  return Number.isNaN(d.getTime()) || d.toISOString().slice(0, 10) !== text ? undefined : d;
}

export const isoDate = (d: Date) => d.toISOString().slice(0, 10);

/** The start of the period that contains `d`. */
export function periodStart(d: Date, unit: PeriodUnit): Date {
  const y = d.getUTCFullYear();
  const m = d.getUTCMonth();
  switch (unit) {
    case 'week': {
      const day = (d.getUTCDay() + 6) % 7; // Monday = 0
      return new Date(Date.UTC(y, m, d.getUTCDate() - day));
    }
    case 'month':
      return new Date(Date.UTC(y, m, 1));
    case 'quarter':
      return new Date(Date.UTC(y, m - (m % 3), 1));
    case 'year':
      return new Date(Date.UTC(y, 0, 1));
  }
}

/** `d` moved by `n` periods (n may be negative). */
export function addPeriods(d: Date, unit: PeriodUnit, n: number): Date {
  const y = d.getUTCFullYear();
  const m = d.getUTCMonth();
  const day = d.getUTCDate();
  switch (unit) {
    case 'week':
      return new Date(Date.UTC(y, m, day + 7 * n));
    case 'month':
      return new Date(Date.UTC(y, m + n, day));
    case 'quarter':
      return new Date(Date.UTC(y, m + 3 * n, day));
    case 'year':
      return new Date(Date.UTC(y + n, m, day));
  }
}

export const addDays = (d: Date, n: number) => new Date(d.getTime() + n * 86_400_000);

export interface Period {
  start: string;
  end: string;
  /** Start of the active window before `start` / before `end` (start − W days, end − W days). */
  activeFromAtStart: string;
  activeFromAtEnd: string;
}

/**
 * The periods of [from, to): `from`, `from + 1 period`, …; the last one ends at `to` (so it may be
 * shorter when `to` is not a period boundary). `from` and `to` are ISO dates, from < to.
 */
export function periodsBetween(
  from: string,
  to: string,
  unit: PeriodUnit,
  activeWindowDays: number,
): Period[] {
  const start = parseIsoDate(from);
  const end = parseIsoDate(to);
  if (!start || !end || start >= end) throw new RangeError(`bad period range ${from} … ${to}`);
  const periods: Period[] = [];
  for (let s = start, i = 1; s < end; i++) {
    const next = addPeriods(start, unit, i);
    const e = next < end ? next : end;
    periods.push({
      start: isoDate(s),
      end: isoDate(e),
      activeFromAtStart: isoDate(addDays(s, -activeWindowDays)),
      activeFromAtEnd: isoDate(addDays(e, -activeWindowDays)),
    });
    s = e;
  }
  return periods;
}

/** The CLI's default range: the 12 whole periods before the start of the current one. */
export function defaultRange(now: Date, unit: PeriodUnit, count = 12): { from: string; to: string } {
  const to = periodStart(now, unit);
  return { from: isoDate(addPeriods(to, unit, -count)), to: isoDate(to) };
}
