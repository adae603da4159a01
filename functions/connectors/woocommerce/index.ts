/**
 * WooCommerce webhooks (WC_Webhook, REST API v3 payloads) → canonical events.
 *
 * - Signature: `X-WC-Webhook-Signature` = base64(HMAC-SHA256(secret, raw body)).
 * - Topic: `X-WC-Webhook-Topic`. customer.created → customer.registered, customer.updated →
 *   customer.updated (+ customer.consent.changed when the consent meta key is present),
 *   customer.deleted → customer.deleted, order.created / order.updated → see orders.ts.
 *   Other topics (products, coupons, order.deleted, action.*) → nothing, with the reason.
 * - The creation ping (form body `webhook_id=N`, sent unsigned by `WC_Webhook::deliver_ping`) → OK,
 *   nothing; the receiver must answer it 200 or WooCommerce reports the URL as failing.
 * - Delivery id: WooCommerce builds `X-WC-Webhook-Delivery-ID` as wp_hash(webhook id . current
 *   second), so two deliveries of one webhook within a second share it (two orders placed in the same
 *   second would dedupe into one). The id used is that header plus the body's SHA-256: a resend of the
 *   same body still dedupes, two different bodies never do.
 * - Locale: WooCommerce keeps none → `meta_data` `locale` / `wpml_language` if present, else the
 *   shop default. Time zone: the billing country's, via countryTimeZone, else the shop default.
 * - Consent: no field in WooCommerce → false, unless the `marketing_consent` meta key says otherwise.
 */
import { checkedTranslation, countryTimeZone, exactId, isObject, own } from '../common.ts';
import { bodyDigest, bodyText, headerValue, verifyHmacSha256 } from '../signatures.ts';
import type {
  CanonicalEvent,
  ConnectorSettings,
  Mapped,
  Translation,
  TranslationResult,
} from '../translation.ts';
import { gmtInstant, statedConsent, statedLocale, text } from './fields.ts';
import { mapOrder } from './orders.ts';

const PLATFORM = 'woocommerce';
const PING = /^webhook_id=\d{1,20}$/;

export function verifyWooCommerce(rawBody: unknown, headers: unknown, secret: unknown): boolean {
  return verifyHmacSha256(rawBody, secret, headerValue(headers, 'x-wc-webhook-signature'), 'base64');
}

/**
 * The unsigned creation ping: a `webhook_id=N` form body and no topic header. Answering it changes
 * nothing, so the receiver may answer 200 without a signature (WooCommerce sends none).
 */
export function isWooCommercePing(rawBody: unknown, headers: unknown): boolean {
  const body = bodyText(rawBody);
  return (
    body !== undefined && PING.test(body.trim()) && headerValue(headers, 'x-wc-webhook-topic') === undefined
  );
}

/**
 * Translate one delivery. `receivedAt` (ISO 8601) is the time used for payloads that carry none —
 * only customer.deleted, whose body is `{ "id": N }`; without it such a delivery is rejected rather
 * than dated to an invented time.
 */
export function translateWooCommerce(
  rawBody: unknown,
  headers: unknown,
  settings: ConnectorSettings,
  receivedAt?: string,
): TranslationResult {
  const body = bodyText(rawBody);
  const topicHeader = headerValue(headers, 'x-wc-webhook-topic')?.trim();
  const delivery = headerValue(headers, 'x-wc-webhook-delivery-id')?.trim();
  const reject = (errors: string[], deliveryId?: string): TranslationResult => ({
    ok: false,
    errors,
    platform: PLATFORM,
    deliveryId,
    topic: topicHeader?.slice(0, 100),
  });
  if (body === undefined) return reject(['body: must be the raw request body (string or bytes)']);
  if (PING.test(body.trim()) && !topicHeader)
    return {
      ok: true,
      translation: {
        platform: PLATFORM,
        deliveryId: `ping-${bodyDigest(rawBody).slice(0, 32)}`,
        topic: 'ping',
        events: [],
        orders: [],
        ignored: 'the webhook creation ping: nothing to map',
      },
    };
  const errors: string[] = [];
  if (!topicHeader) errors.push('X-WC-Webhook-Topic: required');
  else if (topicHeader.length > 100) errors.push('X-WC-Webhook-Topic: must be at most 100 characters');
  if (!delivery) errors.push('X-WC-Webhook-Delivery-ID: required (rule: the dedupe key)');
  else if (delivery.length > 100) errors.push('X-WC-Webhook-Delivery-ID: must be at most 100 characters');
  if (errors.length || !topicHeader || !delivery) return reject(errors);
  const topic = topicHeader;
  const deliveryId = `${delivery}:${bodyDigest(rawBody).slice(0, 16)}`;

  let payload: unknown;
  try {
    payload = JSON.parse(body);
  } catch {
    return reject(['body: is not JSON (rule: WooCommerce webhooks carry a JSON resource)'], deliveryId);
  }
  if (!isObject(payload)) return reject(['body: must be a JSON object (the resource)'], deliveryId);

  const mapped = mapTopic(topic, payload, settings, receivedAt);
  if (!mapped.ok) return reject(mapped.errors, deliveryId);
  const translation: Translation = {
    platform: PLATFORM,
    deliveryId,
    topic,
    events: mapped.events,
    orders: mapped.orders,
    ...(mapped.ignored ? { ignored: mapped.ignored } : {}),
  };
  return checkedTranslation(translation);
}

