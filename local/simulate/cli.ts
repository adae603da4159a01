/** `journeys simulate <scenario> [--json]`: starts the embedded servers, simulates, prints, stops. */
import { readdir } from 'node:fs/promises';
import path from 'node:path';
import { JsonLinesSink } from '../../functions/adapters/analytics-jsonl.ts';
import { buildCatalog } from '../../functions/catalog/build.ts';
import { CatalogError } from '../../functions/catalog/errors.ts';
import { packageRoot } from '../../functions/catalog/package-root.ts';
import { localStamp } from '../../functions/core/time.ts';
import { ScenarioError, UsageError } from '../errors.ts';
import { MemoryTables } from '../memory-table/table.ts';
import { DynamoDbLocalStartError, startDynamoDbLocal } from '../servers/dynamodb-local.ts';
import { stopAll } from '../servers/processes.ts';
import { startSesEmulator } from '../servers/ses-emulator.ts';
import { emailsDirProblem, writeEmails } from './emails-dir.ts';
import { checkExpectations } from './expectations.ts';
import { readScenario, type Scenario, type SimulationResult, simulate } from './index.ts';
import { workersFor } from './parallel.ts';

// This repository, or the installed package (from dist/local/…): its shipped journeys and templates.
const ROOT = packageRoot(import.meta.url);

/**
 * From this many customers on, suggest the memory table. The figures are the README's (Performance):
 * 229.6 ms per customer on DynamoDB Local, 12.8 ms on the memory table; bin/commands.ts says the same.
 */
const LARGE_SCENARIO = 200;

const ICONS = { event: '←', email: '✉', emit: '⚡', note: '·', rejected: '✗', error: '!' } as const;

export function formatTimeline(result: SimulationResult, scenarioName: string, color: boolean): string {
  const paint = (code: number, text: string) => (color ? `\u001b[${code}m${text}\u001b[0m` : text);
  const colors = { event: 36, email: 32, emit: 35, note: 2, rejected: 31, error: 31 } as const;
  const lines = [
    `${paint(1, `Simulation of ${scenarioName}`)} — ${result.stats.virtualDays} days of virtual time`,
    '',
  ];
  let lastDay = '';
  for (const entry of result.timeline) {
    const stamp = localStamp(entry.at, 'UTC');
    const day = stamp.slice(0, 10);
    if (day !== lastDay) {
      lines.push(paint(1, day));
      lastDay = day;
    }
    lines.push(`  ${stamp.slice(11)}Z ${paint(colors[entry.kind], `${ICONS[entry.kind]} ${entry.text}`)}`);
  }
  lines.push(
    '',
    `${result.emails.length} email(s), ${result.events.length} emitted event(s), ${result.rejected.length} rejected event(s)` +
      `${result.errors.length ? `, ${paint(31, `${result.errors.length} handler error(s)`)}` : ''}; ` +
      `${result.stats.virtualDays} days simulated in ${(result.stats.wallMs / 1000).toFixed(1)} s (${result.stats.steps} clock steps, state in ${result.stats.store === 'memory' ? 'the memory table' : 'DynamoDB Local'}).`,
  );
  return lines.join('\n');
}

/** Where each handler error happened, one line each. */
function errorLines(result: SimulationResult): string[] {
  return result.errors.map((e) => {
    const what = e.event
      ? `event #${e.event.index} ${e.event.detailType}`
      : e.timer
        ? `timer ${e.timer.loyalty ? 'loyalty' : `${e.timer.journeyId}/${e.timer.instanceId}`} due ${e.timer.dueAt}`
        : `outbox ${e.outbox?.outboxId}`;
    return `  - ${e.at} ${e.customerId}: ${what} → ${e.target}: ${e.error}`;
  });
}

/**
 * What `journeys simulate` prints for a finished simulation, and its exit code: 1 when a handler or
 * the dispatcher threw (in AWS those events would go to retries and the DLQ, so the simulation does
 * not show what production would do), or with `--check` when an expectation is not met.
 */
