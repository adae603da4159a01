/**
 * What erasure does to other customers' items that mention the erased customer (a referee's profile
 * names its referrer; the referrer's reward instances, outbox entries and link items name the
 * referee): every mention of the id becomes a pseudonym, every mention of the address a marker.
 * The items keep their meaning for the other customer (a reward was earned for *a* referee) and
 * name nobody. Pure: the store finds the items and writes the results.
 */

import { customerHash } from './privacy.ts';
import { PSEUDONYM_PREFIX } from './referral.ts';

/** The stand-in for an erased customer's id: stable (both ends of a link agree), names nobody. */
export function pseudonym(customerId: string): string {
  return `${PSEUDONYM_PREFIX}${customerHash(customerId).slice(0, 16)}`;
}

export const ERASED_ADDRESS = '[erased]';

const escapeRegExp = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

export interface ErasedIdentity {
  customerId: string;
  email?: string | undefined;
  /**
   * The customer's order ids: the shop's order record names the person, so a referrer's reward
   * instance must not keep the referee's order id either.
   */
  orderIds?: readonly string[] | undefined;
}

/** The stand-in for an erased customer's order id. */
export function orderPseudonym(orderId: string): string {
  return `erased-order-${customerHash(`order:${orderId}`).slice(0, 16)}`;
}

const token = (value: string) => new RegExp(`(?<![A-Za-z0-9_-])${escapeRegExp(value)}(?![A-Za-z0-9_-])`, 'g');

/**
 * The replacement for one string. An id counts only as a whole token (`r1` is not replaced inside
 * `r10`), but inside composite keys (`J#referral-reward#r1`, `referral-reward#r1#0`) and addresses
 * it does.
 */
export function scrubber(who: ErasedIdentity): (text: string) => string {
  const email = who.email ? new RegExp(escapeRegExp(who.email), 'gi') : undefined;
  // Longest first: an order id may contain the customer id (`order-<customerId>`).
  const replacements = [
    ...(who.orderIds ?? []).map((orderId) => ({ find: orderId, stand: orderPseudonym(orderId) })),
    { find: who.customerId, stand: pseudonym(who.customerId) },
  ]
    .sort((a, b) => b.find.length - a.find.length)
    .map(({ find, stand }) => ({ pattern: token(find), stand }));
  return (text) => {
    let out = email ? text.replace(email, ERASED_ADDRESS) : text;
    for (const { pattern, stand } of replacements) out = out.replace(pattern, stand);
    return out;
  };
}

/** The item with every mention replaced (keys of maps too), or undefined when it mentions nobody. */
export function pseudonymiseItem(
  item: Record<string, unknown>,
  who: ErasedIdentity,
): Record<string, unknown> | undefined {
  const scrub = scrubber(who);
  let changed = false;
  const walk = (value: unknown): unknown => {
    if (typeof value === 'string') {
      const next = scrub(value);
      if (next !== value) changed = true;
      return next;
    }
    if (Array.isArray(value)) return value.map(walk);
    if (value instanceof Set) return new Set([...value].map(walk));
    if (value && typeof value === 'object' && !(value instanceof Uint8Array)) {
      // fromEntries defines own properties: a `__proto__` key in stored data stays a plain key.
      return Object.fromEntries(
        Object.entries(value).map(([k, v]) => {
          const key = scrub(k);
          if (key !== k) changed = true;
          return [key, walk(v)];
        }),
      );
    }
    return value;
  };
  const next = walk(item) as Record<string, unknown>;
  return changed ? next : undefined;
}

/** Everything `customer.deleted` touches beyond the customer's own partition, read from that partition. */
export interface ErasurePlan {
  who: ErasedIdentity;
  /** Partitions of customers who name this one (referrer on the profile, referees by link items). */
  others: string[];
  /** The connectors' order → customer lookups (deleted only while they still name this customer). */
  orderLookups: string[];
  /** Referral codes the customer owns (deleted only while they are still the customer's). */
  referralCodes: string[];
  /** The by-day rejected-log records the partition's rejected copies point at. */
  rejectedRecords: { PK: string; SK: string }[];
}

/**
 * The one decision of what erasing a customer reaches, from the items of their own partition (each
 * with its `type`); the adapter writes the tombstone first and then carries the plan out.
 */
export function erasurePlan(customerId: string, own: readonly Record<string, unknown>[]): ErasurePlan {
  const profile = own.find((item) => item.type === 'profile');
  const orderIds = own.filter((item) => item.type === 'order').map((item) => String(item.orderId));
  const others = new Set<string>();
  if (typeof profile?.referrerId === 'string') others.add(profile.referrerId);
  for (const item of own)
    if (item.type === 'referral-link' && typeof item.refereeId === 'string') others.add(item.refereeId);
  const rejectedRecords = own.flatMap((item) =>
    item.type === 'rejected' && typeof item.dayPK === 'string' && typeof item.daySK === 'string'
      ? [{ PK: item.dayPK, SK: item.daySK }]
      : [],
  );
  return {
    who: { customerId, email: typeof profile?.email === 'string' ? profile.email : undefined, orderIds },
    others: [...others],
    orderLookups: orderIds,
    referralCodes: typeof profile?.referralCode === 'string' ? [profile.referralCode] : [],
    rejectedRecords,
  };
}
