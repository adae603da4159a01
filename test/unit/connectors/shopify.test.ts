/**
 * The Shopify mapping against Shopify's documented sample payloads (API 2026-07) in the partner
 * envelope: what each sample becomes, exactly, and that every emitted event passes the contract.
 */
import { describe, expect, it } from 'vitest';
import { SHOPIFY_TOPICS, translateShopify } from '../../../functions/connectors/shopify/index.ts';
import {
  accepted,
  envelope,
  fixtureNames,
  rejectedErrors,
  translate,
  withPayload,
} from './shopify-helpers.ts';

const BOB = 'gid://shopify/Customer/706405506930370084';
const JOHN = 'gid://shopify/Customer/115310627314723954';
const ORDER = 'gid://shopify/Order/820982911946154508';
/** The samples' created_at, 2021-12-31T19:00:00-05:00, in UTC. */
const SAMPLE_TIME = '2022-01-01T00:00:00Z';
/** X-Shopify-Triggered-At of every sample envelope. */
const TRIGGERED = '2026-03-02T08:00:00Z';

const ITEMS = [
  ['SKU2006-001', 'Aviator sunglasses', '89.99'],
  ['LENS-PROTECT-2YR', 'Lens Protection Plan (2 Year)', '19.99'],
  ['CASE-LEATHER-PREM', 'Premium Leather Case', '24.99'],
  ['SKU2006-020', 'Mid-century lounger', '159.99'],
  ['SKU2006-035', 'Coffee table', '119.99'],
].map(([sku, name, amount]) => ({ sku, name, quantity: 1, unitPrice: { amount, currency: 'USD' } }));

