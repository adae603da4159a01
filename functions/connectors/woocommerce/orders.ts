/**
 * WooCommerce `order.created` / `order.updated` → canonical order events.
 *
 * Rules (from WooCommerce's documented order statuses):
 * - `processing` ("payment received, awaiting fulfillment") and `completed` are paid orders →
 *   order.placed. `pending` ("awaiting payment"), `on-hold` ("awaiting payment, confirm it"),
 *   `failed`, `cancelled`, `checkout-draft` are no purchase yet → nothing, with the reason.
 *   order.updated fires on every save, so one order yields order.placed more than once; the orderId
 *   is the same every time (downstream dedupes by orderId, as for Shopify's orders/create + orders/paid).
 * - `completed` ("order fulfilled and complete — requires no further action") is the only
 *   fulfilment signal WooCommerce core has (it tracks no deliveries) → also order.delivered, at
 *   `date_completed_gmt`. A shop that marks orders completed on shipping gets the event on shipping.
 * - every entry of `refunds[]` → one order.refunded: its amount is the absolute value of the
 *   refund's `total`, which WooCommerce writes negative ("-10.00"), in the order's currency.
 *   Status `refunded` with no `refunds[]` entry → one order.refunded without an amount.
 * - guest orders (`customer_id` 0) name no customer account → nothing, with the reason.
 */
import { LIMITS } from '../../core/events.ts';
import {
  collectLineItems,
  currencyCode,
  decimalAmount,
  exactId,
  isObject,
  type LineItems,
  own,
} from '../common.ts';
import type { CanonicalEvent, Mapped } from '../translation.ts';
import { gmtInstant, text } from './fields.ts';

const PAID = new Set(['processing', 'completed']);
const NOT_YET = new Set(['pending', 'on-hold', 'failed', 'cancelled', 'checkout-draft', 'draft', 'trash']);
/** Refund entries read, at most. */
const REFUND_SCAN = 1000;

export function mapOrder(order: Record<string, unknown>): Mapped {
  const errors: string[] = [];
  const id = exactId(own(order, 'id'), 'id');
  if (!id.ok) errors.push(id.error);
  const status = own(order, 'status');
  if (typeof status !== 'string') errors.push('status: required (rule: an order states its status)');
  const rawCustomer = own(order, 'customer_id');
  if (errors.length || !id.ok || typeof status !== 'string') return { ok: false, errors };

  if (rawCustomer === 0 || rawCustomer === '0')
    return ignore(`order ${id.value} is a guest order (customer_id 0): no customer account to follow`);
  const customer = exactId(rawCustomer, 'customer_id');
  if (!customer.ok) return { ok: false, errors: [customer.error] };

  const refunds = own(order, 'refunds');
  const hasRefunds = Array.isArray(refunds) && refunds.length > 0;
  const paid = PAID.has(status);
  if (!paid && !hasRefunds && status !== 'refunded') {
    const why = NOT_YET.has(status) ? 'is not a paid order' : 'is not a status this connector maps';
    return ignore(`order ${id.value}: status ${JSON.stringify(status.slice(0, 40))} ${why}`);
  }

  const currency = currencyCode(own(order, 'currency'), 'currency');
  if (!currency.ok) return { ok: false, errors: [currency.error] };
  const orderId = id.value;
  const customerId = customer.value;
  const events: CanonicalEvent[] = [];

  if (paid) {
    const placed = placedEvent(order, orderId, customerId, currency.value);
    if (!placed.ok) return placed;
    events.push(...placed.events);
  }
  if (status === 'completed') {
    const deliveredAt = gmtInstant(own(order, 'date_completed_gmt'));
    const time = deliveredAt ?? gmtInstant(own(order, 'date_modified_gmt'));
    if (!time) return { ok: false, errors: ['date_completed_gmt: required for a completed order'] };
    events.push({
      detailType: 'order.delivered',
      time,
      detail: { orderId, customerId, ...(deliveredAt ? { deliveredAt } : {}) },
    });
  }
  const refunded = refundEvents(order, orderId, customerId, currency.value, status);
  if (!refunded.ok) return refunded;
  events.push(...refunded.events);
  return { ok: true, events, orders: [{ orderId, customerId }] };
}

function ignore(reason: string): Mapped {
  return { ok: true, events: [], orders: [], ignored: reason };
}

