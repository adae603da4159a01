/**
 * Small field rules of the Shopify mapping: bounded text, an email the contract accepts, the business
 * time of an event, and the result type every topic's mapping returns.
 */
import { email } from '../../core/event-fields.ts';
import { type Checked, instant, isObject, own } from '../common.ts';
import type { CanonicalEvent, Mapped } from '../translation.ts';

export const mapped = (
  events: CanonicalEvent[],
  orders: { orderId: string; customerId: string }[] = [],
): Mapped => ({ ok: true, events, orders });
export const ignored = (reason: string): Mapped => ({ ok: true, events: [], orders: [], ignored: reason });
export const rejected = (...errors: string[]): Mapped => ({ ok: false, errors });

/** What a topic's mapping may use besides the payload. */
export interface Context {
  defaultLocale: string;
  defaultTimeZone: string;
  /** When Shopify says the webhook was triggered, else the envelope's time: the time of last resort. */
  deliveredAt: string;
}

/**
 * Optional display text (a first name, a product title), trimmed and cut to `max` UTF-16 units: a
 * long title is no reason to drop an order or a registration, and the contract bounds every field.
 * A cut never leaves half a surrogate pair behind. Empty or non-string → undefined.
 */
export function boundedText(value: unknown, max: number): string | undefined {
  if (typeof value !== 'string') return undefined;
  let text = value.length > max * 4 ? value.slice(0, max * 4).trim() : value.trim();
  if (text.length > max) {
    text = text.slice(0, max);
    const last = text.charCodeAt(text.length - 1);
    if (last >= 0xd800 && last <= 0xdbff) text = text.slice(0, -1);
    text = text.trimEnd();
  }
  return text || undefined;
}

/**
 * An email address as the contract accepts it. Never cut: a shortened address is someone else's.
 * Undefined when the payload has none (null or absent), an error when it has one that is unusable.
 */
export function emailOf(value: unknown, field: string): Checked<string | undefined> {
  if (value === undefined || value === null) return { ok: true, value: undefined };
  if (typeof value !== 'string') return { ok: false, error: `${field}: must be an email address` };
  const text = value.trim();
  if (text === '') return { ok: true, value: undefined };
  const parsed = email.safeParse(text);
  if (!parsed.success)
    return { ok: false, error: `${field}: ${parsed.error.issues[0]?.message ?? 'must be an email address'}` };
  return { ok: true, value: text };
}

/** The first of `fields` on `obj` that is an ISO 8601 instant, normalised to UTC. */
export function firstInstant(obj: unknown, ...fields: string[]): string | undefined {
  for (const field of fields) {
    const at = instant(own(obj, field));
    if (at) return at;
  }
  return undefined;
}

/** `obj.a.0.c` through own properties and array indexes only. */
export function path(obj: unknown, ...keys: string[]): unknown {
  let at: unknown = obj;
  for (const key of keys) {
    if (Array.isArray(at) && /^\d{1,6}$/.test(key)) at = at[Number(key)];
    else if (isObject(at)) at = own(at, key);
    else return undefined;
  }
  return at;
}
