/**
 * The customer projection: how shop events change the profile and order history. The profile
 * handler stores the result; journey handlers apply the same function in memory so a decision on a
 * registration sees the registration even when the projection has not been written yet.
 */
import type { ShopEvent } from './events.ts';
import type { Order, Profile } from './model.ts';
import {
  DEFAULT_RETENTION,
  type OrderRetention,
  type OrderSummary,
  recordOrder,
  summariseOrders,
} from './order-history.ts';
import { addressHash } from './privacy.ts';

export interface CustomerFacts {
  profile: Profile | undefined;
  /** The orders known one by one: the summary's recent ones (and any a decision read by id). */
  orders: Order[];
  /** Aggregates of all orders (order-history.ts); absent only where a caller builds facts by hand. */
  orderSummary?: OrderSummary | undefined;
}

export interface Projection extends CustomerFacts {
  /** Orders whose item must be written (new or changed). */
  changedOrders: Order[];
  profileChanged: boolean;
  /** customer.deleted: remove everything in the partition. */
  erase: boolean;
}

const PROFILE_FIELDS = ['email', 'firstName', 'locale', 'timeZone', 'birthday'] as const;

/** The profile a first fact about a customer starts from: `marketingConsent: false` is a default, not a fact. */
const stub = (customerId: string): Profile => ({ customerId, marketingConsent: false });

/** Whether a fact of `time` is at least as new as the one stamped `stamp` (none yet: it is). */
const notOlder = (time: string, stamp: string | undefined) =>
  stamp === undefined || Date.parse(time) >= Date.parse(stamp);

export function projectEvent(
  facts: CustomerFacts,
  event: ShopEvent,
  retention: OrderRetention = DEFAULT_RETENTION,
): Projection {
  const unchanged: Projection = { ...facts, changedOrders: [], profileChanged: false, erase: false };
  const base: Profile = facts.profile ?? stub(event.detail.customerId);
  // A late event must not overwrite newer facts; it may still fill in what is missing.
  const newer = notOlder(event.time, base.updatedAt);
  const stamp = newer ? event.time : base.updatedAt;
  // Consent has its own clock: a stub profile's `false` is a default, not a fact, and an unrelated
  // newer update must not make a consent change look late.
  const consentNewer = notOlder(event.time, base.consentAt);

  switch (event.detailType) {
    case 'customer.registered': {
      const d = event.detail;
      const profile: Profile = { ...base };
      for (const field of PROFILE_FIELDS) {
        if (d[field] !== undefined && (newer || profile[field] === undefined)) profile[field] = d[field];
      }
      keepSuppressionWithItsAddress(base, profile);
      if (consentNewer) {
        profile.marketingConsent = d.marketingConsent;
        profile.consentAt = event.time;
      }
      profile.registeredAt ??= d.registeredAt ?? event.time;
      profile.referredByCode ??= d.referredByCode;
      profile.updatedAt = stamp;
      return { ...unchanged, profile, profileChanged: true };
    }
    case 'customer.updated': {
      // A late update still fills in what is missing; it overwrites nothing newer.
      const profile: Profile = { ...base, updatedAt: stamp };
      let changed = false;
      for (const field of PROFILE_FIELDS) {
        const value = event.detail[field];
        if (value !== undefined && (newer || profile[field] === undefined)) {
          profile[field] = value;
          changed = true;
        }
      }
      if (!changed) return unchanged;
      keepSuppressionWithItsAddress(base, profile);
      return { ...unchanged, profile, profileChanged: true };
    }
    case 'customer.consent.changed': {
      if (!consentNewer) return unchanged;
      const profile = {
        ...base,
        marketingConsent: event.detail.marketingConsent,
        consentAt: event.time,
        updatedAt: stamp,
      };
      return { ...unchanged, profile, profileChanged: true };
    }
    case 'customer.deleted':
      return {
        profile: undefined,
        orders: [],
        orderSummary: undefined,
        changedOrders: [],
        profileChanged: false,
        erase: true,
      };
    case 'order.placed': {
      const d = event.detail;
      const existing = facts.orders.find((o) => o.orderId === d.orderId);
      if (existing?.placedAt) return unchanged; // the same order told twice
      const order: Order = { ...existing, orderId: d.orderId, placedAt: d.placedAt, total: d.total };
      return withOrder(unchanged, order, existing, retention);
    }
    case 'order.delivered': {
      const d = event.detail;
      const existing = facts.orders.find((o) => o.orderId === d.orderId);
      if (existing?.deliveredAt) return unchanged;
      return withOrder(
        unchanged,
        { ...existing, orderId: d.orderId, deliveredAt: d.deliveredAt ?? event.time },
        existing,
        retention,
      );
    }
    case 'order.refunded': {
      const d = event.detail;
      const existing = facts.orders.find((o) => o.orderId === d.orderId);
      if (existing?.refundedAt) return unchanged;
      return withOrder(
        unchanged,
        { ...existing, orderId: d.orderId, refundedAt: event.time },
        existing,
        retention,
      );
    }
    default:
      // Feedback, referral and loyalty events change neither the profile nor the orders.
      return unchanged;
  }
}

