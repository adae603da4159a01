/**
 * Shopify through its Amazon EventBridge integration: the partner envelope (detail-type
 * `shopifyWebhook`, the webhook body in `detail.payload`, its headers in `detail.metadata`) → canonical
 * events, switched on `X-Shopify-Topic`, deduplicated downstream on `X-Shopify-Webhook-Id`. Pure.
 */
import { LIMITS, parseShopEvent } from '../../core/events.ts';
import { instant, isObject, own } from '../common.ts';
import type { ConnectorSettings, TranslationResult } from '../translation.ts';
import type { Context } from './fields.ts';
import { TOPICS } from './topics.ts';

export { SHOPIFY_TOPICS, type ShopifyTopic } from './topics.ts';

export interface ShopifyEnvelope {
  source: string;
  detailType: string;
  time: string;
  detail: unknown;
}

const DETAIL_TYPE = 'shopifyWebhook';
/** Stands in for the customer the connector service looks up, so `customerOf` events can be checked. */
const PLACEHOLDER_CUSTOMER = 'gid://shopify/Customer/0';

/**
 * A header from `detail.metadata`, matched case-insensitively (HTTP header names are; Shopify has
 * written them in both cases over the years). Only non-empty strings of at most `max` characters.
 */
function header(metadata: Record<string, unknown>, name: string, max: number): string | undefined {
  const wanted = name.toLowerCase();
  for (const key of Object.keys(metadata)) {
    if (key.toLowerCase() !== wanted) continue;
    const value = own(metadata, key);
    if (typeof value === 'string' && value.trim() && value.trim().length <= max) return value.trim();
  }
  return undefined;
}

export function translateShopify(envelope: ShopifyEnvelope, settings: ConnectorSettings): TranslationResult {
  const errors: string[] = [];
  if (envelope.detailType !== DETAIL_TYPE)
    errors.push(
      `detail-type: ${typeof envelope.detailType === 'string' ? JSON.stringify(envelope.detailType.slice(0, 60)) : 'not a string'} is not ${DETAIL_TYPE} (rule: Shopify's EventBridge integration sends ${DETAIL_TYPE})`,
    );
  const detail = envelope.detail;
  if (!isObject(detail)) {
    errors.push('detail: must be a JSON object');
    return { ok: false, errors, platform: 'shopify' };
  }
  const metadata = own(detail, 'metadata');
  const headers = isObject(metadata) ? metadata : {};
  if (!isObject(metadata)) errors.push('detail.metadata: must be a JSON object (rule: the webhook headers)');
  const topic = header(headers, 'X-Shopify-Topic', 100);
  const deliveryId = header(headers, 'X-Shopify-Webhook-Id', LIMITS.id);
  if (isObject(metadata) && !topic)
    errors.push('detail.metadata.X-Shopify-Topic: required (a topic such as orders/create)');
  if (isObject(metadata) && !deliveryId)
    errors.push(
      `detail.metadata.X-Shopify-Webhook-Id: required (1 to ${LIMITS.id} characters; the dedupe key)`,
    );
  const payload = own(detail, 'payload');
  if (!isObject(payload)) errors.push('detail.payload: must be a JSON object (rule: the webhook body)');
  const deliveredAt = instant(header(headers, 'X-Shopify-Triggered-At', 40)) ?? instant(envelope.time);
  if (!deliveredAt) errors.push('time: must be an ISO 8601 timestamp with offset or Z');
  const rejection = { ok: false as const, platform: 'shopify' as const, deliveryId, topic };
  if (errors.length || !topic || !deliveryId || !isObject(payload) || !deliveredAt)
    return { ...rejection, errors };

  const base = { platform: 'shopify' as const, deliveryId, topic };
  const entry = TOPICS.get(topic);
  if (!entry)
    return {
      ok: true,
      translation: {
        ...base,
        events: [],
        orders: [],
        ignored: `${topic}: not a topic this connector maps (subscribe only to the documented topics)`,
      },
    };
  const ctx: Context = {
    defaultLocale: settings.defaultLocale,
    defaultTimeZone: settings.defaultTimeZone,
    deliveredAt,
  };
  const result = entry.map(payload, ctx, topic);
  if (!result.ok) return { ...rejection, errors: result.errors };

  // The mappings check every field they emit; this is the net that keeps a mapping bug from ever
  // publishing an event the contract rejects — the whole payload is rejected instead, with reasons.
  const invalid = result.events.flatMap((event) => {
    const detail = event.customerOf ? { ...event.detail, customerId: PLACEHOLDER_CUSTOMER } : event.detail;
    const parsed = parseShopEvent({
      id: deliveryId,
      source: 'shopify',
      detailType: event.detailType,
      time: event.time,
      detail,
    });
    return parsed.ok ? [] : parsed.errors.map((error) => `${event.detailType}.${error}`);
  });
  if (invalid.length) return { ...rejection, errors: invalid };
  return {
    ok: true,
    translation: {
      ...base,
      events: result.events,
      orders: result.orders,
      ...(result.ignored ? { ignored: result.ignored } : {}),
    },
  };
}
