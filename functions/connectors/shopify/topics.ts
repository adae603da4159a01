/**
 * The Shopify webhook topics this connector understands, and what each becomes. The table is the
 * dispatcher itself, so the documentation (README, tests) cannot drift from what the code does.
 */
import type { ShopEventType } from '../../core/events.ts';
import type { Mapped } from '../translation.ts';
import {
  customerCreated,
  customerDeleted,
  customerRedacted,
  customerUpdated,
  emailConsentUpdated,
} from './customers.ts';
import { type Context, ignored } from './fields.ts';
import { fulfillmentChanged, orderPlaced, refundCreated } from './orders.ts';

export interface ShopifyTopic {
  /** Canonical events the topic can produce (empty: always ignored). */
  becomes: ShopEventType[];
  /** One line for the README: when, and what is left out. */
  note: string;
  map: (payload: Record<string, unknown>, ctx: Context, topic: string) => Mapped;
}

export const SHOPIFY_TOPICS: Readonly<Record<string, ShopifyTopic>> = Object.freeze({
  'customers/create': {
    becomes: ['customer.registered'],
    note: 'email, first name, locale (shop default: Shopify customers carry none), time zone from the default address country (when the country has one zone, else shop default), consent only if email_marketing_consent.state is subscribed. No email (phone-only account): ignored.',
    map: customerCreated,
  },
  'customers/update': {
    becomes: ['customer.updated', 'customer.consent.changed'],
    note: 'only the fields the payload carries; consent.changed when it carries email_marketing_consent.',
    map: customerUpdated,
  },
  'customers_email_marketing_consent/update': {
    becomes: ['customer.consent.changed'],
    note: 'consent is true only for state subscribed (not_subscribed, pending, unsubscribed, redacted, invalid → false).',
    map: emailConsentUpdated,
  },
  'customers_marketing_consent/update': {
    becomes: [],
    note: 'ignored: this is SMS consent; this system sends email only.',
    map: () => ignored('customers_marketing_consent/update: SMS consent; this system sends email only'),
  },
  'customers/delete': {
    becomes: ['customer.deleted'],
    note: 'erases the customer.',
    map: customerDeleted,
  },
  'customers/redact': {
    becomes: ['customer.deleted'],
    note: "GDPR redaction request: erases the customer (their orders' data with them).",
    map: customerRedacted,
  },
  'orders/create': {
    becomes: ['customer.updated', 'order.placed', 'customer.consent.changed'],
    note: 'customer.updated with the customer_locale the buyer shopped in (when it is a language tag), then order.placed: total and line items (name, SKU or exact variant/product/line item id, quantity, unit price) in the shop currency; consent.changed true when buyer_accepts_marketing is true (false is no withdrawal). Guest checkout: ignored.',
    map: orderPlaced,
  },
  'orders/paid': {
    becomes: ['customer.updated', 'order.placed', 'customer.consent.changed'],
    note: 'the same order.placed as orders/create (same orderId; counted once downstream).',
    map: orderPlaced,
  },
  'orders/fulfilled': {
    becomes: [],
    note: 'ignored: fulfilled means shipped, not delivered — deliveries come from fulfillments/update.',
    map: () =>
      ignored('orders/fulfilled: fulfilled means shipped, not delivered (deliveries come from fulfillments)'),
  },
  'fulfillments/create': {
    becomes: ['order.delivered'],
    note: 'only when shipment_status is delivered (rare at creation); other statuses ignored.',
    map: fulfillmentChanged,
  },
  'fulfillments/update': {
    becomes: ['order.delivered'],
    note: "when the carrier's shipment_status becomes delivered; other statuses ignored.",
    map: fulfillmentChanged,
  },
  'refunds/create': {
    becomes: ['order.refunded'],
    note: 'amount = exact sum of the successful refund transactions, in their currency; no successful transaction: ignored.',
    map: (payload, ctx) => refundCreated(payload, ctx),
  },
});

/** Looked up with `get`: a topic header of `__proto__` or `constructor` is no topic. */
export const TOPICS = new Map<string, ShopifyTopic>(Object.entries(SHOPIFY_TOPICS));