describe('Shopify samples: what each becomes', () => {
  it('covers every fixture in this file', () => {
    expect(fixtureNames()).toEqual([
      'customers-create.json',
      'customers-delete.json',
      'customers-email-marketing-consent-update.json',
      'customers-marketing-consent-update.json',
      'customers-redact.json',
      'customers-update.json',
      'fulfillments-create.json',
      'orders-create.json',
      'orders-fulfilled.json',
      'orders-paid.json',
      'refunds-create.json',
    ]);
  });

  it('customers/create → customer.registered: exact gid, shop default locale, default zone for Canada (6 zones), no consent field → false', () => {
    const t = accepted(translate(envelope('customers-create.json')));
    expect(t).toEqual({
      platform: 'shopify',
      deliveryId: '545ebdd4-b7be-4d3d-b14e-000000000000',
      topic: 'customers/create',
      orders: [],
      events: [
        {
          detailType: 'customer.registered',
          time: SAMPLE_TIME,
          detail: {
            customerId: BOB,
            email: 'bob@biller.com',
            firstName: 'Bob',
            locale: 'de-DE',
            timeZone: 'Europe/Berlin',
            marketingConsent: false,
            registeredAt: SAMPLE_TIME,
          },
        },
      ],
    });
  });

  it('customers/create: a one-zone country gives its zone, a payload locale wins, subscribed grants consent', () => {
    const t = accepted(
      translate(
        withPayload('customers-create.json', (p) => ({
          ...p,
          locale: 'fr_CA',
          default_address: { country_code: 'AT' },
          email_marketing_consent: { state: 'subscribed', opt_in_level: 'single_opt_in' },
        })),
      ),
    );
    expect(t.events[0]?.detail).toMatchObject({
      locale: 'fr-CA',
      timeZone: 'Europe/Vienna',
      marketingConsent: true,
    });
    const pending = accepted(
      translate(
        withPayload('customers-create.json', (p) => ({
          ...p,
          email_marketing_consent: { state: 'pending' },
        })),
      ),
    );
    expect(pending.events[0]?.detail).toMatchObject({ marketingConsent: false });
  });

  it('customers/create without an email (phone-only account) is ignored with the reason', () => {
    const t = accepted(translate(withPayload('customers-create.json', (p) => ({ ...p, email: null }))));
    expect(t.events).toEqual([]);
    expect(t.ignored).toMatch(/no email address/);
  });

  it('customers/update → customer.updated with only the fields present (no default zone or locale filled in)', () => {
    const t = accepted(translate(envelope('customers-update.json')));
    expect(t.events).toEqual([
      {
        detailType: 'customer.updated',
        time: SAMPLE_TIME,
        detail: { customerId: BOB, email: 'bob@biller.com', firstName: 'Bob' },
      },
    ]);
    expect(t.ignored).toBeUndefined();
  });

  it('customers/update with email_marketing_consent also gives customer.consent.changed', () => {
    const t = accepted(
      translate(
        withPayload('customers-update.json', (p) => ({
          ...p,
          email_marketing_consent: { state: 'unsubscribed', consent_updated_at: '2026-03-01T10:00:00+01:00' },
        })),
      ),
    );
    expect(t.events.map((e) => e.detailType)).toEqual(['customer.updated', 'customer.consent.changed']);
    expect(t.events[1]).toEqual({
      detailType: 'customer.consent.changed',
      time: '2026-03-01T09:00:00Z',
      detail: { customerId: BOB, marketingConsent: false },
    });
  });

  it('customers_email_marketing_consent/update: the sample is rejected (customer_id > 2^53, no gid); a safe id maps', () => {
    const errors = rejectedErrors(translate(envelope('customers-email-marketing-consent-update.json')));
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatch(/^payload\.customer_id: .*cannot be represented exactly/);
    const t = accepted(
      translate(
        withPayload('customers-email-marketing-consent-update.json', (p) => ({
          ...p,
          customer_id: 7064055069,
        })),
      ),
    );
    expect(t.events).toEqual([
      {
        detailType: 'customer.consent.changed',
        time: TRIGGERED,
        detail: { customerId: 'gid://shopify/Customer/7064055069', marketingConsent: false },
      },
    ]);
    const subscribed = accepted(
      translate(
        withPayload('customers-email-marketing-consent-update.json', (p) => ({
          ...p,
          customer_id: 7064055069,
          email_marketing_consent: { state: 'subscribed', consent_updated_at: '2026-03-01T12:00:00Z' },
        })),
      ),
    );
    expect(subscribed.events[0]).toMatchObject({
      time: '2026-03-01T12:00:00Z',
      detail: { marketingConsent: true },
    });
  });

  it('customers_marketing_consent/update (SMS consent) is ignored with the reason', () => {
    const t = accepted(translate(envelope('customers-marketing-consent-update.json')));
    expect(t.events).toEqual([]);
    expect(t.ignored).toMatch(/SMS consent/);
  });

  it('customers/delete → customer.deleted at the triggered time', () => {
    const t = accepted(translate(envelope('customers-delete.json')));
    expect(t.events).toEqual([
      { detailType: 'customer.deleted', time: TRIGGERED, detail: { customerId: BOB } },
    ]);
  });

  it('customers/redact → customer.deleted, the numeric customer.id in the same gid form as elsewhere', () => {
    const t = accepted(translate(envelope('customers-redact.json')));
    expect(t.events).toEqual([
      {
        detailType: 'customer.deleted',
        time: TRIGGERED,
        detail: { customerId: 'gid://shopify/Customer/191167' },
      },
    ]);
  });

  it('orders/create → order.placed (gid ids, money strings, SKUs, names) + consent true from buyer_accepts_marketing, and the order → customer item', () => {
    const t = accepted(translate(envelope('orders-create.json')));
    expect(t.events).toEqual([
      {
        detailType: 'order.placed',
        time: SAMPLE_TIME,
        detail: {
          orderId: ORDER,
          customerId: JOHN,
          placedAt: SAMPLE_TIME,
          total: { amount: '404.95', currency: 'USD' },
          items: ITEMS,
        },
      },
      {
        detailType: 'customer.consent.changed',
        time: SAMPLE_TIME,
        detail: { customerId: JOHN, marketingConsent: true },
      },
    ]);
    expect(t.orders).toEqual([{ orderId: ORDER, customerId: JOHN }]);
  });

  it('orders/paid → the same order.placed as orders/create: same orderId, identical detail', () => {
    const created = accepted(translate(envelope('orders-create.json')));
    const paid = accepted(translate(envelope('orders-paid.json')));
    expect(paid.topic).toBe('orders/paid');
    expect(paid.deliveryId).not.toBe(created.deliveryId);
    expect(paid.events).toEqual(created.events);
    expect(paid.orders).toEqual(created.orders);
  });

  it('orders: buyer_accepts_marketing false is no withdrawal; a guest checkout is ignored; a discount code is kept', () => {
    const declined = accepted(
      translate(
        withPayload('orders-create.json', (p) => ({
          ...p,
          buyer_accepts_marketing: false,
          discount_codes: [{ code: 'WELCOME10', amount: '10.00', type: 'percentage' }],
        })),
      ),
    );
    expect(declined.events.map((e) => e.detailType)).toEqual(['order.placed']);
    expect(declined.events[0]?.detail).toMatchObject({ discountCode: 'WELCOME10' });
    const guest = accepted(translate(withPayload('orders-create.json', (p) => ({ ...p, customer: null }))));
    expect(guest.events).toEqual([]);
    expect(guest.orders).toEqual([]);
    expect(guest.ignored).toMatch(/guest checkout/);
  });

  it('orders: a long product title is cut to the limit, a missing SKU falls back to an exact id', () => {
    const t = accepted(
      translate(
        withPayload('orders-create.json', (p) => {
          const lines = p.line_items as Record<string, unknown>[];
          lines[0] = { ...lines[0], name: 'x'.repeat(5000), sku: null };
          lines[1] = { ...lines[1], sku: '', variant_id: 44 };
          return p;
        }),
      ),
    );
    const items = t.events[0]?.detail.items as { sku: string; name: string }[];
    expect(items[0]).toMatchObject({
      sku: 'gid://shopify/LineItem/487817672276298554',
      name: 'x'.repeat(200),
    });
    expect(items[1]?.sku).toBe('44');
  });

  it('orders/fulfilled is ignored: fulfilled is not delivered', () => {
    const t = accepted(translate(envelope('orders-fulfilled.json')));
    expect(t.events).toEqual([]);
    expect(t.ignored).toMatch(/not delivered/);
  });

  it('fulfillments/create: the sample (shipment_status null) is ignored; delivered gives order.delivered with customerOf', () => {
    const sample = accepted(translate(envelope('fulfillments-create.json')));
    expect(sample.events).toEqual([]);
    expect(sample.ignored).toMatch(/shipment_status is not set/);
    const inTransit = accepted(
      translate(withPayload('fulfillments-create.json', (p) => ({ ...p, shipment_status: 'in_transit' }))),
    );
    expect(inTransit.ignored).toMatch(/"in_transit", not "delivered"/);
    // The sample's order_id exceeds 2^53 and a fulfillment carries no order gid: rejected.
    const unsafe = rejectedErrors(
      translate(withPayload('fulfillments-create.json', (p) => ({ ...p, shipment_status: 'delivered' }))),
    );
    expect(unsafe).toEqual([expect.stringMatching(/^payload\.order_id: .*cannot be represented exactly/)]);
    const t = accepted(
      translate(
        withPayload('fulfillments-create.json', (p) => ({
          ...p,
          order_id: 820982911,
          shipment_status: 'delivered',
          updated_at: '2026-03-05T14:30:00+01:00',
        })),
      ),
    );
    expect(t.events).toEqual([
      {
        detailType: 'order.delivered',
        time: '2026-03-05T13:30:00Z',
        detail: { orderId: 'gid://shopify/Order/820982911', deliveredAt: '2026-03-05T13:30:00Z' },
        customerOf: 'gid://shopify/Order/820982911',
      },
    ]);
  });

  it('refunds/create: the sample is rejected (order_id > 2^53, no gid); with a safe order id it is 75.00 + 10.00 = 85.00 USD', () => {
    const errors = rejectedErrors(translate(envelope('refunds-create.json')));
    expect(errors).toEqual([expect.stringMatching(/^payload\.order_id: .*cannot be represented exactly/)]);
    const t = accepted(translate(withPayload('refunds-create.json', (p) => ({ ...p, order_id: 820982911 }))));
    expect(t.events).toEqual([
      {
        detailType: 'order.refunded',
        time: SAMPLE_TIME,
        detail: { orderId: 'gid://shopify/Order/820982911', amount: { amount: '85.00', currency: 'USD' } },
        customerOf: 'gid://shopify/Order/820982911',
      },
    ]);
    expect(t.orders).toEqual([]);
  });
});

