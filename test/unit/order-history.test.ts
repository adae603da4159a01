/**
 * What decisions keep of a customer's orders (functions/core/order-history.ts): aggregates that count
 * every placement once, recent orders cut to what the journeys can look at, and counts at a business
 * moment that agree with the whole history.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { buildCatalog } from '../../functions/catalog/build.ts';
import { compiledJourneys } from '../../functions/catalog/catalog.ts';
import { ordersPlacedBy, placedCountBy } from '../../functions/core/conditions.ts';
import type { Order } from '../../functions/core/model.ts';
import {
  addDecimal,
  emptySummary,
  LATENESS_MARGIN_MS,
  mayBeBeyondRecent,
  type OrderRetention,
  orderRetention,
  recordOrder,
  summariseOrders,
} from '../../functions/core/order-history.ts';

const DAY = 86_400_000;
const iso = (ms: number) => new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
const start = Date.parse('2024-01-01T09:00:00Z');
const retention: OrderRetention = { horizonMs: 90 * DAY, keep: 8 };

const weekly = (n: number): Order[] =>
  Array.from({ length: n }, (_, i) => ({
    orderId: `o${i + 1}`,
    placedAt: iso(start + i * 7 * DAY),
    total: { amount: '24.90', currency: 'EUR' },
  }));

describe('order summary', () => {
  it('counts a placement once however often it is told, and a delivery or refund not at all', () => {
    // Arrange
    const [order] = weekly(1) as [Order];
    // Act
    let summary = recordOrder(emptySummary(), order, false, retention);
    summary = recordOrder(summary, order, true, retention);
    // The projection hands over the order as it is after the event (core/profile.ts).
    const delivered = { ...order, deliveredAt: iso(start + 2 * DAY) };
    summary = recordOrder(summary, delivered, true, retention);
    summary = recordOrder(summary, { ...delivered, refundedAt: iso(start + 3 * DAY) }, true, retention);
    // Assess
    expect(summary.count).toBe(1);
    expect(summary.revenue).toEqual({ EUR: '24.90' });
    expect(summary.recent).toEqual([
      { ...order, deliveredAt: iso(start + 2 * DAY), refundedAt: iso(start + 3 * DAY) },
    ]);
  });

  it('keeps 400 weekly orders to the horizon and the cap, with all of them counted', () => {
    // Act
    const summary = summariseOrders(weekly(400), retention);
    // Assess
    expect(summary.count).toBe(400);
    expect(summary.recent.map((o) => o.orderId)).toEqual([
      'o393',
      'o394',
      'o395',
      'o396',
      'o397',
      'o398',
      'o399',
      'o400',
    ]);
    expect(summary.evictedUpTo).toBe(weekly(392)[391]?.placedAt);
    expect(summary.firstPlacedAt).toBe(iso(start));
    expect(summary.lastPlacedAt).toBe(iso(start + 399 * 7 * DAY));
    expect(summary.revenue).toEqual({ EUR: '9960.00' });
  });

  it('adds money exactly, per currency, and takes the newest order’s currency', () => {
    // Act
    let summary = emptySummary();
    const orders: Order[] = [
      { orderId: 'a', placedAt: iso(start), total: { amount: '0.10', currency: 'EUR' } },
      { orderId: 'b', placedAt: iso(start + DAY), total: { amount: '0.20', currency: 'EUR' } },
      { orderId: 'c', placedAt: iso(start - DAY), total: { amount: '1000', currency: 'JPY' } },
    ];
    for (const o of orders) summary = recordOrder(summary, o, false, retention);
    // Assess
    expect(summary.revenue).toEqual({ EUR: '0.30', JPY: '1000.00' });
    expect(summary.lastCurrency).toBe('EUR');
    expect(addDecimal('19.995', '0.005')).toBe('20.00');
    expect(addDecimal('-5.50', '2.25')).toBe('-3.25');
  });

  it('keeps orders not placed yet (a delivery told first) until their placement', () => {
    // Act
    const summary = recordOrder(
      summariseOrders(weekly(30), retention),
      { orderId: 'early', deliveredAt: iso(start) },
      false,
      retention,
    );
    // Assess
    expect(summary.recent.at(-1)).toEqual({ orderId: 'early', deliveredAt: iso(start) });
    expect(summary.count).toBe(30);
  });

  it('reads an order by id only when the summary may have let it go', () => {
    // Arrange
    const few = summariseOrders(weekly(3), retention);
    const many = summariseOrders(weekly(30), retention);
    // Assess
    expect(mayBeBeyondRecent(few, 'o1')).toBe(false);
    expect(mayBeBeyondRecent(few, 'unknown')).toBe(false);
    expect(mayBeBeyondRecent(many, 'o30')).toBe(false);
    expect(mayBeBeyondRecent(many, 'o2')).toBe(true);
    expect(mayBeBeyondRecent(many, 'new', iso(start + 400 * 7 * DAY))).toBe(false);
    expect(mayBeBeyondRecent(many, 'old', iso(start))).toBe(true);
  });

  it('counts orders placed by any moment from the newest let go on as the whole history does', () => {
    fc.assert(
      fc.property(
        fc.array(fc.record({ day: fc.integer({ min: 0, max: 900 }), told: fc.integer({ min: 1, max: 3 }) }), {
          maxLength: 80,
        }),
        fc.integer({ min: 0, max: 1000 }),
        (placements, atDay) => {
          // Arrange: orders told in arrival order, some twice or three times
          const orders = placements.map((p, i) => ({
            orderId: `o${i}`,
            placedAt: iso(start + p.day * DAY),
          }));
          let summary = emptySummary();
          const seen = new Set<string>();
          for (const [i, order] of orders.entries()) {
            for (let t = 0; t < (placements[i]?.told ?? 1); t++) {
              summary = recordOrder(summary, order, seen.has(order.orderId), retention);
              seen.add(order.orderId);
            }
          }
          const at = iso(start + atDay * DAY);
          fc.pre(!summary.evictedUpTo || Date.parse(at) >= Date.parse(summary.evictedUpTo));
          // Act / Assess
          expect(placedCountBy(summary.recent, summary, at)).toBe(ordersPlacedBy(orders, at).length);
          expect(summary.count).toBe(orders.length);
          expect(summary.recent.length).toBeLessThanOrEqual(retention.keep);
        },
      ),
      { seed: 13, numRuns: 500 },
    );
  });
});

describe('order retention from the journeys', () => {
  it('reaches as far back as the shipped journeys look, plus the lateness margin', async () => {
    // Arrange
    const { catalog } = await buildCatalog(process.cwd(), { defaultLocale: 'en' });
    // Act
    const derived = orderRetention(compiledJourneys(catalog).values());
    // Assess: the referral journey waits up to 180 days for a first order, then 14 for its refund
    expect(derived.horizonMs).toBe((180 + 14) * DAY + LATENESS_MARGIN_MS);
    expect(derived.keep).toBeGreaterThanOrEqual(8);
  });
});
