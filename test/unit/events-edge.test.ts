/**
 * The input edge in the pure core: parseShopEvent never throws, looks schemas up without prototype
 * keys, enforces the size limits and the future-time rule, and names the field and the rule.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  JOURNEY_EVENT_TYPES,
  LIMITS,
  parseShopEvent,
  type RawEvent,
  SYSTEM_SOURCE,
} from '../../functions/core/events.ts';

const NOW = '2026-03-02T08:00:00Z';
const raw = (detailType: string, detail: unknown, time = NOW, source = 'shop'): RawEvent => ({
  id: 'evt-1',
  source,
  detailType,
  time,
  detail,
});
const order = (overrides: Record<string, unknown> = {}) => ({
  orderId: 'o1',
  customerId: 'c1',
  placedAt: NOW,
  total: { amount: '10.00', currency: 'EUR' },
  ...overrides,
});
const errorsOf = (event: RawEvent) => {
  const result = parseShopEvent(event, { now: NOW });
  return result.ok ? [] : result.errors;
};

describe('parseShopEvent never throws', () => {
  it('for any detail-type, source, time and JSON detail', () => {
    const detailType = fc.oneof(
      fc.constantFrom(...JOURNEY_EVENT_TYPES, 'constructor', '__proto__', 'toString', 'valueOf'),
      fc.string(),
    );
    fc.assert(
      fc.property(
        detailType,
        fc.constantFrom('shop', SYSTEM_SOURCE, ''),
        fc.string(),
        fc.jsonValue(),
        (type, source, time, detail) => {
          const result = parseShopEvent(raw(type, detail, time, source), { now: NOW });
          return result.ok || result.errors.every((e) => /^[^:]+: /.test(e));
        },
      ),
      { seed: 42, numRuns: 500 },
    );
  });

  it.each(['constructor', 'toString', '__proto__', 'hasOwnProperty', 'valueOf'])(
    'detail-type %s is no event of either contract',
    (type) => {
      expect(errorsOf(raw(type, { customerId: 'c1' }))).toEqual([
        expect.stringMatching(/^detail-type: ".+" is not a shop event; expected one of customer\.registered/),
      ]);
      expect(errorsOf(raw(type, { customerId: 'c1' }, NOW, SYSTEM_SOURCE))).toEqual([
        expect.stringMatching(/is not a system event; expected one of referral\.attributed/),
      ]);
    },
  );
});

describe('size limits, each named with its field and limit', () => {
  it.each<[string, Record<string, unknown>, RegExp]>([
    [
      'discountCode',
      order({ discountCode: 'X'.repeat(65) }),
      /^discountCode: must be at most 64 characters$/,
    ],
    [
      'items',
      order({ items: Array.from({ length: 101 }, () => ({ sku: 's', quantity: 1 })) }),
      /^items: must be at most 100 items$/,
    ],
    ['sku', order({ items: [{ sku: 's'.repeat(101), quantity: 1 }] }), /^items\.0\.sku: must be at most 100/],
    ['item name', order({ items: [{ sku: 's', name: 'n'.repeat(201), quantity: 1 }] }), /^items\.0\.name: /],
    [
      'quantity beyond safe integers',
      order({ items: [{ sku: 's', quantity: 2 ** 60 }] }),
      /^items\.0\.quantity: /,
    ],
  ])('%s', (_, detail, error) => {
    expect(errorsOf(raw('order.placed', detail))).toEqual([expect.stringMatching(error)]);
  });

  it('email: 254 characters pass, 255 do not (RFC 5321)', () => {
    const registration = (email: string) => ({
      customerId: 'c1',
      email,
      locale: 'en',
      marketingConsent: true,
    });
    const at = (n: number) => `${'e'.repeat(n - '@example.de'.length)}@example.de`;
    expect(errorsOf(raw('customer.registered', registration(at(254))))).toEqual([]);
    expect(errorsOf(raw('customer.registered', registration(at(255))))).toEqual([
      'email: must be at most 254 characters (RFC 5321)',
    ]);
  });

  it('the whole detail: at most 256 KB as JSON, checked before the schema', () => {
    const detail = order({ padding: 'p'.repeat(LIMITS.detailBytes) });
    expect(errorsOf(raw('order.placed', detail))).toEqual([
      expect.stringMatching(/^\(detail\): is \d+ bytes; at most 262144 bytes \(256 KB/),
    ]);
  });

  it('a flood of issues is reported by its first 20', () => {
    const items = Array.from({ length: 100 }, () => ({ sku: '', quantity: 0 }));
    const errors = errorsOf(raw('order.placed', order({ items })));
    expect(errors).toHaveLength(21);
    expect(errors[20]).toBe('… and 180 more errors');
  });

  it('an accepted event holds only the contract fields (unknown ones, __proto__ included, are dropped)', () => {
    const detail = JSON.parse(
      '{"customerId":"c1","marketingConsent":false,"__proto__":{"x":1},"big":1e300,"deep":[[[[[[1]]]]]]}',
    );
    const result = parseShopEvent(raw('customer.consent.changed', detail), { now: NOW });
    expect(result.ok && result.event.detail).toEqual({ customerId: 'c1', marketingConsent: false });
  });
});

describe('the envelope', () => {
  it.each<[string, Partial<RawEvent>, RegExp]>([
    ['an empty id', { id: '' }, /^id: must be an event id of 1 to 200 characters$/],
    ['a time that is no timestamp', { time: 'yesterday' }, /^time: must be an ISO 8601 timestamp/],
    ['a detail that is a list', { detail: [] }, /^\(detail\): must be a JSON object$/],
    ['a detail that is null', { detail: null }, /^\(detail\): must be a JSON object$/],
  ])('%s is rejected', (_, change, error) => {
    expect(errorsOf({ ...raw('customer.deleted', { customerId: 'c1' }), ...change })).toEqual([
      expect.stringMatching(error),
    ]);
  });
});

describe(`timestamps at most ${LIMITS.futureMinutes} minutes ahead of the receiving clock`, () => {
  const rule = /more than 5 minutes in the future \(rule: timestamps may lie at most 5 minutes ahead/;

  it('the envelope time: 5 minutes ahead passes, 5 minutes and 1 second does not', () => {
    const event = raw('customer.deleted', { customerId: 'c1' }, '2026-03-02T08:05:00Z');
    expect(errorsOf(event)).toEqual([]);
    expect(errorsOf({ ...event, time: '2026-03-02T08:05:01Z' })).toEqual([
      expect.stringMatching(/^time: 2026-03-02T08:05:01Z is more than 5 minutes in the future/),
    ]);
  });

  it.each<[string, string, Record<string, unknown>]>([
    ['placedAt', 'order.placed', order({ placedAt: '9999-12-31T00:00:00Z' })],
    [
      'deliveredAt',
      'order.delivered',
      { orderId: 'o1', customerId: 'c1', deliveredAt: '2026-03-02T10:00:00+01:00' },
    ],
    [
      'registeredAt',
      'customer.registered',
      {
        customerId: 'c1',
        email: 'a@b.de',
        locale: 'en',
        marketingConsent: true,
        registeredAt: '2027-01-01T00:00:00Z',
      },
    ],
  ])('%s is checked too, with the offset taken into account', (field, type, detail) => {
    expect(errorsOf(raw(type, detail))).toEqual([expect.stringMatching(new RegExp(`^${field}: `))]);
    expect(errorsOf(raw(type, detail))[0]).toMatch(rule);
  });

  it('without a clock (engine tests replaying history) nothing is in the future', () => {
    const result = parseShopEvent(raw('order.placed', order({ placedAt: '2030-01-01T00:00:00Z' })));
    expect(result.ok).toBe(true);
  });
});
