/**
 * The connectors the functions and the local runtime know: Shopify through its EventBridge partner
 * source, WooCommerce and Shopware 6 through signed webhooks (services/webhook-receiver.ts).
 */
import type { WebhookPlatform } from '../services/webhook-receiver.ts';
import {
  shopifyCustomer,
  shopwareCustomer,
  withRejectedCustomer,
  wooCommerceCustomer,
} from './rejected-customer.ts';
import {
  SHOPIFY_TOPICS,
  type ShopifyEnvelope,
  translateShopify as translateShopifyPayload,
} from './shopify/index.ts';
import { translateShopware, verifyShopware } from './shopware/index.ts';
import { shopwareRegistrationAnswer, verifyShopwareRegistration } from './shopware/registration.ts';
import type { ConnectorSettings, TranslationResult } from './translation.ts';
import { isWooCommercePing, translateWooCommerce, verifyWooCommerce } from './woocommerce/index.ts';

export { SHOPIFY_TOPICS };

/** The Shopify translation, naming the customer of a rejected payload for the rejected log. */
export function translateShopify(envelope: ShopifyEnvelope, settings: ConnectorSettings): TranslationResult {
  return withRejectedCustomer(translateShopifyPayload(envelope, settings), () =>
    shopifyCustomer(envelope.detail),
  );
}

/** The detail-type every webhook of Shopify's Amazon EventBridge integration carries. */
export const SHOPIFY_DETAIL_TYPE = 'shopifyWebhook';

/**
 * Shopify's partner event sources: `aws.partner/shopify.com/<numeric app id>/<name you chose>` (the
 * construct checks the 256 characters EventBridge allows for a bus name).
 */
export const SHOPIFY_PARTNER_SOURCE = /^aws\.partner\/shopify\.com\/[0-9]+\/[.\-_A-Za-z0-9]+$/;

/** A Shopify webhook in its partner envelope (what the partner bus rule in AWS selects). */
export function isShopifyEnvelope(event: { source: string; detailType: string }): boolean {
  return event.detailType === SHOPIFY_DETAIL_TYPE && SHOPIFY_PARTNER_SOURCE.test(event.source);
}

/** The app name Shopware's registration proof is made with: the manifest's `<name>` (README). */
export const SHOPWARE_APP_NAME = 'RetentionJourneys';

/** The signed-webhook platforms, by the path they are received at (and the construct's prop keys). */
export const WEBHOOK_PLATFORM_NAMES = ['woocommerce', 'shopware'] as const;
export type WebhookPlatformName = (typeof WEBHOOK_PLATFORM_NAMES)[number];

export const WEBHOOK_PLATFORMS: Record<WebhookPlatformName, WebhookPlatform> = {
  woocommerce: {
    verify: verifyWooCommerce,
    translate: (body, headers, settings, receivedAt) =>
      withRejectedCustomer(translateWooCommerce(body, headers, settings, receivedAt), () =>
        wooCommerceCustomer(body, headers),
      ),
    isPing: isWooCommercePing,
  },
  shopware: {
    verify: verifyShopware,
    translate: (body, headers, settings, receivedAt) =>
      withRejectedCustomer(translateShopware(body, headers, settings, receivedAt), () =>
        shopwareCustomer(body),
      ),
    // Shopware signs webhooks only for a registered app: the install handshake, one secret for both
    // the app and the shop (connectors/shopware/registration.ts).
    routes: {
      register: (request, secret) => {
        if (request.method !== 'GET') return { statusCode: 405, body: { message: 'registration is a GET' } };
        if (!verifyShopwareRegistration(request.query, request.headers, secret))
          return {
            statusCode: 401,
            body: { message: 'the registration is not signed with this app secret' },
          };
        const answer = shopwareRegistrationAnswer(request.query, {
          appName: SHOPWARE_APP_NAME,
          appSecret: secret,
          shopSecret: secret,
          confirmationUrl: `${request.baseUrl}/shopware/confirm`,
        });
        return answer.ok ? { statusCode: 200, body: answer.body } : { statusCode: 400, body: answer.body };
      },
      // The shop confirms with API keys we do not use: checked, acknowledged, never stored.
      confirm: (request, secret) =>
        request.method === 'POST' && verifyShopware(request.body, request.headers, secret)
          ? { statusCode: 200, body: { status: 'registered' } }
          : { statusCode: 401, body: { message: 'the confirmation is not signed with the shop secret' } },
    },
  },
};
