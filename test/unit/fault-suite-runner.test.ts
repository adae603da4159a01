import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, test } from 'vitest';
import { closingLine, discoverRows, formatTable, runRow, selectRows } from '../../faults/suite.ts';
import { countDiff } from '../../faults/support/world.ts';

const TYPES = path.resolve(import.meta.dirname, '../../faults/types.ts');

async function rowsDir(files: Record<string, string>): Promise<string> {
  const dir = await mkdtemp(path.join(tmpdir(), 'fault-rows-'));
  for (const [name, source] of Object.entries(files)) await writeFile(path.join(dir, name), source);
  return dir;
}

const row = (name: string, counts: string) =>
  `import type { FaultCheck } from ${JSON.stringify(TYPES)};
export default { name: ${JSON.stringify(name)}, async run(o) { return { name: ${JSON.stringify(name)}, cases: o.size === 'small' ? 1 : 10, ${counts}, note: 'seed ' + o.seed }; } } satisfies FaultCheck;`;

describe('fault suite runner', () => {
  test('discovers every row file in name order and runs each', async () => {
    const dir = await rowsDir({
      'b-row.ts': row('second', 'lost: 0, doubled: 2, crashed: 0, leaked: 0'),
      'a-row.ts': row('first', 'lost: 0, doubled: 0, crashed: 0, leaked: 0'),
      'notes.md': 'not a row',
    });
    const rows = await discoverRows(dir);
    expect(rows.map((r) => [r.file, r.check.name])).toEqual([
      ['a-row', 'first'],
      ['b-row', 'second'],
    ]);
    const results = [];
    for (const r of rows) results.push(await runRow(r, { size: 'small', seed: 3 }));
    expect(results.map((r) => [r.cases, r.doubled, r.note])).toEqual([
      [1, 0, 'seed 3'],
      [1, 2, 'seed 3'],
    ]);
    const table = formatTable(results).split('\n');
    expect(table[0]).toMatch(/^row\s+cases\s+lost\s+doubled\s+crashed\s+leaked\s+note$/);
    expect(table[3]).toMatch(/^second\s+1\s+0\s+2\s+0\s+0\s+seed 3$/);
    expect(closingLine(results, { size: 'small', seed: 3 })).toMatch(
      /^1 of 2 row\(s\) not clean: 0 lost, 2 doubled, 0 crashed, 0 leaked — b-row/,
    );
  });

  test('a row that throws is reported as a crash, not a failed suite', async () => {
    const dir = await rowsDir({
      'boom.ts': `export default { name: 'boom', async run() { throw new Error('no SES'); } };`,
    });
    const [boom] = await discoverRows(dir);
    const result = await runRow(boom as NonNullable<typeof boom>, { size: 'full', seed: 1 });
    expect(result).toMatchObject({ crashed: 1, note: 'the row itself failed: no SES' });
  });

  test('refuses a file that is not a row, and two rows with one name', async () => {
    await expect(discoverRows(await rowsDir({ 'x.ts': 'export default 42;' }))).rejects.toThrow(/FaultCheck/);
    const twice = await rowsDir({
      'a.ts': row('same', 'lost: 0, doubled: 0, crashed: 0, leaked: 0'),
      'b.ts': row('same', 'lost: 0, doubled: 0, crashed: 0, leaked: 0'),
    });
    await expect(discoverRows(twice)).rejects.toThrow(/both named "same"/);
  });

  test('--only matches a file name, a row name, or part of a row name', async () => {
    const rows = await discoverRows(
      await rowsDir({
        'duplicates.ts': row('duplicates ×3 (same id, new id)', 'lost: 0, doubled: 0, crashed: 0, leaked: 0'),
        'ses-faults.ts': row('SES faults', 'lost: 0, doubled: 0, crashed: 0, leaked: 0'),
      }),
    );
    expect(selectRows(rows, 'duplicates').map((r) => r.file)).toEqual(['duplicates']);
    expect(selectRows(rows, 'ses faults').map((r) => r.file)).toEqual(['ses-faults']);
    expect(selectRows(rows, 'same id').map((r) => r.file)).toEqual(['duplicates']);
    expect(selectRows(rows, undefined)).toHaveLength(2);
    expect(selectRows(rows, 'nothing')).toEqual([]);
  });

  test('countDiff counts missing and extra keys as multisets', () => {
    expect(countDiff(['a', 'a', 'b', 'c'], ['a', 'b', 'b', 'b', 'd'])).toEqual({
      lost: 2,
      doubled: 3,
      missing: ['a', 'c'],
      extra: ['b', 'b', 'd'],
    });
  });
});