describe('Shopify ids: exact or rejected', () => {
  const cases = [
    ['customers-create.json', (p: Record<string, unknown>) => p, 'payload'],
    ['customers-update.json', (p: Record<string, unknown>) => p, 'payload'],
    ['customers-delete.json', (p: Record<string, unknown>) => p, 'payload'],
    ['orders-create.json', (p: Record<string, unknown>) => p, 'payload'],
    [
      'orders-create.json',
      (p: Record<string, unknown>) => p.customer as Record<string, unknown>,
      'payload.customer',
    ],
  ] as const;

  it.each(cases)(
    '%s without %s.admin_graphql_api_id (id > 2^53) is rejected naming the field; a safe id maps',
    (name, at, field) => {
      const unsafe = rejectedErrors(
        translate(
          withPayload(name, (p) => {
            delete at(p).admin_graphql_api_id;
            return p;
          }),
        ),
      );
      expect(unsafe).toEqual([
        expect.stringMatching(
          new RegExp(
            `^${field.replace('.', '\\.')}\\.id: \\d+ cannot be represented exactly.*${field.replace('.', '\\.')}\\.admin_graphql_api_id is missing`,
          ),
        ),
      ]);
      const safe = accepted(
        translate(
          withPayload(name, (p) => {
            delete at(p).admin_graphql_api_id;
            at(p).id = 6073108234;
            return p;
          }),
        ),
      );
      expect(JSON.stringify(safe.events)).toMatch(/gid:\/\/shopify\/(Customer|Order)\/6073108234"/);
    },
  );

  it('a gid of the wrong kind, or a numeric id that contradicts the gid, is rejected', () => {
    expect(
      rejectedErrors(
        translate(withPayload('customers-create.json', (p) => ({ ...p, admin_graphql_api_id: ORDER }))),
      ),
    ).toEqual([
      expect.stringMatching(/^payload\.admin_graphql_api_id: .* is not a gid:\/\/shopify\/Customer\/… id/),
    ]);
    expect(
      rejectedErrors(translate(withPayload('customers-create.json', (p) => ({ ...p, id: 12345 })))),
    ).toEqual([expect.stringMatching(/^payload\.id: 12345 does not match payload\.admin_graphql_api_id/)]);
  });
});

describe('Shopify refunds: the exact decimal sum of successful refund transactions', () => {
  const refund = (transactions: unknown[]) =>
    translate(withPayload('refunds-create.json', (p) => ({ ...p, order_id: 5550001, transactions })));
  const tx = (amount: unknown, status = 'success', kind = 'refund', currency: unknown = 'EUR') => ({
    kind,
    status,
    amount,
    currency,
  });

  it('"0.10" + "0.20" = "0.30" (not 0.30000000000000004)', () => {
    const t = accepted(refund([tx('0.10'), tx('0.20')]));
    expect(t.events[0]?.detail.amount).toEqual({ amount: '0.30', currency: 'EUR' });
  });

  it('a failed transaction and a non-refund kind are excluded', () => {
    const t = accepted(
      refund([tx('0.10'), tx('0.50', 'failure'), tx('0.20'), tx('7.00', 'success', 'sale')]),
    );
    expect(t.events[0]?.detail.amount).toEqual({ amount: '0.30', currency: 'EUR' });
  });

  it('without a transaction currency the refund presentment money gives it; mixed currencies leave the amount out', () => {
    const fallback = accepted(refund([tx('1.5', 'success', 'refund', null)]));
    expect(fallback.events[0]?.detail.amount).toEqual({ amount: '1.5', currency: 'USD' });
    const mixed = accepted(refund([tx('1.00'), tx('2.00', 'success', 'refund', 'USD')]));
    expect(mixed.events[0]?.detail).toEqual({ orderId: 'gid://shopify/Order/5550001' });
  });

  it('no successful refund transaction: ignored; an unusable amount: rejected naming it', () => {
    expect(accepted(refund([tx('3.00', 'failure')])).ignored).toMatch(/no successful refund transaction/);
    expect(rejectedErrors(refund([tx('0.10'), tx('-5')]))).toEqual([
      expect.stringMatching(/^payload\.transactions\.1\.amount: "-5" is not a non-negative decimal amount/),
    ]);
  });
});

describe('Shopify envelope and topic table', () => {
  it('every documented topic is handled (none falls through to "not a topic this connector maps")', () => {
    for (const topic of Object.keys(SHOPIFY_TOPICS)) {
      const input = envelope('customers-create.json');
      input.detail.metadata['X-Shopify-Topic'] = topic;
      const result = translate(input);
      const ignored = result.ok ? (result.translation.ignored ?? '') : '';
      expect(ignored, topic).not.toMatch(/not a topic this connector maps/);
    }
    const unknown = envelope('customers-create.json');
    unknown.detail.metadata['X-Shopify-Topic'] = 'products/create';
    expect(accepted(translate(unknown)).ignored).toMatch(
      /^products\/create: not a topic this connector maps/,
    );
  });

  it('the table says what each topic becomes, and every sample topic is in it', () => {
    for (const name of fixtureNames()) {
      const topic = envelope(name).detail.metadata['X-Shopify-Topic'] as string;
      expect(Object.keys(SHOPIFY_TOPICS), name).toContain(topic);
      const result = translate(envelope(name));
      if (result.ok)
        for (const event of result.translation.events)
          expect(SHOPIFY_TOPICS[topic]?.becomes).toContain(event.detailType);
    }
  });

  it('header names are case-insensitive', () => {
    const input = envelope('customers-delete.json');
    input.detail.metadata = { 'x-shopify-topic': 'customers/delete', 'X-SHOPIFY-WEBHOOK-ID': 'abc-1' };
    const t = accepted(translate(input));
    expect(t).toMatchObject({ topic: 'customers/delete', deliveryId: 'abc-1' });
    // Without the triggered-at header the envelope's time is the event time.
    expect(t.events[0]?.time).toBe('2026-03-02T08:00:00Z');
  });

  it('rejects a wrong detail-type, a missing payload, missing topic or webhook id, each naming the field', () => {
    const base = envelope('customers-delete.json');
    expect(rejectedErrors(translate({ ...base, detailType: 'order.placed' }))).toEqual([
      expect.stringMatching(/^detail-type: "order.placed" is not shopifyWebhook/),
    ]);
    expect(rejectedErrors(translate({ ...base, detail: [] }))).toEqual(['detail: must be a JSON object']);
    expect(
      rejectedErrors(translate({ ...base, detail: { metadata: base.detail.metadata, payload: 'x' } })),
    ).toEqual([expect.stringMatching(/^detail\.payload: must be a JSON object/)]);
    const result = translate({
      ...base,
      detail: { payload: base.detail.payload, metadata: { 'X-Shopify-Topic': 'customers/delete' } },
    });
    expect(rejectedErrors(result)).toEqual([
      expect.stringMatching(/^detail\.metadata\.X-Shopify-Webhook-Id: required/),
    ]);
    expect(result).toMatchObject({ platform: 'shopify', topic: 'customers/delete' });
    expect(rejectedErrors(translate({ ...base, detail: { payload: {} } }))).toEqual([
      expect.stringMatching(/^detail\.metadata: must be a JSON object/),
    ]);
  });

  it('the defaults come from the settings it is given', () => {
    const raw = envelope('customers-create.json');
    const result = translateShopify(raw, { defaultLocale: 'en-GB', defaultTimeZone: 'America/Toronto' });
    expect(accepted(result).events[0]?.detail).toMatchObject({
      locale: 'en-GB',
      timeZone: 'America/Toronto',
    });
  });
});
