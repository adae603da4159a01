/**
 * `journeys` — the command-line tool for journey authors and operators.
 *
 *   journeys validate [--dir journeys]   check every journey definition, the templates, loyalty.yaml
 *   journeys schemas [--out schemas]     export the journey, loyalty program and event JSON Schemas
 *   journeys simulate <scenario>         run a scenario against the engine with a virtual clock
 *   journeys backtest --events F --journeys D   replay a recorded history through changed journeys
 *   journeys preview ...                 render a journey message
 *   journeys send-test <j>/<m> --to A     send one message to yourself (npm start's mail viewer, or --aws)
 *   journeys report ...                  retention KPIs, cohorts, funnels and uplift from the analytics log
 *
 * Run through `bin/journeys.js` (npx journeys …, npm run journeys -- …) or `tsx bin/journeys.ts …`.
 * Every command line goes through one commander program, so a usage mistake reads the same in every
 * command: what is wrong, the usage, exit code 2, no stack trace.
 */
import { existsSync, readFileSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { Command, type CommanderError } from 'commander';
import { formatDefinitionError } from '../functions/catalog/journeys.ts';
import { packageRoot } from '../functions/catalog/package-root.ts';
import { renderSchemas } from '../functions/catalog/schemas.ts';
import { plural, validateProject } from '../functions/catalog/validate.ts';
import type { BacktestOptions } from '../local/backtest/cli.ts';
import { UsageError } from '../local/errors.ts';
import type { PreviewOptions } from '../local/preview/cli.ts';
import type { ReportOptions } from '../local/report-cli.ts';
import type { SendTestOptions } from '../local/send-test/cli.ts';
import type { SimulateOptions } from '../local/simulate/cli.ts';
import { backtestSpec, previewSpec, prose, reportSpec, sendTestSpec, simulateSpec } from './commands.ts';

// bin/ in this repository, dist/bin/ in the installed package: the package root is the nearest package.json.
const ROOT = packageRoot(import.meta.url);
const VERSION = (JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { version: string })
  .version;

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

const HELP_AFTER = `
Run 'journeys <command> --help' for the options of a command.`;

/**
 * Builds the whole command line: one commander program. Every command and option is declared here
 * or in ./commands.ts, so a mistake is told the same way everywhere (see main).
 */
function program(io: Io, done: (code: number) => void): Command {
  const root = new Command('journeys')
    .description('journeys — author, check and try out retention journeys')
    .usage('<command> [options]')
    .version(VERSION, '-V, --version', 'print the version')
    .helpOption('-h, --help', 'show this help')
    .helpCommand('help [command]', 'show the help of a command')
    .enablePositionalOptions()
    .addHelpText('after', HELP_AFTER);

  root
    .command('validate')
    .summary('check every journey definition in journeys/ and loyalty.yaml')
    .description(
      prose(`Checks every *.yaml / *.yml file in the journeys directory against the journey schema: YAML
      syntax, structure, durations, declared messages, file name = id, unique ids; the templates of every
      message; and the loyalty program (loyalty.yaml: structure, durations, tiers in ascending order,
      rewards with an amount for every earning currency). Prints one line per file and every error as
      <file>:<line> <path> — <reason>. Exits 1 if there is any error.`),
    )
    .option('--dir <dir>', 'journeys directory (default: <root>/journeys)')
    .option('--root <dir>', 'project directory (default: the nearest directory upwards with a package.json)')
    .option('--loyalty <file>', 'loyalty program (default: <root>/loyalty.yaml; none there: no program)')
    .action(async (opts: ValidateOptions) => done(await validateCommand(opts, io)));

  root
    .command('schemas')
    .summary('write the journey, loyalty program and event JSON Schemas to schemas/')
    .description('Writes JSON Schema (draft 2020-12) generated from the zod schemas in functions/core.')
    .addHelpText(
      'after',
      `
Files written:
  <out>/journey.schema.json                 journey definitions (editor autocompletion for journeys/*.yaml)
  <out>/loyalty.schema.json                 the loyalty program (editor autocompletion for loyalty.yaml)
  <out>/events/<detail-type>.schema.json    the detail of each shop event
  <out>/README.md                           what they are and how to use them`,
    )
    .option('--out <dir>', 'output directory (default: <project>/schemas)')
    .option('--check', 'write nothing; exit 1 if any file in <out> is missing or out of date')
    .action(async (opts: SchemasOptions) => done(await schemasCommand(opts, io)));

  // The modules behind these load the SDK, DuckDB or MJML: imported only when the command runs.
  root.addCommand(
    simulateSpec().action(async (file: string, opts: SimulateOptions) =>
      done(await (await import('../local/simulate/cli.ts')).simulateCommand(file, opts)),
    ),
  );
  root.addCommand(
    backtestSpec().action(async (opts: BacktestOptions) =>
      done(await (await import('../local/backtest/cli.ts')).backtestCommand(opts)),
    ),
  );
  root.addCommand(
    previewSpec().action(async (message: string | undefined, opts: PreviewOptions) =>
      done(await (await import('../local/preview/cli.ts')).previewCommand(message, opts)),
    ),
  );
  root.addCommand(
    sendTestSpec().action(async (message: string, opts: SendTestOptions) =>
      done(await (await import('../local/send-test/cli.ts')).sendTestCommand(message, opts)),
    ),
  );
  root.addCommand(
    reportSpec().action(async (opts: ReportOptions) =>
      done(await (await import('../local/report-cli.ts')).reportCommand(opts)),
    ),
  );

  for (const command of [root, ...root.commands]) {
    command
      .configureOutput({
        writeOut: (text) => io.out(text.replace(/\n$/, '')),
        writeErr: (text) => io.err(text.replace(/\n$/, '')),
        // main prints the error, with the name of the command it belongs to.
        outputError: () => undefined,
      })
      .helpOption('-h, --help', 'show this help')
      .showSuggestionAfterError()
      .exitOverride((error) => {
        throw new CommandLineError(error, command);
      });
  }
  return root;
}

/** A commander error (or help/--version, which commander also reports by throwing) and its command. */
class CommandLineError extends Error {
  constructor(
    readonly failure: CommanderError,
    readonly command: Command,
  ) {
    super(failure.message);
  }
}

/**
 * A usage mistake: the message, naming the option or command, then the command's usage line (for an
 * unknown command, the commands there are); exit code 2. Commander's "error: " prefix gives way to
 * the command's name; its suggestion stays on the message's line.
 */
function usageError(io: Io, command: Command, message: string): number {
  const name = command.parent ? `journeys ${command.name()}` : 'journeys';
  const text = message.replace(/^error: /, '').replace(/\n\(Did you mean (.*)\?\)$/, ' — did you mean $1?');
  const usage = command.parent
    ? `Usage: ${name} ${command.usage()}`
    : `Usage: journeys <command> [options]; commands: ${command.commands
        .map((c) => c.name())
        .filter((c) => c !== 'help')
        .join(', ')}`;
  io.err(`${name}: ${text}\n${usage}`);
  return 2;
}

export async function main(argv: string[], io: Io = defaultIo()): Promise<number> {
  let code = 0;
  const root = program(io, (c) => {
    code = c;
  });
  // No command at all: the overview, as --help prints it (commander would print it as an error).
  if (argv.length === 0) {
    root.outputHelp();
    return 0;
  }
  // `help <misspelt>` as `<misspelt>`: commander would print the overview, not the suggestion.
  const [first, topic] = argv;
  const known = root.commands.some((c) => c.name() === topic);
  const args = first === 'help' && topic !== undefined && !known ? [topic] : argv;
  try {
    await root.parseAsync(args, { from: 'user' });
    return code;
  } catch (error) {
    if (error instanceof CommandLineError) {
      const { code: kind, exitCode } = error.failure;
      if (kind === 'commander.helpDisplayed' || kind === 'commander.version' || kind === 'commander.help')
        return exitCode;
      return usageError(io, error.command, error.failure.message);
    }
    if (error instanceof UsageError) {
      const command = root.commands.find((c) => c.name() === argv[0]) ?? root;
      return usageError(io, command, error.message);
    }
    throw error;
  }
}

interface ValidateOptions {
  dir?: string;
  root?: string;
  loyalty?: string;
}

async function validateCommand(values: ValidateOptions, io: Io): Promise<number> {
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

interface SchemasOptions {
  out?: string;
  check?: boolean;
}

async function schemasCommand(values: SchemasOptions, io: Io): Promise<number> {
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

// Run when executed directly (`tsx bin/journeys.ts …`); bin/journeys.js calls main() itself.
if (process.argv[1] && import.meta.url === pathToFileURL(path.resolve(process.argv[1])).href) {
  process.exitCode = await main(process.argv.slice(2));
}
