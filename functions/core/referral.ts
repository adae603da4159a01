/**
 * The referral program's rules that no journey step expresses: each customer's code, and whether a
 * registration's `referredByCode` counts. Pure; the profile service supplies the code's record.
 */
import { readableCode } from './codes.ts';
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
