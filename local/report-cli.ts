/**
 * `journeys report`: the retention KPIs, cohorts, journey funnels and holdout uplift from the
 * analytics log — DuckDB over the local JSON Lines (default .data/analytics) or Athena in AWS.
 *
 *   journeys report [--analytics DIR | --athena] [--from D --to D] [--period month] [--by market|locale]
 *                   [--out report.html] [--json] [--csv DIR] [--locale en|de] [--active-window DAYS]
 *
 * The HTML renderer (analytics/html/render.ts) is injected, so this module works without it.
 */
import { existsSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Identifier } from '../analytics/binder.ts';
import { reportCsvFiles } from '../analytics/csv.ts';
import { AnalyticsLogError, DuckDbRunner } from '../analytics/duckdb.ts';
import { defaultRange, PERIOD_UNITS, parseIsoDate } from '../analytics/periods.ts';
import { checkReportOptions, computeReport, EmptyLogError, ReportInputError } from '../analytics/report.ts';
import type { PeriodUnit, ReportData } from '../analytics/report-types.ts';
import type { SqlRunner } from '../analytics/sql-runner.ts';
import { AthenaRunner } from '../functions/adapters/athena.ts';
import { AthenaQueryError } from '../functions/adapters/errors.ts';
import { LOYALTY_FILE, loadLoyaltyProgram } from '../functions/catalog/loyalty.ts';
import { UsageError } from './errors.ts';
import { textTable } from './text-table.ts';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

export type RenderHtml = (data: ReportData, options: { locale: 'en' | 'de' }) => string;

export interface ReportIo {
  out: (text: string) => void;
  err: (text: string) => void;
  /** Relative paths in arguments and messages are relative to this. */
  cwd: string;
  /** The project: the default log is <root>/.data/analytics, where `npm start` writes it. */
  root: string;
  env: Readonly<Record<string, string | undefined>>;
  now: () => Date;
}

export interface ReportDeps {
  /** analytics/html/render.ts's renderReportHtml; without it, --out explains that it is missing. */
  renderHtml?: RenderHtml | undefined;
  /** Opens the SQL runner; tests may pass their own. */
  openRunner?: ((source: RunnerChoice) => Promise<SqlRunner & { close?: () => void }>) | undefined;
}

export type RunnerChoice =
  | { kind: 'duckdb'; dir: string }
  | { kind: 'athena'; workgroup: string; database: string };

const defaultIo = (): ReportIo => ({
  out: (text) => process.stdout.write(text),
  err: (text) => process.stderr.write(text),
  cwd: process.cwd(),
  root: ROOT,
  env: process.env,
  now: () => new Date(),
});

// The usage line of bin/commands.ts, which bin/journeys.ts prints under the parser's usage errors.
const USAGE = `Usage: journeys report [--analytics <dir> | --athena] [--from <date> --to <date>] [--period week|month|quarter|year]
                       [--by market|locale] [--out <report.html>] [--json] [--csv <dir>] [--locale en|de]`;

/** The options bin/commands.ts declares for `journeys report`, as commander parsed them. */
export interface ReportOptions {
  analytics?: string;
  athena?: boolean;
  workgroup?: string;
  database?: string;
  from?: string;
  to?: string;
  period: string;
  by?: string;
  out?: string;
  json?: boolean;
  csv?: string;
  locale: string;
  activeWindow?: string;
  goalWindow?: string;
}

function days(flag: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  if (!/^\d+$/.test(value)) throw new UsageError(`--${flag}: "${value}" is not a whole number of days`);
  return Number(value);
}

interface Plan {
  runner: RunnerChoice;
  from: string;
  to: string;
  period: PeriodUnit;
  by: Identifier | undefined;
  activeWindowDays: number | undefined;
  goalWindowDays: number | undefined;
  json: boolean;
  csv: string | undefined;
  out: string | undefined;
  locale: 'en' | 'de';
}

