import { copyFile, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { runJourneys } from '../support/cli.ts';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

const journeys = (...args: string[]) => runJourneys(args);

describe('journeys simulate --check --update', () => {
  const dirs: string[] = [];
  afterAll(async () => {
    for (const dir of dirs) await rm(dir, { recursive: true, force: true });
  });

  it('rewrites the out-of-step expectation, shows the diff, and --check passes afterwards', async () => {
    // Prepare
    const dir = await mkdtemp(path.join(tmpdir(), 'update-'));
    dirs.push(dir);
    const file = path.join(dir, 'onboarding.yaml');
    const original = await readFile(
      path.join(root, 'test/scenarios/onboarding-german-never-orders.yaml'),
      'utf8',
    );
    const stale = original.replace(
      'getting-started, local: "2026-03-04 09:00"',
      'getting-started, local: "2026-03-03 09:00"',
    );
    expect(stale).not.toBe(original);
    await writeFile(file, stale);
    const failing = await journeys('simulate', file, '--store', 'memory', '--check');
    expect(failing.code).toBe(1);

    // Act
    const updated = await journeys('simulate', file, '--store', 'memory', '--check', '--update');

    // Assess
    expect(updated.code).toBe(0);
    expect(updated.stdout).toContain(
      '-    - { customer: c1, journey: onboarding, message: getting-started, local: "2026-03-03 09:00", locale: de }',
    );
    expect(updated.stdout).toContain(
      '+    - { customer: c1, journey: onboarding, message: getting-started, local: "2026-03-04 09:00", locale: de }',
    );
    expect(updated.stdout).toContain('review the diff above and commit it');
    expect(updated.stdout).not.toContain('\u001b['); // not a terminal: no colour
    expect(await readFile(file, 'utf8')).toBe(original);
    expect((await journeys('simulate', file, '--store', 'memory', '--check')).code).toBe(0);
    const again = await journeys('simulate', file, '--store', 'memory', '--check', '--update');
    expect(again.code).toBe(0);
    expect(again.stdout).toContain('already match the run; nothing to update');
  });

  it('refuses a JSON scenario before running it', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'update-'));
    dirs.push(dir);
    const file = path.join(dir, 'scenario.json');
    await writeFile(file, '{}');
    const { code, stderr } = await journeys('simulate', file, '--store', 'memory', '--check', '--update');
    expect(code).toBe(1);
    expect(stderr).toContain('--update rewrites YAML scenarios only');
  });

  it('refuses a scenario without an expect: section, saying how to start one', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'update-'));
    dirs.push(dir);
    const file = path.join(dir, 'bare.yaml');
    await copyFile(path.join(root, 'test/scenarios/onboarding-german-never-orders.yaml'), file);
    const text = await readFile(file, 'utf8');
    await writeFile(file, text.slice(0, text.indexOf('expect:')));
    const { code, stderr } = await journeys('simulate', file, '--store', 'memory', '--check', '--update');
    expect(code).toBe(1);
    expect(stderr).toContain('has no expect: section to update. Write one naming what matters');
  });
});