function placedEvent(
  order: Record<string, unknown>,
  orderId: string,
  customerId: string,
  currency: string,
): Mapped {
  const placedAt = gmtInstant(own(order, 'date_paid_gmt')) ?? gmtInstant(own(order, 'date_created_gmt'));
  if (!placedAt)
    return { ok: false, errors: ['date_created_gmt: required (rule: an order states when it was placed)'] };
  const total = decimalAmount(own(order, 'total'), 'total');
  if (!total.ok) return { ok: false, errors: [total.error] };
  const items = lineItems(own(order, 'line_items'), currency);
  if (!items.ok) return { ok: false, errors: items.errors };
  const coupons = own(order, 'coupon_lines');
  const discountCode = Array.isArray(coupons) ? text(own(coupons[0], 'code')) : undefined;
  return {
    ok: true,
    orders: [],
    events: [
      {
        detailType: 'order.placed',
        time: placedAt,
        detail: {
          orderId,
          customerId,
          placedAt,
          total: { amount: total.value, currency },
          ...(items.items.length ? { items: items.items } : {}),
          ...(discountCode ? { discountCode } : {}),
        },
      },
    ],
  };
}

/**
 * Line items: SKU, else the variation / product / line item id (WooCommerce products need no SKU).
 * `price` is the line total divided by the quantity, unrounded (3.3333333333); an item price that
 * is not an exact decimal is left out rather than rounded. Names are cut to the contract's 200
 * characters: items describe an order, they are no reason to lose it.
 */
function lineItems(value: unknown, currency: string): LineItems {
  return collectLineItems(value, 'line_items: must be a list', (line, index) => {
    const field = `line_items[${index}]`;
    if (!isObject(line)) return { ok: false, errors: [`${field}: must be an object`] };
    const quantity = own(line, 'quantity');
    if (typeof quantity !== 'number' || !Number.isSafeInteger(quantity) || quantity < 1)
      return { ok: false, errors: [`${field}.quantity: must be a whole number of at least 1`] };
    const sku = skuOf(line);
    if (!sku) return { ok: false, errors: [`${field}: names no sku, variation_id, product_id or id`] };
    const name = text(own(line, 'name'))?.slice(0, LIMITS.itemName);
    const price = decimalAmount(own(line, 'price'), `${field}.price`);
    return {
      ok: true,
      item: {
        sku,
        ...(name ? { name } : {}),
        quantity,
        ...(price.ok ? { unitPrice: { amount: price.value, currency } } : {}),
      },
    };
  });
}

function skuOf(line: Record<string, unknown>): string | undefined {
  const sku = text(own(line, 'sku'));
  if (sku) return sku;
  for (const key of ['variation_id', 'product_id', 'id']) {
    const value = own(line, key);
    if (value === 0 || value === '0') continue;
    const id = exactId(value, key);
    if (id.ok) return id.value;
  }
  return undefined;
}

function refundEvents(
  order: Record<string, unknown>,
  orderId: string,
  customerId: string,
  currency: string,
  status: string,
): Mapped {
  const time = gmtInstant(own(order, 'date_modified_gmt')) ?? gmtInstant(own(order, 'date_created_gmt'));
  const refunds = own(order, 'refunds');
  const list = Array.isArray(refunds) ? refunds.slice(0, REFUND_SCAN) : [];
  if (refunds !== undefined && refunds !== null && !Array.isArray(refunds))
    return { ok: false, errors: ['refunds: must be a list'] };
  if (list.length === 0 && status !== 'refunded') return { ok: true, events: [], orders: [] };
  if (!time) return { ok: false, errors: ['date_modified_gmt: required for a refunded order'] };
  if (list.length === 0)
    return {
      ok: true,
      orders: [],
      events: [
        {
          detailType: 'order.refunded',
          time,
          detail: { orderId, customerId },
          onceKey: `refund:${orderId}:all`,
        },
      ],
    };
  const events: CanonicalEvent[] = [];
  const errors: string[] = [];
  for (const [index, refund] of list.entries()) {
    const field = `refunds[${index}]`;
    const id = exactId(own(refund, 'id'), `${field}.id`);
    const amount = decimalAmount(absolute(own(refund, 'total')), `${field}.total`);
    if (!id.ok) errors.push(id.error);
    if (!amount.ok) errors.push(amount.error);
    if (!id.ok || !amount.ok) continue;
    events.push({
      detailType: 'order.refunded',
      time,
      detail: { orderId, customerId, amount: { amount: amount.value, currency } },
      // Every order.updated repeats every refund so far: each refund is published once, by its id.
      onceKey: `refund:${orderId}:${id.value}`,
    });
  }
  return errors.length ? { ok: false, errors } : { ok: true, events, orders: [] };
}

/** "-10.00" → "10.00" as text (no float on the way); a number likewise by its sign. */
function absolute(value: unknown): unknown {
  if (typeof value === 'string') return value.trim().replace(/^-/, '');
  if (typeof value === 'number' && value < 0) return -value;
  return value;
}
