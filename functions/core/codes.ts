/**
 * Deterministic identifiers derived from ids and a secret: a retried or replayed decision yields the
 * same coupon code and holdout assignment, while nobody without the secret can guess a code.
 */
import { createHash, createHmac } from 'node:crypto';

/** No 0/O or 1/I: codes are read off emails and typed into checkout fields. */
const ALPHABET = 'ABCDEFGHJKLMNPQRSTUVWXYZ23456789';

export function readableCode(secret: string, purpose: string, length = 8): string {
  const digest = createHmac('sha256', secret).update(purpose).digest();
  let code = '';
  for (let i = 0; i < length; i++) code += ALPHABET[(digest[i] ?? 0) % ALPHABET.length];
  return length > 4 ? `${code.slice(0, 4)}-${code.slice(4)}` : code;
}

/** A stable number in [0, 1) for reproducible holdout and split assignment. */
export function unitHash(seed: string): number {
  return createHash('sha256').update(seed).digest().readUInt32BE(0) / 2 ** 32;
}
