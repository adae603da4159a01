/**
 * Shopware customers (the `customer` entity of checkout.customer.* business events).
 * - customerId: the customer's `id`, a UUID written as 32 hex digits.
 * - locale: `language.locale.code` when the event loaded that association, else the shop default.
 *   The `sw-user-language` header is not used: for changes made in the administration it names the
 *   admin user's language, not the customer's.
 * - time zone: the default billing address's country (`defaultBillingAddress.country.iso`), else the
 *   shop default.
 * - consent: Shopware keeps newsletter consent on a separate newsletter recipient (by email), not on
 *   the customer → false, never assumed.
 * - birthday: `birthday` "YYYY-MM-DD…" → "MM-DD".
 */
import { countryTimeZone, instant, localeOr, own } from '../common.ts';
import type { ConnectorSettings, Mapped } from '../translation.ts';

const UUID = /^[0-9a-f]{32}$/i;

/** A Shopware id: 32 hex digits, kept as sent but lower-cased (Shopware writes them lower-case). */
export function shopwareId(
  value: unknown,
  field: string,
): { ok: true; value: string } | { ok: false; error: string } {
  if (typeof value === 'string' && UUID.test(value)) return { ok: true, value: value.toLowerCase() };
  return {
    ok: false,
    error: `${field}: ${value === undefined || value === null ? 'required' : 'must be a Shopware id (32 hex digits)'}`,
  };
}

function nonEmpty(value: unknown): string | undefined {
  return typeof value === 'string' && value.trim() ? value.trim() : undefined;
}

export function mapCustomerRegistered(
  customer: Record<string, unknown>,
  settings: ConnectorSettings,
  fallbackTime: string | undefined,
): Mapped {
  const id = shopwareId(own(customer, 'id'), 'data.payload.customer.id');
  const email = nonEmpty(own(customer, 'email'));
  const errors = [
    ...(id.ok ? [] : [id.error]),
    ...(email
      ? []
      : ['data.payload.customer.email: required (rule: customer.registered needs an email address)']),
  ];
  if (!id.ok || !email) return { ok: false, errors };
  if (own(customer, 'guest') === true)
    return { ok: true, events: [], orders: [], ignored: `customer ${id.value} is a guest account` };
  const registeredAt = instant(own(customer, 'createdAt'));
  const time = registeredAt ?? fallbackTime;
  if (!time)
    return { ok: false, errors: ['data.payload.customer.createdAt: required (rule: when they registered)'] };
  const firstName = nonEmpty(own(customer, 'firstName'));
  const birthday = monthDay(own(customer, 'birthday'));
  const country = own(own(own(customer, 'defaultBillingAddress'), 'country'), 'iso');
  const detail: Record<string, unknown> = {
    customerId: id.value,
    email,
    ...(firstName ? { firstName } : {}),
    locale: localeOr(own(own(own(customer, 'language'), 'locale'), 'code'), settings.defaultLocale),
    timeZone: countryTimeZone(country) ?? settings.defaultTimeZone,
    marketingConsent: false,
    ...(birthday ? { birthday } : {}),
    ...(registeredAt ? { registeredAt } : {}),
  };
  return { ok: true, events: [{ detailType: 'customer.registered', time, detail }], orders: [] };
}

export function mapCustomerDeleted(customer: Record<string, unknown>, time: string | undefined): Mapped {
  const id = shopwareId(own(customer, 'id'), 'data.payload.customer.id');
  if (!id.ok) return { ok: false, errors: [id.error] };
  if (!time) return { ok: false, errors: ['timestamp: required (rule: when the customer was deleted)'] };
  return {
    ok: true,
    events: [{ detailType: 'customer.deleted', time, detail: { customerId: id.value } }],
    orders: [],
  };
}

function monthDay(value: unknown): string | undefined {
  if (typeof value !== 'string') return undefined;
  // A birthday that is no calendar day is dropped, not a reason to lose the registration.
  const match = /^\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])(?:$|T)/.exec(value);
  return match ? `${match[1]}-${match[2]}` : undefined;
}
