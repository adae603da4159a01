/** The Shopify connector's pure mapping (see translate.ts). */
export { SHOPIFY_TOPICS, type ShopifyEnvelope, type ShopifyTopic, translateShopify } from './translate.ts';
