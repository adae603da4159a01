/**
 * Shopify's customer topics → customer.registered / updated / consent.changed / deleted.
 * Consent is never assumed: only Shopify's `email_marketing_consent.state === 'subscribed'` grants it.
 */
import { LIMITS } from '../../core/events.ts';
import { countryTimeZone, isObject, localeOr, own } from '../common.ts';
import type { CanonicalEvent, Mapped } from '../translation.ts';
import {
  boundedText,
  type Context,
  emailOf,
  firstInstant,
  ignored,
  mapped,
  path,
  rejected,
} from './fields.ts';
import { resourceId } from './ids.ts';

/**
 * Shopify's email consent states are subscribed, not_subscribed, pending (double opt-in not yet
 * confirmed), unsubscribed, redacted and invalid: only the first is consent. Undefined when the
 * payload says nothing (no consent object, or a state that is not a string).
 */
function consentOf(payload: Record<string, unknown>): boolean | undefined {
  const state = path(payload, 'email_marketing_consent', 'state');
  return typeof state === 'string' ? state.trim().toLowerCase() === 'subscribed' : undefined;
}

/** A locale only when the payload names a usable one (Shopify customers usually carry none). */
function payloadLocale(payload: Record<string, unknown>): string | undefined {
  return localeOr(own(payload, 'locale'), '') || undefined;
}

/** The zone of the default address's country, when that country has exactly one. */
function addressTimeZone(payload: Record<string, unknown>): string | undefined {
  return countryTimeZone(path(payload, 'default_address', 'country_code'));
}

export function customerCreated(payload: Record<string, unknown>, ctx: Context): Mapped {
  const customerId = resourceId(payload, 'Customer', 'payload');
  const email = emailOf(own(payload, 'email'), 'payload.email');
  const errors = [customerId, email].flatMap((r) => (r.ok ? [] : [r.error]));
  if (!customerId.ok || !email.ok) return rejected(...errors);
  // A phone-only account is a valid Shopify customer, not a bad payload: no email can reach them.
  if (!email.value)
    return ignored('customers/create: the customer has no email address (phone-only account)');
  const registeredAt = firstInstant(payload, 'created_at');
  const firstName = boundedText(own(payload, 'first_name'), LIMITS.name);
  const detail: Record<string, unknown> = {
    customerId: customerId.value,
    email: email.value,
    ...(firstName ? { firstName } : {}),
    locale: payloadLocale(payload) ?? ctx.defaultLocale,
    timeZone: addressTimeZone(payload) ?? ctx.defaultTimeZone,
    // No consent field means no consent: registration alone is not an opt-in.
    marketingConsent: consentOf(payload) ?? false,
    ...(registeredAt ? { registeredAt } : {}),
  };
  return mapped([{ detailType: 'customer.registered', time: registeredAt ?? ctx.deliveredAt, detail }]);
}

/**
 * Only what the payload carries: the shop default locale or time zone would overwrite what the
 * profile already knows, so neither is filled in here. A consent object also gives consent.changed.
 */
export function customerUpdated(payload: Record<string, unknown>, ctx: Context): Mapped {
  const customerId = resourceId(payload, 'Customer', 'payload');
  const email = emailOf(own(payload, 'email'), 'payload.email');
  if (!customerId.ok || !email.ok)
    return rejected(...[customerId, email].flatMap((r) => (r.ok ? [] : [r.error])));
  const time = firstInstant(payload, 'updated_at', 'created_at') ?? ctx.deliveredAt;
  const firstName = boundedText(own(payload, 'first_name'), LIMITS.name);
  const locale = payloadLocale(payload);
  const timeZone = addressTimeZone(payload);
  const changes: Record<string, unknown> = {
    ...(email.value ? { email: email.value } : {}),
    ...(firstName ? { firstName } : {}),
    ...(locale ? { locale } : {}),
    ...(timeZone ? { timeZone } : {}),
  };
  const events: CanonicalEvent[] = [];
  if (Object.keys(changes).length)
    events.push({
      detailType: 'customer.updated',
      time,
      detail: { customerId: customerId.value, ...changes },
    });
  const consent = consentOf(payload);
  if (consent !== undefined)
    events.push({
      detailType: 'customer.consent.changed',
      time: firstInstant(own(payload, 'email_marketing_consent'), 'consent_updated_at') ?? time,
      detail: { customerId: customerId.value, marketingConsent: consent },
    });
  return events.length
    ? mapped(events)
    : ignored('customers/update: no email, first name, locale, time zone or consent in the payload');
}

/** customers_email_marketing_consent/update: `{ customer_id, email_address, email_marketing_consent }`. */
export function emailConsentUpdated(payload: Record<string, unknown>, ctx: Context): Mapped {
  const customerId = resourceId(
    { id: own(payload, 'customer_id'), admin_graphql_api_id: own(payload, 'admin_graphql_api_id') },
    'Customer',
    'payload',
  );
  const errors: string[] = [];
  if (!customerId.ok) errors.push(customerId.error.replace('payload.id', 'payload.customer_id'));
  const consent = consentOf(payload);
  if (consent === undefined)
    errors.push(
      isObject(own(payload, 'email_marketing_consent'))
        ? 'payload.email_marketing_consent.state: required (rule: a consent update names the new state)'
        : 'payload.email_marketing_consent: required (rule: a consent update carries the consent object)',
    );
  if (!customerId.ok || consent === undefined) return rejected(...errors);
  const time = firstInstant(own(payload, 'email_marketing_consent'), 'consent_updated_at') ?? ctx.deliveredAt;
  return mapped([
    {
      detailType: 'customer.consent.changed',
      time,
      detail: { customerId: customerId.value, marketingConsent: consent },
    },
  ]);
}

/** customers/delete: the deleted customer's `id` and `admin_graphql_api_id`. */
export function customerDeleted(payload: Record<string, unknown>, ctx: Context): Mapped {
  const customerId = resourceId(payload, 'Customer', 'payload');
  if (!customerId.ok) return rejected(customerId.error);
  return mapped([
    { detailType: 'customer.deleted', time: ctx.deliveredAt, detail: { customerId: customerId.value } },
  ]);
}

/**
 * customers/redact (GDPR): `{ shop_id, customer: { id, email, phone }, orders_to_redact }`. Erasing
 * the customer erases their orders' data here too, so `orders_to_redact` needs no event of its own.
 */
export function customerRedacted(payload: Record<string, unknown>, ctx: Context): Mapped {
  const customer = own(payload, 'customer');
  if (!isObject(customer))
    return rejected('payload.customer: required (rule: customers/redact names the customer)');
  const customerId = resourceId(customer, 'Customer', 'payload.customer');
  if (!customerId.ok) return rejected(customerId.error);
  return mapped([
    { detailType: 'customer.deleted', time: ctx.deliveredAt, detail: { customerId: customerId.value } },
  ]);
}
