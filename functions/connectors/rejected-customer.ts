/**
 * The customer a payload names, read the way its connector would name them, for a payload the
 * connector rejected: the rejected log then keeps a copy in that customer's partition, so erasure
 * finds it (the raw payload holds their email and name). Best effort by design — a payload too broken
 * to name a customer stays in the day log only, which expires after 90 days.
 */
import { exactId, own } from './common.ts';
import { gidFromNumber, gidOf } from './shopify/ids.ts';
import { shopwareId } from './shopware/customers.ts';
import { headerValue } from './signatures.ts';
import type { TranslationResult } from './translation.ts';

const first = (...candidates: (() => { ok: boolean; value?: string })[]): string | undefined => {
  for (const candidate of candidates) {
    const id = candidate();
    if (id.ok && id.value) return id.value;
  }
  return undefined;
};

/** Shopify: the order's or refund's customer, or the customer a customers/* topic is about. */
export function shopifyCustomer(detail: unknown): string | undefined {
  const payload = own(detail, 'payload');
  const customer = own(payload, 'customer');
  const topic = headerValue(own(detail, 'metadata'), 'x-shopify-topic') ?? '';
  return first(
    () => gidOf(own(customer, 'admin_graphql_api_id'), 'Customer', ''),
    () => gidFromNumber(own(customer, 'id'), 'Customer', ''),
    () => gidFromNumber(own(payload, 'customer_id'), 'Customer', ''),
    ...(topic.startsWith('customers')
      ? [
          () => gidOf(own(payload, 'admin_graphql_api_id'), 'Customer', ''),
          () => gidFromNumber(own(payload, 'id'), 'Customer', ''),
        ]
      : []),
  );
}

const json = (body: Buffer): unknown => {
  try {
    return JSON.parse(body.toString('utf8'));
  } catch {
    return undefined;
  }
};

/** WooCommerce: the customer resource's id, or an order's `customer_id` (0 is a guest). */
export function wooCommerceCustomer(
  body: Buffer,
  headers: Record<string, string | undefined>,
): string | undefined {
  const payload = json(body);
  const topic = headerValue(headers, 'x-wc-webhook-topic') ?? '';
  const id = topic.startsWith('customer.') ? own(payload, 'id') : own(payload, 'customer_id');
  if (id === 0 || id === '0') return undefined;
  return first(() => exactId(id, ''));
}

/** Shopware: the business event's customer, or its order's customer. */
export function shopwareCustomer(body: Buffer): string | undefined {
  const payload = own(own(json(body), 'data'), 'payload');
  return first(
    () => shopwareId(own(own(payload, 'customer'), 'id'), ''),
    () => shopwareId(own(own(own(payload, 'order'), 'orderCustomer'), 'customerId'), ''),
  );
}

/** The result, with the customer named on a rejection when `find` can tell. */
export function withRejectedCustomer(
  result: TranslationResult,
  find: () => string | undefined,
): TranslationResult {
  if (result.ok || result.customerId !== undefined) return result;
  const customerId = find();
  return customerId ? { ...result, customerId } : result;
}
