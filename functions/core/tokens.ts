/**
 * Signed, expiring tokens for links in emails (one-click unsubscribe, NPS answers). The token binds
 * customer and purpose, so a token for one cannot be replayed for another.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';

export interface TokenClaims {
  customerId: string;
  purpose: string;
  expiresAt: string;
  [extra: string]: string;
}

const sign = (secret: string, payload: string) =>
  createHmac('sha256', secret).update(payload).digest('base64url');

export function signToken(secret: string, claims: TokenClaims): string {
  const payload = Buffer.from(JSON.stringify(claims)).toString('base64url');
  return `${payload}.${sign(secret, payload)}`;
}

export type TokenCheck =
  | { ok: true; claims: TokenClaims }
  | { ok: false; reason: 'malformed' | 'forged' | 'expired' | 'wrong purpose' };

export function verifyToken(secret: string, token: string, purpose: string, now: string): TokenCheck {
  const [payload, signature, ...rest] = token.split('.');
  if (!payload || !signature || rest.length) return { ok: false, reason: 'malformed' };
  const expected = Buffer.from(sign(secret, payload));
  const given = Buffer.from(signature);
  if (expected.length !== given.length || !timingSafeEqual(expected, given))
    return { ok: false, reason: 'forged' };
  let claims: TokenClaims;
  try {
    claims = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as TokenClaims;
  } catch {
    return { ok: false, reason: 'malformed' };
  }
  if (claims.purpose !== purpose) return { ok: false, reason: 'wrong purpose' };
  if (Date.parse(claims.expiresAt) < Date.parse(now)) return { ok: false, reason: 'expired' };
  return { ok: true, claims };
}
