/**
 * Hostile Shopware deliveries (issue 10, "zero crashes; every case mapped or rejected with a
 * reason"): arbitrary bodies and headers, invalid JSON, `__proto__` keys, numbers beyond 2^53, deep
 * nesting, and the documented fixtures with one value replaced anywhere in them.
 */
import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { translateShopware, verifyShopware } from '../../../functions/connectors/shopware/index.ts';
import { expectMappedOrRejected, nested, paths, replaced } from '../../support/fuzz-json.ts';

const SETTINGS = { defaultLocale: 'de-DE', defaultTimeZone: 'Europe/Berlin' };
const FIXTURES = [
  'product-written.json',
  'customer-register.json',
  'customer-deleted.json',
  'order-placed.json',
  'order-completed.json',
  'order-delivery-shipped.json',
  'order-transaction-refunded.json',
  'order-transaction-refunded-partially.json',
].map((file) => ({
  json: JSON.parse(
    readFileSync(new URL(`../../fixtures/shopware/${file}`, import.meta.url), 'utf8'),
  ) as unknown,
}));
const EVENTS = [
  'checkout.customer.register',
  'checkout.customer.deleted',
  'checkout.order.placed',
  'state_enter.order.state.completed',
  'state_enter.order_transaction.state.refunded',
  'state_enter.order_transaction.state.refunded_partially',
  'state_enter.order_delivery.state.shipped',
  '__proto__',
  'constructor',
  'toString',
];

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
    'checkout.order.placed',
    '0188f3a4b2c54f6e9d1a2b3c4d5e6f70',
    'EUR',
    49.90000000000001,
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
  .record({ index: fc.nat(FIXTURES.length - 1), pick: fc.nat(), value: hostileValue })
  .map(({ index, pick, value }) => {
    const fixture = FIXTURES[index] as (typeof FIXTURES)[number];
    const all = paths(fixture.json);
    const path = all[pick % all.length] ?? [];
    return JSON.stringify(replaced(fixture.json, path, value)) ?? 'null';
  });

/** A fixture with its event name replaced, so every mapper sees every entity. */
const swappedEvent = fc
  .record({ index: fc.nat(FIXTURES.length - 1), event: fc.constantFrom(...EVENTS) })
  .map(({ index, event }) => {
    const fixture = FIXTURES[index] as (typeof FIXTURES)[number];
    return JSON.stringify(replaced(fixture.json, ['data', 'event'], event));
  });

const arbitraryBody = fc.oneof(
  fc.string(),
  fc.json(),
  fc.constantFrom(
    '{"data":{"event":"checkout.order.placed","payload":{"order":{"id":1e400}}},"timestamp":123456789012345678901234567890}',
    '{"__proto__":{"data":{"event":"checkout.order.placed"}},"data":{"__proto__":{"event":"x"}}}',
    `{"data":{"event":"checkout.order.placed","payload":{"order":{"lineItems":${nested(5000)}}}}}`,
    '{"data":{"event":"checkout.customer.register","payload":{"__proto__":{"customer":{"id":"0188f3a4b2c54f6e9d1a2b3c4d5e6f70"}}}}}',
    '',
    '\uFFFF\u0000',
  ),
);

const deliveries = fc.record({
  body: fc.oneof(arbitraryBody, mutatedFixture, swappedEvent),
  headers: fc.dictionary(fc.string(), fc.oneof(fc.string(), fc.constant(undefined))),
  receivedAt: fc.option(fc.constantFrom('2026-12-01T08:00:00Z', 'yesterday')),
});

describe('Shopware connector under hostile input (seeded)', () => {
  it('never throws: every delivery is mapped (events pass the contract) or rejected with field: problem', () => {
    const tally = { ok: 0, events: 0, rejected: 0 };
    fc.assert(
      fc.property(deliveries, ({ body, headers, receivedAt }) => {
        const result = translateShopware(body, headers, SETTINGS, receivedAt ?? undefined);
        expectMappedOrRejected(result);
        expect(verifyShopware(body, headers, 'secret')).toBe(false);
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

  it('mutated fixtures and swapped event names: mapped or rejected, never thrown', () => {
    let events = 0;
    fc.assert(
      fc.property(fc.oneof(mutatedFixture, swappedEvent), (body) => {
        const result = translateShopware(body, {}, SETTINGS);
        expectMappedOrRejected(result);
        if (result.ok) events += result.translation.events.length;
      }),
      { seed: 42, numRuns: 1000 },
    );
    expect(events).toBeGreaterThan(300);
  });
});
