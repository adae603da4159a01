/**
 * The customer projection: how shop events change the profile and order history. The profile
 * handler stores the result; journey handlers apply the same function in memory so a decision on a
 * registration sees the registration even when the projection has not been written yet.
 */
import type { ShopEvent } from './events.ts';
import type { Order, Profile } from './model.ts';

export interface CustomerFacts {
  profile: Profile | undefined;
  orders: Order[];
}

export interface Projection extends CustomerFacts {
  /** Orders whose item must be written (new or changed). */
  changedOrders: Order[];
  profileChanged: boolean;
  /** customer.deleted: remove everything in the partition. */
  erase: boolean;
}

const PROFILE_FIELDS = ['email', 'firstName', 'locale', 'timeZone', 'birthday'] as const;

export function projectEvent(facts: CustomerFacts, event: ShopEvent): Projection {
  const unchanged: Projection = { ...facts, changedOrders: [], profileChanged: false, erase: false };
  const base: Profile = facts.profile ?? { customerId: event.detail.customerId, marketingConsent: false };
  // A late event must not overwrite newer facts; it may still fill in what is missing.
  const newer = base.updatedAt === undefined || Date.parse(event.time) >= Date.parse(base.updatedAt);
  const stamp = newer ? event.time : base.updatedAt;
  // Consent has its own clock: a stub profile's `false` is a default, not a fact, and an unrelated
  // newer update must not make a consent change look late.
  const consentNewer = base.consentAt === undefined || Date.parse(event.time) >= Date.parse(base.consentAt);

  switch (event.detailType) {
    case 'customer.registered': {
      const d = event.detail;
      const profile: Profile = { ...base };
      for (const field of PROFILE_FIELDS) {
        if (d[field] !== undefined && (newer || profile[field] === undefined)) profile[field] = d[field];
      }
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
      return { profile: undefined, orders: [], changedOrders: [], profileChanged: false, erase: true };
    case 'order.placed': {
      const d = event.detail;
      const existing = facts.orders.find((o) => o.orderId === d.orderId);
      if (existing?.placedAt) return unchanged; // the same order told twice
      const order: Order = { ...existing, orderId: d.orderId, placedAt: d.placedAt, total: d.total };
      return withOrder(unchanged, order);
    }
    case 'order.delivered': {
      const d = event.detail;
      const existing = facts.orders.find((o) => o.orderId === d.orderId);
      if (existing?.deliveredAt) return unchanged;
      return withOrder(unchanged, {
        ...existing,
        orderId: d.orderId,
        deliveredAt: d.deliveredAt ?? event.time,
      });
    }
    case 'order.refunded': {
      const d = event.detail;
      const existing = facts.orders.find((o) => o.orderId === d.orderId);
      if (existing?.refundedAt) return unchanged;
      return withOrder(unchanged, { ...existing, orderId: d.orderId, refundedAt: event.time });
    }
    case 'feedback.submitted':
    case 'referral.attributed':
    case 'referral.reward.earned':
      return unchanged;
  }
}

function withOrder(projection: Projection, order: Order): Projection {
  const orders = [...projection.orders.filter((o) => o.orderId !== order.orderId), order];
  return { ...projection, orders, changedOrders: [order] };
}

/** Orders the shop has confirmed as placed (a delivery-only stub is not an order yet). */
export function placedOrders(orders: readonly Order[]): Order[] {
  return orders.filter((o) => o.placedAt !== undefined);
}
