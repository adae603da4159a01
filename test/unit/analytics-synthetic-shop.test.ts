import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { writeBulkLog } from '../../analytics/synthetic/bulk-log.ts';
import { countedOrders, expectedKpis, periodsBetween } from '../../analytics/synthetic/expected-kpis.ts';
import { REDEEM_RATE, REDEEM_REWARD } from '../../analytics/synthetic/loyalty-behaviour.ts';
import {
  coin,
  instanceEntry,
  type ShopEvent,
  syntheticShop,
  trueUplift,
} from '../../analytics/synthetic/shop.ts';
import { analyticsRecordSchema, partitionOf } from '../../functions/analytics/record.ts';
import { parseShopEvent } from '../../functions/core/events.ts';
import { readSesEvent } from '../../functions/core/ses-event.ts';

const order = (
  customerId: string,
  orderId: string,
  placedAt: string,
  amount = '10.00',
  currency = 'EUR',
) => ({
  at: placedAt,
  detailType: 'order.placed',
  detail: { customerId, orderId, placedAt, total: { amount, currency } },
});

describe('expectedKpis (the second computation the recovery test compares against)', () => {
  it("reproduces the guides' worked example: 1,000 at start, 300 new, 1,100 at the end → CRR 80 %", () => {
    // Prepare: 200 customers whose only order falls out of the 365-day window during February (lost),
    // 800 who stay active, 300 whose first order is in February.
    const events: ShopEvent[] = [];
    for (let i = 0; i < 200; i++) events.push(order(`lost${i}`, 'o1', '2025-02-15T10:00:00.000Z'));
    for (let i = 0; i < 800; i++) events.push(order(`kept${i}`, 'o1', '2025-12-10T10:00:00.000Z'));
    for (let i = 0; i < 300; i++) events.push(order(`new${i}`, 'o1', '2026-02-10T10:00:00.000Z'));

    // Act
    const [feb] = expectedKpis(events, { from: '2026-02-01', to: '2026-03-01' });

    // Assess
    expect(feb).toMatchObject({
      customersAtStart: 1000,
      newCustomers: 300,
      lostCustomers: 200,
      reactivatedCustomers: 0,
      customersAtEnd: 1100,
      retentionRate: 0.8,
      churnRate: 0.2,
    });
  });

  it('counts orders unless fully refunded, per currency, with repeat rate, frequency, CLV and NPS', () => {
    const events: ShopEvent[] = [
      // a: active at start (December), two orders in March, one fully refunded → 1 counted.
      order('a', 'a0', '2026-02-20T10:00:00.000Z', '30.00'),
      order('a', 'a1', '2026-03-02T10:00:00.000Z', '20.00'),
      order('a', 'a2', '2026-03-05T10:00:00.000Z', '99.00'),
      {
        at: '2026-03-09T10:00:00.000Z',
        detailType: 'order.refunded',
        detail: { customerId: 'a', orderId: 'a2' },
      },
      // b: two partial refunds adding up to the total → not counted; a partial refund → still counted.
      order('b', 'b0', '2026-03-03T10:00:00.000Z', '40.00', 'GBP'),
      order('b', 'b1', '2026-03-04T10:00:00.000Z', '10.00', 'GBP'),
      {
        at: '2026-03-10T10:00:00.000Z',
        detailType: 'order.refunded',
        detail: { customerId: 'b', orderId: 'b1', amount: { amount: '4.00', currency: 'GBP' } },
      },
      {
        at: '2026-03-11T10:00:00.000Z',
        detailType: 'order.refunded',
        detail: { customerId: 'b', orderId: 'b1', amount: { amount: '6.00', currency: 'GBP' } },
      },
      {
        at: '2026-03-12T10:00:00.000Z',
        detailType: 'order.refunded',
        detail: { customerId: 'b', orderId: 'b0', amount: { amount: '5.00', currency: 'GBP' } },
      },
      // c: ordered once, 400 days before April: active at the start of March, lost by its end? No —
      // 2025-03-10 is within 365 days of 2026-03-01 and not of 2026-04-01.
      order('c', 'c0', '2025-03-10T10:00:00.000Z', '50.00'),
      // d: first order long ago (out of the window), back in March → reactivated.
      order('d', 'd0', '2024-06-01T10:00:00.000Z', '10.00'),
      order('d', 'd1', '2026-03-20T10:00:00.000Z', '11.00'),
      order('d', 'd2', '2026-03-21T10:00:00.000Z', '12.50'),
      // NPS: a re-submitted answer counts once (the latest), in the period of the latest; one answer
      // outside the period.
      {
        at: '2026-02-27T10:00:00.000Z',
        detailType: 'feedback.submitted',
        detail: { customerId: 'c', orderId: 'c0', score: 2 },
      },
      {
        at: '2026-03-07T10:00:00.000Z',
        detailType: 'feedback.submitted',
        detail: { customerId: 'c', orderId: 'c0', score: 9 },
      },
      {
        at: '2026-03-03T10:00:00.000Z',
        detailType: 'feedback.submitted',
        detail: { customerId: 'a', orderId: 'a1', score: 3 },
      },
      {
        at: '2026-03-04T10:00:00.000Z',
        detailType: 'feedback.submitted',
        detail: { customerId: 'a', orderId: 'a1', score: 10 },
      },
      {
        at: '2026-03-05T10:00:00.000Z',
        detailType: 'feedback.submitted',
        detail: { customerId: 'b', orderId: 'b0', score: 6 },
      },
      {
        at: '2026-03-06T10:00:00.000Z',
        detailType: 'feedback.submitted',
        detail: { customerId: 'd', orderId: 'd1', score: 8 },
      },
      {
        at: '2026-04-01T00:00:00.000Z',
        detailType: 'feedback.submitted',
        detail: { customerId: 'd', orderId: 'd2', score: 0 },
      },
    ];

    expect(countedOrders(events).map((o) => o.placedAt)).toHaveLength(7);
    const [feb, march] = expectedKpis(events, { from: '2026-02-01', to: '2026-04-01' });
    expect(feb).toMatchObject({ npsResponses: 0, nps: null });

    // Start: a (Feb order), c (2025-03-10) → S = 2. End: a, b, d → E = 3 (c's order aged out).
    expect(march).toMatchObject({
      customersAtStart: 2,
      customersAtEnd: 3,
      newCustomers: 1, // b
      reactivatedCustomers: 1, // d
      lostCustomers: 1, // c
      retentionRate: (3 - 1) / 2,
      churnRate: 0.5,
      orders: 4, // a1, b0, d1, d2
      repeatCustomerRate: 1 / 3, // d
      purchaseFrequency: 4 / 3,
      // b0's partial refund of 5.00 comes off its revenue.
      revenue: { EUR: 43.5, GBP: 35 },
      averageOrderValue: { EUR: 14.5, GBP: 35 },
      npsResponses: 4,
      promoters: 2,
      detractors: 1,
      nps: 25,
    });
    expect(march?.customerLifetimeValue.EUR).toBeCloseTo((14.5 * (4 / 3)) / 0.5, 10);
  });

  it('has one row per market after the whole shop, and no rates where nobody is there', () => {
    const events = [
      order('x', 'x0', '2026-01-10T10:00:00.000Z'),
      order('y', 'y0', '2026-02-10T10:00:00.000Z'),
    ];
    const rows = expectedKpis(events, {
      from: '2026-01-01',
      to: '2026-03-01',
      marketOf: new Map([
        ['x', 'DE'],
        ['y', 'GB'],
      ]),
    });
    expect(rows.map((r) => `${r.market ?? 'all'} ${r.start}`)).toEqual([
      'all 2026-01-01',
      'all 2026-02-01',
      'DE 2026-01-01',
      'DE 2026-02-01',
      'GB 2026-01-01',
      'GB 2026-02-01',
    ]);
    expect(rows[0]).toMatchObject({ customersAtStart: 0, retentionRate: null, churnRate: null, nps: null });
    expect(rows[5]).toMatchObject({ customersAtStart: 0, newCustomers: 1, customerLifetimeValue: {} });
    expect(periodsBetween('2026-01-01', '2027-01-01', 'quarter')).toHaveLength(4);
  });
});

