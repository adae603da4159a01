/** Feedback links and the SES outbox tag. */
import { describe, expect, it } from 'vitest';
import { feedbackLinks, outboxTag, parseOutboxTag } from '../../functions/core/links.ts';
import { addressHash, redactEmails } from '../../functions/core/privacy.ts';
import { verifyToken } from '../../functions/core/tokens.ts';

const SECRET = 'test-secret-0123456789';
const NOW = '2026-03-02T08:00:00Z';

describe('feedbackLinks', () => {
  it('gives eleven links, scores 0 to 10, each with its score signed into the token', () => {
    // Act
    const links = feedbackLinks(SECRET, 'https://prefs.example.com/', {
      customerId: 'c1',
      orderId: 'o1',
      now: NOW,
    });
    // Assess
    expect(links).toHaveLength(11);
    links.forEach((link, score) => {
      const url = new URL(link);
      expect(url.origin + url.pathname).toBe('https://prefs.example.com/feedback');
      expect(url.searchParams.get('score')).toBe(String(score));
      const check = verifyToken(SECRET, url.searchParams.get('token') ?? '', 'feedback', NOW);
      expect(check).toEqual({
        ok: true,
        claims: {
          customerId: 'c1',
          purpose: 'feedback',
          orderId: 'o1',
          score: String(score),
          expiresAt: '2026-05-01T08:00:00Z',
        },
      });
    });
  });

  it('issues tokens valid for 60 days and no longer', () => {
    const [link] = feedbackLinks(SECRET, 'https://p.example.com', {
      customerId: 'c1',
      orderId: 'o1',
      now: NOW,
    });
    const token = new URL(link ?? '').searchParams.get('token') ?? '';
    expect(verifyToken(SECRET, token, 'feedback', '2026-05-01T08:00:00Z').ok).toBe(true);
    expect(verifyToken(SECRET, token, 'feedback', '2026-05-01T08:00:01Z')).toEqual({
      ok: false,
      reason: 'expired',
    });
    expect(verifyToken(SECRET, token, 'unsubscribe', NOW)).toEqual({ ok: false, reason: 'wrong purpose' });
  });
});

describe('outbox tag', () => {
  it('round-trips customer and outbox id within the SES tag alphabet', () => {
    const tag = outboxTag('c-ü 1', 'onboarding#2026-03-02T08:00:00Z#welcome');
    expect(tag).toMatch(/^[A-Za-z0-9_.@-]+$/);
    expect(parseOutboxTag(tag)).toEqual({
      customerId: 'c-ü 1',
      outboxId: 'onboarding#2026-03-02T08:00:00Z#welcome',
    });
    expect(parseOutboxTag('not base64!')).toBeUndefined();
    expect(parseOutboxTag(undefined)).toBeUndefined();
  });
});

describe('privacy helpers', () => {
  it('hashes the normalised address', () => {
    expect(addressHash(' Anna@Example.DE ')).toBe(addressHash('anna@example.de'));
    expect(addressHash('anna@example.de')).toMatch(/^[0-9a-f]{64}$/);
  });

  it('redacts addresses from log messages', () => {
    expect(redactEmails('MessageRejected: identities failed: anna@example.de, b.c@x.org')).toBe(
      'MessageRejected: identities failed: [email], [email]',
    );
  });
});
