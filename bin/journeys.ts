/**
 * `journeys` — the command-line tool for journey authors and operators.
 *
 *   journeys validate [--dir journeys]   check every journey definition, the templates, loyalty.yaml
 *   journeys schemas [--out schemas]     export the journey, loyalty program and event JSON Schemas
 *   journeys simulate <scenario>         run a scenario against the engine with a virtual clock
 *   journeys backtest --events F --journeys D   replay a recorded history through changed journeys
 *   journeys preview ...                 render a journey message
 *   journeys report ...                  retention KPIs, cohorts, funnels and uplift from the analytics log
 *
 * Run through `bin/journeys.js` (npx journeys …, npm run journeys -- …) or `tsx bin/journeys.ts …`.
 */
import { existsSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { formatDefinitionError } from '../functions/catalog/journeys.ts';
import { renderSchemas } from '../functions/catalog/schemas.ts';
import { plural, validateProject } from '../functions/catalog/validate.ts';
import { UsageError } from '../local/errors.ts';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

interface Io {
  out: (line: string) => void;
  err: (line: string) => void;
  color: boolean;
}

const defaultIo = (): Io => ({
  out: (line) => process.stdout.write(`${line}\n`),
  err: (line) => process.stderr.write(`${line}\n`),
  color: Boolean(process.stdout.isTTY) && !process.env.NO_COLOR && process.env.TERM !== 'dumb',
});

const paint = (io: Io, code: number, text: string) => (io.color ? `\u001b[${code}m${text}\u001b[0m` : text);
const ok = (io: Io) => paint(io, 32, '✓');
const bad = (io: Io) => paint(io, 31, '✗');
const dim = (io: Io, text: string) => paint(io, 2, text);

interface Command {
  summary: string;
  help: string;
  run: (argv: string[], io: Io) => Promise<number>;
}

const HELP = `journeys — author, check and try out retention journeys

Usage: journeys <command> [options]

Commands:
  validate   check every journey definition in journeys/ and loyalty.yaml (file, line, path and reason for each error)
  schemas    write the journey, loyalty program and event JSON Schemas to schemas/
  simulate   run a scenario against the journey engine with a virtual clock
  backtest   replay a recorded event history through changed journeys, side by side with the current ones
  preview    render a journey message
  report     retention KPIs, cohorts, journey funnels and holdout uplift from the analytics log

Run 'journeys <command> --help' for the options of a command.`;

const commands: Record<string, Command> = {
  validate: {
    summary: 'check every journey definition',
    help: `Usage: journeys validate [--dir <journeys-dir>] [--root <project-dir>] [--loyalty <file>]

Checks every *.yaml / *.yml file in the journeys directory against the journey schema: YAML syntax,
structure, durations, declared messages, file name = id, unique ids; the templates of every message;
and the loyalty program (loyalty.yaml: structure, durations, tiers in ascending order, rewards with an
amount for every earning currency). Prints one line per file and every error as
<file>:<line> <path> — <reason>. Exits 1 if there is any error.

Options:
  --dir <dir>       journeys directory (default: <root>/journeys)
  --root <dir>      project directory (default: the nearest directory upwards with a package.json)
  --loyalty <file>  loyalty program (default: <root>/loyalty.yaml; none there: no program)
  -h, --help        show this help`,
    run: validateCommand,
  },
  schemas: {
    summary: 'export JSON Schemas',
    help: `Usage: journeys schemas [--out <dir>] [--check]

Writes JSON Schema (draft 2020-12) generated from the zod schemas in functions/core:
  <out>/journey.schema.json                 journey definitions (editor autocompletion for journeys/*.yaml)
  <out>/loyalty.schema.json                 the loyalty program (editor autocompletion for loyalty.yaml)
  <out>/events/<detail-type>.schema.json    the detail of each shop event
  <out>/README.md                           what they are and how to use them

Options:
  --out <dir>   output directory (default: <project>/schemas)
  --check       write nothing; exit 1 if any file in <out> is missing or out of date
  -h, --help    show this help`,
    run: schemasCommand,
  },
  simulate: {
    summary: 'run a scenario with a virtual clock',
    help: `Usage: journeys simulate <scenario.(yaml|json)> [--json] [--check] [--store dynamodb-local|memory]
                         [--analytics DIR]

Runs a scenario (a timeline of shop events) on a virtual clock through the real handlers, against an
embedded DynamoDB Local and SES v2 emulator, and prints what each customer receives and when. The clock
jumps from one due moment to the next, so months of journey time take seconds.

Options:
  --json          machine-readable output: { emails, events, rejected }
  --check         compare with the scenario's expect: section; exit 1 and list every difference
  --store <kind>  where journey state lives during the run:
                    dynamodb-local  DynamoDB Local, as in the tests (default; needs Java 17+)
                    memory          an in-process table with DynamoDB's semantics, and SES in process
                                    too (the same mailer, no emulator): no Java, many times faster;
                                    for large what-if runs (see also 'journeys backtest')
  --analytics DIR write the simulation's analytics log there as JSON Lines (dt=YYYY-MM-DD/…, the
                  layout of npm start's .data/analytics/), times on the virtual clock; DIR must not
                  hold a log yet. Read it with: journeys report --analytics DIR
  --workers N     with --store memory: worker threads the customers are split over (the result
                  is the one a single thread gives; default: every core from 1,000 customers on,
                  else 1). Runs with --analytics stay in one thread
  -h, --help      show this help`,
    run: (argv) => delegate('simulate', '../local/simulate/cli.ts', 'simulateCommand', argv),
  },
  backtest: {
    summary: 'what changed journeys would have done over a recorded history',
    help: `Usage: journeys backtest --events <history.jsonl> --journeys <dir> [--baseline <dir>] [--json]
                         [--source <name>] [--horizon <duration>] [--workers <n>]

Replays a recorded history of shop events through a changed set of journey definitions and, side by
side, through the current ones — the same handlers and engine as 'journeys simulate', on a virtual
clock, with state in memory — and prints what each would have done: journey entries and holdouts,
emails per journey and message, coupons issued, goals reached. Figures that differ are marked.
Exits 1 if a handler failed in either run (its figures do not show what production would do).

The history is one EventBridge event per line, as the bus delivers it to a target:
  {"id":"…","detail-type":"order.placed","source":"shop","time":"2026-03-02T08:00:00Z","detail":{…}}
To get one from AWS: add a rule on the journeys bus for the shop's source with a CloudWatch Logs
(or Firehose to S3) target, replay the bus's archive with --destination FilterArns=<that rule>
(so no journey runs again), and export the messages, one per line. Events of other sources (the
system's own) are left out.

Options:
  --events <file>       the recorded history (JSON Lines)
  --journeys <dir>      the changed journey definitions (templates and loyalty.yaml: the project's)
  --baseline <dir>      the definitions to compare with (default: the project's journeys/)
  --source <name>       the shop's event source in the history (default: shop)
  --horizon <duration>  let timers fall due this long after the last event (default PT0S: the
                        recorded period only)
  --workers <n>         worker threads each run splits the customers over (default: every core
                        from 1,000 customers on, else 1; the figures are the same either way)
  --json                machine-readable output: { period, events, customers, rows, runs }
  -h, --help            show this help`,
    run: (argv) => delegate('backtest', '../local/backtest/cli.ts', 'backtestCommand', argv),
  },
  preview: {
    summary: 'email gallery, or one message for one locale and customer',
    help: `Usage: journeys preview [--out <dir>]
       journeys preview <journey>/<message> [--locale <tag>] [--customer <file.json>] [--out <file.html>] [--text]

Without a message: builds the catalog (journeys/ + templates/, exactly as deployed), renders every message
of every journey in every shipped locale with sample data (a customer per locale, an order of three items
in EUR or GBP, a percent coupon, NPS links, a referral code, a reward) and writes a gallery:
  <out>/index.html                              journeys with their steps, a messages × locales matrix, previews
  <out>/<journey>/<message>.<locale>.html|.txt  each email's HTML and plain-text part

With a message (e.g. onboarding/welcome or referral-invite/invite-friends): renders it for one locale and
customer, writes the HTML and prints the resolved locale (de-AT → de), subject and preheader.

Options:
  --out <path>          gallery directory (default: preview/), or the HTML file of one message
                        (default: preview/<journey>/<message>.<locale>.html)
  --locale <tag>        BCP 47 locale of the recipient (default: the customer's, else en)
  --customer <file>     customer fixture, JSON: firstName, email, locale, timeZone, orderCount, and optional
                        currency, order { orderId, placedAt, items, total } and coupon overrides
                        (examples in test/fixtures/customers/)
  --text                print the plain-text part instead of writing the HTML
  --fallback            allow a locale that is not shipped (pt-BR) and show the fallback email
  -h, --help            show this help`,
    run: (argv) => delegate('preview', '../local/preview/cli.ts', 'previewCommand', argv),
  },
  report: {
    summary: 'retention KPIs, cohorts, funnels and uplift',
    help: `Usage: journeys report [--analytics <dir> | --athena] [--from <date> --to <date>]
                       [--period week|month|quarter|year] [--by market|locale]
                       [--out <report.html>] [--json] [--csv <dir>] [--locale en|de] [--active-window <days>]

Computes the retention KPIs (CRR, churn, repeat-customer rate, purchase frequency, AOV, CLV, NPS) per
period, the cohort table, journey funnels and holdout uplift from the analytics log. Without --json,
--out or --csv it prints a summary.

Options:
  --analytics <dir>      local log (JSON Lines, dt=YYYY-MM-DD/ partitions) read with DuckDB
                         (default: where 'npm start' writes it, the project's .data/analytics
                         or $JOURNEYS_DATA_DIR/analytics)
  --athena               query the log in AWS through Athena instead
  --workgroup <name>     Athena workgroup (default: $JOURNEYS_ATHENA_WORKGROUP)
  --database <name>      Glue database of the 'records' table (default: $JOURNEYS_ATHENA_DATABASE)
  --from <YYYY-MM-DD>    first day (default: 12 periods before --to)
  --to <YYYY-MM-DD>      day after the last (default: the start of the current period)
  --period <unit>        week (Monday to Sunday), month (default), quarter or year; UTC
  --by market|locale     also break every period down by the customer's market or locale
  --active-window <days> a customer is active while their last counted order is this recent
                         (default 365; 366 with --period year; at least one period)
  --goal-window <days>   revenue per customer after a journey entry counts orders up to this many
                         days after the entry day (default 30)
  --json                 print the report as JSON (the shape in the README)
  --csv <dir>            write kpis.csv, cohorts.csv, journeys.csv and messages.csv
  --out <file.html>      write the HTML report (one self-contained file)
  --locale en|de         language of the HTML report (default: en)
  -h, --help             show this help`,
    run: (argv) => delegate('report', '../local/report-cli.ts', 'reportCommand', argv),
  },
};

export async function main(argv: string[], io: Io = defaultIo()): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === '-h' || name === '--help' || name === 'help') {
    const topic = name === 'help' ? rest[0] : undefined;
    const command = topic ? commands[topic] : undefined;
    io.out(command ? command.help : HELP);
    return 0;
  }
  const command = commands[name];
  if (!command) {
    io.err(`journeys: unknown command "${name}"\n\n${HELP}`);
    return 2;
  }
  if (rest.includes('--help') || rest.includes('-h')) {
    io.out(command.help);
    return 0;
  }
  try {
    return await command.run(rest, io);
  } catch (err) {
    if (err instanceof UsageError) {
      io.err(`journeys ${name}: ${err.message}\n\n${command.help}`);
      return 2;
    }
    throw err;
  }
}

