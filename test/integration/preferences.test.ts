/**
 * The preferences endpoint run locally (the same service as the Lambda Function URL, served on a real
 * local port): one-click unsubscribe from a received marketing email, GET changing nothing, refused
 * tokens, and feedback answers.
 */
import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { feedbackLinks } from '../../functions/core/links.ts';
import type { SendEffect } from '../../functions/core/model.ts';
import { signToken } from '../../functions/core/tokens.ts';
import { type LocalWorld, localWorlds } from '../support/local-world.ts';
import { registration } from '../support/scenario.ts';
import { testEnv } from './env.ts';

const START = '2026-03-02T08:00:00Z';
const newWorld = localWorlds(START);
const customer = () => `c-${randomUUID().slice(0, 8)}`;

async function register(w: LocalWorld, id: string, overrides: Record<string, unknown> = {}) {
  return w.runtime.deliver({
    id: `reg-${id}`,
    source: 'shop',
    detailType: 'customer.registered',
    time: w.clock.now(),
    detail: registration(id, overrides),
  });
}

const header = (email: { headers?: { name: string; value: string }[] | undefined }, name: string) =>
  email.headers?.find((h) => h.name.toLowerCase() === name.toLowerCase())?.value;

const unsubscribeToken = (w: LocalWorld, customerId: string, expiresAt = '2026-06-01T00:00:00Z') =>
  signToken(w.runtime.config.signingSecret as string, { customerId, purpose: 'unsubscribe', expiresAt });

