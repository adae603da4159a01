/**
 * The order-permutation fault row (faults/rows/permutation.ts) at small size: 30 generated customers
 * (seeded fast-check), their events delivered in order and shuffled within the window with
 * duplicates, through the simulator (real handlers, memory table, SES emulator). Every email of the
 * in-order run must go out in the shuffled run too, once. test/unit/permutation.test.ts checks the
 * same property on the engine alone, 200 runs with shrinking.
 */

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import permutation, {
  compareEmails,
  customerArb,
  happenings,
  inOrder,
  shuffled,
  WINDOW_SECONDS,
} from '../../faults/rows/permutation.ts';

describe('order permutation (property-based)', () => {
  it('counts what the shuffled run lost and sent twice', () => {
    const reference = ['c1 post-purchase thank-you-first o1', 'c1 onboarding welcome '];
    const actual = ['c1 onboarding welcome ', 'c1 onboarding welcome '];
    expect(compareEmails(reference, actual)).toEqual({
      lost: ['c1 post-purchase thank-you-first o1'],
      doubled: ['c1 onboarding welcome '],
    });
  });

  it('shuffles within the window only, keeping each envelope’s business time', () => {
    fc.assert(
      fc.property(customerArb, (c) => {
        const events = happenings('c1', c);
        const reference = inOrder(events);
        const disordered = shuffled(events, c);
        expect(disordered.length).toBeGreaterThanOrEqual(reference.length);
        for (const e of disordered) {
          const late = Date.parse(e.at) - Date.parse(e.time as string);
          expect(late).toBeGreaterThanOrEqual(0);
          expect(late).toBeLessThanOrEqual(WINDOW_SECONDS * 1000);
        }
      }),
      { seed: 8, numRuns: 200 },
    );
  });

  it('30 customers shuffled: the same emails as in order, none lost, none doubled', async () => {
    // Act
    const row = await permutation.run({ size: 'small', seed: 8 });
    // Assess
    expect(row.cases).toBe(30);
    expect(row, row.note).toMatchObject({ lost: 0, doubled: 0, crashed: 0, leaked: 0 });
  }, 300_000);
});
