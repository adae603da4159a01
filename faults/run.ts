/**
 * `npm run faults [-- --small] [-- --only NAME] [-- --seed N] [-- --json]`: runs every fault row
 * (faults/rows/*.ts) and prints one table — row, cases, lost, doubled, crashed, leaked, note — and a
 * closing line. Progress goes to stderr while rows run. Exits 1 when any row counted anything,
 * 2 on bad arguments.
 */
import { parseArgs } from 'node:util';
import {
  closingLine,
  DEFAULT_SEED,
  discoverRows,
  formatTable,
  isClean,
  type RowResult,
  runRow,
  selectRows,
} from './suite.ts';
import type { FaultRunOptions } from './types.ts';

const USAGE = 'usage: npm run faults -- [--small] [--only NAME] [--seed N] [--json]';

function progress(label: string): () => void {
  const started = performance.now();
  const elapsed = () => `${((performance.now() - started) / 1000).toFixed(0)} s`;
  if (!process.stderr.isTTY) {
    process.stderr.write(`${label} …\n`);
    return () => {};
  }
  const draw = () => process.stderr.write(`\r\u001b[2K${label} … ${elapsed()}`);
  draw();
  const timer = setInterval(draw, 1000);
  return () => {
    clearInterval(timer);
    process.stderr.write('\r\u001b[2K');
  };
}

async function main(argv: string[]): Promise<number> {
  let values: { small?: boolean; only?: string; seed?: string; json?: boolean; help?: boolean };
  try {
    ({ values } = parseArgs({
      args: argv,
      options: {
        small: { type: 'boolean', default: false },
        only: { type: 'string' },
        seed: { type: 'string' },
        json: { type: 'boolean', default: false },
        help: { type: 'boolean', short: 'h', default: false },
      },
    }));
  } catch (error) {
    process.stderr.write(`${(error as Error).message}\n${USAGE}\n`);
    return 2;
  }
  if (values.help) {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  const seed = values.seed === undefined ? DEFAULT_SEED : Number(values.seed);
  if (!Number.isSafeInteger(seed)) {
    process.stderr.write(`--seed must be an integer, not "${values.seed}"\n`);
    return 2;
  }
  const options: FaultRunOptions = { size: values.small ? 'small' : 'full', seed };
  const all = await discoverRows();
  const rows = selectRows(all, values.only);
  if (!rows.length) {
    process.stderr.write(`no row matches "${values.only}"; rows: ${all.map((r) => r.file).join(', ')}\n`);
    return 2;
  }
  const results: RowResult[] = [];
  for (const [index, row] of rows.entries()) {
    const done = progress(`[${index + 1}/${rows.length}] ${row.check.name}`);
    const result = await runRow(row, options);
    done();
    process.stderr.write(
      `[${index + 1}/${rows.length}] ${row.check.name}: ${isClean(result) ? 'clean' : 'NOT CLEAN'} (${result.seconds.toFixed(1)} s)\n`,
    );
    results.push(result);
  }
  const ok = results.every(isClean);
  if (values.json) {
    process.stdout.write(`${JSON.stringify({ ...options, ok, rows: results }, null, 2)}\n`);
  } else {
    process.stdout.write(`\n${formatTable(results)}\n\n${closingLine(results, options)}\n`);
  }
  return ok ? 0 : 1;
}

main(process.argv.slice(2)).then(
  (code) => {
    // Rows stop their servers; exit explicitly so a stray handle cannot keep the suite hanging.
    process.exit(code);
  },
  (error: unknown) => {
    process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exit(2);
  },
);
