/**
 * What every connector's pure mapping produces (DESIGN.md §10): a shop system's payload becomes zero
 * or more canonical events of the public contract (core/events.ts), or is rejected with reasons that
 * name the field and the rule. No I/O here: the connector service (services/connectors.ts) dedupes on
 * the delivery id, resolves a customer through the order → customer lookup, and publishes.
 */
import type { ShopEventType } from '../core/events.ts';

export type Platform = 'shopify' | 'woocommerce' | 'shopware';

/** One canonical event a payload becomes. */
export interface CanonicalEvent {
  detailType: ShopEventType;
  /** Business time of the event (ISO 8601 with offset or Z): when it happened in the shop. */
  time: string;
  /**
   * The canonical detail. When the payload names only an order (a fulfillment, a refund),
   * `customerId` is left out and `customerOf` names the order whose customer fills it in.
   */
  detail: Record<string, unknown>;
  customerOf?: string;
  /**
   * Published at most once per key, whatever delivery carries it: for platforms that resend the whole
   * order on every change (WooCommerce's order.updated repeats each refund), a fact with an id of its
   * own — `refund:<order>:<refund id>` — keeps it from counting twice downstream.
   */
  onceKey?: string;
}

/** One line item as the contract takes it (core/events.ts order.placed items). */
export interface CanonicalItem {
  sku: string;
  name?: string;
  quantity: number;
  unitPrice?: { amount: string; currency: string };
}

/** What a connector's mapping of one payload gives, before the delivery's envelope is added. */
export type Mapped =
  | {
      ok: true;
      events: CanonicalEvent[];
      orders: { orderId: string; customerId: string }[];
      /** Why a fine payload maps to nothing. */
      ignored?: string;
    }
  | { ok: false; errors: string[] };

export interface Translation {
  platform: Platform;
  /** The platform's delivery id (X-Shopify-Webhook-Id, X-WC-Webhook-Delivery-ID, …): the dedupe key. */
  deliveryId: string;
  /** The platform's topic / event name, as it named it (for logs and the rejected log). */
  topic: string;
  events: CanonicalEvent[];
  /** Orders this payload proves belong to a customer: kept as order → customer lookup items. */
  orders: { orderId: string; customerId: string }[];
  /** Why a payload that is fine maps to nothing (a topic not used, an update that changes nothing). */
  ignored?: string;
}

export type TranslationResult =
  | { ok: true; translation: Translation }
  | {
      ok: false;
      /** `field: problem (rule)`, like the contract's own errors. */
      errors: string[];
      platform: Platform;
      deliveryId?: string | undefined;
      topic?: string | undefined;
      /** The customer the payload names, if it can be told: the rejected log's copy goes to them. */
      customerId?: string | undefined;
    };

/** The settings a mapping may need from the deployment (never from the payload). */
export interface ConnectorSettings {
  /** BCP 47; used when the payload names no usable locale. */
  defaultLocale: string;
  /** IANA; used when no time zone follows from the payload's country. */
  defaultTimeZone: string;
}
