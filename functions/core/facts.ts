/**
 * Business time: when something happened at the shop, as opposed to when its event reached us. The
 * engine places an instance's entry, waits and before/after tests on it, so a late or early event
 * applies to the instance it belongs to. The order facts the profile projection stores (even for an
 * order not placed yet) tell the engine about correlated events that arrived before an instance
 * could use them.
 */
import type { ShopEvent } from './events.ts';
import type { Order } from './model.ts';

export function businessTime(event: ShopEvent): string {
  switch (event.detailType) {
    case 'order.placed':
      return event.detail.placedAt;
    case 'order.delivered':
      return event.detail.deliveredAt ?? event.time;
    case 'customer.registered':
      return event.detail.registeredAt ?? event.time;
    default:
      return event.time;
  }
}

/** An event the engine knows from stored state, at its business time. */
export interface Fact {
  type: 'order.placed' | 'order.delivered' | 'order.refunded';
  at: string;
  orderId: string;
  detail: Record<string, unknown>;
}

/** The stored order events, in business-time order (ties by order id, then type: deterministic). */
export function orderFacts(orders: readonly Order[], customerId: string): Fact[] {
  const facts: Fact[] = [];
  for (const { orderId, placedAt, total, deliveredAt, refundedAt } of orders) {
    if (placedAt)
      facts.push({
        type: 'order.placed',
        at: placedAt,
        orderId,
        detail: { orderId, customerId, placedAt, ...(total ? { total } : {}) },
      });
    if (deliveredAt)
      facts.push({
        type: 'order.delivered',
        at: deliveredAt,
        orderId,
        detail: { orderId, customerId, deliveredAt },
      });
    if (refundedAt)
      facts.push({ type: 'order.refunded', at: refundedAt, orderId, detail: { orderId, customerId } });
  }
  const key = (f: Fact) => `${f.orderId}\u0000${f.type}`;
  return facts.sort((a, b) => Date.parse(a.at) - Date.parse(b.at) || (key(a) < key(b) ? -1 : 1));
}
