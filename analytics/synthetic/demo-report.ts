/**
 * `npm run demo:report [-- --customers 1000 --seed 1 --holdout 0.3 --locale de --active-window 90 --out …]`:
 * simulates the synthetic shop for a year with every journey of the catalog (win-back with its
 * planted effect, and a 30 % holdout instead of the catalog's 10 % so that a thousand customers
 * are enough for an interval that excludes zero; `--holdout 0.1` shows the catalog as it is), writes the analytics log to `.data/demo-analytics/`, runs the report on DuckDB and
 * writes the HTML report (and its JSON next to it). Progress on stderr, the paths on stdout.
 */
import { mkdir, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { buildCatalog } from '../../functions/catalog/build.ts';
import { stopAll } from '../../local/servers/processes.ts';
import { startSesEmulator } from '../../local/servers/ses-emulator.ts';
import { DuckDbRunner } from '../duckdb.ts';
import { renderReportHtml } from '../html/render.ts';
import { computeReport } from '../report.ts';
import type { ReportData } from '../report-types.ts';
import { catalogVariant, runSyntheticShop } from './run.ts';
import { trueUplift } from './shop.ts';

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const START = '2026-01-01';
const END = '2027-01-01';

class UsageError extends Error {}

function options() {
  const { values } = parseArgs({
    options: {
      customers: { type: 'string', default: '1000' },
      /** Win-back's holdout share (the catalog's is 10 %): a larger control group, a narrower interval. */
      holdout: { type: 'string', default: '0.3' },
      seed: { type: 'string', default: '1' },
      locale: { type: 'string', default: 'en' },
      out: { type: 'string', default: path.join('.data', 'demo-report.html') },
      analytics: { type: 'string', default: path.join('.data', 'demo-analytics') },
      // A year-old shop has nobody away for 365 days: with the default window nobody would be lost.
      'active-window': { type: 'string', default: '90' },
    },
  });
  const customers = Number(values.customers);
  if (!Number.isSafeInteger(customers) || customers < 1 || customers > 100_000)
    throw new UsageError(`--customers must be a whole number from 1 to 100000, not "${values.customers}"`);
  const seed = Number(values.seed);
  if (!Number.isSafeInteger(seed))
    throw new UsageError(`--seed must be a whole number, not "${values.seed}"`);
  const holdout = Number(values.holdout);
  if (!(holdout > 0 && holdout < 1))
    throw new UsageError(`--holdout must be a share between 0 and 1 such as 0.5, not "${values.holdout}"`);
  const activeWindowDays = Number(values['active-window']);
  if (!Number.isSafeInteger(activeWindowDays) || activeWindowDays < 31 || activeWindowDays > 3660)
    throw new UsageError(
      `--active-window must be a number of days from 31 to 3660, not "${values['active-window']}"`,
    );
  if (values.locale !== 'en' && values.locale !== 'de')
    throw new UsageError(`--locale must be en or de, not "${values.locale}"`);
  return {
    customers,
    seed,
    activeWindowDays,
    holdout,
    locale: values.locale as 'en' | 'de',
    out: path.resolve(values.out as string),
    dir: path.resolve(values.analytics as string),
  };
}

const say = (text: string) => process.stderr.write(`${text}\n`);
const status = (text: string) => {
  if (process.stderr.isTTY) process.stderr.write(`\r\u001b[2K${text}`);
};

async function main(): Promise<number> {
  const o = options();
  const wall = performance.now();
  say('Building the catalog…');
  const { catalog } = await buildCatalog(ROOT, { defaultLocale: 'en' });
  say('Starting the SES emulator…');
  const ses = await startSesEmulator();
  try {
    await rm(o.dir, { recursive: true, force: true });
    say(
      `Simulating ${o.customers} customers for a year (seed ${o.seed}, win-back holdout ${Math.round(o.holdout * 100)} %); analytics log → ${o.dir}`,
    );
    const simStart = performance.now();
    const run = await runSyntheticShop({
      customers: o.customers,
      seed: o.seed,
      start: `${START}T00:00:00.000Z`,
      days: 365,
      catalog: catalogVariant(catalog, { holdout: { 'win-back': o.holdout } }),
      sesEndpoint: ses.endpoint,
      dir: o.dir,
      onProgress: (at) =>
        status(`  day ${Math.round((Date.parse(at) - Date.parse(START)) / 86_400_000)} / 365`),
    });
    status('');
    say(
      `  ${run.shopEvents} shop events, ${run.result.emails.length} emails, ${run.log.records} analytics records (${(run.log.bytes / 1e6).toFixed(1)} MB) in ${((performance.now() - simStart) / 1000).toFixed(0)} s`,
    );
    say(
      `  planted: win-back entries ${run.outcomes.length}, true uplift ${(trueUplift(run.outcomes) * 100).toFixed(1)} points`,
    );
    say('Computing the report (DuckDB)…');
    const runner = await DuckDbRunner.open(o.dir, { materialize: true });
    let data: ReportData;
    try {
      data = await computeReport(runner, {
        from: START,
        to: END,
        period: 'month',
        by: 'market',
        activeWindowDays: o.activeWindowDays,
        // The tiers in the program's order (the report lists them so).
        loyaltyTiers: catalog.loyalty?.tiers.levels.map((t) => t.id),
        onProgress: (m) => status(`  ${m}`),
        onNotice: (m) => say(`  note: ${m}`),
      });
    } finally {
      runner.close();
    }
    status('');
    const winBack = data.journeys.find((j) => j.journey === 'win-back')?.uplift;
    if (winBack?.absolute != null)
      say(
        `  reported win-back uplift ${(winBack.absolute * 100).toFixed(1)} points (95 % CI ${((winBack.ciLow ?? 0) * 100).toFixed(1)} … ${((winBack.ciHigh ?? 0) * 100).toFixed(1)})`,
      );
    if (winBack?.ciLow != null && winBack.ciLow <= 0)
      say(
        `  the interval includes 0: too few held-out entries to tell; try a larger --holdout or --customers ${o.customers * 3}`,
      );
    await mkdir(path.dirname(o.out), { recursive: true });
    const json = `${o.out.replace(/\.html?$/, '')}.json`;
    await writeFile(json, `${JSON.stringify(data, null, 2)}\n`);
    await writeFile(o.out, renderReportHtml(data, { locale: o.locale, shopName: 'Synthetic shop' }));
    say(`Done in ${((performance.now() - wall) / 1000).toFixed(0)} s.`);
    process.stdout.write(`${o.out}\n${json}\n`);
    return 0;
  } finally {
    await stopAll();
  }
}

main().then(
  (code) => process.exit(code),
  async (error) => {
    await stopAll().catch(() => undefined);
    if (
      error instanceof UsageError ||
      (error as { code?: string }).code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION'
    ) {
      process.stderr.write(`${(error as Error).message}\n`);
      process.exit(2);
    }
    process.stderr.write(`demo:report failed: ${error instanceof Error ? error.stack : String(error)}\n`);
    process.exit(1);
  },
);
