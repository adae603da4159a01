/**
 * Escaping and Intl formatting for the HTML report. Every string that comes from the data goes
 * through `esc` before it touches markup; every number, amount and date through the report's locale.
 */
import type { MoneyByCurrency, PeriodUnit } from '../report-types.ts';
import type { Messages } from './messages.ts';

/** HTML-escapes text for element content and double- or single-quoted attributes. */
export function esc(value: unknown): string {
  return String(value)
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&#39;');
}

export interface Format {
  readonly t: Messages;
  /** Whole numbers with grouping: 12,345 / 12.345. */
  int(n: number): string;
  /** A decimal with `digits` fraction digits. */
  dec(n: number, digits?: number): string;
  /** A fraction 0–1 as a percentage. */
  pct(fraction: number, digits?: number): string;
  /** A signed difference of two fractions in percentage points. */
  pp(delta: number, digits?: number): string;
  /** A signed number (NPS points, frequency change). */
  signed(n: number, digits?: number): string;
  /** A signed relative change, e.g. +4.2 %. */
  relative(ratio: number): string;
  money(amount: string | number, currency: string, compact?: boolean): string;
  /** Axis ticks: 12k, 1.2M. */
  compact(n: number): string;
  date(iso: string): string;
  dateTime(iso: string): string;
  /** A period start as its label: "Nov 2026", "Q4 2026", "2026", "Week of 2 Nov 2026". */
  period(start: string, unit: PeriodUnit, short?: boolean): string;
  /** A cohort month, YYYY-MM. */
  month(yyyyMm: string, short?: boolean): string;
  /** A market code as a name: DE → Germany / Deutschland; a locale as its language. */
  market(code: string): string;
}

export function createFormat(t: Messages): Format {
  const tag = t.intl;
  const cache = new Map<string, Intl.NumberFormat>();
  const nf = (key: string, options: Intl.NumberFormatOptions) => {
    let f = cache.get(key);
    if (!f) {
      f = new Intl.NumberFormat(tag, options);
      cache.set(key, f);
    }
    return f;
  };
  const utc = (iso: string) => new Date(iso.length === 10 ? `${iso}T00:00:00Z` : iso);
  const dateFmt = (options: Intl.DateTimeFormatOptions) =>
    new Intl.DateTimeFormat(tag, { timeZone: 'UTC', ...options });
  const regions = new Intl.DisplayNames(tag, { type: 'region' });
  const languages = new Intl.DisplayNames(tag, { type: 'language' });

  const format: Format = {
    t,
    int: (n) => nf('int', { maximumFractionDigits: 0 }).format(n),
    dec: (n, digits = 2) =>
      nf(`dec${digits}`, { minimumFractionDigits: digits, maximumFractionDigits: digits }).format(n),
    pct: (fraction, digits = 1) =>
      nf(`pct${digits}`, {
        style: 'percent',
        minimumFractionDigits: digits,
        maximumFractionDigits: digits,
      }).format(fraction),
    pp: (delta, digits = 1) =>
      `${nf(`pp${digits}`, {
        signDisplay: 'exceptZero',
        minimumFractionDigits: digits,
        maximumFractionDigits: digits,
      }).format(delta * 100)} ${t.pp}`,
    signed: (n, digits = 0) =>
      nf(`signed${digits}`, {
        signDisplay: 'exceptZero',
        minimumFractionDigits: digits,
        maximumFractionDigits: digits,
      }).format(n),
    relative: (ratio) =>
      nf('relative', {
        style: 'percent',
        signDisplay: 'exceptZero',
        minimumFractionDigits: 1,
        maximumFractionDigits: 1,
      }).format(ratio),
    money: (amount, currency, compact = false) => {
      const n = Number(amount);
      const key = `money${currency}${compact}`;
      try {
        return nf(
          key,
          compact
            ? {
                style: 'currency',
                currency,
                notation: 'compact',
                minimumFractionDigits: 0,
                maximumFractionDigits: 1,
              }
            : { style: 'currency', currency },
        ).format(n);
      } catch {
        // Not an ISO 4217 code Intl knows: show the amount with the code as it came.
        return `${format.dec(n)} ${currency}`;
      }
    },
    compact: (n) => nf('compact', { notation: 'compact', maximumFractionDigits: 1 }).format(n),
    date: (iso) => dateFmt({ dateStyle: 'medium' }).format(utc(iso)),
    dateTime: (iso) => `${dateFmt({ dateStyle: 'medium', timeStyle: 'short' }).format(utc(iso))} UTC`,
    period: (start, unit, short = false) => {
      const d = utc(start);
      switch (unit) {
        case 'year':
          return String(d.getUTCFullYear());
        case 'quarter':
          return `Q${Math.floor(d.getUTCMonth() / 3) + 1} ${d.getUTCFullYear()}`;
        case 'week':
          return short
            ? dateFmt({ day: 'numeric', month: 'short' }).format(d)
            : t.weekOf(dateFmt({ dateStyle: 'medium' }).format(d));
        default:
          return dateFmt(
            short ? { month: 'short', year: '2-digit' } : { month: 'long', year: 'numeric' },
          ).format(d);
      }
    },
    month: (yyyyMm, short = false) => format.period(`${yyyyMm}-01`, 'month', short),
    market: (code) => {
      try {
        return (/^[A-Z]{2}$/.test(code) ? regions.of(code) : languages.of(code)) ?? code;
      } catch {
        return code;
      }
    },
  };
  return format;
}

/** The last day of a range whose `to` is exclusive (YYYY-MM-DD), for "1 Nov – 30 Nov". */
export function lastDay(to: string): string {
  const d = new Date(`${to.slice(0, 10)}T00:00:00Z`);
  if (Number.isNaN(d.getTime())) return to;
  return new Date(d.getTime() - 86_400_000).toISOString().slice(0, 10);
}

/** The currencies present in any of the amounts, sorted for a stable order. */
export function currenciesOf(...amounts: (MoneyByCurrency | undefined)[]): string[] {
  const all = new Set<string>();
  for (const a of amounts) for (const c of Object.keys(a ?? {})) all.add(c);
  return [...all].sort();
}
