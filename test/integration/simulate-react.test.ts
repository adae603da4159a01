/**
 * The simulator's `react` hook: a behaviour model answers what happens (an email sent, an event the
 * system emitted) with shop events at later virtual times, which the journeys then see like any other.
 */
import { describe, expect, it } from 'vitest';
import { buildCatalog } from '../../functions/catalog/build.ts';
import { MemoryTables } from '../../local/memory-table/table.ts';
import { type Happening, type Scenario, simulate } from '../../local/simulate/index.ts';
import { testEnv } from './env.ts';

describe('simulate({ react })', () => {
  it('delivers the answers to emails and emitted events, never before what they answer', async () => {
    // Prepare: one customer registers; the model orders a day after the welcome email, and answers
    // the journey.entered of onboarding with an order "in the past", which must come no earlier.
    const { catalog } = await buildCatalog(process.cwd(), { defaultLocale: 'en' });
    const scenario: Scenario = {
      start: '2026-03-02T09:00:00Z',
      until: 'P5D',
      events: [
        {
          at: 'PT0S',
          source: 'shop',
          detailType: 'customer.registered',
          detail: {
            customerId: 'r1',
            email: 'r1@example.com',
            locale: 'en',
            timeZone: 'Europe/Berlin',
            marketingConsent: true,
          },
        },
      ],
    };
    const seen: Happening[] = [];
    const order = (orderId: string, at: string) => ({
      at,
      detailType: 'order.placed',
      detail: { orderId, customerId: 'r1', placedAt: at, total: { amount: '20.00', currency: 'EUR' } },
    });

    // Act
    const result = await simulate(
      scenario,
      catalog,
      { memory: new MemoryTables(), sesEndpoint: testEnv().sesEndpoint },
      {
        react: (happening) => {
          seen.push(happening);
          if (happening.kind === 'email' && happening.message === 'welcome')
            return [order('after-welcome', '2026-03-03T10:00:00.000Z')];
          if (
            happening.kind === 'emit' &&
            happening.detailType === 'journey.entered' &&
            happening.detail.journey === 'onboarding'
          )
            return [order('too-early', '2026-01-01T00:00:00.000Z')];
          return [];
        },
      },
    );

    // Assess
    expect(result.errors).toEqual([]);
    expect(
      seen.some(
        (h) => h.kind === 'email' && h.journey === 'onboarding' && h.outboxId.startsWith('onboarding#'),
      ),
    ).toBe(true);
    const thanks = result.emails.filter((e) => e.message.startsWith('thank-you'));
    const iso = (t: string) => new Date(t).toISOString();
    expect(thanks.map((e) => [e.message, iso(e.sentAt)])).toEqual([
      ['thank-you-first', '2026-03-02T09:00:00.000Z'],
      ['thank-you-returning', '2026-03-03T10:00:00.000Z'],
    ]);
    expect(result.timeline.filter((l) => l.kind === 'event').map((l) => `${iso(l.at)} ${l.text}`)).toEqual([
      '2026-03-02T09:00:00.000Z customer.registered r1',
      // "too-early": answered to journey.entered at 09:00, so delivered then, not in January.
      '2026-03-02T09:00:00.000Z order.placed r1',
      '2026-03-03T10:00:00.000Z order.placed r1',
    ]);
  });
});