describe('syntheticShop', () => {
  it('is the same shop for the same seed, another for another seed', () => {
    const a = syntheticShop({ customers: 50, seed: 3 });
    const b = syntheticShop({ customers: 50, seed: 3 });
    const c = syntheticShop({ customers: 50, seed: 4 });
    expect(b.scenario).toEqual(a.scenario);
    expect(c.scenario).not.toEqual(a.scenario);
  });

  it('emits only valid shop events, in time order inside the year, in several markets and currencies', () => {
    const shop = syntheticShop({ customers: 300, seed: 11 });
    const { events, start } = shop.scenario;
    for (const [i, e] of events.entries()) {
      const parsed = parseShopEvent({
        id: `e${i}`,
        source: e.source,
        detailType: e.detailType,
        time: e.at,
        detail: e.detail,
      });
      expect(parsed.ok ? [] : parsed.errors).toEqual([]);
    }
    const times = events.map((e) => Date.parse(e.at));
    expect(times).toEqual([...times].sort((x, y) => x - y));
    expect(Math.min(...times)).toBeGreaterThanOrEqual(Date.parse(start));
    expect(Math.max(...times)).toBeLessThan(Date.parse(start) + 365 * 86_400_000);
    const types = new Set(events.map((e) => e.detailType));
    expect([...types].sort()).toEqual([
      'customer.registered',
      'feedback.submitted',
      'order.delivered',
      'order.placed',
      'order.refunded',
    ]);
    expect(new Set(shop.customers.map((c) => c.currency)).size).toBeGreaterThanOrEqual(4);
    expect(new Set(shop.customers.map((c) => c.market)).size).toBe(6);
    // Own rhythms: some customers never buy, some buy once, some often.
    const counts = shop.customers.map((c) => c.naturalOrders.length);
    expect(counts.filter((n) => n === 0).length).toBeGreaterThan(0);
    expect(counts.filter((n) => n === 1).length).toBeGreaterThan(0);
    expect(counts.filter((n) => n >= 4).length).toBeGreaterThan(0);
  });

  it('starts no one before the year does, west of UTC either', () => {
    // A New York launch-day registration once landed on 31 December local time, before the start.
    const { scenario } = syntheticShop({ customers: 5000, seed: 1 });
    expect(Date.parse(scenario.events[0]?.at as string)).toBeGreaterThanOrEqual(Date.parse(scenario.start));
  });

  it('answers the win-back email with the planted reorder exactly when the coin says so', () => {
    const shop = syntheticShop({ customers: 20, seed: 5, effect: { probability: 0.5 } });
    // A customer with consent who never orders on their own: every reorder is the email's.
    const customer = shop.customers.find((c) => c.marketingConsent && !c.naturalOrders.length);
    const customerId = customer?.customerId as string;
    const reactions = Array.from({ length: 40 }, (_, i) => {
      const instanceId = `202605${String(1 + (i % 28)).padStart(2, '0')}T1${i % 10}0000Z`;
      const react = shop.react({
        kind: 'email',
        at: instanceEntry(instanceId),
        customerId,
        journey: 'win-back',
        message: 'we-miss-you',
        outboxId: `win-back#${instanceId}#0`,
        messageId: `m-${i}`,
        to: `${customerId}@example.com`,
      });
      return { instanceId, react: react.filter((r) => r.source === undefined) };
    });
    const reacted = reactions.filter((r) => r.react.length);
    expect(reacted.length).toBeGreaterThan(5);
    expect(reacted.length).toBeLessThan(35);
    for (const { instanceId, react } of reacted) {
      const [placed, delivered] = react;
      expect(placed?.detailType).toBe('order.placed');
      expect(delivered?.detailType).toBe('order.delivered');
      const days = (Date.parse(placed?.at as string) - Date.parse(instanceEntry(instanceId))) / 86_400_000;
      expect(days).toBeGreaterThanOrEqual(shop.effect.minDays);
      expect(days).toBeLessThanOrEqual(shop.effect.maxDays);
    }
    // Not the other messages, journeys or emitted events.
    const other = (message: string, journey = 'win-back') =>
      shop
        .react({
          kind: 'email',
          at: '2026-05-01T10:00:00.000Z',
          customerId,
          journey,
          message,
          outboxId: `${journey}#20260501T100000Z#2`,
          messageId: 'm-other',
          to: `${customerId}@example.com`,
        })
        .filter((r) => r.detailType.startsWith('order.'));
    expect(other('comeback-offer')).toEqual([]);
    expect(other('we-miss-you', 'onboarding')).toEqual([]);
    expect(shop.events().length).toBe(shop.scenario.events.length + 2 * reacted.length);

    // Potential outcomes: the same coin for holdout and treated; no email, no effect.
    const entries = reactions.map(({ instanceId }, i) => ({
      at: instanceEntry(instanceId),
      detailType: 'journey.entered',
      detail: { customerId, journey: 'win-back', instanceId, holdout: i % 2 === 0 },
    }));
    const outcomes = shop.potentialOutcomes(entries);
    const planted = new Set(reacted.map((r) => r.instanceId));
    for (const o of outcomes) {
      expect(o.withEmail).toBe(
        o.withoutEmail || (customer?.marketingConsent === true && planted.has(o.instanceId)),
      );
    }
    expect(outcomes.every((o) => !o.withoutEmail)).toBe(true);
    expect(trueUplift(outcomes)).toBe(reacted.length / outcomes.length);
  });

  it("opens and clicks some emails, as SES's own events about the email", () => {
    const shop = syntheticShop({ customers: 5, seed: 8 });
    const answers = Array.from({ length: 200 }, (_, i) =>
      shop.react({
        kind: 'email',
        at: '2026-06-01T10:00:00.000Z',
        customerId: 'c000001',
        journey: 'post-purchase',
        message: 'review-request',
        outboxId: `post-purchase#o${i}#2`,
        messageId: `m-${i}`,
        to: 'c000001@example.com',
      }),
    ).flat();
    const opened = answers.filter((r) => r.detailType === 'Email Opened');
    const clicked = answers.filter((r) => r.detailType === 'Email Clicked');
    expect(opened.length).toBeGreaterThan(60);
    expect(opened.length).toBeLessThan(120);
    expect(clicked.length).toBeGreaterThan(3);
    expect(clicked.length).toBeLessThan(opened.length / 2);
    for (const r of [...opened, ...clicked]) {
      expect(r).toMatchObject({ source: 'aws.ses', customerId: 'c000001' });
      const reading = readSesEvent({ id: 'x', detailType: r.detailType, time: r.at, detail: r.detail });
      expect(reading).toMatchObject({
        kind: r.detailType === 'Email Opened' ? 'opened' : 'clicked',
        target: { customerId: 'c000001' },
        journeyId: 'post-purchase',
        message: 'review-request',
      });
    }
    // Not shop events: the KPIs' second computation never sees them.
    expect(shop.events()).toHaveLength(shop.scenario.events.length);
  });

  it('draws coins that do not depend on call order', () => {
    expect(coin(1, 'x')).toBe(coin(1, 'x'));
    expect(coin(1, 'x')).not.toBe(coin(2, 'x'));
    const draws = Array.from({ length: 2000 }, (_, i) => coin(9, `k${i}`));
    const mean = draws.reduce((a, b) => a + b, 0) / draws.length;
    expect(mean).toBeGreaterThan(0.45);
    expect(mean).toBeLessThan(0.55);
  });
});

