import { createHmac } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { Translation, TranslationResult } from '../../../functions/connectors/translation.ts';
import {
  isWooCommercePing,
  translateWooCommerce,
  verifyWooCommerce,
} from '../../../functions/connectors/woocommerce/index.ts';
import { parseShopEvent } from '../../../functions/core/events.ts';

const SECRET = 'wc-test-secret';
const SETTINGS = { defaultLocale: 'de-DE', defaultTimeZone: 'Europe/Berlin' };
const RECEIVED = '2026-12-01T08:00:00Z';
const DELIVERY = '36e520ebabc2fa725092ff4a47acedf2';
const raw = (name: string) =>
  readFileSync(new URL(`../../fixtures/woocommerce/${name}`, import.meta.url), 'utf8');

/** The headers WC_Webhook::deliver sends (values after WooCommerce's documented example). */
function headers(topic: string, body: string): Record<string, string> {
  const [resource, event] = topic.split('.');
  return {
    'X-WC-Webhook-Source': 'https://example.com/',
    'X-WC-Webhook-Topic': topic,
    'X-WC-Webhook-Resource': resource ?? '',
    'X-WC-Webhook-Event': event ?? '',
    'X-WC-Webhook-Signature': createHmac('sha256', SECRET).update(body).digest('base64'),
    'X-WC-Webhook-ID': '3',
    'X-WC-Webhook-Delivery-ID': DELIVERY,
  };
}

function translate(fixture: string, topic: string): Translation {
  const body = raw(fixture);
  const h = headers(topic, body);
  expect(verifyWooCommerce(body, h, SECRET)).toBe(true);
  const result = translateWooCommerce(body, h, SETTINGS, RECEIVED);
  if (!result.ok) throw new Error(result.errors.join('; '));
  expectContract(result);
  return result.translation;
}

/** Every emitted event passes the public contract, with the customer filled in where it names an order. */
function expectContract(result: TranslationResult): void {
  if (!result.ok) return;
  for (const [index, event] of result.translation.events.entries()) {
    const detail = event.customerOf ? { ...event.detail, customerId: 'looked-up-customer' } : event.detail;
    const parsed = parseShopEvent(
      {
        id: `e${index}`,
        source: 'shop',
        detailType: event.detailType,
        time: event.time,
        detail,
      },
      // The handler checks for future times against its clock: fixtures must lie in the past.
      { now: '2026-12-01T12:00:00Z' },
    );
    expect(parsed.ok ? [] : parsed.errors, event.detailType).toEqual([]);
  }
}

const shape = (t: Translation) =>
  t.events.map((e) => ({ detailType: e.detailType, time: e.time, detail: e.detail }));