function plan(values: ReportOptions, io: ReportIo): Plan {
  const period = values.period as PeriodUnit;
  if (!(PERIOD_UNITS as readonly string[]).includes(period)) {
    throw new UsageError(`--period: "${values.period}" is not one of ${PERIOD_UNITS.join(', ')}`);
  }
  if (values.by !== undefined && values.by !== 'market' && values.by !== 'locale') {
    throw new UsageError(`--by: "${values.by}" is not market or locale`);
  }
  if (values.locale !== 'en' && values.locale !== 'de') {
    throw new UsageError(`--locale: "${values.locale}" is not en or de`);
  }
  for (const flag of ['from', 'to'] as const) {
    const v = values[flag];
    if (v !== undefined && !parseIsoDate(v))
      throw new UsageError(`--${flag}: "${v}" is not a date (YYYY-MM-DD)`);
  }
  // Default: the 12 whole periods before the current one; --to alone moves that window.
  const to = values.to ?? defaultRange(io.now(), period).to;
  const from = values.from ?? defaultRange(parseIsoDate(to) as Date, period).from;
  if (from >= to) {
    throw new UsageError(
      values.to === undefined
        ? `--from (${from}) must be before --to, which defaults to the start of the current ${period} (${to}); give --to`
        : `--from (${from}) must be before --to (${to})`,
    );
  }

  let runner: RunnerChoice;
  if (values.athena) {
    if (values.analytics !== undefined) throw new UsageError('--analytics and --athena exclude each other');
    const workgroup = values.workgroup ?? io.env.JOURNEYS_ATHENA_WORKGROUP;
    const database = values.database ?? io.env.JOURNEYS_ATHENA_DATABASE;
    if (!workgroup) throw new UsageError('--athena needs --workgroup (or JOURNEYS_ATHENA_WORKGROUP)');
    if (!database) throw new UsageError('--athena needs --database (or JOURNEYS_ATHENA_DATABASE)');
    runner = { kind: 'athena', workgroup, database };
  } else {
    if (values.workgroup !== undefined || values.database !== undefined) {
      throw new UsageError('--workgroup and --database go with --athena');
    }
    // Where `npm start` writes: $JOURNEYS_DATA_DIR/analytics, else the project's .data/analytics.
    const dir =
      values.analytics !== undefined
        ? path.resolve(io.cwd, values.analytics)
        : path.join(
            path.resolve(io.cwd, io.env.JOURNEYS_DATA_DIR ?? path.join(io.root, '.data')),
            'analytics',
          );
    runner = { kind: 'duckdb', dir };
  }
  const activeWindowDays = days('active-window', values.activeWindow);
  const goalWindowDays = days('goal-window', values.goalWindow);
  try {
    checkReportOptions({ from, to, period, activeWindowDays, goalWindowDays });
  } catch (error) {
    if (error instanceof ReportInputError) throw new UsageError(error.message);
    throw error;
  }
  return {
    runner,
    from,
    to,
    period,
    by: values.by as Identifier | undefined,
    activeWindowDays,
    goalWindowDays,
    json: Boolean(values.json),
    csv: values.csv,
    out: values.out,
    locale: values.locale,
  };
}

async function openRunner(choice: RunnerChoice): Promise<SqlRunner & { close?: () => void }> {
  if (choice.kind === 'duckdb') return DuckDbRunner.open(choice.dir, { materialize: true });
  return new AthenaRunner({ workGroup: choice.workgroup, database: choice.database });
}

