/**
 * Shopware orders (the `order` entity of checkout.order.placed and the state_enter.* events).
 * - orderId: the order's `id`; customerId: `orderCustomer.customerId` (both 32-hex UUIDs). An event
 *   whose order names no customer id leaves it to the order → customer lookup (`customerOf`).
 * - checkout.order.placed → order.placed: Shopware fires it when checkout completes, whatever the
 *   payment method (an invoice or prepayment order is placed before it is paid). Orders of guest
 *   accounts (`orderCustomer.customer.guest`) → nothing, as their registrations.
 *   total = `amountTotal` (a JSON number; `decimalAmount` keeps the digits Shopware wrote) in
 *   `currency.isoCode`; items = product line items (`payload.productNumber`, else the product id),
 *   the first 100 of them; discountCode = the first promotion line item's `payload.code`.
 * - state_enter.order.state.completed → order.delivered (the merchant closed the order: Shopware's
 *   default delivery states stop at "shipped").
 * - state_enter.order_transaction.state.refunded → order.refunded with the refunded transaction's
 *   `amount.totalPrice`; refunded_partially → order.refunded without an amount (the event does not
 *   say how much).
 */
import { LIMITS } from '../../core/events.ts';
import { currencyCode, decimalAmount, instant, isObject, own } from '../common.ts';
import type { CanonicalEvent, Mapped } from '../translation.ts';
import { shopwareId } from './customers.ts';

const ORDER = 'data.payload.order';

type Who = { orderId: string; customerId?: string };

function who(order: Record<string, unknown>): { ok: true; value: Who } | { ok: false; errors: string[] } {
  const id = shopwareId(own(order, 'id'), `${ORDER}.id`);
  if (!id.ok) return { ok: false, errors: [id.error] };
  const rawCustomer = own(own(order, 'orderCustomer'), 'customerId');
  if (rawCustomer === undefined || rawCustomer === null) return { ok: true, value: { orderId: id.value } };
  const customer = shopwareId(rawCustomer, `${ORDER}.orderCustomer.customerId`);
  if (!customer.ok) return { ok: false, errors: [customer.error] };
  return { ok: true, value: { orderId: id.value, customerId: customer.value } };
}

/** The event for a known or order-named customer, and the lookup item when the payload proves it. */
function forOrder(w: Who, event: Omit<CanonicalEvent, 'customerOf'>): Mapped {
  if (w.customerId)
    return {
      ok: true,
      events: [{ ...event, detail: { ...event.detail, customerId: w.customerId } }],
      orders: [{ orderId: w.orderId, customerId: w.customerId }],
    };
  return { ok: true, events: [{ ...event, customerOf: w.orderId }], orders: [] };
}

export function mapOrderPlaced(order: Record<string, unknown>): Mapped {
  const w = who(order);
  if (!w.ok) return w;
  const { orderId, customerId } = w.value;
  if (!customerId)
    return {
      ok: false,
      errors: [`${ORDER}.orderCustomer.customerId: required (rule: an order names its customer)`],
    };
  if (own(own(own(order, 'orderCustomer'), 'customer'), 'guest') === true)
    return {
      ok: true,
      events: [],
      orders: [],
      ignored: `order ${orderId} is a guest order: no account to follow`,
    };
  const placedAt = instant(own(order, 'orderDateTime'));
  const currency = currencyCode(own(own(order, 'currency'), 'isoCode'), `${ORDER}.currency.isoCode`);
  const rawTotal = own(order, 'amountTotal') ?? own(own(order, 'price'), 'totalPrice');
  const total = decimalAmount(rawTotal, `${ORDER}.amountTotal`);
  const errors = [
    ...(placedAt ? [] : [`${ORDER}.orderDateTime: required (rule: an ISO 8601 time with offset)`]),
    ...(currency.ok ? [] : [currency.error]),
    ...(total.ok ? [] : [total.error]),
  ];
  if (!placedAt || !currency.ok || !total.ok) return { ok: false, errors };
  const lines = own(order, 'lineItems');
  const list = Array.isArray(lines) ? lines.slice(0, 1000).filter(isObject) : [];
  const items = list
    .filter((line) => own(line, 'type') === undefined || own(line, 'type') === 'product')
    .slice(0, LIMITS.items)
    .flatMap((line) => item(line, currency.value));
  const promotion = list.find((line) => own(line, 'type') === 'promotion');
  const code = own(own(promotion, 'payload'), 'code');
  const discountCode = typeof code === 'string' && code.trim() ? code.trim() : undefined;
  return forOrder(w.value, {
    detailType: 'order.placed',
    time: placedAt,
    detail: {
      orderId,
      placedAt,
      total: { amount: total.value, currency: currency.value },
      ...(items.length ? { items } : {}),
      ...(discountCode ? { discountCode } : {}),
    },
  });
}

function item(line: Record<string, unknown>, currency: string): Record<string, unknown>[] {
  const quantity = own(line, 'quantity');
  if (typeof quantity !== 'number' || !Number.isSafeInteger(quantity) || quantity < 1) return [];
  const number = own(own(line, 'payload'), 'productNumber');
  const sku = [number, own(line, 'productId'), own(line, 'referencedId'), own(line, 'id')].find(
    (value): value is string => typeof value === 'string' && value.trim().length > 0,
  );
  if (!sku) return [];
  const label = own(line, 'label');
  const price = decimalAmount(own(line, 'unitPrice'), 'unitPrice');
  return [
    {
      sku: sku.trim(),
      ...(typeof label === 'string' && label.trim() ? { name: label.trim().slice(0, LIMITS.itemName) } : {}),
      quantity,
      ...(price.ok ? { unitPrice: { amount: price.value, currency } } : {}),
    },
  ];
}

export function mapOrderCompleted(order: Record<string, unknown>, time: string | undefined): Mapped {
  const w = who(order);
  if (!w.ok) return w;
  if (!time) return { ok: false, errors: ['timestamp: required (rule: when the order was completed)'] };
  return forOrder(w.value, { detailType: 'order.delivered', time, detail: { orderId: w.value.orderId } });
}

export function mapRefund(
  order: Record<string, unknown>,
  time: string | undefined,
  kind: 'full' | 'partial',
): Mapped {
  const w = who(order);
  if (!w.ok) return w;
  if (!time) return { ok: false, errors: ['timestamp: required (rule: when the refund happened)'] };
  const amount = kind === 'full' ? refundedAmount(order) : undefined;
  return forOrder(w.value, {
    detailType: 'order.refunded',
    time,
    detail: { orderId: w.value.orderId, ...(amount ? { amount } : {}) },
  });
}

/** The last transaction in state "refunded" (Shopware sorts them by creation), in the order's currency. */
function refundedAmount(order: Record<string, unknown>): { amount: string; currency: string } | undefined {
  const transactions = own(order, 'transactions');
  if (!Array.isArray(transactions)) return undefined;
  const refunded = transactions
    .slice(0, 1000)
    .filter((t) => own(own(t, 'stateMachineState'), 'technicalName') === 'refunded')
    .at(-1);
  const amount = decimalAmount(own(own(refunded, 'amount'), 'totalPrice'), 'amount');
  const currency = currencyCode(own(own(order, 'currency'), 'isoCode'), 'currency');
  return amount.ok && currency.ok ? { amount: amount.value, currency: currency.value } : undefined;
}
