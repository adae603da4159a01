/**
 * The words of `journeys simulate`'s timeline (timeline-text.ts): a result written by hand in, text out.
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { buildCatalog } from '../../functions/catalog/build.ts';
import { UsageError } from '../../local/errors.ts';
import { MemoryTables } from '../../local/memory-table/table.ts';
import { followedCustomers } from '../../local/simulate/cli.ts';
import { readScenario, simulate } from '../../local/simulate/index.ts';
import { noteFact } from '../../local/simulate/note-facts.ts';
import type { SimulationResult, TimelineLine } from '../../local/simulate/timeline.ts';
import {
  durationInWords,
  emittedWords,
  journeySummary,
  renderTimeline,
  spanInWords,
} from '../../local/simulate/timeline-text.ts';

const scenario = {
  events: [
    {
      at: 'PT0S',
      source: 'shop',
      detailType: 'customer.registered',
      detail: { customerId: 'w1', email: 'wanda@example.com', firstName: 'Wanda', timeZone: 'Europe/Berlin' },
    },
    {
      at: 'PT0S',
      source: 'shop',
      detailType: 'customer.registered',
      detail: { customerId: 'a1', email: 'aroha@example.co.nz', timeZone: 'Pacific/Auckland' },
    },
  ],
};

function note(at: string, customerId: string, journey: string, text: string): TimelineLine {
  const fact = noteFact(text);
  return { at, customerId, kind: 'note', text: `${journey} ${text}`, journey, ...(fact ? { fact } : {}) };
}

function journeyEvent(
  customerId: string,
  type: string,
  journey: string,
  extra: Record<string, unknown> = {},
) {
  return {
    at: '2026-01-05T09:00:00Z',
    source: 'retention-journeys',
    detailType: type,
    detail: { customerId, journey, ...extra },
  };
}

const coupon = {
  customerId: 'w1',
  code: 'GQSX-DV44',
  percentOff: 10,
  expiresAt: '2026-02-04T09:00:00Z',
  journey: 'referral',
  message: 'referral-welcome',
  outboxId: 'x',
};

const result: SimulationResult = {
  emails: [
    {
      sentAt: '2026-01-05T09:00:00Z',
      outboxId: 'o',
      customerId: 'w1',
      to: 'wanda@example.com',
      journey: 'onboarding',
      message: 'welcome',
      locale: 'en',
      subject: 'Welcome',
      text: '',
      html: '',
      headers: {},
    },
  ],
  events: [
    journeyEvent('w1', 'journey.entered', 'onboarding', { holdout: false }),
    journeyEvent('a1', 'journey.entered', 'onboarding', { holdout: true }),
    journeyEvent('w1', 'journey.exited', 'onboarding'),
    journeyEvent('w1', 'journey.goal.reached', 'onboarding'),
  ],
  rejected: [],
  errors: [],
  timeline: [
    {
      at: '2026-01-05T09:00:00Z',
      customerId: 'w1',
      kind: 'event',
      text: 'order.placed w1',
      event: {
        detailType: 'order.placed',
        detail: { orderId: 'o1', total: { amount: '40.00', currency: 'EUR' } },
      },
    },
    note('2026-01-05T09:00:00Z', 'w1', 'onboarding', 'enters'),
    note('2026-01-05T09:00:00Z', 'w1', 'onboarding', 'sends welcome'),
    note('2026-01-05T09:00:00Z', 'w1', 'onboarding', 'waits until 2026-01-07T09:00:00Z'),
    note(
      '2026-01-05T09:00:00Z',
      'w1',
      'win-back',
      'watches for P60D without order.placed: due 2026-03-06T09:00:00Z',
    ),
    {
      at: '2026-01-05T09:00:00Z',
      customerId: 'w1',
      kind: 'email',
      text: 'onboarding/welcome [en] → wanda@example.com “Welcome”',
      journey: 'onboarding',
      email: { message: 'welcome', locale: 'en', to: 'wanda@example.com', subject: 'Welcome' },
    },
    {
      at: '2026-01-05T09:00:00Z',
      customerId: 'w1',
      kind: 'emit',
      text: 'coupon.issued {…}',
      event: { detailType: 'coupon.issued', detail: coupon },
    },
    note('2026-01-05T11:00:00Z', 'a1', 'onboarding', 'enters (holdout)'),
    note(
      '2026-01-05T11:00:00Z',
      'a1',
      'post-purchase',
      'holds thank-you-first for quiet hours until 2026-01-05T19:00:00Z',
    ),
  ],
  stats: { virtualDays: 3, wallMs: 10, steps: 4, store: 'memory' },
};

describe('timeline text', () => {
  it('durations in words', () => {
    expect(durationInWords('P60D')).toBe('60 days');
    expect(durationInWords('PT2H')).toBe('2 hours');
    expect(durationInWords('P1D')).toBe('1 day');
    expect(durationInWords('P1DT30M')).toBe('1 day 30 minutes');
    // Calendar days in the customer's zone: across the DST change a day is 23 hours of elapsed time.
    expect(spanInWords('2026-03-28T09:00:00Z', '2026-03-29T08:00:00Z', 'Europe/Berlin')).toBe('1 day');
    expect(spanInWords('2026-01-05T09:00:00Z', '2026-01-05T11:30:00Z', 'Europe/Berlin')).toBe(
      '2 hours 30 minutes',
    );
  });

  it('emitted events: the common ones in words, any other as type key=value', () => {
    expect(
      emittedWords(
        'referral.code.created',
        { customerId: 'w1', code: '6ENU-38T7' },
        'UTC',
        '2026-01-05T09:00:00Z',
      ),
    ).toBe('referral code 6ENU-38T7 created');
    expect(emittedWords('coupon.issued', coupon, 'Europe/Berlin', '2026-01-05T09:00:00Z')).toBe(
      'coupon GQSX-DV44: 10 % off, valid until Wed 4 Feb 10:00 +01:00 (referral/referral-welcome)',
    );
    expect(
      emittedWords(
        'loyalty.tier.changed',
        { customerId: 'w1', from: 'member', to: 'gold', at: '2027-01-01T00:00:00Z', outboxId: 'x' },
        'Europe/Berlin',
        '2026-12-31T09:00:00Z',
      ),
    ).toBe('loyalty.tier.changed from=member to=gold at=Fri 1 Jan 2027 01:00 +01:00');
  });

  it('points earned on an order: when they become available', () => {
    const earned = {
      customerId: 'k1',
      points: 1500,
      reason: 'order',
      orderId: 'o1',
      availableAt: '2026-01-19T21:00:00Z',
      balance: 100,
    };
    expect(emittedWords('loyalty.points.earned', earned, 'Pacific/Auckland', '2026-01-05T21:00:00Z')).toBe(
      'earns 1500 points (order o1), available Tue 20 Jan 10:00 +13:00; balance 100',
    );
  });

  it('one line per thing, naming the customer, in local time with the offset; headings name the zone when there are several', () => {
    const text = renderTimeline(result, scenario, { name: 'demo.yaml', color: false });
    expect(text.split('\n')).toEqual([
      "Simulation of demo.yaml — 3 days of virtual time; times are each customer's own",
      '',
      'Mon 5 Jan 2026 · Europe/Berlin',
      '  10:00 +01:00  w1 Wanda <wanda@example.com>  ← order.placed o1, 40.00 EUR',
      '  10:00 +01:00  w1 Wanda <wanda@example.com>  · onboarding enters',
      '  10:00 +01:00  w1 Wanda <wanda@example.com>  · onboarding waits 2 days, until Wed 7 Jan 10:00 +01:00',
      '  10:00 +01:00  w1 Wanda <wanda@example.com>  · win-back starts Fri 6 Mar 10:00 +01:00 if no order.placed comes in 60 days',
      '  10:00 +01:00  w1 Wanda <wanda@example.com>  ✉ onboarding/welcome [en] “Welcome”',
      '  10:00 +01:00  w1 Wanda <wanda@example.com>  ⚡ coupon GQSX-DV44: 10 % off, valid until Wed 4 Feb 10:00 +01:00 (referral/referral-welcome)',
      'Tue 6 Jan 2026 · Pacific/Auckland',
      '  00:00 +13:00  a1 <aroha@example.co.nz>      · onboarding enters, in the holdout (tracked, not mailed)',
      '  00:00 +13:00  a1 <aroha@example.co.nz>      · post-purchase holds thank-you-first for quiet hours until Tue 6 Jan 08:00 +13:00',
      '',
      'Per journey',
      '  onboarding  entered 2 (1 in the holdout) · emails: welcome ×1 · exited 1 · goal reached 1 · still in it at the end 1',
    ]);
  });

  it('--customer: only the lines and the journeys of the customers followed; no colour unless asked', () => {
    const text = renderTimeline(result, scenario, {
      name: 'demo.yaml',
      color: false,
      customers: new Set(['a1']),
    });
    expect(text).toContain('following a1');
    expect(text).not.toContain('w1 Wanda');
    expect(text).toContain(
      'Tue 6 Jan 2026 · Pacific/Auckland\n  00:00 +13:00  a1 <aroha@example.co.nz>  · onboarding enters',
    );
    expect(text).toContain(
      '  onboarding  entered 1 (1 in the holdout) · no email · still in it at the end 1',
    );
    expect(text).not.toContain('\u001b[');
    expect(renderTimeline(result, scenario, { name: 'demo.yaml', color: true })).toContain(
      '\u001b[1mPer journey\u001b[0m',
    );
  });

  it('a summary that says so when no journey was entered', () => {
    expect(journeySummary({ ...result, events: [], emails: [] }, undefined)).toEqual([
      'No journey was entered.',
    ]);
  });

  it('--customer: ids repeated or comma-separated; an unknown one is a usage error with the closest id', () => {
    const shop = {
      events: ['anna-1', 'ben-2', 'carla-3'].map((customerId) => ({
        at: 'PT0S',
        source: 'shop',
        detailType: 'customer.registered',
        detail: { customerId },
      })),
    };
    expect(followedCustomers(shop, undefined)).toBeUndefined();
    expect(followedCustomers(shop, ['anna-1,ben-2', 'carla-3'])).toEqual(
      new Set(['anna-1', 'ben-2', 'carla-3']),
    );
    expect(() => followedCustomers(shop, ['ana-1'])).toThrow(UsageError);
    expect(() => followedCustomers(shop, ['ana-1'])).toThrow(
      '--customer ana-1: the scenario has no customer of that id (did you mean "anna-1"?)',
    );
  });

  it("reads the engine's own notes: every wait, watch, entry, exit, goal and completion of a run has its facts", async () => {
    // The notes are the engine's English (functions/core/engine.ts, entry.ts); worded otherwise, they
    // would fall back to their text, so a change of wording shows here.
    const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
    const { catalog } = await buildCatalog(root, { defaultLocale: 'en' });
    const scenario = await readScenario(path.join(root, 'test/scenarios/win-back.yaml'));
    const result = await simulate(scenario, catalog, { memory: new MemoryTables() });
    const notes = result.timeline.filter((l) => l.kind === 'note' && l.journey !== 'loyalty');
    const kinds = new Set(notes.map((l) => l.fact?.kind));
    for (const kind of [
      'enters',
      'sends',
      'waits',
      'waitsFor',
      'watches',
      'condition',
      'exits',
      'goal',
      'completes',
    ])
      expect(kinds, kind).toContain(kind);
    const unread = notes.filter(
      (l) => !l.fact && /^\S+ (waits|watches|enters|exits|reaches|completes)/.test(l.text),
    );
    expect(unread.map((l) => l.text)).toEqual([]);
  }, 60_000);
});
