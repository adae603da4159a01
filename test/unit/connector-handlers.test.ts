/**
 * The two connector Lambda handlers are thin: the Function URL's request into the receiver's shape
 * (headers in lower case, a base64 body decoded, the callback base URL) and its answer back; the
 * Shopify rule target's in-flight delivery thrown, so Lambda's retry comes back to it.
 */
import { createHmac } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { EventBridgeEvent, LambdaFunctionURLEvent } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import { WEBHOOK_PLATFORMS } from '../../functions/connectors/index.ts';
import type { TranslationResult } from '../../functions/connectors/translation.ts';
import { createShopifyHandler } from '../../functions/handlers/shopify.ts';
import { createWebhooksHandler, enabledPlatforms } from '../../functions/handlers/webhooks.ts';
import type { ConnectorOutcome, ConnectorService } from '../../functions/services/connectors.ts';

type Answer = { statusCode: number; headers: Record<string, string>; body: string };
const SETTINGS = { defaultLocale: 'en', defaultTimeZone: 'Europe/Berlin' };
const service = (answer: (r: TranslationResult) => ConnectorOutcome) =>
  ({ handle: async (r: TranslationResult) => answer(r) }) as unknown as ConnectorService;

const urlEvent = (body: string, headers: Record<string, string>, base64 = false): LambdaFunctionURLEvent =>
  ({
    rawPath: '/woocommerce',
    rawQueryString: '',
    headers,
    body: base64 ? Buffer.from(body).toString('base64') : body,
    isBase64Encoded: base64,
    requestContext: { domainName: 'abc.lambda-url.eu-central-1.on.aws', http: { method: 'POST' } },
  }) as unknown as LambdaFunctionURLEvent;

describe('webhooks handler (Function URL)', () => {
  const body = readFileSync(
    new URL('../fixtures/woocommerce/customer-created.json', import.meta.url),
    'utf8',
  );
  const headers = {
    'X-WC-Webhook-Topic': 'customer.created',
    'X-WC-Webhook-Delivery-ID': 'd1',
    'X-WC-Webhook-Signature': createHmac('sha256', 'woo-secret-1').update(body).digest('base64'),
  };
  const deps = (handle: (r: TranslationResult) => ConnectorOutcome) => () => ({
    platforms: WEBHOOK_PLATFORMS,
    secrets: async () => ({ woocommerce: 'woo-secret-1' }),
    connectors: service(handle),
    settings: SETTINGS,
    now: () => '2026-03-02T08:00:00Z',
  });
  const published = (r: TranslationResult): ConnectorOutcome =>
    r.ok
      ? {
          status: 'published',
          platform: 'woocommerce',
          topic: r.translation.topic,
          published: r.translation.events.map((e) => ({ detailType: e.detailType, customerId: '25' })),
          parked: 0,
          released: 0,
          repeated: 0,
        }
      : { status: 'rejected', platform: 'woocommerce', errors: r.errors };

  it('verifies a base64-encoded body with mixed-case headers and answers JSON', async () => {
    const answer = (await createWebhooksHandler(deps(published))(urlEvent(body, headers, true))) as Answer;
    expect(answer).toMatchObject({ statusCode: 200, headers: { 'content-type': 'application/json' } });
    expect(JSON.parse(String(answer.body))).toMatchObject({
      status: 'published',
      events: ['customer.registered'],
    });
  });

  it('answers 500 (the shop retries) when the service fails, without the error in the body', async () => {
    const answer = (await createWebhooksHandler(
      deps(() => {
        throw new Error('ProvisionedThroughputExceededException: secret detail');
      }),
    )(urlEvent(body, headers))) as Answer;
    expect(answer.statusCode).toBe(500);
    expect(String(answer.body)).not.toMatch(/secret detail/);
  });
});

describe('shopify handler (partner bus rule target)', () => {
  const event = {
    id: 'e1',
    source: 'aws.partner/shopify.com/1830279/my-shop',
    'detail-type': 'shopifyWebhook',
    time: '2026-03-02T08:00:00Z',
    detail: {
      metadata: { 'X-Shopify-Topic': 'customers/delete', 'X-Shopify-Webhook-Id': 'w1' },
      payload: { id: 1 },
    },
  } as unknown as EventBridgeEvent<string, unknown>;
  const runtime = (outcome: ConnectorOutcome) => () => ({
    connectors: service(() => outcome),
    settings: SETTINGS,
    now: () => '2026-03-02T08:00:00Z',
  });

  it('returns the outcome, and throws while another invocation publishes the same delivery', async () => {
    const done = await createShopifyHandler(
      runtime({ status: 'duplicate', platform: 'shopify', topic: 't' }),
    )(event);
    expect(done).toBe('duplicate');
    await expect(
      createShopifyHandler(runtime({ status: 'in-flight', platform: 'shopify', topic: 't' }))(event),
    ).rejects.toThrow(/being published by another invocation/);
  });
});

describe('enabled webhook platforms', () => {
  it('are those the stack names in WEBHOOK_PLATFORMS, none without it', () => {
    expect(Object.keys(enabledPlatforms('woocommerce'))).toEqual(['woocommerce']);
    expect(Object.keys(enabledPlatforms('woocommerce, shopware'))).toEqual(['woocommerce', 'shopware']);
    expect(Object.keys(enabledPlatforms('__proto__,magento'))).toEqual([]);
    expect(enabledPlatforms(undefined)).toEqual({});
  });
});