function mapTopic(
  topic: string,
  payload: Record<string, unknown>,
  settings: ConnectorSettings,
  receivedAt: string | undefined,
): Mapped {
  switch (topic) {
    case 'customer.created':
      return customerCreated(payload, settings);
    case 'customer.updated':
      return customerUpdated(payload);
    case 'customer.deleted':
      return customerDeleted(payload, receivedAt);
    case 'order.created':
    case 'order.updated':
      return mapOrder(payload);
    default:
      return {
        ok: true,
        events: [],
        orders: [],
        ignored: `topic ${JSON.stringify(topic)} is not used (only customer.* and order.created / order.updated are)`,
      };
  }
}

function customerCreated(customer: Record<string, unknown>, settings: ConnectorSettings): Mapped {
  const id = exactId(own(customer, 'id'), 'id');
  const email = text(own(customer, 'email'));
  const errors = [
    ...(id.ok ? [] : [id.error]),
    ...(email ? [] : ['email: required (rule: customer.registered needs an email address)']),
  ];
  if (!id.ok || !email) return { ok: false, errors };
  const time =
    gmtInstant(own(customer, 'date_created_gmt')) ?? gmtInstant(own(customer, 'date_modified_gmt'));
  if (!time)
    return { ok: false, errors: ['date_created_gmt: required (rule: when the customer registered)'] };
  const firstName = text(own(customer, 'first_name'));
  const detail: Record<string, unknown> = {
    customerId: id.value,
    email,
    ...(firstName ? { firstName } : {}),
    locale: statedLocale(customer) ?? settings.defaultLocale,
    timeZone: countryTimeZone(own(own(customer, 'billing'), 'country')) ?? settings.defaultTimeZone,
    marketingConsent: statedConsent(customer) ?? false,
    registeredAt: time,
  };
  return { ok: true, events: [{ detailType: 'customer.registered', time, detail }], orders: [] };
}

/**
 * WooCommerce sends the whole customer on every update, so "changed" cannot be told from "present":
 * the update carries the fields WooCommerce has (email, first name, a country's time zone) and a
 * locale only when a meta key states one — never the shop default, which would overwrite a real one.
 */
function customerUpdated(customer: Record<string, unknown>): Mapped {
  const id = exactId(own(customer, 'id'), 'id');
  if (!id.ok) return { ok: false, errors: [id.error] };
  const time =
    gmtInstant(own(customer, 'date_modified_gmt')) ?? gmtInstant(own(customer, 'date_created_gmt'));
  if (!time) return { ok: false, errors: ['date_modified_gmt: required (rule: when the customer changed)'] };
  const email = text(own(customer, 'email'));
  const firstName = text(own(customer, 'first_name'));
  const locale = statedLocale(customer);
  const timeZone = countryTimeZone(own(own(customer, 'billing'), 'country'));
  const changes = {
    ...(email ? { email } : {}),
    ...(firstName ? { firstName } : {}),
    ...(locale ? { locale } : {}),
    ...(timeZone ? { timeZone } : {}),
  };
  const events: CanonicalEvent[] = [];
  if (Object.keys(changes).length)
    events.push({ detailType: 'customer.updated', time, detail: { customerId: id.value, ...changes } });
  const consent = statedConsent(customer);
  if (consent !== undefined)
    events.push({
      detailType: 'customer.consent.changed',
      time,
      detail: { customerId: id.value, marketingConsent: consent },
    });
  return events.length
    ? { ok: true, events, orders: [] }
    : { ok: true, events, orders: [], ignored: `customer ${id.value}: no field this connector maps` };
}

function customerDeleted(payload: Record<string, unknown>, receivedAt: string | undefined): Mapped {
  const id = exactId(own(payload, 'id'), 'id');
  if (!id.ok) return { ok: false, errors: [id.error] };
  if (!receivedAt)
    return {
      ok: false,
      errors: ['time: customer.deleted carries no time (rule: the receiver passes the time it received it)'],
    };
  return {
    ok: true,
    events: [{ detailType: 'customer.deleted', time: receivedAt, detail: { customerId: id.value } }],
    orders: [],
  };
}
