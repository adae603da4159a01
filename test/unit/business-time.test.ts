/**
 * Business time, not processing time (issue 8): an instance's entry, waits and before/after tests
 * use when things happened at the shop, so a late or early correlated event applies to the
 * instance it belongs to, whatever order the events arrive in.
 */
import { describe, expect, it } from 'vitest';
import type { CompiledJourney } from '../../functions/core/compile.ts';
import { compileJourney } from '../../functions/core/compile.ts';
import { decide } from '../../functions/core/engine.ts';
import { parseShopEvent, type ShopEvent } from '../../functions/core/events.ts';
import { localStamp } from '../../functions/core/time.ts';
import { anna, engineConfig, loadDefinition, World } from '../support/engine-world.ts';

const postPurchase = loadDefinition('journeys/post-purchase.yaml');
const order = (orderId: string, placedAt: string) => ({
  orderId,
  customerId: 'c1',
  placedAt,
  total: { amount: '59.90', currency: 'EUR' },
});
const sent = (world: World) => world.sends.map((s) => [s.message, localStamp(s.at, 'Europe/Berlin')]);

describe('first order, decided by business time', () => {
  const journey: CompiledJourney = compileJourney(postPurchase, 'v1');
  const event = (orderId: string, placedAt: string): ShopEvent => {
    const parsed = parseShopEvent({
      id: `evt-${orderId}`,
      source: 'shop',
      detailType: 'order.placed',
      time: '2026-05-01T10:05:00Z',
      detail: order(orderId, placedAt),
    });
    if (!parsed.ok) throw new Error(parsed.errors.join('; '));
    return parsed.event;
  };
  /** Both orders are stored when the journey decides on either (processed together). */
  const firstMessage = (orderId: string, orders: { orderId: string; placedAt: string }[]) => {
    const placed = orders.find((o) => o.orderId === orderId)?.placedAt as string;
    const decision = decide({
      journey,
      versions: new Map([[journey.version, journey]]),
      customer: {
        profile: { customerId: 'c1', email: 'anna@example.de', marketingConsent: true },
        orders,
        instances: [],
      },
      input: { kind: 'event', event: event(orderId, placed) },
      now: '2026-05-01T10:05:00Z',
      config: engineConfig,
    });
    return decision.effects.flatMap((e) => (e.kind === 'send' ? [e.message] : []));
  };

  it('thanks the earlier order as the first and the later one as returning, both stored at decision time', () => {
    // Prepare
    const orders = [
      { orderId: 'o2', placedAt: '2026-05-01T10:01:00Z' },
      { orderId: 'o1', placedAt: '2026-05-01T10:00:00Z' },
    ];
    // Act / Assess
    expect(firstMessage('o1', orders)).toEqual(['thank-you-first']);
    expect(firstMessage('o2', orders)).toEqual(['thank-you-returning']);
  });

  it('breaks a tie of two orders placed at the same instant by order id', () => {
    const orders = [
      { orderId: 'b', placedAt: '2026-05-01T10:00:00Z' },
      { orderId: 'a', placedAt: '2026-05-01T10:00:00Z' },
    ];
    expect(firstMessage('a', orders)).toEqual(['thank-you-first']);
    expect(firstMessage('b', orders)).toEqual(['thank-you-returning']);
  });
});

describe('a send waits for the email address', () => {
  it('sends the confirmation of an order placed before the registration when the registration arrives', () => {
    // Prepare: a guest checkout, the account created two minutes later
    const world = new World(postPurchase, '2026-05-01T08:00:00Z');
    // Act
    world.deliver('order.placed', order('o1', '2026-05-01T08:00:00Z'));
    world.now = '2026-05-01T08:02:00Z';
    world.deliver('customer.registered', anna);
    // Assess
    expect(sent(world)).toEqual([['thank-you-first', '2026-05-01 10:02']]);
    expect(world.trace.map((t) => t.note)).toContain(
      'holds thank-you-first for an email address until 2026-05-02T08:00:00Z',
    );
    // The review request counts from the order (14 days without delivery), not from the registration.
    world.runUntil('2026-05-20T00:00:00Z');
    expect(sent(world).at(-1)).toEqual(['review-request', '2026-05-15 10:00']);
  });

  it('skips the send with a trace when no address came within 24 hours', () => {
    const world = new World(postPurchase, '2026-05-01T08:00:00Z');
    world.deliver('order.placed', order('o1', '2026-05-01T08:00:00Z'));
    world.runUntil('2026-05-03T00:00:00Z');
    world.deliver('customer.registered', anna);
    expect(world.sends).toEqual([]);
    expect(world.trace.map((t) => t.note)).toContain('skips thank-you-first: no email address');
  });
});

