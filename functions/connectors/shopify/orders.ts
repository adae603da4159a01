/**
 * Shopify's order topics → order.placed, order.delivered, order.refunded. Money stays decimal
 * strings end to end; a refund's amount is summed in integer ten-thousandths, never in floats.
 */
import { LIMITS } from '../../core/events.ts';
import {
  type Checked,
  collectLineItems,
  currencyCode,
  decimalAmount,
  isObject,
  type LineItems,
  localeOr,
  own,
} from '../common.ts';
import type { CanonicalEvent, Mapped } from '../translation.ts';
import { boundedText, type Context, firstInstant, ignored, mapped, path, rejected } from './fields.ts';
import { gidFromNumber, gidOf, resourceId } from './ids.ts';

/** A payload with thousands of bad line items is reported by its first few problems. */
const MAX_ERRORS = 20;

/**
 * orders/create and orders/paid: the same order.placed from the same payload (same orderId, same
 * detail), so downstream dedupes on the orderId. A guest checkout (no `customer`) is ignored, not
 * rejected: it is a normal order, but journeys follow customer accounts and an email alone is no
 * customer id — rejecting it would fill the rejected log with healthy traffic.
 * The order's `customer_locale` becomes a customer.updated with that locale, before the order.
 * `buyer_accepts_marketing: true` (the buyer ticked the box at checkout) also grants consent; `false`
 * is not a withdrawal — Shopify sends false whenever the box was simply left unticked.
 */
export function orderPlaced(payload: Record<string, unknown>, _ctx: Context, topic: string): Mapped {
  const orderId = resourceId(payload, 'Order', 'payload');
  const customer = own(payload, 'customer');
  if (orderId.ok && (customer === undefined || customer === null))
    return ignored(`${topic}: guest checkout — the order names no customer account`);
  const errors: string[] = [];
  if (!orderId.ok) errors.push(orderId.error);
  const customerId = isObject(customer)
    ? resourceId(customer, 'Customer', 'payload.customer')
    : ({ ok: false, error: 'payload.customer: must be a customer object or null' } as const);
  if (!customerId.ok) errors.push(customerId.error);
  const placedAt = firstInstant(payload, 'processed_at', 'created_at');
  if (!placedAt)
    errors.push('payload.created_at: required (rule: order.placed requires placedAt, an ISO 8601 instant)');
  const total = orderTotal(payload);
  if (!total.ok) errors.push(...total.errors);
  const currency = total.ok ? total.value.currency : undefined;
  const items = currency ? lineItems(own(payload, 'line_items'), currency) : undefined;
  if (items && !items.ok) errors.push(...items.errors);
  if (errors.length || !orderId.ok || !customerId.ok || !placedAt || !total.ok || !items?.ok)
    return rejected(...capped(errors));
  const discountCode = boundedCode(path(payload, 'discount_codes', '0', 'code'));
  const detail: Record<string, unknown> = {
    orderId: orderId.value,
    customerId: customerId.value,
    placedAt,
    total: total.value,
    ...(items.items.length ? { items: items.items } : {}),
    ...(discountCode ? { discountCode } : {}),
  };
  // The language the buyer shopped in is the best word Shopify gives on theirs (customers carry
  // none): it updates the profile before the order, so the order's emails are in it.
  const locale = localeOr(own(payload, 'customer_locale'), '');
  const events: CanonicalEvent[] = [
    ...(locale
      ? [
          {
            detailType: 'customer.updated' as const,
            time: placedAt,
            detail: { customerId: customerId.value, locale },
          },
        ]
      : []),
    { detailType: 'order.placed', time: placedAt, detail },
  ];
  if (own(payload, 'buyer_accepts_marketing') === true)
    events.push({
      detailType: 'customer.consent.changed',
      time: placedAt,
      detail: { customerId: customerId.value, marketingConsent: true },
    });
  return mapped(events, [{ orderId: orderId.value, customerId: customerId.value }]);
}

/** `total_price` in the shop currency `currency` (both in the shop's money, like the line prices). */
function orderTotal(
  payload: Record<string, unknown>,
): { ok: true; value: { amount: string; currency: string } } | { ok: false; errors: string[] } {
  const currency = currencyCode(own(payload, 'currency'), 'payload.currency');
  const amount = decimalAmount(own(payload, 'total_price'), 'payload.total_price');
  if (!currency.ok || !amount.ok)
    return { ok: false, errors: [currency, amount].flatMap((r) => (r.ok ? [] : [r.error])) };
  return { ok: true, value: { amount: amount.value, currency: currency.value } };
}

