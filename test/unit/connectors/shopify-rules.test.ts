/**
 * The Shopify mapping's rules beyond the samples: exact ids, exact refund sums, the envelope, and the
 * topic table the README documents.
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

const ORDER = 'gid://shopify/Order/820982911946154508';

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

describe('Shopify orders: every problem named at once', () => {
  it('a bad total and a bad currency and a bad line item are all reported', () => {
    const errors = rejectedErrors(
      translate(
        withPayload('orders-create.json', (p) => {
          (p.line_items as Record<string, unknown>[])[2] = { quantity: 0, price: 'free' };
          return { ...p, total_price: '-1', currency: 'EURO' };
        }),
      ),
    );
    expect(errors).toEqual([
      expect.stringMatching(/^payload\.currency: "EURO" is not an ISO 4217 currency code/),
      expect.stringMatching(/^payload\.total_price: "-1" is not a non-negative decimal amount/),
    ]);
    const items = rejectedErrors(
      translate(
        withPayload('orders-create.json', (p) => {
          (p.line_items as Record<string, unknown>[])[2] = { quantity: 0, price: 'free' };
          return p;
        }),
      ),
    );
    expect(items).toEqual([
      expect.stringMatching(/^payload\.line_items\.2\.sku: required/),
      'payload.line_items.2.quantity: must be a whole number of at least 1',
      expect.stringMatching(/^payload\.line_items\.2\.price: "free" is not a non-negative decimal amount/),
    ]);
  });
});
