/**
 * Hostile WooCommerce deliveries (issue 10, "zero crashes; every case mapped or rejected with a
 * reason"): arbitrary bodies and headers, invalid JSON, `__proto__` keys, numbers beyond 2^53, deep
 * nesting, and the documented fixtures with one value replaced anywhere in them.
 */
import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { translateWooCommerce, verifyWooCommerce } from '../../../functions/connectors/woocommerce/index.ts';
import { expectMappedOrRejected, nested, paths, replaced } from '../../support/fuzz-json.ts';

const SETTINGS = { defaultLocale: 'de-DE', defaultTimeZone: 'Europe/Berlin' };
const FIXTURES = [
  ['customer-created.json', 'customer.created'],
  ['customer-created-meta.json', 'customer.created'],
  ['customer-updated.json', 'customer.updated'],
  ['customer-deleted.json', 'customer.deleted'],
  ['order-created-customer.json', 'order.created'],
  ['order-723-completed-refunded.json', 'order.updated'],
  ['order-pending.json', 'order.updated'],
].map(([file, topic]) => ({
  topic: topic as string,
  json: JSON.parse(
    readFileSync(new URL(`../../fixtures/woocommerce/${file}`, import.meta.url), 'utf8'),
  ) as unknown,
}));
const TOPICS = ['customer.created', 'customer.updated', 'customer.deleted', 'order.created', 'order.updated'];

const hostileValue = fc.oneof(
  fc.anything(),
  fc.constantFrom(
    2 ** 53 + 2,
    1e308,
    -1,
    0,
    '',
    '-10.00',
    '-0',
    'processing',
    'completed',
    'refunded',
    '1e3',
    'NaN',
    'x'.repeat(5000),
    null,
    [],
    {},
  ),
  fc.constant(JSON.parse('{"__proto__":{"polluted":true},"constructor":{"prototype":{"x":1}}}')),
  fc.constant(JSON.parse(nested(2000))),
);

const mutatedFixture = fc
  .record({
    index: fc.nat(FIXTURES.length - 1),
    pick: fc.nat(),
    value: hostileValue,
    topic: fc.option(fc.constantFrom(...TOPICS)),
  })
  .map(({ index, pick, value, topic }) => {
    const fixture = FIXTURES[index] as (typeof FIXTURES)[number];
    const all = paths(fixture.json);
    const path = all[pick % all.length] ?? [];
    return {
      body: JSON.stringify(replaced(fixture.json, path, value)) ?? 'null',
      topic: topic ?? fixture.topic,
    };
  });

const arbitraryBody = fc.oneof(
  fc.string(),
  fc.json(),
  fc.constantFrom(
    '{"id": 123456789012345678901234567890, "customer_id": 1e400}',
    '{"__proto__": {"status": "completed"}, "id": 1}',
    `{"id":1,"status":"completed","customer_id":2,"currency":"EUR","total":"1","line_items":${nested(5000)}}`,
    'webhook_id=12',
    'webhook_id=abc',
    '',
    '\uFFFF\u0000',
  ),
);

const deliveries = fc.record({
  body: fc.oneof(
    arbitraryBody,
    mutatedFixture.map((m) => m.body),
  ),
  topic: fc.option(fc.oneof(fc.constantFrom(...TOPICS), fc.string())),
  deliveryId: fc.option(fc.oneof(fc.stringMatching(/^[0-9a-f]{32}$/), fc.string({ maxLength: 300 }))),
  extra: fc.dictionary(fc.string(), fc.oneof(fc.string(), fc.constant(undefined))),
  receivedAt: fc.option(fc.constantFrom('2026-12-01T08:00:00Z', 'yesterday')),
});

describe('WooCommerce connector under hostile input (seeded)', () => {
  it('never throws: every delivery is mapped (events pass the contract) or rejected with field: problem', () => {
    const tally = { ok: 0, events: 0, rejected: 0 };
    fc.assert(
      fc.property(deliveries, ({ body, topic, deliveryId, extra, receivedAt }) => {
        const headers: Record<string, string | undefined> = { ...extra };
        if (topic !== null) headers['X-WC-Webhook-Topic'] = topic;
        if (deliveryId !== null) headers['X-WC-Webhook-Delivery-ID'] = deliveryId;
        const result = translateWooCommerce(body, headers, SETTINGS, receivedAt ?? undefined);
        expectMappedOrRejected(result);
        expect(verifyWooCommerce(body, headers, 'secret')).toBe(false);
        if (result.ok) {
          tally.ok += 1;
          tally.events += result.translation.events.length;
        } else tally.rejected += 1;
      }),
      { seed: 42, numRuns: 1000 },
    );
    // Not vacuous: the run reaches both outcomes and emits events.
    expect(tally.ok).toBeGreaterThan(50);
    expect(tally.rejected).toBeGreaterThan(50);
    expect(tally.events).toBeGreaterThan(50);
  });

  it('mutated documented fixtures with the right headers: mapped or rejected, never thrown', () => {
    let events = 0;
    fc.assert(
      fc.property(mutatedFixture, ({ body, topic }) => {
        const result = translateWooCommerce(
          body,
          { 'X-WC-Webhook-Topic': topic, 'X-WC-Webhook-Delivery-ID': 'd1' },
          SETTINGS,
          '2026-12-01T08:00:00Z',
        );
        expectMappedOrRejected(result);
        if (result.ok) events += result.translation.events.length;
      }),
      { seed: 42, numRuns: 1000 },
    );
    expect(events).toBeGreaterThan(300);
  });
});
