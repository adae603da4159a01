import { mkdtemp, readFile, rm, symlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runJourneys } from '../support/cli.ts';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const scenario = 'test/scenarios/locales.yaml';

const journeys = runJourneys;

function expectNoStackTrace(output: string): void {
  expect(output).not.toMatch(/\n\s+at /);
  expect(output).not.toContain('node:internal');
  expect(output).not.toMatch(/^\w*Error: /m);
}

const SIMULATE_USAGE =
  'Usage: journeys simulate <scenario.(yaml|json)> [--json] [--check [--update]] [--customer ID] [--store dynamodb-local|memory]';

describe('journeys: usage errors', () => {
  it.each([
    [
      'a misspelt option, with a suggestion',
      ['simulate', scenario, '--jsn'],
      "journeys simulate: unknown option '--jsn' — did you mean --json?",
      SIMULATE_USAGE,
    ],
    [
      'an option without its value',
      ['simulate', scenario, '--store'],
      "journeys simulate: option '--store <kind>' argument missing",
      SIMULATE_USAGE,
    ],
    [
      'a value that is not one of the choices',
      ['simulate', scenario, '--store', 'postgres'],
      "journeys simulate: option '--store <kind>' argument 'postgres' is invalid. Allowed choices are dynamodb-local, memory.",
      SIMULATE_USAGE,
    ],
    [
      'a missing scenario',
      ['simulate', '--json'],
      "journeys simulate: missing required argument 'scenario'",
      SIMULATE_USAGE,
    ],
    [
      'a misspelt command, with a suggestion',
      ['valdate'],
      "journeys: unknown command 'valdate' — did you mean validate?",
      'Usage: journeys <command> [options]; commands: validate, schemas, simulate, backtest, preview, send-test, report',
    ],
    [
      'a misspelt command with a dash, with a suggestion',
      ['sendtest', 'onboarding/welcome'],
      "journeys: unknown command 'sendtest' — did you mean send-test?",
      'Usage: journeys <command> [options]; commands: validate, schemas, simulate, backtest, preview, send-test, report',
    ],
    [
      'a misspelt command after help',
      ['help', 'valdate'],
      "journeys: unknown command 'valdate' — did you mean validate?",
      'Usage: journeys <command> [options]',
    ],
    [
      'an unknown command',
      ['frobnicate'],
      "journeys: unknown command 'frobnicate'",
      'Usage: journeys <command> [options]',
    ],
    [
      'a missing required option',
      ['backtest', '--events', 'history.jsonl'],
      "journeys backtest: required option '--journeys <dir>' not specified",
      'Usage: journeys backtest --events <history.jsonl> --journeys <dir>',
    ],
    [
      'a second message to preview',
      ['preview', 'onboarding/welcome', 'onboarding/getting-started'],
      "journeys preview: too many arguments for 'preview'. Expected 1 argument but got 2.",
      'Usage: journeys preview [--out <dir>]',
    ],
    [
      'an unknown customer to follow, with the ones there are',
      [
        'simulate',
        'test/scenarios/win-back.yaml',
        '--store',
        'memory',
        '--customer',
        'w1',
        '--customer',
        'walter',
      ],
      'journeys simulate: --customer walter: the scenario has no customer of that id; its customers are w1, w2, w4, w5',
      SIMULATE_USAGE,
    ],
    [
      '--update without --check',
      ['simulate', scenario, '--store', 'memory', '--update'],
      `journeys simulate: --update rewrites the expect: section that --check compares with; use both: journeys simulate ${scenario} --check --update`,
      SIMULATE_USAGE,
    ],
    [
      'a check of the command itself (not the parser) that fails',
      ['simulate', scenario, '--store', 'memory', '--workers', 'many'],
      'journeys simulate: --workers must be a whole number of at least 1, not "many"',
      SIMULATE_USAGE,
    ],
  ])('%s: the message and the usage, exit 2, no stack trace', async (_what, args, message, usage) => {
    const { code, stdout, stderr } = await journeys(args);
    expect(code).toBe(2);
    expect(stdout).toBe('');
    const lines = stderr.trimEnd().split('\n');
    expect(lines[0]).toBe(message);
    expect(lines[1]).toContain(usage);
    expectNoStackTrace(stderr);
  });

  it("report: the parser's errors and the command's own checks read alike", async () => {
    const parser = await journeys(['report', '--perod', 'week']);
    const own = await journeys(['report', '--period', 'day']);
    expect(parser.stderr).toContain("journeys report: unknown option '--perod' — did you mean --period?");
    expect(own.stderr).toContain('journeys report: --period: "day" is not one of week, month, quarter, year');
    for (const run of [parser, own]) {
      expect(run.code).toBe(2);
      expect(run.stderr.split('\n')[1]).toMatch(/^Usage: journeys report \[--analytics <dir> \| --athena\]/);
      expectNoStackTrace(run.stderr);
    }
  });
});

describe('journeys: --version and --help', () => {
  it('--version and -V print the package version', async () => {
    const { version } = JSON.parse(await readFile(path.join(root, 'package.json'), 'utf8')) as {
      version: string;
    };
    for (const flag of ['--version', '-V']) {
      const { code, stdout } = await journeys([flag]);
      expect(code).toBe(0);
      expect(stdout.trim()).toBe(version);
    }
  });

  it('simulate --help lists --store, and says what the README measured about the memory table', async () => {
    const { code, stdout } = await journeys(['simulate', '--help']);
    expect(code).toBe(0);
    expect(stdout).toContain(SIMULATE_USAGE);
    expect(stdout).toMatch(/--store <kind> {2,}where journey state lives/);
    const readme = (await readFile(path.join(root, 'README.md'), 'utf8')).replace(/\s+/g, ' ');
    const claim = stdout.match(/about (\d+) times faster per customer/);
    expect(claim).not.toBeNull();
    expect(readme).toContain(`about ${claim?.[1]} times faster per customer`);
  });

  it('help <command> prints what <command> --help prints', async () => {
    const viaHelp = await journeys(['help', 'backtest']);
    const viaFlag = await journeys(['backtest', '--help']);
    expect(viaHelp.code).toBe(0);
    expect(viaHelp.stdout).toBe(viaFlag.stdout);
    expect(viaFlag.stdout).toMatch(/^Usage: journeys backtest --events/);
  });
});

describe('journeys simulate without Java', () => {
  let bin: string;
  beforeAll(async () => {
    // A PATH with node and nothing else: no `java` (and no `javac`) for DynamoDB Local.
    bin = await mkdtemp(path.join(tmpdir(), 'journeys-no-java-'));
    await symlink(process.execPath, path.join(bin, 'node'));
  });
  afterAll(async () => {
    await rm(bin, { recursive: true, force: true });
  });

  it('says Java is missing and suggests --store memory, exit 1, no stack trace', async () => {
    const { code, stderr } = await journeys(['simulate', scenario], { ...process.env, PATH: bin });
    expect(code).toBe(1);
    expect(stderr).toContain(
      'journeys simulate: DynamoDB Local cannot start: the `java` command was not found (it needs Java 17 or newer on PATH).',
    );
    expect(stderr).toContain(
      `Run it without Java on the memory table: journeys simulate ${scenario} --store memory`,
    );
    expectNoStackTrace(stderr);
  });
});