export async function runReport(
  options: ReportOptions,
  io: ReportIo = defaultIo(),
  deps: ReportDeps = {},
): Promise<number> {
  let p: Plan;
  try {
    p = plan(options, io);
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    io.err(`journeys report: ${error.message}\n${USAGE}\n`);
    return 2;
  }
  if (p.out !== undefined && !deps.renderHtml) {
    io.err(
      'journeys report: --out needs the HTML renderer (analytics/html/render.ts), which is not in this build; use --json or --csv\n',
    );
    return 1;
  }
  const shown = (file: string) => path.relative(io.cwd, file) || file;
  const started = Date.now();
  let runner: (SqlRunner & { close?: () => void }) | undefined;
  let data: ReportData;
  try {
    io.err(`journeys report: ${p.period}s ${p.from} … ${p.to} from ${describe(p.runner, shown)}\n`);
    runner = await (deps.openRunner ?? openRunner)(p.runner);
    data = await computeReport(runner, {
      from: p.from,
      to: p.to,
      period: p.period,
      by: p.by,
      activeWindowDays: p.activeWindowDays,
      goalWindowDays: p.goalWindowDays,
      loyaltyTiers: await programTiers(io.root),
      parallel: p.runner.kind === 'athena',
      onProgress: (m) => io.err(`  ${m} ${((Date.now() - started) / 1000).toFixed(1)} s\n`),
      onNotice: (m) => io.err(`journeys report: note: ${m}\n`),
      now: io.now,
    });
  } catch (error) {
    const known = [ReportInputError, AnalyticsLogError, EmptyLogError, AthenaQueryError].some(
      (e) => error instanceof e,
    );
    // With --athena, AWS SDK errors (no credentials, unknown workgroup) are setup, not bugs: no stack.
    const aws =
      p.runner.kind === 'athena' &&
      error instanceof Error &&
      ('$metadata' in error || error.name === 'CredentialsProviderError');
    if (!known && !aws) throw error;
    io.err(`journeys report: ${(error as Error).message}\n`);
    return error instanceof ReportInputError ? 2 : 1;
  } finally {
    runner?.close?.();
  }
  io.err(
    `journeys report: ${data.generated.records} records in ${((Date.now() - started) / 1000).toFixed(1)} s\n`,
  );

  try {
    if (p.csv !== undefined) {
      const dir = path.resolve(io.cwd, p.csv);
      await mkdir(dir, { recursive: true });
      const files = reportCsvFiles(data);
      for (const [name, content] of files) await writeFile(path.join(dir, name), content);
      const names = [...files.keys()].map((name) => name.replace(/\.csv$/, ''));
      io.err(`journeys report: wrote ${shown(dir)}/{${names.join(',')}}.csv\n`);
    }
    if (p.out !== undefined && deps.renderHtml) {
      const file = path.resolve(io.cwd, p.out);
      await mkdir(path.dirname(file), { recursive: true });
      await writeFile(file, deps.renderHtml(data, { locale: p.locale }));
      io.err(`journeys report: wrote ${shown(file)}\n`);
    }
  } catch (error) {
    // A directory that cannot be created or written (permissions, a file in the way): say which.
    const e = error as NodeJS.ErrnoException;
    if (!e.code || !e.path) throw error;
    io.err(`journeys report: cannot write ${shown(e.path)}: ${e.code}\n`);
    return 1;
  }
  if (p.json) io.out(`${JSON.stringify(data, null, 2)}\n`);
  else if (p.csv === undefined && p.out === undefined) io.out(summary(data));
  return 0;
}

function describe(choice: RunnerChoice, shown: (f: string) => string): string {
  return choice.kind === 'duckdb'
    ? shown(choice.dir)
    : `Athena workgroup ${choice.workgroup}, database ${choice.database}`;
}

const pct = (v: number | null) => (v === null ? '—' : `${(v * 100).toFixed(1)} %`);
const money = (m: Record<string, string>) =>
  Object.entries(m)
    .map(([c, v]) => `${v} ${c}`)
    .join(' + ') || '—';

