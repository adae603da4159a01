/**
 * The fault suite's machinery, shared by `npm run faults` (faults/run.ts) and the reduced run in
 * `npm test` (test/faults/fault-suite.test.ts): finds the rows, runs one, formats the table.
 * Rows are found in `faults/rows/*.ts` (default export: a FaultCheck), so adding a row is adding a file.
 */
import { readdir } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { FaultCheck, FaultRow, FaultRunOptions } from './types.ts';

export const ROWS_DIR = path.join(path.dirname(fileURLToPath(import.meta.url)), 'rows');

/** The seed of `npm run faults` and of the reduced run in `npm test`, unless `--seed` says otherwise. */
export const DEFAULT_SEED = 8;

export interface DiscoveredRow {
  /** File name without `.ts`, e.g. `duplicates`: what `--only` matches besides the row's name. */
  file: string;
  check: FaultCheck;
}

function isFaultCheck(value: unknown): value is FaultCheck {
  const v = value as Partial<FaultCheck> | undefined;
  return typeof v?.name === 'string' && v.name.length > 0 && typeof v.run === 'function';
}

/** Every row file, in file-name order. A file whose default export is not a FaultCheck is an error. */
export async function discoverRows(dir = ROWS_DIR): Promise<DiscoveredRow[]> {
  const files = (await readdir(dir))
    .filter((f) => f.endsWith('.ts') && !f.endsWith('.d.ts') && !f.endsWith('.test.ts'))
    .sort();
  const rows: DiscoveredRow[] = [];
  for (const file of files) {
    const mod = (await import(pathToFileURL(path.join(dir, file)).href)) as { default?: unknown };
    if (!isFaultCheck(mod.default)) {
      throw new Error(`${path.join(dir, file)}: the default export must be a FaultCheck ({ name, run })`);
    }
    rows.push({ file: file.replace(/\.ts$/, ''), check: mod.default });
  }
  const names = new Map<string, string>();
  for (const row of rows) {
    const other = names.get(row.check.name);
    if (other) throw new Error(`rows ${other} and ${row.file} are both named "${row.check.name}"`);
    names.set(row.check.name, row.file);
  }
  return rows;
}

/** Rows whose file name or row name equals `only`, or whose row name contains it (case-insensitive). */
export function selectRows(rows: DiscoveredRow[], only: string | undefined): DiscoveredRow[] {
  if (!only) return rows;
  const wanted = only.toLowerCase();
  const exact = rows.filter((r) => r.file.toLowerCase() === wanted || r.check.name.toLowerCase() === wanted);
  return exact.length ? exact : rows.filter((r) => r.check.name.toLowerCase().includes(wanted));
}

export interface RowResult extends FaultRow {
  file: string;
  seconds: number;
}

/**
 * Runs one row. A row that throws is itself a crash: it is reported as such (with the error as its
 * note) rather than taking the whole suite down.
 */
export async function runRow(row: DiscoveredRow, options: FaultRunOptions): Promise<RowResult> {
  const started = performance.now();
  const seconds = () => Math.round((performance.now() - started) / 100) / 10;
  try {
    const result = await row.check.run(options);
    return { ...result, name: row.check.name, file: row.file, seconds: seconds() };
  } catch (error) {
    return {
      name: row.check.name,
      file: row.file,
      cases: 0,
      lost: 0,
      doubled: 0,
      crashed: 1,
      leaked: 0,
      note: `the row itself failed: ${error instanceof Error ? error.message : String(error)}`.split('\n')[0],
      seconds: seconds(),
    };
  }
}

export const COUNTS = ['lost', 'doubled', 'crashed', 'leaked'] as const;

export function isClean(row: FaultRow): boolean {
  return COUNTS.every((count) => row[count] === 0);
}

/** One plain-text table: row, cases, lost, doubled, crashed, leaked, note. */
export function formatTable(rows: RowResult[]): string {
  const header = ['row', 'cases', 'lost', 'doubled', 'crashed', 'leaked', 'note'];
  const body = rows.map((r) => [
    r.name,
    String(r.cases),
    String(r.lost),
    String(r.doubled),
    String(r.crashed),
    String(r.leaked),
    r.note ?? '',
  ]);
  const widths = header.map((h, i) =>
    Math.max(h.length, ...body.map((cells) => [...(cells[i] as string)].length)),
  );
  const numeric = (i: number) => i >= 1 && i <= 5;
  const line = (cells: string[]) =>
    cells
      .map((cell, i) => {
        if (i === cells.length - 1) return cell;
        const pad = ' '.repeat((widths[i] as number) - [...cell].length);
        return numeric(i) ? pad + cell : cell + pad;
      })
      .join('  ')
      .trimEnd();
  const rule = widths.map((w, i) => (i === widths.length - 1 ? '-'.repeat(Math.min(w, 40)) : '-'.repeat(w)));
  return [line(header), rule.join('  '), ...body.map(line)].join('\n');
}

/** The line under the table: the verdict, and how to replay it. */
export function closingLine(rows: RowResult[], options: FaultRunOptions): string {
  const seconds = rows.reduce((sum, r) => sum + r.seconds, 0);
  const replay = `size ${options.size}, seed ${options.seed}, ${seconds.toFixed(1)} s`;
  const dirty = rows.filter((r) => !isClean(r));
  if (!rows.length) return `no rows found in ${ROWS_DIR}`;
  if (!dirty.length) {
    return `${rows.length} row(s): 0 lost, 0 doubled, 0 crashed, 0 leaked (${replay})`;
  }
  const totals = COUNTS.map((c) => `${rows.reduce((sum, r) => sum + r[c], 0)} ${c}`).join(', ');
  return `${dirty.length} of ${rows.length} row(s) not clean: ${totals} — ${dirty.map((r) => r.file).join(', ')} (${replay})`;
}
