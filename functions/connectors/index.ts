/**
 * The connectors the functions and the local runtime know: Shopify through its EventBridge partner
 * source, WooCommerce and Shopware 6 through signed webhooks (services/webhook-receiver.ts).
 */
import type { WebhookPlatform } from '../services/webhook-receiver.ts';

export { SHOPIFY_TOPICS, translateShopify } from './shopify/index.ts';

/** The detail-type every webhook of Shopify's Amazon EventBridge integration carries. */
export const SHOPIFY_DETAIL_TYPE = 'shopifyWebhook';

/** `aws.partner/shopify.com/<app id>/<event source name>`: the partner sources Shopify creates. */
export const SHOPIFY_PARTNER_SOURCE = /^aws\.partner\/shopify\.com\/[^/\s]+\/[^/\s]+$/;

/** A Shopify webhook in its partner envelope (what the partner bus rule in AWS selects). */
export function isShopifyEnvelope(event: { source: string; detailType: string }): boolean {
  return event.detailType === SHOPIFY_DETAIL_TYPE && SHOPIFY_PARTNER_SOURCE.test(event.source);
}

export const WEBHOOK_PLATFORMS: Record<string, WebhookPlatform> = {};
