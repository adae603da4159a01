import { createHash, createHmac } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { translateShopware, verifyShopware } from '../../../functions/connectors/shopware/index.ts';
import {
  shopwareRegistrationAnswer,
  verifyShopwareRegistration,
} from '../../../functions/connectors/shopware/registration.ts';
import type { Translation, TranslationResult } from '../../../functions/connectors/translation.ts';
import { parseShopEvent } from '../../../functions/core/events.ts';

const SECRET = 'shopware-app-secret';
const SETTINGS = { defaultLocale: 'en-GB', defaultTimeZone: 'Europe/London' };
const RECEIVED = '2026-12-01T08:00:00Z';
const CUSTOMER = '0188f3a4b2c54f6e9d1a2b3c4d5e6f70';
const ORDER = '0188f3a9c1d24e5fa6b7c8d9e0f1a2b3';
const raw = (name: string) =>
  readFileSync(new URL(`../../fixtures/shopware/${name}`, import.meta.url), 'utf8');

/** The headers Shopware sends with an app webhook (6.4.5+: sw-version, sw-context-language, sw-user-language). */
function headers(body: string): Record<string, string> {
  return {
    'content-type': 'application/json',
    'shopware-shop-signature': createHmac('sha256', SECRET).update(body).digest('hex'),
    'sw-version': '6.6.10.0',
    'sw-context-language': '2fbb5fe2e29a4d70aa5854ce7ce3e20b',
    'sw-user-language': 'de-DE',
  };
}

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

function translate(fixture: string): Translation {
  const body = raw(fixture);
  const h = headers(body);
  expect(verifyShopware(body, h, SECRET)).toBe(true);
  const result = translateShopware(body, h, SETTINGS, RECEIVED);
  if (!result.ok) throw new Error(result.errors.join('; '));
  expectContract(result);
  return result.translation;
}

const shape = (t: Translation) =>
  t.events.map((e) => ({
    detailType: e.detailType,
    time: e.time,
    detail: e.detail,
    ...(e.customerOf ? { customerOf: e.customerOf } : {}),
  }));

