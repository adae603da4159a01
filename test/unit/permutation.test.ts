/**
 * Order permutation as a property of the engine (issue 8), 200 seeded fast-check runs on every
 * shipped journey: a customer's events delivered in business-time order, and shuffled within the
 * window with duplicates (an exact redelivery is dropped, as the processed marker does; a copy under
 * a new id is decided again), send the same emails — (journey, message, order). The generator and
 * its limits are the fault row's (faults/rows/permutation.ts); the row runs the same through the
 * simulator and the real handlers.
 */
import { readdirSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { customerArb, happenings, inOrder, shuffled } from '../../faults/rows/permutation.ts';
import type { Scenario } from '../../local/simulate/index.ts';
import { loadDefinition, World } from '../support/engine-world.ts';

const journeys = readdirSync(new URL('../../journeys', import.meta.url))
  .filter((f) => f.endsWith('.yaml'))
  .map((f) => loadDefinition(`journeys/${f}`));
const UNTIL = '2026-05-30T00:00:00Z';

/** The emails a world sends for these deliveries, as `journey message order`. */
function emails(deliveries: Scenario['events'], orderIds: Set<string>): string[] {
  const world = new World(journeys, deliveries[0]?.at ?? UNTIL);
  const seen = new Set<string>();
  for (const d of deliveries) {
    world.runUntil(d.at);
    if (d.id && seen.has(d.id)) continue;
    if (d.id) seen.add(d.id);
    world.deliver(d.detailType, d.detail, d.id, d.time ?? d.at);
  }
  world.runUntil(UNTIL);
  return world.sends
    .map(({ effect }) => {
      if (effect.kind !== 'send') return '';
      const orderId = orderIds.has(effect.instanceId) ? effect.instanceId : '';
      return `${effect.journeyId} ${effect.message} ${orderId}`;
    })
    .sort();
}

describe('order permutation (engine property)', () => {
  it('events shuffled within the window, some twice, send the emails of the in-order delivery', () => {
    fc.assert(
      fc.property(customerArb, (c) => {
        const events = happenings('c1', c);
        const orderIds = new Set(events.map((e) => String(e.detail.orderId ?? '')).filter(Boolean));
        expect(emails(shuffled(events, c), orderIds)).toEqual(emails(inOrder(events), orderIds));
      }),
      { seed: 8, numRuns: 200 },
    );
  });
});
