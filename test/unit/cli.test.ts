import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { runJourneys } from '../support/cli.ts';

const journeys = (...args: string[]) => runJourneys(args);

describe('journeys CLI', () => {
  it('validate: passes on the shipped journeys', async () => {
    const { code, stdout } = await journeys('validate');
    expect(code).toBe(0);
    expect(stdout).toContain('✓ onboarding.yaml — Onboarding, 3 messages, 7 steps');
    // stdout is a pipe, not a TTY: no colour codes
    expect(stdout).not.toContain('\u001b[');
  });

  it('validate: fails on the invalid fixtures and names file, line, path and reason of every error', async () => {
    const { code, stdout } = await journeys('validate', '--dir', 'test/fixtures/journeys-invalid');
    expect(code).toBe(1);
    const dir = 'test/fixtures/journeys-invalid';
    expect(stdout).toContain('✗ bad-duration.yaml — 3 errors');
    expect(stdout).toContain(
      `${dir}/bad-duration.yaml:10 steps.1.wait — must be a non-negative ISO 8601 duration such as PT1H, P2D or P2W`,
    );
    expect(stdout).toContain(
      `${dir}/bad-duration.yaml:11 steps.2.wait.sinceEntry — must be a non-negative ISO 8601`,
    );
    expect(stdout).toContain(
      `${dir}/bad-duration.yaml:12 steps.3.send — sends message "first-order-offer", which is not declared under messages`,
    );
    expect(stdout).toContain(`${dir}/unknown-step.yaml:10 steps.1 — unknown step "branch"`);
    expect(stdout).toMatch(new RegExp(`${dir}/broken-syntax\\.yaml:\\d+ — YAML syntax error: `));
    expect(stdout).toContain(`${dir}/wrong-name.yaml:1 id — journey id "win-back" must equal the file name`);
    expect(stdout).toContain('✓ valid.yaml — Valid, 1 message, 1 step');
    expect(stdout).toContain('✗ 7 errors; 1 journey valid');
  });

  it('validate: fails on a missing directory', async () => {
    const { code, stdout } = await journeys('validate', '--dir', 'test/fixtures/no-such-dir');
    expect(code).toBe(1);
    expect(stdout).toContain('test/fixtures/no-such-dir — directory not found');
  });

  it('schemas --check: the committed schemas are up to date', async () => {
    const { code, stdout } = await journeys('schemas', '--check');
    expect(code).toBe(0);
    expect(stdout).toContain('up to date');
  });

  it('simulate --store memory: checks a scenario with no Java, and names a wrong store', async () => {
    const run = await journeys('simulate', 'test/scenarios/locales.yaml', '--store', 'memory', '--check');
    expect(run.stdout).toContain('✓ the simulation meets every expectation of the scenario');
    expect(run.code).toBe(0);

    const wrong = await journeys('simulate', 'test/scenarios/locales.yaml', '--store', 'postgres');
    expect(wrong.code).toBe(2);
    expect(wrong.stderr).toContain(
      "option '--store <kind>' argument 'postgres' is invalid. Allowed choices are dynamodb-local, memory.",
    );
  });

  it('simulate --customer: follows the customers named (repeated or comma-separated), in their local time', async () => {
    const one = await journeys(
      'simulate',
      'test/scenarios/referral.yaml',
      '--store',
      'memory',
      '--customer',
      'r1',
    );
    expect(one.code).toBe(0);
    const lines = one.stdout.split('\n').filter((l) => /^ {2}\d\d:\d\d [+-]\d\d:\d\d /.test(l));
    expect(lines.length).toBeGreaterThan(10);
    for (const line of lines) expect(line).toMatch(/ r1 Ben <ben@example\.com> /);
    expect(one.stdout).toContain('following r1');
    expect(one.stdout).toContain('  10:30 +02:00  r1 Ben <ben@example.com>  ⚡ referred by r0 (code ');
    expect(one.stdout).toMatch(/\n {2}referral +entered 1 · emails: referral-welcome ×1/);

    const two = await journeys(
      'simulate',
      'test/scenarios/referral.yaml',
      '--store',
      'memory',
      '--customer',
      'r0,r1',
      '--customer',
      'r2',
    );
    expect(two.stdout).toContain('following r0, r1, r2');
    expect(two.stdout).toContain(' r2 ');
    expect(two.stdout).not.toContain(' r3 ');
  });

  it('prints help, and rejects unknown commands and options with exit code 2', async () => {
    const help = await journeys('--help');
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(/Usage: journeys <command>/);
    for (const cmd of ['validate', 'schemas', 'simulate', 'preview']) expect(help.stdout).toContain(cmd);

    const sub = await journeys('validate', '--help');
    expect(sub.code).toBe(0);
    expect(sub.stdout).toMatch(/Usage: journeys validate/);

    const unknown = await journeys('frobnicate');
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain("unknown command 'frobnicate'");

    const badOption = await journeys('validate', '--bogus');
    expect(badOption.code).toBe(2);
    expect(badOption.stderr).toContain("journeys validate: unknown option '--bogus'");
  });

  it('simulate --emails DIR: every email as HTML and text with an index in sending order; a used directory is refused', async () => {
    const { mkdtemp, readdir, readFile } = await import('node:fs/promises');
    const { tmpdir } = await import('node:os');
    const dir = path.join(await mkdtemp(path.join(tmpdir(), 'journeys-emails-')), 'out');
    const run = await journeys(
      'simulate',
      'test/scenarios/locales.yaml',
      '--store',
      'memory',
      '--emails',
      dir,
    );
    expect(run.code).toBe(0);
    expect(run.stderr).toContain(`10 email(s) written; open ${path.join(dir, 'index.html')}`);
    const files = await readdir(dir);
    expect(files.filter((f) => f.endsWith('.html') && f !== 'index.html')).toHaveLength(10);
    expect(files.filter((f) => f.endsWith('.txt'))).toHaveLength(10);
    expect(files).toContain('01-l1-onboarding-welcome.html');
    const index = await readFile(path.join(dir, 'index.html'), 'utf8');
    expect(index).toContain('locales.yaml: 10 emails');
    expect(index).toContain('href="01-l1-onboarding-welcome.html"');
    expect(await readFile(path.join(dir, '01-l1-onboarding-welcome.html'), 'utf8')).toMatch(
      /^<!doctype html>/i,
    );
    const again = await journeys(
      'simulate',
      'test/scenarios/locales.yaml',
      '--store',
      'memory',
      '--emails',
      dir,
    );
    expect(again.code).toBe(2);
    expect(again.stderr.split('\n')[0]).toBe(
      `journeys simulate: --emails ${dir}: the directory is not empty (the emails of one run go into an empty one)`,
    );
  });
});
