/**
 * The referral program's rules that no journey step expresses: each customer's code, and whether a
 * registration's `referredByCode` counts. Pure; the profile service supplies the code's record.
 */
import { readableCode } from './codes.ts';
import type { CustomerView } from './model.ts';
import { addressHash } from './privacy.ts';

/** A customer's referral code: HMAC-derived, so a retry yields the same code and nobody can guess one. */
export function referralCode(secret: string, customerId: string, attempt = 0): string {
  const base = readableCode(secret, `referral:${customerId}`);
  // A collision (two customers, one code) gets a deterministic suffix.
  return attempt === 0 ? base : `${base}-${attempt + 1}`;
}

const GMAIL = new Set(['gmail.com', 'googlemail.com']);

/**
 * The mailbox an address really reaches: case-folded, `+tag` removed, and for Gmail dots in the
 * local part removed (anna.m+shop@gmail.com and annam@googlemail.com are one inbox).
 */
export function canonicalMailbox(email: string): string {
  const [rawLocal = '', rawDomain = ''] = email
    .trim()
    .toLowerCase()
    .split(/@(?=[^@]*$)/);
  const domain = GMAIL.has(rawDomain) ? 'gmail.com' : rawDomain;
  let local = rawLocal.split('+')[0] ?? '';
  if (domain === 'gmail.com') local = local.replace(/\./g, '');
  return `${local}@${domain}`;
}

/** What the store keeps about a code: its owner and a hash of the owner's mailbox, not the address. */
export interface ReferralCodeRecord {
  code: string;
  ownerId: string;
  ownerMailboxHash: string;
}

export function codeRecord(
  code: string,
  ownerId: string,
  ownerEmail: string | undefined,
): ReferralCodeRecord {
  return { code, ownerId, ownerMailboxHash: ownerEmail ? addressHash(canonicalMailbox(ownerEmail)) : '' };
}

export type Attribution =
  | { ok: true; referrerId: string; code: string }
  | {
      ok: false;
      code: string;
      reason: 'unknown code' | 'self-referral' | 'alias of the referrer' | 'not a new customer';
    };

export function attributeReferral(input: {
  code: string;
  record: ReferralCodeRecord | undefined;
  referee: { customerId: string; email: string; isNew: boolean };
}): Attribution {
  const { code, record, referee } = input;
  if (!record) return { ok: false, code, reason: 'unknown code' };
  if (record.ownerId === referee.customerId) return { ok: false, code, reason: 'self-referral' };
  if (record.ownerMailboxHash && record.ownerMailboxHash === addressHash(canonicalMailbox(referee.email))) {
    return { ok: false, code, reason: 'alias of the referrer' };
  }
  if (!referee.isNew) return { ok: false, code, reason: 'not a new customer' };
  return { ok: true, referrerId: record.ownerId, code };
}

/** How a registration's `referredByCode` is compared: spaces around it and case do not matter. */
export function normaliseCode(code: string): string {
  return code.trim().toUpperCase();
}

/**
 * What erasure leaves in other customers' items instead of an erased customer's id (referee ↔
 * referrer links): a hash, so the two ends stay linked to each other but to nobody. Prefixed, so a
 * value check can tell that the other end is gone.
 */
export const PSEUDONYM_PREFIX = 'erased-';
export function isPseudonym(customerId: string): boolean {
  return customerId.startsWith(PSEUDONYM_PREFIX);
}

export type Verdict = { ok: true } | { ok: false; reason: string };

/**
 * `referral.attributed` starts the referee's welcome with a coupon. It must say what the referee's
 * stored profile says: attributed at registration, to this referrer, with this code.
 */
export function verifyAttributed(
  detail: { customerId: string; code: string; referrerId: string },
  referee: CustomerView,
): Verdict {
  const profile = referee.profile;
  if (!profile?.registeredAt) return { ok: false, reason: `referee ${detail.customerId} is not registered` };
  if (isPseudonym(detail.referrerId)) return { ok: false, reason: 'the referrer was erased' };
  if (profile.referrerId !== detail.referrerId)
    return { ok: false, reason: `referee ${detail.customerId} was not referred by ${detail.referrerId}` };
  if (normaliseCode(profile.referredByCode ?? '') !== normaliseCode(detail.code))
    return { ok: false, reason: `code ${detail.code} is not the code the referee registered with` };
  return { ok: true };
}

/**
 * `referral.reward.earned` pays the referrer. It must match stored state: the referee exists, was
 * referred by this customer with this code, and the order exists, was placed, is not refunded and
 * is in the rewarded currency.
 */
export function verifyRewardEarned(
  detail: { customerId: string; refereeId: string; code: string; orderId: string; currency: string },
  referee: CustomerView,
): Verdict {
  const { customerId, refereeId, code, orderId } = detail;
  if (isPseudonym(customerId) || isPseudonym(refereeId))
    return { ok: false, reason: 'the referrer or the referee was erased' };
  if (customerId === refereeId) return { ok: false, reason: 'self-referral' };
  const profile = referee.profile;
  if (!profile?.registeredAt) return { ok: false, reason: `referee ${refereeId} does not exist` };
  if (profile.referrerId !== customerId)
    return { ok: false, reason: `referee ${refereeId} was not referred by ${customerId}` };
  if (normaliseCode(profile.referredByCode ?? '') !== normaliseCode(code))
    return { ok: false, reason: `code ${code} is not the code the referee registered with` };
  const order = referee.orders.find((o) => o.orderId === orderId);
  if (!order?.placedAt) return { ok: false, reason: `order ${orderId} of the referee was never placed` };
  if (order.refundedAt) return { ok: false, reason: `order ${orderId} was refunded` };
  if (order.total?.currency !== detail.currency)
    return { ok: false, reason: `order ${orderId} is not in ${detail.currency}` };
  return { ok: true };
}

/**
 * Whether handling a shop event reads an item another customer's earlier work wrote: a registration
 * naming a referral code reads the code's record, which the owner's registration claimed. Whoever
 * replays events side by side (the simulator) must run every customer's earlier work first.
 */
export function readsAnotherCustomer(event: { detailType: string; detail: unknown }): boolean {
  const detail = event.detail as { referredByCode?: unknown } | undefined;
  return event.detailType === 'customer.registered' && Boolean(detail?.referredByCode);
}