describe('late and early correlated events', () => {
  it('a refund that arrived before its order: the confirmation, then the instance exits', () => {
    const world = new World(postPurchase, '2026-05-01T08:01:00Z');
    world.deliver('customer.registered', anna);
    world.deliver('order.refunded', { orderId: 'o1', customerId: 'c1' });
    world.now = '2026-05-01T08:02:00Z';
    world.deliver('order.placed', order('o1', '2026-05-01T08:00:00Z'));
    world.runUntil('2026-07-01T00:00:00Z');
    expect(sent(world)).toEqual([['thank-you-first', '2026-05-01 10:02']]);
    expect(world.instances[0]).toMatchObject({ status: 'exited', endReason: 'exitOn:order.refunded' });
  });

  it('a refund stamped before the order was placed: the confirmation still goes, nothing after it', () => {
    const world = new World(postPurchase, '2026-05-01T07:59:00Z');
    world.deliver('customer.registered', anna);
    world.deliver('order.refunded', { orderId: 'o1', customerId: 'c1' });
    world.now = '2026-05-01T08:02:00Z';
    world.deliver('order.placed', order('o1', '2026-05-01T08:00:00Z'));
    world.runUntil('2026-07-01T00:00:00Z');
    // The same as when the order arrives first (within minutes either can): one confirmation.
    expect(sent(world)).toEqual([['thank-you-first', '2026-05-01 10:02']]);
    expect(world.instances[0]).toMatchObject({ status: 'exited', endReason: 'exitOn:order.refunded' });
  });

  it('a refund arriving after the instance entered exits it even though it carries an earlier time', () => {
    const world = new World(postPurchase, '2026-05-01T08:05:00Z');
    world.deliver('customer.registered', anna);
    world.deliver('order.placed', order('o1', '2026-05-01T08:05:00Z'));
    world.deliver('order.refunded', { orderId: 'o1', customerId: 'c1' }, 'late', '2026-05-01T08:04:00Z');
    expect(world.instances[0]).toMatchObject({ status: 'exited' });
  });

  it('a delivery that arrived before its order resumes the wait at once, counting from deliveredAt', () => {
    const world = new World(postPurchase, '2026-05-01T08:01:00Z');
    world.deliver('customer.registered', anna);
    world.deliver('order.delivered', {
      orderId: 'o1',
      customerId: 'c1',
      deliveredAt: '2026-05-01T08:01:00Z',
    });
    world.now = '2026-05-01T08:02:00Z';
    world.deliver('order.placed', order('o1', '2026-05-01T08:00:00Z'));
    world.runUntil('2026-07-01T00:00:00Z');
    expect(sent(world)).toEqual([
      ['thank-you-first', '2026-05-01 10:02'],
      ['review-request', '2026-05-08 10:01'],
      ['you-might-like', '2026-05-31 10:01'],
    ]);
  });

  it('a delivery arriving a week late sends the overdue review request at once', () => {
    const world = new World(postPurchase, '2026-05-01T08:00:00Z');
    world.deliver('customer.registered', anna);
    world.deliver('order.placed', order('o1', '2026-05-01T08:00:00Z'));
    world.now = '2026-05-12T08:00:00Z';
    world.deliver('order.delivered', {
      orderId: 'o1',
      customerId: 'c1',
      deliveredAt: '2026-05-02T08:00:00Z',
    });
    expect(sent(world)).toEqual([
      ['thank-you-first', '2026-05-01 10:00'],
      ['review-request', '2026-05-12 10:00'],
    ]);
  });
});