/**
 * The customer used an unsubscribe link at `at`: marketing consent withdrawn, on consent's own clock
 * (as a `customer.consent.changed` of that time), so a consent change timed before it and arriving
 * later cannot undo it, and one timed after it wins. `profile` is what to store (a stub if none was
 * stored yet), undefined when nothing changes; `notify` when the shop must be told (consent was not
 * known to be withdrawn already).
 */
export function withdrawConsent(
  current: Profile | undefined,
  customerId: string,
  at: string,
): { profile: Profile | undefined; notify: boolean } {
  const base = current ?? stub(customerId);
  if (!notOlder(at, base.consentAt)) return { profile: undefined, notify: false };
  const notify = current === undefined || current.marketingConsent !== false;
  // A repeated withdrawal still moves consent's clock on: an older re-consent arriving later loses.
  if (!notify && base.consentAt === at) return { profile: undefined, notify: false };
  return { profile: { ...base, marketingConsent: false, consentAt: at }, notify };
}

/**
 * A hard bounce or complaint for the address with this hash (core/privacy.ts `addressHash`): the
 * profile is marked only while that is still its address, so a suppression for an address the
 * customer no longer has does nothing. Undefined when nothing changes.
 */
export function suppressAddress(current: Profile | undefined, hash: string): Profile | undefined {
  if (!current?.email || current.suppressed || addressHash(current.email) !== hash) return undefined;
  return { ...current, suppressed: true };
}

/** `suppressed` belongs to the address it was set for: a new address starts unsuppressed. */
function keepSuppressionWithItsAddress(before: Profile, after: Profile): void {
  const address = (p: Profile) => (p.email === undefined ? undefined : addressHash(p.email));
  if (after.suppressed && address(after) !== address(before)) after.suppressed = undefined;
}

function withOrder(
  projection: Projection,
  order: Order,
  existing: Order | undefined,
  retention: OrderRetention,
): Projection {
  const orders = [...projection.orders.filter((o) => o.orderId !== order.orderId), order];
  const summary = projection.orderSummary ?? summariseOrders(projection.orders, retention);
  const orderSummary = recordOrder(summary, order, existing?.placedAt !== undefined, retention);
  return { ...projection, orders, orderSummary, changedOrders: [order] };
}

/**
 * The customer as a decision on `event` sees them: with the event applied, whether or not the profile
 * projection has stored it yet (a welcome needs the registration's address; an order's points need the order).
 */
export function withEventApplied<V extends CustomerFacts>(
  view: V,
  event: ShopEvent,
  retention?: OrderRetention,
): V {
  const { profile, orders, orderSummary } = projectEvent(view, event, retention);
  return { ...view, profile, orders, orderSummary };
}

/** Orders the shop has confirmed as placed (a delivery-only stub is not an order yet). */
export function placedOrders(orders: readonly Order[]): Order[] {
  return orders.filter((o) => o.placedAt !== undefined);
}
