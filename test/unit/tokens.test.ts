/** Signed, expiring link tokens (unsubscribe, NPS): what a forger or a replay gets back. */
import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { signToken, type TokenClaims, verifyToken } from '../../functions/core/tokens.ts';

const SECRET = 'test-secret-0123456789';
const NOW = '2026-03-02T08:00:00Z';
const claims: TokenClaims = {
  customerId: 'c1',
  purpose: 'unsubscribe',
  expiresAt: '2026-06-01T00:00:00Z',
  journey: 'onboarding',
};

describe('tokens', () => {
  it('verifies a token it signed and returns its claims', () => {
    // Prepare
    const token = signToken(SECRET, claims);
    // Act
    const check = verifyToken(SECRET, token, 'unsubscribe', NOW);
    // Assess
    expect(check).toEqual({ ok: true, claims });
    expect(token).toMatch(/^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/); // URL-safe as is
  });

  it('rejects a token signed with another secret as forged', () => {
    const token = signToken('another-secret-0123456789', claims);
    expect(verifyToken(SECRET, token, 'unsubscribe', NOW)).toEqual({ ok: false, reason: 'forged' });
  });

  it('rejects a token whose payload was altered (another customer) as forged', () => {
    const [, signature] = signToken(SECRET, claims).split('.');
    const altered = Buffer.from(JSON.stringify({ ...claims, customerId: 'c2' })).toString('base64url');
    expect(verifyToken(SECRET, `${altered}.${signature}`, 'unsubscribe', NOW)).toEqual({
      ok: false,
      reason: 'forged',
    });
  });

  it('rejects a token whose signature was altered as forged', () => {
    const token = signToken(SECRET, claims);
    const last = token.at(-1) === 'A' ? 'B' : 'A';
    expect(verifyToken(SECRET, `${token.slice(0, -1)}${last}`, 'unsubscribe', NOW)).toMatchObject({
      ok: false,
      reason: 'forged',
    });
    expect(verifyToken(SECRET, `${token}xx`, 'unsubscribe', NOW)).toMatchObject({
      ok: false,
      reason: 'forged',
    });
  });

  it('rejects an expired token, and accepts it up to its expiry instant', () => {
    const token = signToken(SECRET, claims);
    expect(verifyToken(SECRET, token, 'unsubscribe', '2026-06-01T00:00:01Z')).toEqual({
      ok: false,
      reason: 'expired',
    });
    expect(verifyToken(SECRET, token, 'unsubscribe', '2026-06-01T00:00:00Z').ok).toBe(true);
  });

  it('rejects a token for another purpose: an NPS link cannot unsubscribe', () => {
    const token = signToken(SECRET, { ...claims, purpose: 'nps' });
    expect(verifyToken(SECRET, token, 'unsubscribe', NOW)).toEqual({ ok: false, reason: 'wrong purpose' });
  });

  it.each([[''], ['abc'], ['a.b.c'], ['.sig'], ['payload.']])('rejects %j as malformed', (token) => {
    expect(verifyToken(SECRET, token, 'unsubscribe', NOW)).toEqual({ ok: false, reason: 'malformed' });
  });

  it('rejects a correctly signed payload that is not JSON as malformed', () => {
    // Only someone with the secret could build this; it must still not throw.
    const payload = Buffer.from('not json').toString('base64url');
    const signature = createHmac('sha256', SECRET).update(payload).digest('base64url');
    expect(verifyToken(SECRET, `${payload}.${signature}`, 'unsubscribe', NOW)).toEqual({
      ok: false,
      reason: 'malformed',
    });
  });
});