describe('WooCommerce fixtures: what each becomes', () => {
  it('customer.created (documented customer 25, billing US) → customer.registered, default locale, default zone (the US spans zones), consent false', () => {
    const t = translate('customer-created.json', 'customer.created');
    expect(t.topic).toBe('customer.created');
    expect(t.deliveryId).toMatch(new RegExp(`^${DELIVERY}:[0-9a-f]{16}$`));
    expect(shape(t)).toEqual([
      {
        detailType: 'customer.registered',
        time: '2017-03-21T19:09:28Z',
        detail: {
          customerId: '25',
          email: 'john.doe@example.com',
          firstName: 'John',
          locale: 'de-DE',
          timeZone: 'Europe/Berlin',
          marketingConsent: false,
          registeredAt: '2017-03-21T19:09:28Z',
        },
      },
    ]);
    expect(t.orders).toEqual([]);
  });

  it('customer.created with wpml_language and marketing_consent meta, billing DE → locale de, Europe/Berlin, consent true', () => {
    const t = translate('customer-created-meta.json', 'customer.created');
    expect(t.events[0]?.detail).toMatchObject({
      customerId: '26',
      email: 'anna.schmidt@example.com',
      firstName: 'Anna',
      locale: 'de',
      timeZone: 'Europe/Berlin',
      marketingConsent: true,
    });
  });

  it('customer.updated (documented: first name James) → customer.updated with email and first name only; no locale, no consent', () => {
    const t = translate('customer-updated.json', 'customer.updated');
    expect(shape(t)).toEqual([
      {
        detailType: 'customer.updated',
        time: '2017-03-21T19:12:28Z',
        detail: { customerId: '25', email: 'john.doe@example.com', firstName: 'James' },
      },
    ]);
  });

  it('customer.deleted ({"id":25}) → customer.deleted at the receive time; without one it is rejected, not dated', () => {
    const t = translate('customer-deleted.json', 'customer.deleted');
    expect(shape(t)).toEqual([
      { detailType: 'customer.deleted', time: RECEIVED, detail: { customerId: '25' } },
    ]);
    const body = raw('customer-deleted.json');
    const result = translateWooCommerce(body, headers('customer.deleted', body), SETTINGS);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.errors[0]).toMatch(/^time: /);
  });

  it('order.created (documented order 727: processing, guest) → nothing: a guest order', () => {
    const t = translate('order-created.json', 'order.created');
    expect(t.events).toEqual([]);
    expect(t.ignored).toMatch(/guest order/);
  });

  it('order.updated (documented order 727: completed, guest) → nothing: a guest order', () => {
    const t = translate('order-updated.json', 'order.updated');
    expect(t.events).toEqual([]);
    expect(t.ignored).toMatch(/guest order/);
  });

  it('order.created for customer 25, processing → order.placed at date_paid_gmt, items with SKU fallback to the product id', () => {
    const t = translate('order-created-customer.json', 'order.created');
    expect(shape(t)).toEqual([
      {
        detailType: 'order.placed',
        time: '2017-03-22T19:28:08Z',
        detail: {
          orderId: '727',
          customerId: '25',
          placedAt: '2017-03-22T19:28:08Z',
          total: { amount: '29.35', currency: 'USD' },
          items: [
            { sku: '93', name: 'Woo Single #1', quantity: 2, unitPrice: { amount: '3', currency: 'USD' } },
            {
              sku: 'Bar3',
              name: 'Ship Your Idea &ndash; Color: Black, Size: M Test',
              quantity: 1,
              unitPrice: { amount: '12', currency: 'USD' },
            },
          ],
        },
      },
    ]);
    expect(t.orders).toEqual([{ orderId: '727', customerId: '25' }]);
  });

  it('order pending (awaiting payment) → nothing, with the reason', () => {
    const t = translate('order-pending.json', 'order.updated');
    expect(t.events).toEqual([]);
    expect(t.ignored).toBe('order 727: status "pending" is not a paid order');
  });

  it('documented order 723 (completed, customer 26, refunds -10.00 and -9.00) → placed, delivered, two refunds of 10 and 9 (amounts as the shop wrote them)', () => {
    const t = translate('order-723-completed-refunded.json', 'order.updated');
    expect(shape(t)).toEqual([
      {
        detailType: 'order.placed',
        time: '2017-03-21T19:16:00Z',
        detail: {
          orderId: '723',
          customerId: '26',
          placedAt: '2017-03-21T19:16:00Z',
          total: { amount: '39.00', currency: 'USD' },
          items: [
            { sku: '87', name: 'Woo Album #2', quantity: 1, unitPrice: { amount: '9', currency: 'USD' } },
            { sku: '34', name: 'Woo Ninja', quantity: 1, unitPrice: { amount: '20', currency: 'USD' } },
          ],
        },
      },
      {
        detailType: 'order.delivered',
        time: '2017-03-21T19:54:51Z',
        detail: { orderId: '723', customerId: '26', deliveredAt: '2017-03-21T19:54:51Z' },
      },
      {
        detailType: 'order.refunded',
        time: '2017-03-21T19:54:51Z',
        detail: { orderId: '723', customerId: '26', amount: { amount: '10.00', currency: 'USD' } },
      },
      {
        detailType: 'order.refunded',
        time: '2017-03-21T19:54:51Z',
        detail: { orderId: '723', customerId: '26', amount: { amount: '9.00', currency: 'USD' } },
      },
    ]);
    expect(t.orders).toEqual([{ orderId: '723', customerId: '26' }]);
    // Each refund once, by its id, however many order.updated deliveries repeat it.
    expect(t.events.map((e) => e.onceKey)).toEqual([
      undefined,
      undefined,
      'refund:723:726',
      'refund:723:724',
    ]);
  });

  it('the creation ping (unsigned form body webhook_id=1) → OK, nothing', () => {
    const body = raw('ping.txt');
    const h = { 'user-agent': 'WooCommerce/8.6.1 Hookshot (WordPress/6.4.3)' };
    expect(isWooCommercePing(body, h)).toBe(true);
    expect(verifyWooCommerce(body, h, SECRET)).toBe(false);
    const result = translateWooCommerce(body, h, SETTINGS);
    expect(result.ok).toBe(true);
    if (result.ok) {
      expect(result.translation.events).toEqual([]);
      expect(result.translation.ignored).toMatch(/ping/);
    }
    expect(isWooCommercePing(body, { 'X-WC-Webhook-Topic': 'order.created' })).toBe(false);
    expect(isWooCommercePing('{"webhook_id":1}', h)).toBe(false);
  });

  it('other topics (product.updated, order.deleted) → nothing, with the reason', () => {
    for (const topic of ['product.updated', 'order.deleted', 'coupon.created', 'action.woocommerce_x']) {
      const t = translate('order-created.json', topic);
      expect(t.events).toEqual([]);
      expect(t.ignored).toMatch(/is not used/);
    }
  });
});

