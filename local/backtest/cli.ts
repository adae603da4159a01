/**
 * `journeys backtest --events FILE.jsonl --journeys DIR [--baseline DIR] [--json]`: what a changed set
 * of journeys would have sent over a recorded history, next to what the current set sends.
 */
import { stat } from 'node:fs/promises';
import path from 'node:path';
import { Duration } from 'luxon';
import { buildCatalog } from '../../functions/catalog/build.ts';
import type { Catalog } from '../../functions/catalog/catalog.ts';
import { CatalogError } from '../../functions/catalog/errors.ts';
import { packageRoot } from '../../functions/catalog/package-root.ts';
import { BacktestError, UsageError } from '../errors.ts';
import { workersFor } from '../simulate/parallel.ts';
import { readEventHistory } from './events.ts';
import { type BacktestResult, backtest, type Run, SECTIONS } from './index.ts';

// This repository, or the installed package (from dist/local/…): its shipped journeys and templates.
const ROOT = packageRoot(import.meta.url);

export function formatBacktest(result: BacktestResult, dirs: Record<Run, string>, color: boolean): string {
  const paint = (code: number, text: string) => (color ? `\u001b[${code}m${text}\u001b[0m` : text);
  const n = (value: number) => value.toLocaleString('en');
  const signed = (value: number) => (value > 0 ? `+${n(value)}` : value < 0 ? `−${n(-value)}` : '0');
  const keyWidth = Math.max(24, ...result.rows.map((r) => r.key.length + 2));
  const lines = [
    paint(1, `Backtest of ${n(result.events)} shop events, ${n(result.customers)} customers`) +
      `, ${result.period.start.slice(0, 10)} → ${result.period.end.slice(0, 10)}`,
    `  baseline: ${dirs.baseline}`,
    `  changed:  ${dirs.changed}`,
    '',
    `${''.padEnd(keyWidth)}${'baseline'.padStart(10)}${'changed'.padStart(10)}${'Δ'.padStart(10)}`,
  ];
  for (const section of Object.keys(SECTIONS) as (keyof typeof SECTIONS)[]) {
    const rows = result.rows.filter((r) => r.section === section);
    lines.push(paint(1, SECTIONS[section]));
    if (!rows.length) lines.push(paint(2, '  none in either run'));
    for (const row of rows) {
      const line = `  ${row.key.padEnd(keyWidth - 2)}${n(row.baseline).padStart(10)}${n(row.changed).padStart(10)}${signed(row.delta).padStart(10)}`;
      // Marked in words too, for output without colour.
      lines.push(row.delta ? `${paint(33, line)}  ← differs` : line);
    }
  }
  const differing = result.rows.filter((r) => r.delta).length;
  lines.push(
    '',
    differing
      ? `${differing} of ${result.rows.length} figures differ.`
      : 'The changed journeys would have done exactly what the current ones did.',
  );
  if (result.otherSources)
    lines.push(
      paint(2, `${n(result.otherSources)} events from other sources left out (the system emits its own).`),
    );
  for (const run of ['baseline', 'changed'] as const) {
    const { rejected, errors } = result.runs[run];
    if (rejected) lines.push(`${run}: ${n(rejected)} events rejected by the event contract.`);
    if (errors.length)
      lines.push(
        paint(
          31,
          `${run}: ${errors.length} handler error(s); its figures do not show what production would do:`,
        ),
        ...errors.slice(0, 5).map((e) => `  - ${e.at} ${e.customerId} → ${e.target}: ${e.error}`),
      );
  }
  return lines.join('\n');
}

async function catalogOf(dir: string, option: string, defaultLocale: string): Promise<Catalog> {
  const info = await stat(dir).catch(() => undefined);
  if (!info) throw new BacktestError(`${option} ${dir}: no such directory`);
  if (!info.isDirectory())
    throw new BacktestError(`${option} ${dir}: not a directory of journey definitions`);
  try {
    return (await buildCatalog(ROOT, { defaultLocale, journeysDir: dir })).catalog;
  } catch (error) {
    if (error instanceof CatalogError) throw new BacktestError(`${option} ${dir}: ${error.message}`);
    throw error;
  }
}

/** The options bin/commands.ts declares for `journeys backtest`, as commander parsed them. */
export interface BacktestOptions {
  events: string;
  journeys: string;
  baseline?: string;
  source: string;
  horizon: string;
  json?: boolean;
  defaultLocale: string;
  workers?: string;
}

export async function backtestCommand(values: BacktestOptions): Promise<number> {
  const { events, journeys, horizon } = values;
  if (!Duration.fromISO(horizon).isValid)
    throw new UsageError(`--horizon must be an ISO 8601 duration such as P60D, not "${horizon}"`);
  const dirs = {
    baseline: path.resolve(values.baseline ?? path.join(ROOT, 'journeys')),
    changed: path.resolve(journeys),
  };
  const progress = process.stderr.isTTY;
  try {
    const { defaultLocale } = values;
    // The history first: a wrong file is told before the catalogs take their seconds to build.
    const history = await readEventHistory(events, values.source);
    const workers = workersFor(values.workers, history.customers);
    if (workers === undefined)
      throw new UsageError(`--workers must be a whole number of at least 1, not "${values.workers}"`);
    const changed = await catalogOf(dirs.changed, '--journeys', defaultLocale);
    const baseline = await catalogOf(dirs.baseline, '--baseline', defaultLocale);
    if (progress)
      process.stderr.write(`${history.events.length} events of ${history.customers} customers read.\n`);
    const result = await backtest(
      history,
      { baseline, changed },
      {
        horizon,
        workers,
        onProgress: progress
          ? (run, at) => process.stderr.write(`\r  ${run.padEnd(8)} virtual clock ${at.slice(0, 10)}`)
          : undefined,
      },
    );
    if (progress) process.stderr.write('\r\u001b[2K');
    process.stdout.write(
      values.json
        ? `${JSON.stringify({ ...result, journeys: dirs }, null, 2)}\n`
        : `${formatBacktest(result, dirs, Boolean(process.stdout.isTTY))}\n`,
    );
    return result.runs.baseline.errors.length || result.runs.changed.errors.length ? 1 : 0;
  } catch (error) {
    if (error instanceof BacktestError) {
      process.stderr.write(`journeys backtest: ${error.message}\n`);
      return 1;
    }
    throw error;
  }
}