/** A discount code only when it fits the contract: a cut code would be a different code. */
function boundedCode(value: unknown): string | undefined {
  if (typeof value !== 'string') return undefined;
  const code = value.trim();
  return code && code.length <= LIMITS.code ? code : undefined;
}

/** Line items → the contract's items (`collectLineItems` keeps the first `LIMITS.items`). */
function lineItems(value: unknown, currency: string): LineItems {
  return collectLineItems(value, 'payload.line_items: must be an array', (line, i) => {
    const field = `payload.line_items.${i}`;
    if (!isObject(line)) return { ok: false, errors: [`${field}: must be a line item object`] };
    const errors: string[] = [];
    const sku = skuOf(line, field);
    const quantity = own(line, 'quantity');
    const price = own(line, 'price');
    const unitPrice =
      price === undefined || price === null ? undefined : decimalAmount(price, `${field}.price`);
    if (!sku.ok) errors.push(sku.error);
    if (!Number.isSafeInteger(quantity) || (quantity as number) < 1)
      errors.push(`${field}.quantity: must be a whole number of at least 1`);
    if (unitPrice && !unitPrice.ok) errors.push(unitPrice.error);
    if (!sku.ok || (unitPrice && !unitPrice.ok) || errors.length) return { ok: false, errors };
    // A product title longer than the contract allows is cut, not a reason to drop the order.
    const name =
      boundedText(own(line, 'name'), LIMITS.itemName) ?? boundedText(own(line, 'title'), LIMITS.itemName);
    return {
      ok: true,
      item: {
        sku: sku.value,
        ...(name ? { name } : {}),
        quantity: quantity as number,
        ...(unitPrice?.ok ? { unitPrice: { amount: unitPrice.value, currency } } : {}),
      },
    };
  });
}

/**
 * The item's SKU, else an exact id that names the product: the variant id, the product id, the line
 * item's `admin_graphql_api_id`, its numeric id — whichever is first exact (Shopify's sample ids exceed
 * 2^53 as numbers). An over-long SKU is skipped for the same reason a code is not cut.
 */
function skuOf(line: Record<string, unknown>, field: string): Checked<string> {
  const sku = own(line, 'sku');
  if (typeof sku === 'string' && sku.trim() && sku.trim().length <= LIMITS.sku)
    return { ok: true, value: sku.trim() };
  for (const key of ['variant_id', 'product_id']) {
    const id = own(line, key);
    if (typeof id === 'number' && Number.isSafeInteger(id) && id >= 0) return { ok: true, value: String(id) };
  }
  const gid = gidOf(own(line, 'admin_graphql_api_id'), 'LineItem', `${field}.admin_graphql_api_id`);
  if (gid.ok) return gid;
  const id = own(line, 'id');
  if (typeof id === 'number' && Number.isSafeInteger(id) && id >= 0) return { ok: true, value: String(id) };
  return {
    ok: false,
    error: `${field}.sku: required (rule: a sku, or an exact variant_id, product_id, admin_graphql_api_id or id)`,
  };
}

/**
 * fulfillments/create and fulfillments/update: only `shipment_status: delivered` is a delivery; the
 * carrier's other statuses (in_transit, out_for_delivery, failure …) are ignored. The payload names
 * only the order, so the event carries `customerOf`. `updated_at` is when Shopify learned of the
 * delivery — the nearest the payload comes to the delivery time.
 */
export function fulfillmentChanged(payload: Record<string, unknown>, ctx: Context, topic: string): Mapped {
  const status = own(payload, 'shipment_status');
  if (status !== 'delivered')
    return ignored(
      `${topic}: shipment_status is ${typeof status === 'string' ? JSON.stringify(status.slice(0, 40)) : 'not set'}, not "delivered"`,
    );
  const orderId = gidFromNumber(own(payload, 'order_id'), 'Order', 'payload.order_id');
  if (!orderId.ok) return rejected(orderId.error);
  const deliveredAt = firstInstant(payload, 'updated_at', 'created_at');
  return mapped([
    {
      detailType: 'order.delivered',
      time: deliveredAt ?? ctx.deliveredAt,
      detail: { orderId: orderId.value, ...(deliveredAt ? { deliveredAt } : {}) },
      customerOf: orderId.value,
    },
  ]);
}