describe('WooCommerce delivery ids and rejections', () => {
  it('the same body resent dedupes; two bodies in the same second (same header) do not', () => {
    const a = raw('order-created-customer.json');
    const b = a.replace('"id": 727', '"id": 728');
    const ta = translateWooCommerce(a, headers('order.created', a), SETTINGS);
    const ta2 = translateWooCommerce(a, headers('order.created', a), SETTINGS);
    const tb = translateWooCommerce(b, headers('order.created', b), SETTINGS);
    if (!ta.ok || !ta2.ok || !tb.ok) throw new Error('expected ok');
    expect(ta.translation.deliveryId).toBe(ta2.translation.deliveryId);
    expect(ta.translation.deliveryId).not.toBe(tb.translation.deliveryId);
  });

  it('missing headers, invalid JSON, a huge id, a bad refund → rejected with field: problem', () => {
    const body = raw('order-723-completed-refunded.json');
    const cases: [string, Record<string, string>, RegExp][] = [
      [body, {}, /^X-WC-Webhook-Topic: required/],
      [body, { 'x-wc-webhook-topic': 'order.updated' }, /^X-WC-Webhook-Delivery-ID: required/],
      ['{not json', headers('order.updated', '{'), /^body: is not JSON/],
      ['[1,2]', headers('order.updated', '[]'), /^body: must be a JSON object/],
      [
        body.replace('"id": 723', '"id": 9007199254740993'),
        headers('order.updated', body),
        /^id: .*cannot be represented exactly/,
      ],
      [
        body.replace('"total": "-10.00"', '"total": "-10.001234"'),
        headers('order.updated', body),
        /^refunds\[0\]\.total: /,
      ],
      [body.replace('"currency": "USD"', '"currency": "XYZ"'), headers('order.updated', body), /^currency: /],
    ];
    for (const [b, h, pattern] of cases) {
      const result = translateWooCommerce(b, h, SETTINGS, RECEIVED);
      expect(result.ok, b.slice(0, 30)).toBe(false);
      if (!result.ok) {
        expect(result.errors[0]).toMatch(pattern);
        expect(result.platform).toBe('woocommerce');
      }
    }
  });

  it('an invalid email on a registration is rejected by the contract check, with its reason', () => {
    const body = raw('customer-created.json').replace(
      '"email": "john.doe@example.com"',
      '"email": "not-an-address"',
    );
    const result = translateWooCommerce(body, headers('customer.created', body), SETTINGS);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.errors[0]).toMatch(/^customer\.registered email: /);
  });
});