describe('Shopware fixtures: what each becomes', () => {
  it('product.written (the documented example: an entity event with a payload list) → nothing, with the reason', () => {
    const t = translate('product-written.json');
    expect(t.deliveryId).toBe('7b04ebe416db4ebc93de4d791325e1d9');
    expect(t.topic).toBe('product.written');
    expect(t.events).toEqual([]);
    expect(t.ignored).toBe('event "product.written" is not used by this connector');
  });

  it('checkout.customer.register → customer.registered (locale from language.locale, zone from the billing country, consent false)', () => {
    const t = translate('customer-register.json');
    expect(t.deliveryId).toBe('0188f3a4b2c54f6e9d1a2b3c4d5e6f01');
    expect(shape(t)).toEqual([
      {
        detailType: 'customer.registered',
        time: '2026-11-20T09:15:02.123Z',
        detail: {
          customerId: CUSTOMER,
          email: 'anna.schmidt@example.com',
          firstName: 'Anna',
          locale: 'de-DE',
          timeZone: 'Europe/Berlin',
          marketingConsent: false,
          birthday: '05-14',
          registeredAt: '2026-11-20T09:15:02.123Z',
        },
      },
    ]);
  });

  it('a registration without the language association falls back to the shop default, never to sw-user-language', () => {
    const body = raw('customer-register.json').replace('"code": "de-DE"', '"code": null');
    const result = translateShopware(body, headers(body), SETTINGS);
    expect(result.ok && result.translation.events[0]?.detail.locale).toBe('en-GB');
  });

  it('checkout.order.placed → order.placed in EUR, product items only, promotion code as discountCode, order → customer', () => {
    const t = translate('order-placed.json');
    expect(shape(t)).toEqual([
      {
        detailType: 'order.placed',
        time: '2026-11-20T10:20:41.512Z',
        detail: {
          orderId: ORDER,
          customerId: CUSTOMER,
          placedAt: '2026-11-20T10:20:41.512Z',
          total: { amount: '49.9', currency: 'EUR' },
          items: [
            {
              sku: 'SW10001',
              name: 'Bio-Kaffee Espresso, 500 g',
              quantity: 2,
              unitPrice: { amount: '24.95', currency: 'EUR' },
            },
          ],
          discountCode: 'WELCOME10',
        },
      },
    ]);
    expect(t.orders).toEqual([{ orderId: ORDER, customerId: CUSTOMER }]);
  });

  it('state_enter.order.state.completed (no eventId) → order.delivered at the webhook timestamp; delivery id = body hash', () => {
    const body = raw('order-completed.json');
    const t = translate('order-completed.json');
    expect(t.deliveryId).toBe(createHash('sha256').update(body).digest('hex'));
    expect(shape(t)).toEqual([
      {
        detailType: 'order.delivered',
        time: '2026-11-24T09:46:40Z',
        detail: { orderId: ORDER, customerId: CUSTOMER },
      },
    ]);
  });

  it('state_enter.order_delivery.state.shipped → nothing: shipped is not delivered', () => {
    const t = translate('order-delivery-shipped.json');
    expect(t.events).toEqual([]);
    expect(t.ignored).toMatch(/^shipped is not delivered/);
  });

  it('state_enter.order_transaction.state.refunded → order.refunded with the refunded transaction amount', () => {
    expect(shape(translate('order-transaction-refunded.json'))).toEqual([
      {
        detailType: 'order.refunded',
        time: '2026-11-26T05:46:40Z',
        detail: { orderId: ORDER, customerId: CUSTOMER, amount: { amount: '49.9', currency: 'EUR' } },
      },
    ]);
  });

  it('state_enter.order_transaction.state.refunded_partially → order.refunded without an amount', () => {
    expect(shape(translate('order-transaction-refunded-partially.json'))).toEqual([
      {
        detailType: 'order.refunded',
        time: '2026-11-26T05:48:20Z',
        detail: { orderId: ORDER, customerId: CUSTOMER },
      },
    ]);
  });

  it('an order event without orderCustomer.customerId names the order (customerOf) for the lookup', () => {
    const body = raw('order-transaction-refunded.json').replace(`"customerId": "${CUSTOMER}",`, '');
    const result = translateShopware(body, headers(body), SETTINGS);
    expectContract(result);
    expect(result.ok && shape(result.translation)).toEqual([
      {
        detailType: 'order.refunded',
        time: '2026-11-26T05:46:40Z',
        detail: { orderId: ORDER, amount: { amount: '49.9', currency: 'EUR' } },
        customerOf: ORDER,
      },
    ]);
    expect(result.ok && result.translation.orders).toEqual([]);
  });

  it('checkout.customer.deleted → customer.deleted at the webhook timestamp', () => {
    expect(shape(translate('customer-deleted.json'))).toEqual([
      { detailType: 'customer.deleted', time: '2026-11-28T12:00:00Z', detail: { customerId: CUSTOMER } },
    ]);
  });

  it('guest registrations and guest orders → nothing, with the reason', () => {
    const guest = raw('customer-register.json')
      .replace('"guest": false', '"guest": true')
      .replace('checkout.customer.register', 'checkout.customer.guest_register');
    const g = translateShopware(guest, headers(guest), SETTINGS);
    expect(g.ok && g.translation.ignored).toMatch(/guest checkout/);
    const order = raw('order-placed.json').replace('"guest": false', '"guest": true');
    const o = translateShopware(order, headers(order), SETTINGS);
    expect(o.ok && o.translation.ignored).toMatch(/guest order/);
  });
});

