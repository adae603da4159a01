/**
 * The Shopify mapping against Shopify's documented sample payloads (API 2026-07) in the partner
 * envelope: what each sample becomes, exactly, and that every emitted event passes the contract.
 */
import { describe, expect, it } from 'vitest';
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

  it('orders/create → the order customer_locale, order.placed (gid ids, money strings, SKUs, names) + consent true from buyer_accepts_marketing, and the order → customer item', () => {
    const t = accepted(translate(envelope('orders-create.json')));
    expect(t.events).toEqual([
      {
        detailType: 'customer.updated',
        time: SAMPLE_TIME,
        detail: { customerId: JOHN, locale: 'en' },
      },
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
    expect(declined.events.map((e) => e.detailType)).toEqual(['customer.updated', 'order.placed']);
    expect(declined.events[1]?.detail).toMatchObject({ discountCode: 'WELCOME10' });
    const noLocale = accepted(
      translate(withPayload('orders-create.json', (p) => ({ ...p, customer_locale: 'not a locale!' }))),
    );
    expect(noLocale.events.map((e) => e.detailType)).toEqual(['order.placed', 'customer.consent.changed']);
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
    const items = t.events.find((e) => e.detailType === 'order.placed')?.detail.items as {
      sku: string;
      name: string;
    }[];
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
