/**
 * Shopify end to end, locally: Shopify's documented webhook samples in the envelope its EventBridge
 * integration delivers, put on the local runtime's bus as they are (no configuration), reach the
 * customer as emails — the German welcome for a shop whose default language is German, and the
 * thank-you for the order — through DynamoDB Local and the SES v2 emulator.
 */
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { buildCatalog } from '../../functions/catalog/build.ts';
import type { Catalog } from '../../functions/catalog/catalog.ts';
import { type LocalWorld, localWorld } from '../support/local-world.ts';
import { testEnv } from './env.ts';

const ROOT = path.resolve(import.meta.dirname, '../..');
const START = '2026-03-02T08:00:00Z';

type Envelope = {
  source: string;
  'detail-type': string;
  time: string;
  detail: { payload: Record<string, unknown>; metadata: Record<string, string> };
};
const sample = (topic: string): Envelope =>
  JSON.parse(readFileSync(path.join(ROOT, 'test/fixtures/shopify', `${topic}.json`), 'utf8')) as Envelope;

/** The envelope as the shop's webhook would put it on the bus (PutEvents entry). */
const entry = (e: Envelope, webhookId = e.detail.metadata['X-Shopify-Webhook-Id']) => ({
  Source: e.source,
  DetailType: e['detail-type'],
  Time: START,
  Detail: JSON.stringify({
    ...e.detail,
    metadata: { ...e.detail.metadata, 'X-Shopify-Webhook-Id': webhookId },
  }),
});

let catalog: Catalog;
let world: LocalWorld | undefined;

beforeAll(async () => {
  ({ catalog } = await buildCatalog(ROOT, { defaultLocale: 'en' }));
});
afterEach(async () => {
  await world?.close();
  world = undefined;
});

describe('Shopify samples through the local runtime', () => {
  it('welcome in German and the thank-you for the order, once each, though every webhook came twice', async () => {
    // Prepare: a shop whose default language is German. The customer of the documented order sample
    // is another customer than the documented customers/create sample's: the order here is placed by
    // the registered customer (the sample's `customer` replaced by the customers/create sample's).
    const env = testEnv();
    world = await localWorld(catalog, env, START, {
      DEFAULT_LOCALE: 'de',
      DEFAULT_TIME_ZONE: 'Europe/Berlin',
    });
    // The address is made unique: other tests share the SES emulator and may use the same samples.
    const email = `bob.${randomUUID().slice(0, 8)}@biller.com`;
    const created = sample('customers-create');
    created.detail.payload = { ...created.detail.payload, email };
    const asBob = (e: Envelope) => {
      e.detail.payload = {
        ...e.detail.payload,
        customer: created.detail.payload,
        email,
        customer_locale: 'de',
      };
      return e;
    };
    const order = asBob(sample('orders-create'));
    const paid = asBob(sample('orders-paid'));

    // Act: each webhook twice (Shopify delivers at least once), and orders/paid after orders/create
    for (const e of [created, created, order, order, paid]) {
      const result = await world.runtime.putEvents([entry(e)]);
      expect(result.FailedEntryCount).toBe(0);
      for (const d of result.deliveries) expect(d.targets.filter((t) => t.error)).toEqual([]);
    }
    await world.runUntil('2026-03-02T08:05:00Z');

    // Assess
    const mails = await env.sesEmails(email);
    const subjects = mails.map((m) => m.subject);
    expect(subjects.filter((s) => s.startsWith('Willkommen bei'))).toHaveLength(1);
    expect(subjects.filter((s) => s === 'Vielen Dank für Ihre erste Bestellung!')).toHaveLength(1);
    // The order as Shopify sent it: its line items, and the total in German format in its currency.
    const thanks = mails.find((m) => m.subject.startsWith('Vielen Dank'))?.body.text ?? '';
    expect(thanks).toContain('1 × Aviator sunglasses');
    expect(thanks).toMatch(/Gesamtbetrag: 404,95\s\$/u);
    const profile = (await world.partition('gid://shopify/Customer/706405506930370084')).find(
      (i) => i.type === 'profile',
    );
    expect(profile).toMatchObject({ locale: 'de', email });
  });
});