/**
 * refunds/create → order.refunded with the money that actually went back: the sum of the refund's
 * transactions of kind `refund` and status `success` (a failed or pending attempt returned nothing).
 * A refund without such a transaction (a restock, a failed payout) is ignored. The transactions are in
 * the order's presentment currency: the transaction's own `currency`, else the refund's presentment
 * money sets. Mixed or unknown currencies leave the (optional) amount out rather than guess.
 */
export function refundCreated(payload: Record<string, unknown>, ctx: Context): Mapped {
  const orderId = gidFromNumber(own(payload, 'order_id'), 'Order', 'payload.order_id');
  const transactions = own(payload, 'transactions');
  const errors: string[] = [];
  if (!orderId.ok) errors.push(orderId.error);
  if (transactions !== undefined && transactions !== null && !Array.isArray(transactions))
    errors.push('payload.transactions: must be an array');
  const list: unknown[] = Array.isArray(transactions) ? transactions : [];
  const fallback = refundCurrency(payload);
  const amounts: { amount: string; decimals: number }[] = [];
  const currencies = new Set<string>();
  list.forEach((tx, i) => {
    if (own(tx, 'kind') !== 'refund' || own(tx, 'status') !== 'success') return;
    const field = `payload.transactions.${i}`;
    const amount = decimalAmount(own(tx, 'amount'), `${field}.amount`);
    if (!amount.ok) {
      errors.push(amount.error);
      return;
    }
    amounts.push({ amount: amount.value, decimals: decimalsWritten(own(tx, 'amount')) });
    const written = own(tx, 'currency');
    const code =
      written === undefined || written === null ? undefined : currencyCode(written, `${field}.currency`);
    if (code && !code.ok) errors.push(code.error);
    currencies.add(code?.ok ? code.value : (fallback ?? '?'));
  });
  if (errors.length || !orderId.ok) return rejected(...capped(errors));
  if (!amounts.length)
    return ignored('refunds/create: no successful refund transaction — no money was returned');
  const sum = decimalSum(amounts);
  if (!sum) return rejected('payload.transactions: the refunded total exceeds 12 integer digits');
  const [currency] = currencies;
  const amount = currencies.size === 1 && currency !== '?' ? { amount: sum, currency } : undefined;
  return mapped([
    {
      detailType: 'order.refunded',
      time: firstInstant(payload, 'processed_at', 'created_at') ?? ctx.deliveredAt,
      detail: { orderId: orderId.value, ...(amount ? { amount } : {}) },
      customerOf: orderId.value,
    },
  ]);
}

/** The refund's presentment currency from its money sets, when one names a valid code. */
function refundCurrency(payload: Record<string, unknown>): string | undefined {
  const lines = own(payload, 'refund_line_items');
  const candidates = [
    path(payload, 'total_duties_set', 'presentment_money', 'currency_code'),
    ...(Array.isArray(lines) ? lines.slice(0, 10) : []).map((line) =>
      path(line, 'subtotal_set', 'presentment_money', 'currency_code'),
    ),
  ];
  for (const candidate of candidates) {
    const code = currencyCode(candidate, 'currency');
    if (code.ok) return code.value;
  }
  return undefined;
}

/** How many decimals the shop wrote ("0.10" → 2), at most the contract's 4. */
function decimalsWritten(value: unknown): number {
  const text = typeof value === 'number' ? String(value) : typeof value === 'string' ? value.trim() : '';
  const dot = text.indexOf('.');
  return dot < 0 ? 0 : Math.min(4, text.length - dot - 1);
}

/**
 * Exact sum of validated decimal strings (≤ 4 decimals each) in integer ten-thousandths, written with
 * as many decimals as the shop used ("0.10" + "0.20" = "0.30"); undefined beyond the contract's 12
 * integer digits.
 */
export function decimalSum(values: { amount: string; decimals: number }[]): string | undefined {
  let total = 0n;
  let decimals = 0;
  for (const { amount, decimals: written } of values) {
    const [whole = '0', fraction = ''] = amount.split('.');
    total += BigInt(whole) * 10_000n + BigInt(fraction.padEnd(4, '0'));
    decimals = Math.max(decimals, written, fraction.length);
  }
  const whole = (total / 10_000n).toString();
  if (whole.length > 12) return undefined;
  const fraction = (total % 10_000n).toString().padStart(4, '0').slice(0, decimals);
  return fraction ? `${whole}.${fraction}` : whole;
}

function capped(errors: string[]): string[] {
  return errors.length <= MAX_ERRORS
    ? errors
    : [...errors.slice(0, MAX_ERRORS), `payload: … and ${errors.length - MAX_ERRORS} more errors`];
}
