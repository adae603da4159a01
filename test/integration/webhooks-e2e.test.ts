/**
 * Signed webhooks end to end, locally: WooCommerce's documented payloads, signed as WooCommerce signs
 * them, POSTed to the local runtime's `/webhooks/woocommerce` over real HTTP, reach the customer as
 * the welcome and the thank-you; a forged or unsigned delivery is answered 401 and changes nothing;
 * WooCommerce's unsigned set-up ping is answered 200.
 */
import { createHmac, randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { buildCatalog } from '../../functions/catalog/build.ts';
import type { Catalog } from '../../functions/catalog/catalog.ts';
import { serveWebhook } from '../../local/runtime/connectors.ts';
import { type LocalWorld, localWorld } from '../support/local-world.ts';
import { testEnv } from './env.ts';

const ROOT = path.resolve(import.meta.dirname, '../..');
const START = '2026-03-02T08:00:00Z';
const SECRET = 'woo-secret-for-this-test';

let catalog: Catalog;
let world: LocalWorld | undefined;
let server: Server | undefined;

beforeAll(async () => {
  ({ catalog } = await buildCatalog(ROOT, { defaultLocale: 'en' }));
});
afterEach(async () => {
  await new Promise((resolve) => (server ? server.close(resolve) : resolve(undefined)));
  await world?.close();
  server = undefined;
  world = undefined;
});

async function receiver(w: LocalWorld): Promise<string> {
  server = createServer((req, res) => {
    serveWebhook(req, res, {
      connectors: w.runtime.services.connectors,
      settings: { defaultLocale: 'de', defaultTimeZone: 'Europe/Berlin' },
      secrets: { woocommerce: SECRET },
      now: () => w.clock.now(),
    }).catch((error: unknown) => res.writeHead(500).end(String(error)));
  });
  await new Promise<void>((resolve) => server?.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}/webhooks/woocommerce`;
}

const fixture = (name: string) =>
  JSON.parse(readFileSync(path.join(ROOT, 'test/fixtures/woocommerce', name), 'utf8')) as Record<
    string,
    unknown
  >;

function post(url: string, topic: string, body: string, signature?: string) {
  return fetch(url, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      'x-wc-webhook-topic': topic,
      'x-wc-webhook-delivery-id': randomUUID().replace(/-/g, ''),
      'x-wc-webhook-source': 'https://shop.example/',
      ...(signature === undefined ? {} : { 'x-wc-webhook-signature': signature }),
    },
    body,
  });
}
const sign = (body: string, secret = SECRET) => createHmac('sha256', secret).update(body).digest('base64');

describe('WooCommerce webhooks through the local runtime', () => {
  it('a signed registration and order become the welcome and the thank-you; forged ones change nothing', async () => {
    // Prepare
    const env = testEnv();
    world = await localWorld(catalog, env, START, {
      DEFAULT_LOCALE: 'de',
      DEFAULT_TIME_ZONE: 'Europe/Berlin',
    });
    const url = await receiver(world);
    const email = `john.${randomUUID().slice(0, 8)}@example.com`;
    const customer = JSON.stringify({ ...fixture('customer-created.json'), email });
    const orderFixture = fixture('order-created-customer.json');
    const order = JSON.stringify({
      ...orderFixture,
      billing: { ...(orderFixture.billing as object), email },
    });

    // Act
    const ping = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'webhook_id=3',
    });
    const forged = await post(url, 'customer.created', customer, sign(customer, 'not-the-secret'));
    const unsigned = await post(url, 'customer.created', customer);
    const registered = await post(url, 'customer.created', customer, sign(customer));
    const placed = await post(url, 'order.created', order, sign(order));
    await world.runUntil('2026-03-02T08:05:00Z');

    // Assess
    expect(ping.status).toBe(200);
    expect([forged.status, unsigned.status]).toEqual([401, 401]);
    expect(registered.status).toBe(200);
    expect(await registered.json()).toMatchObject({ status: 'published', events: ['customer.registered'] });
    expect(await placed.json()).toMatchObject({ status: 'published', events: ['order.placed'] });
    const subjects = (await env.sesEmails(email)).map((m) => m.subject);
    expect(subjects.filter((s) => s.startsWith('Willkommen bei'))).toHaveLength(1);
    expect(subjects.filter((s) => s === 'Vielen Dank für Ihre erste Bestellung!')).toHaveLength(1);
  });

  it('answers 401 to a bad signature before reading the payload: nothing is stored, not even a rejection', async () => {
    // Prepare
    const env = testEnv();
    world = await localWorld(catalog, env, START);
    const url = await receiver(world);
    // Act
    const answer = await post(url, 'order.created', '{"id": "not even an order"}', sign('something else'));
    // Assess
    expect(answer.status).toBe(401);
    expect(await world.scan()).toEqual([]);
  });
});
