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
 * - `discount`: `{{ coupon | discount }}` -> "10 %" for a percentOff coupon, "5,00 €" for an amountOff one
 * - `plural`: `{{ customer.orderCount | plural: t.orders }}` with the string
 *   `orders: "one {# order} other {# orders}"`: picks the form by Intl.PluralRules in the recipient's
 *   locale (`zero`, `one`, `two`, `few`, `many`, `other`, or an exact `=0`), `#` is the number formatted
 *   in that locale. A missing category falls back to `other`, which every string must have.
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

/** Intl formatters are costly to build and immutable: one per locale and options, kept for reuse. */
const formatters = new Map<string, unknown>();
function cachedFormatter<T>(key: string, build: () => T): T {
  let formatter = formatters.get(key) as T | undefined;
  if (formatter === undefined) {
    formatter = build();
    formatters.set(key, formatter);
  }
  return formatter;
}

/** Formats a decimal string exactly: Intl.NumberFormat takes strings as decimals, no float rounding. */
export function formatMoney(amount: string, currency: string, locale: string): string {
  if (!DECIMAL.test(amount)) throw new Error(`money: "${amount}" is not a decimal amount such as "59.90"`);
  if (!/^[A-Z]{3}$/.test(currency)) throw new Error(`money: "${currency}" is not an ISO 4217 currency code`);
  // The string overload of format() is exact (ECMA-402 Intl.NumberFormat v3); the lib types lag behind.
  const format = cachedFormatter(
    `money|${locale}|${currency}`,
    () => new Intl.NumberFormat(locale, { style: 'currency', currency }),
  ).format as (value: string) => string;
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
  return cachedFormatter(
    `date|${locale}|${dateStyle}|${timeZone}`,
    () => new Intl.DateTimeFormat(locale, { dateStyle, timeZone }),
  ).format(when);
}

function percent(this: FilterImpl, value: unknown): string {
  if (value === undefined || value === null || value === '') return '';
  const n = typeof value === 'number' ? value : Number(value);
  if (!Number.isFinite(n)) throw new Error(`percent: "${String(value)}" is not a number`);
  // unit "percent" takes 10 as 10 %, so there is no division by 100 and no float drift.
  const { locale } = formatOf(this);
  return cachedFormatter(
    `percent|${locale}`,
    () => new Intl.NumberFormat(locale, { style: 'unit', unit: 'percent', maximumFractionDigits: 2 }),
  ).format(n);
}

/** A coupon's value: its percentage, or its fixed amount as money. */
function discount(this: FilterImpl, value: unknown): string {
  if (value === undefined || value === null || value === '') return '';
  if (typeof value !== 'object') throw new Error('discount: expects a coupon, e.g. {{ coupon | discount }}');
  const { percentOff, amountOff, currency } = value as {
    percentOff?: unknown;
    amountOff?: unknown;
    currency?: unknown;
  };
  const present = (v: unknown) => v !== undefined && v !== null && v !== '';
  if (present(percentOff)) return percent.call(this, percentOff);
  if (present(amountOff)) {
    if (typeof currency !== 'string') throw new Error('discount: a coupon with amountOff needs a currency');
    return money.call(this, amountOff, currency);
  }
  throw new Error('discount: the coupon has neither percentOff nor amountOff');
}

const PLURAL_FORM = /\s*(=\d+|zero|one|two|few|many|other)\s*\{([^{}]*)\}/y;

/** `one {# order} other {# orders}` -> Map { 'one' => '# order', 'other' => '# orders' }. */
export function parsePluralForms(forms: string): Map<string, string> {
  const out = new Map<string, string>();
  PLURAL_FORM.lastIndex = 0;
  let at = 0;
  for (let m = PLURAL_FORM.exec(forms); m !== null; m = PLURAL_FORM.exec(forms)) {
    out.set(m[1] as string, m[2] as string);
    at = PLURAL_FORM.lastIndex;
  }
  if (forms.slice(at).trim() !== '' || !out.has('other')) {
    throw new Error(
      `plural: "${forms}" is not a list of forms such as "one {# order} other {# orders}" (with at least "other")`,
    );
  }
  return out;
}

function plural(this: FilterImpl, value: unknown, forms?: unknown, ...rest: unknown[]): string {
  if (typeof forms !== 'string' || rest.length > 0) {
    throw new Error(
      'plural: expects one string of forms, e.g. {{ n | plural: t.orders }} with orders: "one {# order} other {# orders}"',
    );
  }
  const n = typeof value === 'number' ? value : Number(value);
  if (value === undefined || value === null || value === '' || !Number.isFinite(n)) {
    throw new Error(`plural: "${String(value)}" is not a number`);
  }
  const { locale } = formatOf(this);
  const byForm = parsePluralForms(forms);
  const chosen =
    byForm.get(`=${n}`) ??
    byForm.get(cachedFormatter(`plural|${locale}`, () => new Intl.PluralRules(locale)).select(n)) ??
    (byForm.get('other') as string);
  return chosen.replace(
    /#/g,
    cachedFormatter(`number|${locale}`, () => new Intl.NumberFormat(locale)).format(n),
  );
}

export const FILTER_NAMES = ['money', 'date', 'percent', 'discount', 'plural'] as const;

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
  liquid.registerFilter('discount', discount);
  liquid.registerFilter('plural', plural);
  return liquid;
}