describe('Shopware rejections', () => {
  it('invalid JSON, no data.event, a non-UUID id, a missing entity, a missing currency → field: problem', () => {
    const placed = raw('order-placed.json');
    const cases: [string, RegExp][] = [
      ['{"data":', /^body: is not JSON/],
      ['[]', /^body: must be a JSON object/],
      ['{"source":{}}', /^data: required/],
      ['{"data":{"payload":{}}}', /^data\.event: required/],
      [placed.replace(`"id": "${ORDER}"`, '"id": 12345'), /^data\.payload\.order\.id: must be a Shopware id/],
      ['{"data":{"event":"checkout.order.placed","payload":[]}}', /^data\.payload\.order: required/],
      [placed.replace('"isoCode": "EUR"', '"isoCode": "EURO"'), /^data\.payload\.order\.currency\.isoCode: /],
      [
        placed.replace('"amountTotal": 49.9', '"amountTotal": 49.912345'),
        /^data\.payload\.order\.amountTotal: /,
      ],
    ];
    for (const [body, pattern] of cases) {
      const result = translateShopware(body, headers(body), SETTINGS, RECEIVED);
      expect(result.ok, body.slice(0, 40)).toBe(false);
      if (!result.ok) {
        expect(result.errors[0]).toMatch(pattern);
        expect(result.platform).toBe('shopware');
        expect(result.deliveryId).toBeTruthy();
      }
    }
  });
});

describe('Shopware app registration (what makes Shopware sign webhooks)', () => {
  const APP_SECRET = 'x'.repeat(64);
  // The documented example request: GET /registration?shop-id=KIPf0Fz6BUkN&shop-url=http%3A%2F%2Fmy.shop.com&timestamp=159239728
  const QUERY = 'shop-id=KIPf0Fz6BUkN&shop-url=http%3A%2F%2Fmy.shop.com&timestamp=159239728';
  const signed = { 'shopware-app-signature': createHmac('sha256', APP_SECRET).update(QUERY).digest('hex') };

  it('verifies the registration request against the raw query string', () => {
    expect(verifyShopwareRegistration(QUERY, signed, APP_SECRET)).toBe(true);
    expect(verifyShopwareRegistration(`${QUERY}0`, signed, APP_SECRET)).toBe(false);
    expect(verifyShopwareRegistration(QUERY, {}, APP_SECRET)).toBe(false);
    expect(verifyShopwareRegistration(QUERY, signed, 'other')).toBe(false);
  });

  it('answers with the proof over shop-id . decoded shop-url . app name, the shop secret and the confirmation URL', () => {
    const answer = shopwareRegistrationAnswer(QUERY, {
      appName: 'RetentionJourneys',
      appSecret: APP_SECRET,
      shopSecret: APP_SECRET,
      confirmationUrl: 'https://hooks.example.com/shopware/confirm',
    });
    expect(answer).toEqual({
      ok: true,
      shopId: 'KIPf0Fz6BUkN',
      shopUrl: 'http://my.shop.com',
      body: {
        proof: createHmac('sha256', APP_SECRET)
          .update('KIPf0Fz6BUkNhttp://my.shop.comRetentionJourneys')
          .digest('hex'),
        secret: APP_SECRET,
        confirmation_url: 'https://hooks.example.com/shopware/confirm',
      },
    });
  });

  it('refuses a shop secret shorter than Shopware accepts, or a query without shop-id', () => {
    const options = { appName: 'A', appSecret: 's', shopSecret: 'short', confirmationUrl: 'https://x' };
    const short = shopwareRegistrationAnswer(QUERY, options);
    expect(short.ok).toBe(false);
    expect(short.body).toEqual({
      error: "secret: must be 64 to 255 characters (rule: Shopware's shop-secret length)",
    });
    const noShop = shopwareRegistrationAnswer('timestamp=1', { ...options, shopSecret: APP_SECRET });
    expect(!noShop.ok && noShop.errors).toEqual(['shop-id: required', 'shop-url: required']);
  });

  it('the confirmation POST is signed like a webhook (shop secret, hex) and verifies with verifyShopware', () => {
    const body =
      '{"apiKey":"SWIARXBSDJRWEMJONFK2OHBNWA","secretKey":"Q1QyaUg3ZHpnZURPeDV3ZkpncXdSRzJpNjdBeWM1WWhWYWd0NE0","timestamp":"1592398983","shopUrl":"http:\\/\\/my.shop.com","shopId":"sqX6cqHi6hbj"}';
    const h = { 'shopware-shop-signature': createHmac('sha256', APP_SECRET).update(body).digest('hex') };
    expect(verifyShopware(body, h, APP_SECRET)).toBe(true);
  });
});