describe('writeBulkLog (the bench log)', () => {
  it('writes valid records, each in the partition of its processing day, with the simulated mix of types', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'bulk-log-'));
    try {
      const size = writeBulkLog(dir, { customers: 300, seed: 2, flushBytes: 20_000 });
      const types = new Set<string>();
      let lines = 0;
      for (const dt of readdirSync(dir)) {
        for (const line of readFileSync(path.join(dir, dt, 'bulk.jsonl'), 'utf8')
          .trim()
          .split('\n')) {
          const record = analyticsRecordSchema.parse(JSON.parse(line));
          expect(partitionOf(record)).toBe(dt);
          types.add(record.type);
          lines++;
        }
      }
      expect(lines).toBe(size.records);
      expect(size.records / 300).toBeGreaterThan(5);
      for (const type of [
        'order.placed',
        'order.refunded',
        'feedback.submitted',
        'journey.entered',
        'email.opened',
      ])
        expect(types).toContain(type);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('redeems the cheapest reward a day after points become available, when the balance covers it', () => {
    const shop = syntheticShop({ customers: 5, seed: 8 });
    const available = (i: number, balance: number, detailType = 'loyalty.points.available') =>
      shop.react({
        kind: 'emit',
        at: '2026-06-01T10:00:00.000Z',
        customerId: 'c000001',
        detailType,
        detail: {
          customerId: 'c000001',
          movementId: `release:order:o${i}`,
          orderId: `o${i}`,
          points: 60,
          balance,
        },
      });
    const asked = Array.from({ length: 200 }, (_, i) => available(i, 520)).flat();
    // REDEEM_RATE of them, each a valid shop event of the contract, a day later, one id per release.
    expect(asked.length).toBeGreaterThan(200 * REDEEM_RATE * 0.7);
    expect(asked.length).toBeLessThan(200 * REDEEM_RATE * 1.3);
    for (const r of asked) {
      expect(r).toMatchObject({ at: '2026-06-02T10:00:00.000Z', detailType: 'loyalty.redemption.requested' });
      const parsed = parseShopEvent(
        { id: 'x', source: 'shop', detailType: r.detailType, time: r.at, detail: r.detail },
        { now: r.at },
      );
      expect(parsed.ok).toBe(true);
      expect(r.detail).toMatchObject({ customerId: 'c000001', rewardId: REDEEM_REWARD.id });
    }
    expect(new Set(asked.map((r) => r.detail.requestId)).size).toBe(asked.length);
    // The same release again asks with the same request id (so the program redeems once).
    const again = Array.from({ length: 200 }, (_, i) => available(i, 520)).flat();
    expect(again.map((r) => r.detail.requestId)).toEqual(asked.map((r) => r.detail.requestId));
    // Not enough points, or another event: nothing.
    expect(Array.from({ length: 50 }, (_, i) => available(i, 499)).flat()).toEqual([]);
    expect(Array.from({ length: 50 }, (_, i) => available(i, 900, 'loyalty.points.earned')).flat()).toEqual(
      [],
    );
    // Shop events of their own: the KPIs' second computation sees them and ignores them.
    expect(shop.events()).toHaveLength(shop.scenario.events.length + asked.length * 2);
  });
});