/** Runs a parseArgs call, turning its errors (unknown option, missing value …) into usage errors. */
function usage<T>(parse: () => T): T {
  try {
    return parse();
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
}

async function validateCommand(argv: string[], io: Io): Promise<number> {
  const { values } = usage(() =>
    parseArgs({
      args: argv,
      options: { dir: { type: 'string' }, root: { type: 'string' }, loyalty: { type: 'string' } },
      allowPositionals: false,
    }),
  );
  const rootDir = values.root !== undefined ? path.resolve(values.root) : projectRoot();
  const journeysDir = values.dir !== undefined ? path.resolve(values.dir) : path.join(rootDir, 'journeys');
  const loyaltyFile = values.loyalty !== undefined ? path.resolve(values.loyalty) : undefined;
  const report = await validateProject(rootDir, { journeysDir, loyaltyFile });

  const shown = new Set<unknown>();
  for (const f of [...report.files, ...(report.loyalty ? [report.loyalty] : [])]) {
    io.out(`${f.ok ? ok(io) : bad(io)} ${path.basename(f.file)} ${dim(io, '—')} ${f.summary}`);
    for (const e of f.errors) {
      io.out(`    ${formatDefinitionError(e)}`);
      shown.add(e);
    }
  }
  const others = report.errors.filter((e) => !shown.has(e));
  for (const e of others) io.out(`${bad(io)} ${formatDefinitionError(e)}`);

  const valid = report.files.filter((f) => f.ok).length;
  if (report.errors.length === 0) {
    io.out(`\n${ok(io)} ${plural(valid, 'journey')} valid`);
    return 0;
  }
  io.out(`\n${bad(io)} ${plural(report.errors.length, 'error')}; ${plural(valid, 'journey')} valid`);
  return 1;
}

async function schemasCommand(argv: string[], io: Io): Promise<number> {
  const { values } = usage(() =>
    parseArgs({
      args: argv,
      options: { out: { type: 'string' }, check: { type: 'boolean' } },
      allowPositionals: false,
    }),
  );
  const outDir = values.out !== undefined ? path.resolve(values.out) : path.join(projectRoot(), 'schemas');
  const files = renderSchemas();
  let stale = 0;
  for (const [rel, content] of files) {
    const target = path.join(outDir, rel);
    const current = await readFile(target, 'utf8').catch(() => undefined);
    const shown = path.relative(process.cwd(), target) || target;
    if (values.check) {
      if (current !== content) {
        stale++;
        io.out(`${bad(io)} ${shown} ${current === undefined ? 'is missing' : 'is out of date'}`);
      }
      continue;
    }
    if (current === content) {
      io.out(`${ok(io)} ${shown} ${dim(io, '(unchanged)')}`);
      continue;
    }
    await mkdir(path.dirname(target), { recursive: true });
    await writeFile(target, content);
    io.out(`${ok(io)} ${shown} ${current === undefined ? 'written' : 'updated'}`);
  }
  if (values.check) {
    if (stale > 0) {
      io.out(`\nRun 'npx journeys schemas' to regenerate ${plural(stale, 'file')}.`);
      return 1;
    }
    io.out(`${ok(io)} ${plural(files.size, 'schema file')} up to date`);
  }
  return 0;
}

/** The nearest directory at or above the working directory with a package.json (so it works from journeys/). */
function projectRoot(from = process.cwd()): string {
  for (let dir = path.resolve(from); ; dir = path.dirname(dir)) {
    if (existsSync(path.join(dir, 'package.json'))) return dir;
    if (path.dirname(dir) === dir) return path.resolve(from);
  }
}

/** Commands implemented elsewhere: import the module only when the command runs. */
async function delegate(
  name: string,
  specifier: string,
  exportName: string,
  argv: string[],
): Promise<number> {
  const url = new URL(specifier, import.meta.url);
  if (!existsSync(url)) {
    process.stderr.write(
      `journeys ${name}: not available yet — ${path.relative(ROOT, fileURLToPath(url))} does not exist\n`,
    );
    return 1;
  }
  const mod = (await import(url.href)) as Record<string, unknown>;
  const command = mod[exportName];
  if (typeof command !== 'function') {
    process.stderr.write(`journeys ${name}: ${specifier} does not export ${exportName}(argv)\n`);
    return 1;
  }
  return (await (command as (argv: string[]) => Promise<number>)(argv)) ?? 0;
}

// Run when executed directly (`tsx bin/journeys.ts …`); bin/journeys.js calls main() itself.
if (process.argv[1] && import.meta.url === pathToFileURL(path.resolve(process.argv[1])).href) {
  process.exitCode = await main(process.argv.slice(2));
}
