/**
 * The fault suite's reduced run (issue 8): every row in faults/rows at `size: 'small'` with the fixed
 * seed, one test per row named after it. `npm run faults` runs the same rows at full size.
 */
import { describe, expect, test } from 'vitest';
import { DEFAULT_SEED, discoverRows, runRow } from '../../faults/suite.ts';

const rows = await discoverRows();

describe('fault suite (small)', () => {
  test('finds the rows', () => {
    expect(rows.map((r) => r.file)).toEqual(expect.arrayContaining(['duplicates', 'hostile-strings']));
  });

  for (const row of rows) {
    test(row.check.name, { timeout: 180_000 }, async () => {
      const result = await runRow(row, { size: 'small', seed: DEFAULT_SEED });
      expect(result.cases, result.note).toBeGreaterThan(0);
      expect(
        { lost: result.lost, doubled: result.doubled, crashed: result.crashed, leaked: result.leaked },
        result.note,
      ).toEqual({ lost: 0, doubled: 0, crashed: 0, leaked: 0 });
    });
  }
});
