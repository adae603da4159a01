/**
 * How WooCommerce writes the fields the mapping reads: GMT times without an offset, `meta_data` as a
 * list of `{ key, value }`, and the rules (stated once) for the optional locale and consent keys.
 */
import { isObject, localeOr, own } from '../common.ts';

/** `meta_data` entries looked at, at most: a payload with a million entries is not scanned. */
const META_SCAN = 1000;

/**
 * The locale keys read from `meta_data`, first found wins. WooCommerce itself keeps no customer
 * language; `locale` is the key a shop (or a snippet) may set, `wpml_language` is what WPML writes on
 * orders and customers. Anything else → the shop default.
 */
export const LOCALE_META_KEYS = ['locale', 'wpml_language'] as const;
/**
 * The consent key read from `meta_data`. WooCommerce has no marketing consent field; a shop that
 * collects one (a checkout checkbox plugin, a snippet) writes `marketing_consent` = yes/no.
 * Without it, consent is false — never assumed.
 */
export const CONSENT_META_KEY = 'marketing_consent';

/** WooCommerce's `*_gmt` times are UTC written without an offset ("2017-03-22T19:28:02"). */
export function gmtInstant(value: unknown): string | undefined {
  if (typeof value !== 'string' || !/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}$/.test(value)) return undefined;
  const ms = Date.parse(`${value}Z`);
  return Number.isNaN(ms) ? undefined : new Date(ms).toISOString().replace(/\.000Z$/, 'Z');
}

/** The value of a `meta_data` entry with this key (own properties only), or undefined. */
export function metaValue(resource: unknown, key: string): unknown {
  const meta = own(resource, 'meta_data');
  if (!Array.isArray(meta)) return undefined;
  for (const entry of meta.slice(0, META_SCAN)) {
    if (isObject(entry) && own(entry, 'key') === key) return own(entry, 'value');
  }
  return undefined;
}

/** The locale a payload states through a known meta key, or undefined when it states none. */
export function statedLocale(resource: unknown): string | undefined {
  for (const key of LOCALE_META_KEYS) {
    const value = metaValue(resource, key);
    const locale = localeOr(value, '');
    if (locale) return locale;
  }
  return undefined;
}

/** true / false when the consent key says so unambiguously; undefined when absent or unclear. */
export function statedConsent(resource: unknown): boolean | undefined {
  const value = metaValue(resource, CONSENT_META_KEY);
  if (value === true || value === 1) return true;
  if (value === false || value === 0) return false;
  if (typeof value !== 'string') return undefined;
  const text = value.trim().toLowerCase();
  if (['yes', '1', 'true'].includes(text)) return true;
  if (['no', '0', 'false'].includes(text)) return false;
  return undefined;
}

/** A non-empty trimmed string, or undefined (WooCommerce sends "" for fields never filled in). */
export function text(value: unknown): string | undefined {
  return typeof value === 'string' && value.trim() ? value.trim() : undefined;
}
