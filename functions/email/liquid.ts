/**
 * The Liquid environment both sides share: the same engine options and filters, so a template that
 * parses at build time renders at run time. No MJML here: this goes into Lambda bundles.
 *
 * Filters format in the recipient's locale and time zone, which each render passes as the global
 * `__format` (see `formatGlobals`):
 * - `money`: `{{ order.total | money }}` with `{amount, currency}`, or `{{ coupon.amountOff | money: coupon.currency }}`
 * - `date`: `{{ coupon.expiresAt | date }}` -> "19 March 2026" / "19. März 2026"; optional style
 *   argument `'short' | 'medium' | 'long' | 'full'`
 * - `percent`: `{{ coupon.percentOff | percent }}` -> "10%" / "10 %"
 */
import { type Context, Liquid } from 'liquidjs';

/** `this` inside a filter (liquidjs does not export its FilterImpl type from the package root). */
interface FilterImpl {
  context: Context;
}

export interface FormatContext {
  /** Locale for Intl (the recipient's, e.g. de-AT). */
  locale: string;
  timeZone: string;
}

const FORMAT_KEY = '__format';

export function formatGlobals(format: FormatContext): Record<string, unknown> {
  return { [FORMAT_KEY]: format };
}

function formatOf(impl: FilterImpl): FormatContext {
  const globals = impl.context.globals as Record<string, unknown> | undefined;
  const format = globals?.[FORMAT_KEY] as FormatContext | undefined;
  return format ?? { locale: 'en', timeZone: 'UTC' };
}

const DECIMAL = /^-?\d+(\.\d+)?$/;

/** Formats a decimal string exactly: Intl.NumberFormat takes strings as decimals, no float rounding. */
export function formatMoney(amount: string, currency: string, locale: string): string {
  if (!DECIMAL.test(amount)) throw new Error(`money: "${amount}" is not a decimal amount such as "59.90"`);
  if (!/^[A-Z]{3}$/.test(currency)) throw new Error(`money: "${currency}" is not an ISO 4217 currency code`);
  // The string overload of format() is exact (ECMA-402 Intl.NumberFormat v3); the lib types lag behind.
  const format = new Intl.NumberFormat(locale, { style: 'currency', currency }).format as (
    value: string,
  ) => string;
  return format(amount);
}

function money(this: FilterImpl, value: unknown, currencyArg?: unknown): string {
  if (value === undefined || value === null || value === '') return '';
  const { locale } = formatOf(this);
  if (typeof value === 'object') {
    const { amount, currency } = value as { amount?: unknown; currency?: unknown };
    return formatMoney(String(amount), String(currencyArg ?? currency), locale);
  }
  if (typeof currencyArg !== 'string')
    throw new Error('money: a bare amount needs a currency, e.g. money: "EUR"');
  return formatMoney(typeof value === 'number' ? String(value) : String(value), currencyArg, locale);
}

const DATE_STYLES = new Set(['short', 'medium', 'long', 'full']);

function date(this: FilterImpl, value: unknown, style?: unknown): string {
  if (value === undefined || value === null || value === '') return '';
  const { locale, timeZone } = formatOf(this);
  const when = value instanceof Date ? value : new Date(String(value));
  if (Number.isNaN(when.getTime())) throw new Error(`date: "${String(value)}" is not an ISO 8601 timestamp`);
  const dateStyle = (typeof style === 'string' && DATE_STYLES.has(style) ? style : 'long') as 'long';
  return new Intl.DateTimeFormat(locale, { dateStyle, timeZone }).format(when);
}

function percent(this: FilterImpl, value: unknown): string {
  if (value === undefined || value === null || value === '') return '';
  const n = typeof value === 'number' ? value : Number(value);
  if (!Number.isFinite(n)) throw new Error(`percent: "${String(value)}" is not a number`);
  // unit "percent" takes 10 as 10 %, so there is no division by 100 and no float drift.
  return new Intl.NumberFormat(formatOf(this).locale, {
    style: 'unit',
    unit: 'percent',
    maximumFractionDigits: 2,
  }).format(n);
}

export const FILTER_NAMES = ['money', 'date', 'percent'] as const;

/** A Liquid engine with our filters. `html: true` escapes every `{{ }}` output for HTML. */
export function createLiquid(options: { html: boolean }): Liquid {
  const liquid = new Liquid({
    strictFilters: true,
    strictVariables: false,
    ownPropertyOnly: true,
    outputEscape: options.html ? 'escape' : undefined,
    // Templates come from the catalog, never from the file system.
    relativeReference: false,
    root: [],
    partials: [],
    layouts: [],
  });
  liquid.registerFilter('money', money);
  liquid.registerFilter('date', date);
  liquid.registerFilter('percent', percent);
  return liquid;
}
