/**
 * The NPS answer counts on the first click (a GET of the score's link), and a mail scanner that opens
 * every link records nothing: services/preferences.ts, core/feedback.ts, adapters/feedback-store.ts.
 */
import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { feedbackLinks } from '../../functions/core/links.ts';
import { type LocalWorld, localWorlds } from '../support/local-world.ts';
import { registration } from '../support/scenario.ts';

const START = '2026-03-02T08:00:00Z';
const newWorld = localWorlds(START);
const customer = () => `c-${randomUUID().slice(0, 8)}`;

async function customerWithLinks(w: LocalWorld) {
  const id = customer();
  await w.runtime.deliver({
    id: `reg-${id}`,
    source: 'shop',
    detailType: 'customer.registered',
    time: w.clock.now(),
    detail: registration(id),
  });
  await w.runUntil(w.clock.now());
  const orderId = `${id}-o1`;
  const links = feedbackLinks(w.runtime.config.signingSecret as string, w.preferencesUrl, {
    customerId: id,
    orderId,
    now: w.clock.now(),
  });
  return { id, orderId, links };
}

const answers = (w: LocalWorld, id: string) =>
  w.published.filter((e) => e.detailType === 'feedback.submitted' && e.detail.customerId === id);

const later = (w: LocalWorld, minutes: number) =>
  new Date(Date.parse(w.clock.now()) + minutes * 60_000).toISOString().replace(/\.\d{3}Z$/, 'Z');

describe('the first click counts', () => {
  it('publishes one feedback.submitted for a single GET of a score link, even when opened twice', async () => {
    // Prepare
    const w = await newWorld();
    const { id, orderId, links } = await customerWithLinks(w);
    // Act: the customer clicks 9 in the email, reloads the page, and closes the tab
    const first = await fetch(links[9] as string);
    const again = await fetch(links[9] as string);
    await w.runUntil(later(w, 60));
    // Assess
    expect(first.status).toBe(200);
    expect(await first.text()).toContain('Vielen Dank für Ihre Bewertung');
    expect(again.status).toBe(200);
    expect(answers(w, id)).toEqual([
      expect.objectContaining({
        source: 'shop',
        detail: expect.objectContaining({ customerId: id, orderId, score: 9 }),
      }),
    ]);
  });

  it('a later click of another score replaces the answer not yet published; a comment goes with it', async () => {
    const w = await newWorld();
    const { id, links } = await customerWithLinks(w);
    await fetch(links[6] as string);
    w.clock.set(later(w, 2));
    await fetch(links[8] as string);
    await fetch(links[8] as string, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ comment: 'Doch eher gut' }).toString(),
    });
    await w.runUntil(later(w, 60));
    expect(answers(w, id).map((e) => [e.detail.score, e.detail.comment])).toEqual([[8, 'Doch eher gut']]);
  });
});

describe('mail scanners', () => {
  it('records nothing when all eleven links are opened at once, and then exactly what the customer confirms', async () => {
    // Prepare
    const w = await newWorld();
    const { id, links } = await customerWithLinks(w);
    // Act: a scanner opens every link at delivery
    const scanned = await Promise.all(links.map((link) => fetch(link)));
    await w.runUntil(later(w, 60));
    // Assess: nothing recorded; once the burst is recognised, the pages ask for a confirmation
    expect(scanned.map((r) => r.status)).toEqual(Array(11).fill(200));
    const pages = await Promise.all(scanned.map((r) => r.text()));
    expect(
      pages.filter((p) => p.includes('Bitte bestätigen Sie Ihre Bewertung')).length,
    ).toBeGreaterThanOrEqual(9);
    expect(answers(w, id)).toEqual([]);
    // The customer (during the burst, on a page asking for it) confirms 7: one answer, 7.
    await fetch(links[7] as string, { method: 'POST', body: '' });
    await w.runUntil(later(w, 60));
    expect(answers(w, id).map((e) => e.detail.score)).toEqual([7]);
  });

  it('records nothing when the scanner opens the links one after another within seconds', async () => {
    const w = await newWorld();
    const { id, links } = await customerWithLinks(w);
    for (const link of links) {
      await fetch(link);
      w.clock.set(new Date(Date.parse(w.clock.now()) + 2_000).toISOString().replace(/\.\d{3}Z$/, 'Z'));
    }
    await w.runUntil(later(w, 60));
    expect(answers(w, id)).toEqual([]);
    // Hours later the customer clicks 10 and closes the tab: it counts.
    w.clock.set(later(w, 180));
    await fetch(links[10] as string);
    await w.runUntil(later(w, 60));
    expect(answers(w, id).map((e) => e.detail.score)).toEqual([10]);
  });
});