describe('one-click unsubscribe', () => {
  it('stops further marketing after a one-click POST to the email’s List-Unsubscribe URL; transactional mail still goes', async () => {
    // Prepare: registered, welcome (transactional) and getting-started (marketing) received
    const w = await newWorld();
    const id = customer();
    await register(w, id);
    await w.runUntil('2026-03-04T12:00:00Z');
    const received = await testEnv().sesEmails(`${id}@example.de`);
    expect(received.map((e) => header(e, 'List-Unsubscribe') !== undefined)).toEqual([false, true]);
    const marketing = received[1] as (typeof received)[number];
    const link = /^<(.+)>$/.exec(header(marketing, 'List-Unsubscribe') ?? '')?.[1] as string;
    expect(link.startsWith(`${w.preferencesUrl}/unsubscribe?token=`)).toBe(true);
    expect(header(marketing, 'List-Unsubscribe-Post')).toBe('List-Unsubscribe=One-Click');

    // Act: what Gmail's unsubscribe button sends (RFC 8058)
    const response = await fetch(link, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'List-Unsubscribe=One-Click',
    });

    // Assess: the page, the profile, the event to the shop, and no marketing afterwards
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(response.headers.get('cache-control')).toBe('no-store');
    const page = await response.text();
    expect(page).toContain('Sie sind abgemeldet');
    expect(page).toContain('Bestellungen und Lieferungen');
    expect(await w.runtime.services.store.getProfile(id)).toMatchObject({
      marketingConsent: false,
      email: `${id}@example.de`,
    });
    await w.runUntil('2026-03-20T08:00:00Z');
    expect(w.published.filter((e) => e.detailType === 'customer.consent.changed')).toEqual([
      expect.objectContaining({
        source: 'retention-journeys',
        detail: expect.objectContaining({ customerId: id, marketingConsent: false }),
      }),
    ]);
    // The journey sent nothing more: the day-5 offer (marketing) did not go out.
    expect(w.outcomes.filter((o) => o.status === 'sent').map((o) => o.outboxId)).toHaveLength(2);
    expect(await testEnv().sesEmails(`${id}@example.de`)).toHaveLength(2);

    // A marketing and a transactional message already in the outbox: only the transactional one goes.
    const message = (name: string, messageClass: SendEffect['messageClass']): SendEffect => ({
      kind: 'send',
      outboxId: `onboarding#manual#${name}`,
      journeyId: 'onboarding',
      instanceId: 'manual',
      message: name,
      messageClass,
      recipient: { email: `${id}@example.de`, locale: 'de-DE', timeZone: 'Europe/Berlin' },
      data: {},
    });
    const marketingAgain = message('getting-started', 'marketing');
    const transactional = message('welcome', 'transactional');
    await w.runtime.services.store.save({
      customerId: id,
      effects: [marketingAgain, transactional],
      now: w.clock.now(),
    });
    await w.runUntil('2026-03-20T08:01:00Z');
    expect(w.outcomes).toContainEqual({
      status: 'skipped',
      outboxId: marketingAgain.outboxId,
      reason: 'marketing consent withdrawn',
    });
    expect(w.outcomes).toContainEqual(
      expect.objectContaining({ status: 'sent', outboxId: transactional.outboxId }),
    );
    const after = await testEnv().sesEmails(`${id}@example.de`);
    expect(after).toHaveLength(3);
    expect(header(after[2] as (typeof after)[number], 'List-Unsubscribe')).toBeUndefined();

    // A second click changes nothing and emits nothing more.
    const again = await fetch(link, { method: 'POST', body: 'List-Unsubscribe=One-Click' });
    expect(again.status).toBe(200);
    await w.runUntil('2026-03-20T08:02:00Z');
    expect(w.published.filter((e) => e.detailType === 'customer.consent.changed')).toHaveLength(1);
  });

  it('GET shows a confirmation page with a button and changes nothing', async () => {
    // Prepare
    const w = await newWorld();
    const id = customer();
    await register(w, id);
    const url = `${w.preferencesUrl}/unsubscribe?token=${unsubscribeToken(w, id)}`;
    const before = await w.partition(id);
    // Act
    const response = await fetch(url, { headers: { 'accept-language': 'en' } });
    // Assess
    expect(response.status).toBe(200);
    const page = await response.text();
    expect(page).toContain('Marketing-E-Mails von Example Shop abbestellen?'); // the profile's locale wins
    expect(page).toMatch(/<form method="post" action="\?token=[^"]+">/);
    expect(response.headers.get('content-security-policy')).toMatch(/default-src 'none'/);
    expect(response.headers.get('x-robots-tag')).toMatch(/noindex/);
    expect(response.headers.get('referrer-policy')).toBe('no-referrer');
    expect(await w.partition(id)).toEqual(before);
    expect((await w.runtime.services.store.getProfile(id))?.marketingConsent).toBe(true);
  });

  it('refuses forged, altered, expired and wrong-purpose tokens with 4xx and changes nothing', async () => {
    // Prepare
    const w = await newWorld();
    const id = customer();
    const other = customer();
    await register(w, id);
    await register(w, other);
    const valid = unsubscribeToken(w, id);
    const [payload, signature] = valid.split('.') as [string, string];
    const otherPayload = Buffer.from(
      JSON.stringify({ customerId: other, purpose: 'unsubscribe', expiresAt: '2026-06-01T00:00:00Z' }),
    ).toString('base64url');
    const cases: [name: string, token: string, status: number][] = [
      [
        'forged',
        signToken('not-the-secret-0123456789', {
          customerId: id,
          purpose: 'unsubscribe',
          expiresAt: '2026-06-01T00:00:00Z',
        }),
        400,
      ],
      ['altered (another customer)', `${otherPayload}.${signature}`, 400],
      ['altered signature', `${payload}.${signature.slice(0, -2)}AA`, 400],
      ['expired', unsubscribeToken(w, id, '2026-03-01T00:00:00Z'), 410],
      [
        'wrong purpose',
        signToken(w.runtime.config.signingSecret as string, {
          customerId: id,
          purpose: 'feedback',
          expiresAt: '2026-06-01T00:00:00Z',
          orderId: 'o1',
          score: '3',
        }),
        400,
      ],
      ['malformed', 'garbage', 400],
      ['missing', '', 400],
    ];
    await w.runUntil(START); // welcome and journey events out of the way
    const before = [await w.partition(id), await w.partition(other)];
    for (const [name, token, status] of cases) {
      // Act
      const response = await fetch(`${w.preferencesUrl}/unsubscribe?token=${encodeURIComponent(token)}`, {
        method: 'POST',
        body: 'List-Unsubscribe=One-Click',
      });
      // Assess
      expect(response.status, name).toBe(status);
      expect(await response.text(), name).toMatch(
        status === 410 ? /Dieser Link ist abgelaufen/ : /This link is not valid/,
      );
    }
    expect([await w.partition(id), await w.partition(other)]).toEqual(before);
    expect((await w.runtime.drainOutbox()).outcomes).toEqual([]);
  });

  it('answers an unknown route with 404 and a wrong method with 405', async () => {
    const w = await newWorld();
    expect((await fetch(`${w.preferencesUrl}/nothing-here`)).status).toBe(404);
    const put = await fetch(`${w.preferencesUrl}/unsubscribe?token=x`, { method: 'PUT' });
    expect(put.status).toBe(405);
    expect(put.headers.get('allow')).toBe('GET, POST');
  });
});

