/**
 * The event contract's schemas are built when first read (functions/core/lazy-record.ts), so a
 * function builds only the schemas of the event types it parses.
 */
import { describe, expect, it } from 'vitest';
import {
  parseShopEvent,
  SHOP_EVENT_TYPES,
  shopEventSchemas,
  systemInputSchemas,
} from '../../functions/core/events.ts';
import { lazyRecord, ownValue, readersOf } from '../../functions/core/lazy-record.ts';
import { loyaltyEventSchemas } from '../../functions/core/loyalty/events.ts';

describe('lazyRecord', () => {
  it('builds a value on its first read only, once, and lists its keys without building any', () => {
    // Arrange
    const built: string[] = [];
    const record = lazyRecord({
      a: () => {
        built.push('a');
        return { n: 1 };
      },
      b: () => {
        built.push('b');
        return { n: 2 };
      },
    });
    // Act
    const keys = Object.keys(record);
    const first = record.a;
    const again = record.a;
    // Assess
    expect(keys).toEqual(['a', 'b']);
    expect(first).toEqual({ n: 1 });
    expect(again).toBe(first);
    expect(built).toEqual(['a']);
  });

  it("shares another record's values through readersOf: one schema per loyalty event type", () => {
    expect(systemInputSchemas['loyalty.points.earned']).toBe(loyaltyEventSchemas['loyalty.points.earned']);
    let builds = 0;
    const inner = lazyRecord({ a: () => ({ built: ++builds }) });
    const outer = lazyRecord({ ...readersOf(inner), b: () => 2 });
    expect(outer.a).toBe(inner.a);
    expect(builds).toBe(1);
  });

  it('answers own keys only', () => {
    const record = lazyRecord({ a: () => 1 });
    expect(ownValue(record, 'a')).toBe(1);
    expect(ownValue(record, 'constructor')).toBeUndefined();
    expect(ownValue(record, '__proto__')).toBeUndefined();
    expect(ownValue(record, 'toString')).toBeUndefined();
  });
});

describe('the event contract', () => {
  it('parses an event whose schema was never read before, and still lists every type', () => {
    // Arrange: a fresh read through parseShopEvent of a type no other test in this file touched.
    const raw = {
      id: 'e1',
      source: 'shop',
      detailType: 'order.delivered',
      time: '2026-03-02T09:00:00Z',
      detail: { orderId: 'o1', customerId: 'c1' },
    };
    // Act
    const result = parseShopEvent(raw);
    // Assess
    expect(result.ok).toBe(true);
    expect(Object.keys(shopEventSchemas)).toEqual(SHOP_EVENT_TYPES);
    expect(parseShopEvent({ ...raw, detailType: 'constructor' })).toEqual({
      ok: false,
      errors: [
        expect.stringContaining('"constructor" is not a shop event; expected one of customer.registered'),
      ],
    });
  });
});
