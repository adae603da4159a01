/**
 * Shopware 6 app-system webhooks → canonical events.
 *
 * Body: `{ data: { payload, event }, source: { url, shopId, appVersion, eventId? }, timestamp }`.
 * Business events (everything mapped here) carry the entity under its name — `payload.order`,
 * `payload.customer` (as Shopware's own AppExample reads it); `*.written` entity events carry a list
 * of ids in `payload` and are not mapped.
 * - Signature: `shopware-shop-signature` = hex HMAC-SHA256 of the raw body with the app secret.
 * - Delivery id: `source.eventId` (stable across Shopware's retries, since 6.4.11), else the body's
 *   SHA-256 (a retry resends the same body).
 * - Time: `timestamp` (epoch seconds, since 6.4.1) when the payload names no better one, else the
 *   receiver's `receivedAt`.
 * Mapped events (Shopware's webhook events reference):
 *   checkout.customer.register → customer.registered; checkout.customer.deleted → customer.deleted;
 *   checkout.order.placed → order.placed; state_enter.order.state.completed → order.delivered;
 *   state_enter.order_transaction.state.refunded / refunded_partially → order.refunded.
 * Not mapped, with the reason: state_enter.order_delivery.state.shipped (shipped is not delivered —
 * Shopware's default delivery states have no "delivered"), guest registrations, newsletter events
 * (they name a recipient by email, not a customer), and everything else.
 */
import { checkedTranslation, isObject, own } from '../common.ts';
import { bodyDigest, bodyText, headerValue, verifyHmacSha256 } from '../signatures.ts';
import type { ConnectorSettings, Mapped, Translation, TranslationResult } from '../translation.ts';
import { mapCustomerDeleted, mapCustomerRegistered } from './customers.ts';
import { mapOrderCompleted, mapOrderPlaced, mapRefund } from './orders.ts';

const PLATFORM = 'shopware';

export function verifyShopware(rawBody: unknown, headers: unknown, secret: unknown): boolean {
  return verifyHmacSha256(rawBody, secret, headerValue(headers, 'shopware-shop-signature'), 'hex');
}

/** Epoch seconds within 1970–2286 → ISO 8601 UTC. */
function epochInstant(value: unknown): string | undefined {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 0 || value >= 1e10)
    return undefined;
  return new Date(value * 1000).toISOString().replace(/\.000Z$/, 'Z');
}

export function translateShopware(
  rawBody: unknown,
  _headers: unknown,
  settings: ConnectorSettings,
  receivedAt?: string,
): TranslationResult {
  const body = bodyText(rawBody);
  if (body === undefined)
    return {
      ok: false,
      errors: ['body: must be the raw request body (string or bytes)'],
      platform: PLATFORM,
    };
  let envelope: unknown;
  try {
    envelope = JSON.parse(body);
  } catch {
    return {
      ok: false,
      errors: ['body: is not JSON (rule: Shopware webhooks carry a JSON body)'],
      platform: PLATFORM,
      deliveryId: bodyDigest(rawBody),
    };
  }
  const data = own(envelope, 'data');
  const event = own(data, 'event');
  const eventId = own(own(envelope, 'source'), 'eventId');
  const deliveryId =
    typeof eventId === 'string' && /^[0-9a-zA-Z_-]{1,100}$/.test(eventId) ? eventId : bodyDigest(rawBody);
  const topic = typeof event === 'string' ? event.slice(0, 200) : undefined;
  const reject = (errors: string[]): TranslationResult => ({
    ok: false,
    errors,
    platform: PLATFORM,
    deliveryId,
    topic,
  });
  if (!isObject(envelope)) return reject(['body: must be a JSON object']);
  if (!isObject(data)) return reject(['data: required (rule: { data: { event, payload } })']);
  if (typeof event !== 'string' || !event.trim()) return reject(['data.event: required']);
  if (event.length > 200) return reject(['data.event: must be at most 200 characters']);
  const time = epochInstant(own(envelope, 'timestamp')) ?? receivedAt;

  const mapped = mapEvent(event, own(data, 'payload'), settings, time);
  if (!mapped.ok) return reject(mapped.errors);
  const translation: Translation = {
    platform: PLATFORM,
    deliveryId,
    topic: event,
    events: mapped.events,
    orders: mapped.orders,
    ...(mapped.ignored ? { ignored: mapped.ignored } : {}),
  };
  return checkedTranslation(translation);
}

function mapEvent(
  event: string,
  payload: unknown,
  settings: ConnectorSettings,
  time: string | undefined,
): Mapped {
  const ignore = (reason: string): Mapped => ({ ok: true, events: [], orders: [], ignored: reason });
  const needs = (key: 'order' | 'customer'): Record<string, unknown> | string => {
    const entity = own(payload, key);
    return isObject(entity) ? entity : `data.payload.${key}: required (rule: ${event} carries the ${key})`;
  };
  const mappers: Record<string, () => Mapped> = {
    'checkout.customer.register': () =>
      withEntity(needs('customer'), (c) => mapCustomerRegistered(c, settings, time)),
    'checkout.customer.deleted': () => withEntity(needs('customer'), (c) => mapCustomerDeleted(c, time)),
    'checkout.order.placed': () => withEntity(needs('order'), (o) => mapOrderPlaced(o)),
    'state_enter.order.state.completed': () => withEntity(needs('order'), (o) => mapOrderCompleted(o, time)),
    'state_enter.order_transaction.state.refunded': () =>
      withEntity(needs('order'), (o) => mapRefund(o, time, 'full')),
    'state_enter.order_transaction.state.refunded_partially': () =>
      withEntity(needs('order'), (o) => mapRefund(o, time, 'partial')),
  };
  const mapper = Object.hasOwn(mappers, event) ? mappers[event] : undefined;
  if (mapper) return mapper();
  if (
    event === 'state_enter.order_delivery.state.shipped' ||
    event === 'state_enter.order_delivery.state.shipped_partially'
  )
    return ignore('shipped is not delivered: order.delivered comes from state_enter.order.state.completed');
  if (event === 'checkout.customer.guest_register')
    return ignore('a guest checkout is no registration: the guest has no account to follow');
  return ignore(`event ${JSON.stringify(event.slice(0, 100))} is not used by this connector`);
}

function withEntity(
  entity: Record<string, unknown> | string,
  map: (e: Record<string, unknown>) => Mapped,
): Mapped {
  return typeof entity === 'string' ? { ok: false, errors: [entity] } : map(entity);
}
