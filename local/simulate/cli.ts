/** `journeys simulate <scenario> [--json]`: starts the embedded servers, simulates, prints, stops. */
import { readdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { JsonLinesSink } from '../../functions/adapters/analytics-jsonl.ts';
import { buildCatalog } from '../../functions/catalog/build.ts';
import { CatalogError } from '../../functions/catalog/errors.ts';
import { packageRoot } from '../../functions/catalog/package-root.ts';
import { didYouMean } from '../../functions/core/suggest.ts';
import { ScenarioError, UsageError } from '../errors.ts';
import { MemoryTables } from '../memory-table/table.ts';
import { DynamoDbLocalStartError, startDynamoDbLocal } from '../servers/dynamodb-local.ts';
import { stopAll } from '../servers/processes.ts';
import { startSesEmulator } from '../servers/ses-emulator.ts';
import { emailsDirProblem, writeEmails } from './emails-dir.ts';
import { checkExpectations } from './expectations.ts';
import { readScenario, type Scenario, type SimulationResult, simulate } from './index.ts';
import { workersFor } from './parallel.ts';
import { renderTimeline } from './timeline-text.ts';
import { ExpectationsUpdateError, updateExpectations } from './update-expectations.ts';

// This repository, or the installed package (from dist/local/…): its shipped journeys and templates.
const ROOT = packageRoot(import.meta.url);

/**
 * From this many customers on, suggest the memory table. The figures are the README's (Performance):
 * 229.6 ms per customer on DynamoDB Local, 12.8 ms on the memory table; bin/commands.ts says the same.
 */
const LARGE_SCENARIO = 200;

/** The timeline in words (timeline-text.ts), then the run's totals. */
export function formatTimeline(
  result: SimulationResult,
  scenario: Pick<Scenario, 'events'>,
  scenarioName: string,
  color: boolean,
  customers?: ReadonlySet<string>,
): string {
  const red = (text: string) => (color ? `\u001b[31m${text}\u001b[0m` : text);
  return [
    renderTimeline(result, scenario, { name: scenarioName, color, customers }),
    '',
    `${result.emails.length} email(s), ${result.events.length} emitted event(s), ${result.rejected.length} rejected event(s)` +
      `${result.errors.length ? `, ${red(`${result.errors.length} handler error(s)`)}` : ''}; ` +
      `${result.stats.virtualDays} days simulated in ${(result.stats.wallMs / 1000).toFixed(1)} s (${result.stats.steps} clock steps, state in ${result.stats.store === 'memory' ? 'the memory table' : 'DynamoDB Local'}).`,
  ].join('\n');
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
  options: { json: boolean; check: boolean; color: boolean; customers?: ReadonlySet<string> },
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
    out.push(formatTimeline(result, scenario, path.basename(file), options.color, options.customers));
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
 * The customers `--customer` names (each repeat may list several, comma-separated), checked against the
 * scenario's: an unknown id is a usage error, with the closest known one.
 */
export function followedCustomers(
  scenario: Pick<Scenario, 'events'>,
  ids: readonly string[] | undefined,
): Set<string> | undefined {
  if (!ids?.length) return undefined;
  const known = new Set(
    scenario.events.map((e) => e.detail.customerId).filter((id): id is string => typeof id === 'string'),
  );
  const wanted = ids
    .flatMap((id) => id.split(','))
    .map((id) => id.trim())
    .filter(Boolean);
  for (const id of wanted) {
    if (known.has(id)) continue;
    // Ids of one or two letters get no suggestion (too short to tell a typo): a short list helps then.
    const hint =
      didYouMean(id, known) || (known.size <= 12 ? `; its customers are ${[...known].join(', ')}` : '');
    throw new UsageError(`--customer ${id}: the scenario has no customer of that id${hint}`);
  }
  return new Set(wanted);
}

/**
 * `--check --update`: rewrites the scenario's expect: section from the run (update-expectations.ts),
 * prints the diff and checks the file written. A run with handler errors is not written from: it does
 * not show what production would do.
 */
export async function updateReport(
  result: SimulationResult,
  file: string,
  color: boolean,
): Promise<{ stdout: string; code: number }> {
  if (result.errors.length)
    return {
      stdout: `✗ ${result.errors.length} handler error(s); ${file} was not updated:\n${errorLines(result).join('\n')}\n`,
      code: 1,
    };
  const source = await readFile(file, 'utf8');
  let update: ReturnType<typeof updateExpectations>;
  try {
    update = updateExpectations(source, result, { file });
  } catch (error) {
    if (error instanceof ExpectationsUpdateError) return { stdout: `✗ ${error.message}\n`, code: 1 };
    throw error;
  }
  if (update.changed) await writeFile(file, update.text);
  const out = update.changed ? [colorDiff(update.diff, color).trimEnd(), ''] : [];
  for (const note of update.notes) out.push(`! ${note}`);
  const updated = await readScenario(file);
  const problems = updated.expect ? checkExpectations(updated, updated.expect, result) : [];
  // What --update cannot follow (say, an entry written in a way it does not edit) is left to the author.
  if (problems.length)
    out.push(
      `✗ ${update.changed ? `${file} was updated, but` : `${file} is unchanged:`} ${problems.length} expectation(s) still differ:`,
      ...problems.map((p) => `  - ${p}`),
    );
  else if (!update.changed)
    out.push(`✓ the expectations of ${file} already match the run; nothing to update`);
  else
    out.push(
      `✓ ${file}: expect: updated from the run; review the diff above and commit it with the journey change`,
    );
  return { stdout: `${out.join('\n')}\n`, code: problems.length ? 1 : 0 };
}

/** A diff's removed lines red and added lines green (on a terminal). */
function colorDiff(diff: string, color: boolean): string {
  if (!color) return diff;
  return diff
    .split('\n')
    .map((line) =>
      line.startsWith('@@')
        ? `\u001b[36m${line}\u001b[0m`
        : line.startsWith('-')
          ? `\u001b[31m${line}\u001b[0m`
          : line.startsWith('+')
            ? `\u001b[32m${line}\u001b[0m`
            : line,
    )
    .join('\n');
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
  /** With --check: rewrite the expect: section from the run (update-expectations.ts). */
  update?: boolean;
  defaultLocale: string;
  store: 'dynamodb-local' | 'memory';
  analytics?: string;
  workers?: string;
  /** Customer ids to follow in the timeline (repeated or comma-separated). */
  customer?: string[];
  /** Writes every email (HTML, text) and an index.html there (emails-dir.ts). */
  emails?: string;
}

export async function simulateCommand(file: string, values: SimulateOptions): Promise<number> {
  const store = values.store;
  if (values.update && !values.check)
    throw new UsageError(
      `--update rewrites the expect: section that --check compares with; use both: journeys simulate ${file} --check --update`,
    );
  if (values.update && file.endsWith('.json')) {
    process.stderr.write(
      `${file}: --update rewrites YAML scenarios only (JSON keeps no comments and would be reformatted); update its expect: section by hand, or write the scenario in YAML\n`,
    );
    return 1;
  }
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

  const followed = followedCustomers(scenario, values.customer);
  if (values.check && !scenario.expect) {
    process.stderr.write(
      values.update
        ? `${file} has no expect: section to update. Write one naming what matters (e.g. one expect: emails: entry for each customer to follow); --update keeps it in step with the journeys from then on.\n`
        : `${file} has no expect: section to check against\n`,
    );
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
    if (values.update) {
      const report = await updateReport(result, file, Boolean(process.stdout.isTTY));
      process.stdout.write(report.stdout);
      return report.code;
    }
    const report = simulationReport(result, scenario, file, {
      json: Boolean(values.json),
      check: Boolean(values.check),
      color: Boolean(process.stdout.isTTY),
      customers: followed,
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