/** The plain-text summary: one line per period of the whole shop, one per journey. */
export function summary(data: ReportData): string {
  const lines = [
    `Retention report ${data.from} … ${data.to} (${data.period}s, active window ${data.activeWindowDays} days)`,
    '',
  ];
  const head = [
    'period',
    'S',
    'N',
    'react.',
    'lost',
    'E',
    'CRR',
    'churn',
    'repeat',
    'freq.',
    'orders',
    'NPS',
    'revenue',
  ];
  const rows = data.periods
    .filter((p) => p.market === null)
    .map((p) => [
      p.start,
      String(p.customersAtStart),
      String(p.newCustomers),
      String(p.reactivatedCustomers),
      String(p.lostCustomers),
      String(p.customersAtEnd),
      pct(p.retentionRate),
      pct(p.churnRate),
      pct(p.repeatCustomerRate),
      p.purchaseFrequency === null ? '—' : p.purchaseFrequency.toFixed(2),
      String(p.orders),
      p.nps === null ? '—' : String(Math.round(p.nps) || 0),
      money(p.revenue),
    ]);
  // Numbers right-aligned: every column but the period and the last.
  lines.push(...textTable(head, rows, { right: head.map((_, i) => i).slice(1, -1) }));
  if (data.journeys.length) {
    lines.push('', 'Journeys (entered → sent → opened → clicked; goal treated vs held out; uplift):');
    for (const j of data.journeys) {
      const u = j.uplift;
      const uplift =
        u.absolute === null
          ? (u.note ?? '—')
          : `${u.absolute >= 0 ? '+' : ''}${(u.absolute * 100).toFixed(1)} pp [${(Number(u.ciLow) * 100).toFixed(1)}, ${(Number(u.ciHigh) * 100).toFixed(1)}], p = ${Number(u.pValue).toFixed(3)}`;
      lines.push(
        `  ${j.journey}: ${j.entered} (${j.heldOut} held out) → ${j.sent} → ${j.opened} → ${j.clicked}; goal ${j.goalReached} vs ${j.holdoutGoalReached}; ${uplift}`,
      );
    }
  }
  const loyalty = data.loyalty.periods.filter((p) => p.market === null).at(-1);
  if (loyalty && loyalty.members > 0) {
    const tiers = data.loyalty.tiers.map((t) => `${t} ${loyalty.tiers[t] ?? 0}`).join(', ');
    lines.push(
      '',
      `Loyalty ${loyalty.start}: ${loyalty.members} members (${loyalty.newMembers} new, ${loyalty.activeMembers} active); points earned ${loyalty.pointsEarned}, redeemed ${loyalty.pointsRedeemed}, expired ${loyalty.pointsExpired}, reversed ${loyalty.pointsReversed}; redemption rate ${pct(loyalty.redemptionRate)}, ${loyalty.redemptionFrequency === null ? '—' : loyalty.redemptionFrequency.toFixed(2)} per redeeming member; tiers ${tiers}; ${loyalty.tierMovements.up} up, ${loyalty.tierMovements.down} down`,
    );
  }
  const h = data.emailHealth;
  lines.push(
    '',
    `Email health: ${h.sent} sent, hard bounces ${pct(h.bounceRate)} (SES: review 5 %, pause 10 %), complaints ${pct(h.complaintRate)} (SES: review 0.1 %, pause 0.5 %)`,
  );
  return `${lines.join('\n')}\n`;
}

/** Entry point for bin/journeys.ts: wires the HTML renderer in when analytics/html/render.ts exists. */
export async function reportCommand(options: ReportOptions): Promise<number> {
  let renderHtml: RenderHtml | undefined;
  // render.ts from the sources, render.js from the build (dist/).
  const renderer = new URL(
    `../analytics/html/render${import.meta.url.endsWith('.ts') ? '.ts' : '.js'}`,
    import.meta.url,
  );
  if (options.out !== undefined && existsSync(renderer)) {
    renderHtml = ((await import(renderer.href)) as { renderReportHtml?: RenderHtml }).renderReportHtml;
  }
  return runReport(options, defaultIo(), { renderHtml });
}

/** The project's loyalty tiers in the program's order (the report lists them so); none without a program. */
async function programTiers(root: string): Promise<string[] | undefined> {
  const { program } = await loadLoyaltyProgram(path.join(root, LOYALTY_FILE));
  return program?.tiers.levels.map((t) => t.id);
}
