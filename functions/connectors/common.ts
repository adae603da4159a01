/**
 * Field rules every connector shares: ids kept exactly as strings, money as decimal strings, a
 * locale and a time zone derived from what the shop said — or the shop's default, never guessed.
 */
import ct from 'countries-and-timezones';
import { LIMITS, parseShopEvent } from '../core/events.ts';
import { canonicalLocale } from '../core/locale.ts';
import { isTimeZone } from '../core/time.ts';
import type { CanonicalItem, Translation, TranslationResult } from './translation.ts';

export type Checked<T> = { ok: true; value: T } | { ok: false; error: string };

const ok = <T>(value: T): Checked<T> => ({ ok: true, value });
const fail = (field: string, problem: string): Checked<never> => ({
  ok: false,
  error: `${field}: ${problem}`,
});

/**
 * A platform id as the canonical string. Numbers must be safe integers: JSON numbers above 2^53 have
 * already lost digits when parsed, so such an id is rejected rather than guessed (Shopify's
 * `admin_graphql_api_id` carries the exact id as a string — prefer it where there is one).
 */
export function exactId(value: unknown, field: string): Checked<string> {
  if (typeof value === 'number') {
    if (!Number.isSafeInteger(value) || value < 0)
      return fail(
        field,
        `${value} cannot be represented exactly (rule: numeric ids must be whole numbers up to 2^53 - 1; send the id as a string)`,
      );
    return ok(String(value));
  }
  if (typeof value === 'string') {
    const id = value.trim();
    if (!id) return fail(field, 'must not be empty');
    if (id.length > LIMITS.id) return fail(field, `must be at most ${LIMITS.id} characters`);
    return ok(id);
  }
  return fail(
    field,
    value === undefined || value === null ? 'required' : 'must be a string or a whole number',
  );
}

const DECIMAL = /^\d{1,12}(\.\d{1,4})?$/;

/**
 * A non-negative amount as the contract's decimal string ("24.95"). Accepts a decimal string or a
 * JSON number (whose shortest form is the digits the shop wrote), kept as written; trailing zeros
 * beyond four places are dropped, anything else that would need rounding is rejected.
 */
export function decimalAmount(value: unknown, field: string): Checked<string> {
  let text: string;
  if (typeof value === 'number') {
    if (!Number.isFinite(value) || value < 0) return fail(field, 'must be a non-negative amount');
    text = String(value);
  } else if (typeof value === 'string') {
    text = value.trim();
  } else {
    return fail(field, value === undefined || value === null ? 'required' : 'must be a decimal amount');
  }
  // As the shop wrote it ("20.00"); trailing zeros only go when they are beyond four decimals.
  const trimmed =
    DECIMAL.test(text) || !text.includes('.') ? text : text.replace(/0+$/, '').replace(/\.$/, '');
  if (!DECIMAL.test(trimmed))
    return fail(
      field,
      `${JSON.stringify(text.slice(0, 40))} is not a non-negative decimal amount with at most 4 decimals`,
    );
  return ok(trimmed);
}

/** An ISO 4217 code in capitals, or the error. */
export function currencyCode(value: unknown, field: string): Checked<string> {
  if (typeof value !== 'string')
    return fail(field, value === undefined || value === null ? 'required' : 'must be a currency code');
  const code = value.trim().toUpperCase();
  if (!/^[A-Z]{3}$/.test(code) || !Intl.supportedValuesOf('currency').includes(code))
    return fail(field, `${JSON.stringify(value.slice(0, 20))} is not an ISO 4217 currency code`);
  return ok(code);
}

/**
 * The shop's locale for the customer (`de`, `de-DE`, `de_DE` …) in BCP 47, or the default. A value
 * that is no language tag falls back too: a locale is a preference, not a reason to drop an order.
 */
export function localeOr(value: unknown, fallback: string): string {
  if (typeof value !== 'string' || value.length > 35) return fallback;
  return canonicalLocale(value.trim().replace(/_/g, '-')) ?? fallback;
}

