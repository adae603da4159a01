/**
 * The order summary item (`#ORDERS`, core/order-history.ts) as stored. Every decision's Query reads
 * it, so its recent orders are lists rather than maps: a map repeats its attribute names in every
 * order, which DynamoDB bills as bytes — half of what the item would weigh.
 */
import type { Order } from '../core/model.ts';
import type { OrderSummary } from '../core/order-history.ts';
import { strip } from './table-keys.ts';

/** orderId, placedAt, amount, currency, deliveredAt, refundedAt; null where unknown. */
type StoredOrder = [string, string | null, string | null, string | null, string | null, string | null];

const orNull = (value: string | undefined) => value ?? null;

function storedOrder(order: Order): StoredOrder {
  return [
    order.orderId,
    orNull(order.placedAt),
    orNull(order.total?.amount),
    orNull(order.total?.currency),
    orNull(order.deliveredAt),
    orNull(order.refundedAt),
  ];
}

function orderOf([orderId, placedAt, amount, currency, deliveredAt, refundedAt]: StoredOrder): Order {
  const order: Order = { orderId };
  if (placedAt) order.placedAt = placedAt;
  if (amount && currency) order.total = { amount, currency };
  if (deliveredAt) order.deliveredAt = deliveredAt;
  if (refundedAt) order.refundedAt = refundedAt;
  return order;
}

/** The item's attributes (without keys) for a summary. */
export function summaryItem(summary: OrderSummary): Record<string, unknown> {
  const { recent, ...rest } = summary;
  const item: Record<string, unknown> = { recent: recent.map(storedOrder) };
  for (const [k, v] of Object.entries(rest)) if (v !== undefined) item[k] = v;
  return item;
}

export function summaryFromItem(item: Record<string, unknown>): OrderSummary {
  const { recent, ...rest } = strip<Omit<OrderSummary, 'recent'> & { recent?: StoredOrder[] }>(item);
  return { ...rest, recent: (recent ?? []).map(orderOf) };
}