describe('feedback links', () => {
  it('shows the signed score, publishes feedback.submitted once per link, and refuses an altered score', async () => {
    // Prepare
    const w = await newWorld();
    const id = customer();
    await register(w, id);
    const orderId = `${id}-o1`;
    const links = feedbackLinks(w.runtime.config.signingSecret as string, w.preferencesUrl, {
      customerId: id,
      orderId,
      now: w.clock.now(),
    });
    const nine = links[9] as string;
    // Act: open the link (GET, changes nothing), then submit with a comment, twice
    const form = await fetch(nine);
    const submit = () =>
      fetch(nine, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ comment: 'Schnelle Lieferung <3' }).toString(),
      });
    const first = await submit();
    const second = await submit();
    const altered = await fetch(nine.replace('score=9', 'score=10'));
    await w.runUntil(w.clock.now()); // the dispatcher publishes the answer from the outbox
    // Assess
    expect(form.status).toBe(200);
    expect(await form.text()).toContain('Ihre Bewertung: 9 von 10');
    expect(first.status).toBe(200);
    expect(await first.text()).toContain('Vielen Dank für Ihr Feedback');
    expect(second.status).toBe(200);
    const feedback = w.published.filter((e) => e.detailType === 'feedback.submitted');
    const feedbackId = expect.stringMatching(/^[0-9a-f]{32}$/);
    expect(feedback).toEqual([
      expect.objectContaining({
        source: 'shop',
        detail: {
          customerId: id,
          orderId,
          score: 9,
          comment: 'Schnelle Lieferung <3',
          feedbackId,
          outboxId: expect.stringMatching(/^feedback#[0-9a-f]{32}$/),
        },
      }),
    ]);
    expect(altered.status).toBe(400);
    // Another score's link is another answer, with another feedbackId.
    await fetch(links[3] as string, { method: 'POST', body: '' });
    await w.runUntil(w.clock.now());
    const ids = w.published
      .filter((e) => e.detailType === 'feedback.submitted')
      .map((e) => e.detail.feedbackId);
    expect(new Set(ids).size).toBe(2);
  });
});

describe('one answer is one event', () => {
  it('publishes feedback.submitted once for eight parallel submits of one link', async () => {
    // Prepare
    const w = await newWorld();
    const id = customer();
    await register(w, id);
    const link = feedbackLinks(w.runtime.config.signingSecret as string, w.preferencesUrl, {
      customerId: id,
      orderId: `${id}-o1`,
      now: w.clock.now(),
    })[10] as string;

    // Act: eight submits racing (a double-clicking customer, a mail scanner, a retrying proxy)
    const responses = await Promise.all(
      Array.from({ length: 8 }, (_, n) =>
        fetch(link, {
          method: 'POST',
          headers: { 'content-type': 'application/x-www-form-urlencoded' },
          body: new URLSearchParams({ comment: `attempt ${n}` }).toString(),
        }),
      ),
    );
    await w.runUntil(w.clock.now());

    // Assess: every submitter sees the thanks page; one answer item, one outbox entry, one event
    expect(responses.map((r) => r.status)).toEqual(Array(8).fill(200));
    const feedback = w.published.filter((e) => e.detailType === 'feedback.submitted');
    expect(feedback).toHaveLength(1);
    const items = await w.partition(id);
    expect(items.filter((i) => String(i.SK).startsWith('FB#'))).toHaveLength(1);
    expect(items.filter((i) => String(i.SK).startsWith('OUT#feedback#'))).toEqual([
      expect.objectContaining({ status: 'sent' }),
    ]);
  });
});
