/**
 * A payload a connector rejects still names its customer when it can be told, in the connector's own
 * id form: the rejected log keeps its copy in that customer's partition, where erasure finds it.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { translateShopify, WEBHOOK_PLATFORMS } from '../../../functions/connectors/index.ts';
import type { TranslationResult } from '../../../functions/connectors/translation.ts';

const SETTINGS = { defaultLocale: 'en', defaultTimeZone: 'Europe/Berlin' };
const fixture = (path: string): unknown =>
  JSON.parse(readFileSync(new URL(`../../fixtures/${path}`, import.meta.url), 'utf8'));
const rejectedFor = (result: TranslationResult) => (result.ok ? 'accepted' : result.customerId);

describe('the customer a rejected payload names', () => {
  it('Shopify: the order customer of a broken order, the customer of a broken customers/update', () => {
    const order = fixture('shopify/orders-create.json') as { detail: { payload: Record<string, unknown> } };
    order.detail.payload.total_price = 'abc';
    const customer = fixture('shopify/customers-update.json') as {
      detail: { payload: Record<string, unknown> };
    };
    customer.detail.payload.email = 'not an address';
    const envelope = (e: { detail: unknown }) => ({
      source: 'aws.partner/shopify.com/1/s',
      detailType: 'shopifyWebhook',
      time: '2026-03-02T08:00:00Z',
      detail: e.detail,
    });
    expect(rejectedFor(translateShopify(envelope(order), SETTINGS))).toBe(
      'gid://shopify/Customer/115310627314723954',
    );
    expect(rejectedFor(translateShopify(envelope(customer), SETTINGS))).toBe(
      'gid://shopify/Customer/706405506930370084',
    );
  });

  it("WooCommerce: a broken order's customer_id; Shopware: a broken order's customer", () => {
    const woo = { ...(fixture('woocommerce/order-created-customer.json') as object), currency: 'XYZ' };
    const wooResult = WEBHOOK_PLATFORMS.woocommerce.translate(
      Buffer.from(JSON.stringify(woo)),
      { 'x-wc-webhook-topic': 'order.created', 'x-wc-webhook-delivery-id': 'd1' },
      SETTINGS,
      '2026-03-02T08:00:00Z',
    );
    expect(rejectedFor(wooResult)).toBe('25');
    const shopware = fixture('shopware/order-placed.json') as {
      data: { payload: { order: Record<string, unknown> } };
    };
    shopware.data.payload.order.amountTotal = 'abc';
    shopware.data.payload.order.price = 'abc';
    const swResult = WEBHOOK_PLATFORMS.shopware.translate(
      Buffer.from(JSON.stringify(shopware)),
      {},
      SETTINGS,
      '2026-03-02T08:00:00Z',
    );
    expect(rejectedFor(swResult)).toBe('0188f3a4b2c54f6e9d1a2b3c4d5e6f70');
  });
});