/**
 * The time zone of a country (ISO 3166-1 alpha-2), when the country has one: Germany → Europe/Berlin
 * (Büsingen's Europe/Zurich belongs to Switzerland), a one-zone country → that zone. A country
 * spanning zones (US, Canada, Spain with the Canaries …) gives undefined: the address alone does not
 * say which, and a wrong zone sends at 3 a.m. — the shop default is the honest answer.
 */
export function countryTimeZone(country: unknown): string | undefined {
  if (typeof country !== 'string' || !/^[A-Za-z]{2}$/.test(country.trim())) return undefined;
  const code = country.trim().toUpperCase();
  const zones = ct.getTimezonesForCountry(code) ?? [];
  const candidates =
    zones.length === 1 ? zones : zones.filter((zone) => !zone.aliasOf && zone.countries[0] === code);
  const zone = candidates.length === 1 ? candidates[0]?.name : undefined;
  return zone && isTimeZone(zone) ? zone : undefined;
}

/** An ISO 8601 instant with offset or Z, normalised to UTC; undefined for anything else. */
export function instant(value: unknown): string | undefined {
  if (typeof value !== 'string' || value.length > 40) return undefined;
  if (!/^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})$/i.test(value.trim()))
    return undefined;
  const ms = Date.parse(value.trim().replace(' ', 'T'));
  return Number.isNaN(ms) ? undefined : new Date(ms).toISOString().replace(/\.000Z$/, 'Z');
}

/** A plain JSON object (not null, not an array), for walking untrusted payloads safely. */
export function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** `obj[key]` only when it is the object's own property: `__proto__` or `constructor` never resolve. */
export function own(obj: unknown, key: string): unknown {
  return isObject(obj) && Object.hasOwn(obj, key) ? obj[key] : undefined;
}

/**
 * A finished translation, checked against the public contract before it leaves the connector: an
 * event the contract would reject (a name over the limit, 101 line items, an address that is no
 * address) rejects the whole payload here, with the contract's own reasons, instead of failing later
 * in a handler. Events that name only an order are checked with a stand-in customer id.
 */
export function checkedTranslation(translation: Translation): TranslationResult {
  const errors: string[] = [];
  for (const [index, event] of translation.events.entries()) {
    const detail = event.customerOf ? { ...event.detail, customerId: 'customer-of-order' } : event.detail;
    const parsed = parseShopEvent({
      id: `${translation.deliveryId.slice(0, 150)}#${index}`,
      source: translation.platform,
      detailType: event.detailType,
      time: event.time,
      detail,
    });
    if (!parsed.ok) errors.push(...parsed.errors.map((error) => `${event.detailType} ${error}`));
  }
  if (errors.length === 0) return { ok: true, translation };
  return {
    ok: false,
    errors,
    platform: translation.platform,
    deliveryId: translation.deliveryId,
    topic: translation.topic,
  };
}

export type LineItems = { ok: true; items: CanonicalItem[] } | { ok: false; errors: string[] };

/**
 * A shop's line-item list → the contract's items, one `line` call per line. Only the first
 * `LIMITS.items` are read: a huge order is still an order, and journeys use items for
 * recommendations, not accounting (the total is exact). Any bad line rejects the order, naming it.
 */
export function collectLineItems(
  value: unknown,
  notAList: string,
  line: (line: unknown, index: number) => { ok: true; item: CanonicalItem } | { ok: false; errors: string[] },
): LineItems {
  if (value === undefined || value === null) return { ok: true, items: [] };
  if (!Array.isArray(value)) return { ok: false, errors: [notAList] };
  const items: CanonicalItem[] = [];
  const errors: string[] = [];
  value.slice(0, LIMITS.items).forEach((raw: unknown, index) => {
    const result = line(raw, index);
    if (result.ok) items.push(result.item);
    else errors.push(...result.errors);
  });
  return errors.length ? { ok: false, errors } : { ok: true, items };
}