export function simulationReport(
  result: SimulationResult,
  scenario: Scenario,
  file: string,
  options: { json: boolean; check: boolean; color: boolean },
): { stdout: string; code: number } {
  const out: string[] = [];
  const errors = result.errors.length
    ? [`✗ ${result.errors.length} handler error(s):`, ...errorLines(result)].join('\n')
    : '';
  if (options.json) {
    const { emails, events, rejected, errors: handlerErrors } = result;
    if (!options.check)
      out.push(JSON.stringify({ emails, events, rejected, errors: handlerErrors }, null, 2));
  } else {
    out.push(formatTimeline(result, path.basename(file), options.color));
    if (errors) out.push('', errors);
  }
  if (!options.check) return { stdout: `${out.join('\n')}\n`, code: result.errors.length ? 1 : 0 };

  const problems = scenario.expect
    ? checkExpectations(scenario, scenario.expect, result)
    : [`${file} has no expect: section to check against`];
  if (options.json && errors) out.push(errors);
  if (!options.json) out.push('');
  if (problems.length)
    out.push(`✗ ${problems.length} expectation(s) not met:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
  else if (!result.errors.length) out.push('✓ the simulation meets every expectation of the scenario');
  return { stdout: `${out.join('\n')}\n`, code: problems.length || result.errors.length ? 1 : 0 };
}

/**
 * Why a directory cannot take a simulation's analytics log, if it cannot: each run keys its customers
 * with new secrets, so a second run's records would count every customer twice.
 */
async function analyticsDirProblem(dir: string): Promise<string | undefined> {
  try {
    const entries = await readdir(dir);
    if (entries.some((name) => name.startsWith('dt=')))
      return 'already holds an analytics log; give an empty or new directory (each run keys its customers anew)';
    return undefined;
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return undefined;
    return code === 'ENOTDIR' ? 'is a file, not a directory' : `cannot be read (${code ?? String(error)})`;
  }
}

/** The options bin/commands.ts declares for `journeys simulate`, as commander parsed them. */
export interface SimulateOptions {
  json?: boolean;
  check?: boolean;
  defaultLocale: string;
  store: 'dynamodb-local' | 'memory';
  analytics?: string;
  workers?: string;
  /** Writes every email (HTML, text) and an index.html there (emails-dir.ts). */
  emails?: string;
}

export async function simulateCommand(file: string, values: SimulateOptions): Promise<number> {
  const store = values.store;
  const analyticsDir = values.analytics;
  if (analyticsDir !== undefined) {
    const problem = await analyticsDirProblem(analyticsDir);
    if (problem) throw new UsageError(`--analytics ${analyticsDir}: ${problem}`);
  }
  if (values.emails !== undefined) {
    const problem = await emailsDirProblem(values.emails);
    if (problem) throw new UsageError(`--emails ${values.emails}: ${problem}`);
  }
  let scenario: Awaited<ReturnType<typeof readScenario>>;
  let catalog: Awaited<ReturnType<typeof buildCatalog>>['catalog'];
  try {
    scenario = await readScenario(file);
    ({ catalog } = await buildCatalog(ROOT, { defaultLocale: values.defaultLocale }));
  } catch (error) {
    if (error instanceof ScenarioError || error instanceof CatalogError) {
      process.stderr.write(`${error.message}\n`);
      return 1;
    }
    throw error;
  }

  if (values.check && !scenario.expect) {
    process.stderr.write(`${file} has no expect: section to check against\n`);
    return 1;
  }
  const progress = !values.json && process.stderr.isTTY;
  const customers = new Set(scenario.events.map((e) => String(e.detail.customerId ?? ''))).size;
  // Worker threads split the customers on the memory table (parallel.ts); DynamoDB Local is one server.
  const workers = workersFor(values.workers, customers);
  if (workers === undefined)
    throw new UsageError(`--workers must be a whole number of at least 1, not "${values.workers}"`);
  if (!values.json && store === 'dynamodb-local' && customers >= LARGE_SCENARIO)
    process.stderr.write(
      `${customers} customers: DynamoDB Local needs about a quarter of a second per customer on two cores; ` +
        '--store memory runs the same handlers about 18 times faster.\n',
    );
  if (progress)
    process.stderr.write(
      store === 'memory'
        ? 'State and emails in memory…\n'
        : 'Starting DynamoDB Local and the SES emulator…\n',
    );
  try {
    // In memory, SES is too (memory-ses.ts): the same mailer, without an HTTP round trip per email.
    const [dynamo, ses] =
      store === 'memory' ? [] : await Promise.all([startDynamoDbLocal(), startSesEmulator()]);
    const result = await simulate(
      scenario,
      catalog,
      dynamo && ses
        ? { dynamoEndpoint: dynamo.endpoint, sesEndpoint: ses.endpoint }
        : { memory: new MemoryTables() },
      {
        onProgress: progress ? (at) => process.stderr.write(`\r  virtual clock ${at}`) : undefined,
        analytics: analyticsDir ? new JsonLinesSink(analyticsDir, { writer: 'simulation' }) : undefined,
        workers: store === 'memory' ? workers : 1,
      },
    );
    if (progress) process.stderr.write('\r\u001b[2K');
    const report = simulationReport(result, scenario, file, {
      json: Boolean(values.json),
      check: Boolean(values.check),
      color: Boolean(process.stdout.isTTY),
    });
    process.stdout.write(report.stdout);
    if (values.emails !== undefined) {
      const index = await writeEmails(values.emails, result.emails, path.basename(file));
      process.stderr.write(`${result.emails.length} email(s) written; open ${index}\n`);
    }
    return report.code;
  } catch (error) {
    if (!(error instanceof DynamoDbLocalStartError)) throw error;
    // The memory table needs neither Java nor DynamoDB Local, and gives the same timeline.
    const reason = error.javaMissing
      ? 'DynamoDB Local cannot start: the `java` command was not found (it needs Java 17 or newer on PATH).'
      : error.message;
    process.stderr.write(
      `journeys simulate: ${reason}\n` +
        `Run it without Java on the memory table: journeys simulate ${file} --store memory\n`,
    );
    return 1;
  } finally {
    await stopAll();
  }
}
