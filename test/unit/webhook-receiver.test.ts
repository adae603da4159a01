/**
 * The signed-webhook receiver's HTTP rules, without I/O: the connector service is replaced by a
 * recorder of what reached it (the service itself is tested on DynamoDB Local). A request that is
 * not signed with the platform's secret never reaches it.
 */
import { createHmac } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { WEBHOOK_PLATFORMS } from '../../functions/connectors/index.ts';
import type { TranslationResult } from '../../functions/connectors/translation.ts';
import type { ConnectorOutcome } from '../../functions/services/connectors.ts';
import {
  receiveWebhook,
  WEBHOOK_BODY_LIMIT,
  type WebhookRequest,
} from '../../functions/services/webhook-receiver.ts';

const SECRETS = { woocommerce: 'woo-secret-1234', shopware: 's'.repeat(64) };
const NOW = '2026-03-02T08:00:00Z';

function receiver(outcome?: Partial<ConnectorOutcome>) {
  const reached: TranslationResult[] = [];
  const deps = {
    platforms: WEBHOOK_PLATFORMS,
    secrets: async () => SECRETS,
    settings: { defaultLocale: 'en', defaultTimeZone: 'Europe/Berlin' },
    now: () => NOW,
    connectors: {
      handle: async (result: TranslationResult): Promise<ConnectorOutcome> => {
        reached.push(result);
        if (!result.ok) return { status: 'rejected', platform: result.platform, errors: result.errors };
        return {
          status: 'published',
          platform: result.translation.platform,
          topic: result.translation.topic,
          published: result.translation.events.map((e) => ({ detailType: e.detailType, customerId: 'c' })),
          parked: 0,
          released: 0,
          repeated: 0,
          ...outcome,
        } as ConnectorOutcome;
      },
    },
  };
  return { reached, receive: (request: Partial<WebhookRequest>) => receiveWebhook(req(request), deps) };
}

const req = (r: Partial<WebhookRequest>): WebhookRequest => ({
  method: 'POST',
  path: '/woocommerce',
  query: '',
  headers: {},
  body: Buffer.alloc(0),
  baseUrl: 'https://hooks.example',
  ...r,
});

const customer = readFileSync(new URL('../fixtures/woocommerce/customer-created.json', import.meta.url));
const wooHeaders = (body: Buffer, secret = SECRETS.woocommerce) => ({
  'x-wc-webhook-topic': 'customer.created',
  'x-wc-webhook-delivery-id': 'abc123',
  'x-wc-webhook-signature': createHmac('sha256', secret).update(body).digest('base64'),
});

describe('webhook receiver', () => {
  it('passes a signed WooCommerce delivery to the connector service and answers what it published', async () => {
    const { reached, receive } = receiver();
    const answer = await receive({ headers: wooHeaders(customer), body: customer });
    expect(answer).toEqual({
      statusCode: 200,
      body: { status: 'published', events: ['customer.registered'], parked: 0 },
    });
    expect(reached).toHaveLength(1);
  });

  it('answers 401 to a wrong, missing or truncated signature, and nothing reaches the service', async () => {
    const { reached, receive } = receiver();
    const wrong = wooHeaders(customer, 'another-secret');
    const { 'x-wc-webhook-signature': _, ...missing } = wooHeaders(customer);
    const tampered = Buffer.concat([customer, Buffer.from(' ')]);
    for (const headers of [wrong, missing])
      expect((await receive({ headers, body: customer })).statusCode).toBe(401);
    expect((await receive({ headers: wooHeaders(customer), body: tampered })).statusCode).toBe(401);
    expect(reached).toEqual([]);
  });

  it("answers WooCommerce's unsigned set-up ping 200 without touching anything", async () => {
    const { reached, receive } = receiver();
    const answer = await receive({
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: Buffer.from('webhook_id=3'),
    });
    expect(answer).toEqual({ statusCode: 200, body: { status: 'ping' } });
    expect(reached).toEqual([]);
  });

  it('answers 404 for an unknown platform, a platform without a secret, or an unknown sub-path', async () => {
    const { receive } = receiver();
    for (const path of ['/magento', '/__proto__', '/woocommerce/register', '/shopware/confirm/x', '/'])
      expect((await receive({ path })).statusCode, path).toBe(404);
    const noSecret = await receiveWebhook(req({}), {
      ...{
        platforms: WEBHOOK_PLATFORMS,
        settings: { defaultLocale: 'en', defaultTimeZone: 'UTC' },
        now: () => NOW,
      },
      secrets: async () => ({}),
      connectors: { handle: async () => ({ status: 'duplicate', platform: 'woocommerce', topic: '' }) },
    });
    expect(noSecret.statusCode).toBe(404);
  });

  it('answers 405 to a GET, 413 to a body over the limit', async () => {
    const { receive } = receiver();
    expect((await receive({ method: 'GET' })).statusCode).toBe(405);
    expect((await receive({ body: Buffer.alloc(WEBHOOK_BODY_LIMIT + 1) })).statusCode).toBe(413);
  });

  it('answers 503 with Retry-After while another call publishes the same delivery, 200 with reasons for a rejected payload', async () => {
    const busy = receiver({ status: 'in-flight' });
    const answer = await busy.receive({ headers: wooHeaders(customer), body: customer });
    expect(answer).toMatchObject({ statusCode: 503, headers: { 'retry-after': '60' } });
    const broken = Buffer.from('{"id": "x"}');
    const { receive } = receiver();
    const rejected = await receive({ headers: wooHeaders(broken), body: broken });
    expect(rejected.statusCode).toBe(200);
    expect(rejected.body).toMatchObject({
      status: 'rejected',
      errors: expect.arrayContaining([expect.any(String)]),
    });
  });

  it("answers Shopware's app registration with the proof and the shop secret, and its confirmation", async () => {
    const { receive } = receiver();
    const query = 'shop-id=KvhpuoEVXWmtjkQa&shop-url=https%3A%2F%2Fmy.shop&timestamp=1700000000';
    const signature = createHmac('sha256', SECRETS.shopware).update(query).digest('hex');
    const registered = await receive({
      method: 'GET',
      path: '/shopware/register',
      query,
      headers: { 'shopware-app-signature': signature },
    });
    const proof = createHmac('sha256', SECRETS.shopware)
      .update('KvhpuoEVXWmtjkQahttps://my.shopRetentionJourneys')
      .digest('hex');
    expect(registered).toEqual({
      statusCode: 200,
      body: { proof, secret: SECRETS.shopware, confirmation_url: 'https://hooks.example/shopware/confirm' },
    });
    const forged = await receive({ method: 'GET', path: '/shopware/register', query, headers: {} });
    expect(forged.statusCode).toBe(401);
    const body = Buffer.from(
      '{"apiKey":"k","secretKey":"s","timestamp":1,"shopUrl":"https://my.shop","shopId":"x"}',
    );
    const confirmed = await receive({
      path: '/shopware/confirm',
      body,
      headers: {
        'shopware-shop-signature': createHmac('sha256', SECRETS.shopware).update(body).digest('hex'),
      },
    });
    expect(confirmed).toEqual({ statusCode: 200, body: { status: 'registered' } });
  });
});
