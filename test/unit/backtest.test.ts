/**
 * `journeys backtest` (local/backtest): a recorded history — generated from the benchmark's synthetic
 * shop and written as EventBridge events, one per line — replayed through changed journeys and the
 * current ones. A changed wait must change exactly the figures it can reach; an unchanged set none;
 * and a bad file or directory is named in one line, with no stack trace.
 */
import { execFile } from 'node:child_process';
import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { historyLines, syntheticScenario } from '../../bench/scenario.ts';
import { buildCatalog } from '../../functions/catalog/build.ts';
import type { Catalog } from '../../functions/catalog/catalog.ts';
import { readEventHistory } from '../../local/backtest/events.ts';
import { type BacktestResult, backtest } from '../../local/backtest/index.ts';
import { BacktestError } from '../../local/errors.ts';

const ROOT = path.resolve(import.meta.dirname, '../..');
let dir: string;
let history: string;
let current: Catalog;

/** The project's journeys with one file's text replaced. */
async function changedJourneys(name: string, file: string, from: string, to: string): Promise<Catalog> {
  const journeys = path.join(dir, name);
  await cp(path.join(ROOT, 'journeys'), journeys, { recursive: true });
  const text = await readFile(path.join(journeys, file), 'utf8');
  expect(text).toContain(from);
  await writeFile(path.join(journeys, file), text.replace(from, to));
  return (await buildCatalog(ROOT, { defaultLocale: 'en', journeysDir: journeys })).catalog;
}

const figure = (result: BacktestResult, section: string, key: string) =>
  result.rows.find((r) => r.section === section && r.key === key) ?? { baseline: 0, changed: 0, delta: 0 };

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'backtest-'));
  history = path.join(dir, 'history.jsonl');
  // Prepare: 150 customers of the synthetic shop over 200 days, as a recorded history.
  await writeFile(history, `${historyLines(syntheticScenario(150, 200, 'bt')).join('\n')}\n`);
  ({ catalog: current } = await buildCatalog(ROOT, { defaultLocale: 'en' }));
});
afterAll(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('journeys backtest', () => {
  it('win-back after 45 instead of 60 days: more customers enter it and get its emails; no other journey changes', {
    timeout: 120_000,
  }, async () => {
    // Prepare
    const changed = await changedJourneys('win-back-45', 'win-back.yaml', 'after: P60D', 'after: P45D');
    const events = await readEventHistory(history, 'shop');

    // Act
    const result = await backtest(events, { baseline: current, changed });

    // Assess
    expect(result.runs.baseline.errors).toEqual([]);
    expect(result.runs.changed.errors).toEqual([]);
    expect(result.customers).toBe(150);
    const entries = figure(result, 'entries', 'win-back');
    const missYou = figure(result, 'emails', 'win-back/we-miss-you');
    expect(entries.changed).toBeGreaterThan(entries.baseline);
    expect(missYou.changed).toBeGreaterThan(missYou.baseline);
    // Every entrant outside the holdout with consent gets the first email: never more emails than entries.
    expect(missYou.changed).toBeLessThanOrEqual(
      entries.changed - figure(result, 'holdout', 'win-back').changed,
    );
    const elsewhere = result.rows.filter((r) => r.delta !== 0 && !r.key.startsWith('win-back'));
    expect(elsewhere).toEqual([]);
  });

  it('a post-purchase review request a week later: fewer requests fall inside the recorded period, nothing else moves', {
    timeout: 120_000,
  }, async () => {
    // Prepare
    const text = await readFile(path.join(ROOT, 'journeys/post-purchase.yaml'), 'utf8');
    const wait = text.match(/- wait: (P\d+D)\s*\n\s*- send: review-request/)?.[1];
    expect(wait).toBeDefined();
    const later = `P${Number(wait?.slice(1, -1)) + 7}D`;
    const changed = await changedJourneys(
      'review-later',
      'post-purchase.yaml',
      `- wait: ${wait}`,
      `- wait: ${later}`,
    );

    // Act
    const result = await backtest(await readEventHistory(history, 'shop'), { baseline: current, changed });

    // Assess: the same orders, so the same entries; requests due after the last event drop out.
    const requests = figure(result, 'emails', 'post-purchase/review-request');
    expect(figure(result, 'entries', 'post-purchase').delta).toBe(0);
    expect(requests.changed).toBeLessThan(requests.baseline);
    expect(result.rows.filter((r) => r.delta !== 0 && !r.key.startsWith('post-purchase'))).toEqual([]);
  });

  it('the current journeys against themselves: every figure equal', { timeout: 120_000 }, async () => {
    const result = await backtest(await readEventHistory(history, 'shop'), {
      baseline: current,
      changed: current,
    });
    expect(result.rows.length).toBeGreaterThan(10);
    expect(result.rows.filter((r) => r.delta !== 0)).toEqual([]);
  });

  it('names a malformed line by number and field, and leaves out other sources', async () => {
    const file = path.join(dir, 'mixed.jsonl');
    await writeFile(
      file,
      [
        '{"id":"1","detail-type":"order.placed","source":"retention-journeys","time":"2026-01-01T00:00:00Z","detail":{}}',
        '{"id":"2","detail-type":"customer.registered","source":"shop","time":"2026-01-01T00:00:00Z","detail":{"customerId":"a"}}',
        '{"id":"3","source":"shop","time":"2026-01-02T00:00:00Z","detail":{}}',
        '',
        '{"id":"4"',
      ].join('\n'),
    );
    await expect(readEventHistory(file, 'shop')).rejects.toThrow(BacktestError);
    await expect(readEventHistory(file, 'shop')).rejects.toThrow(
      /mixed\.jsonl:3: detail-type: required[\s\S]*mixed\.jsonl:5: not JSON/,
    );
    await writeFile(
      file,
      [0, 1, 2]
        .map(
          (i) =>
            `{"detail-type":"x","source":"${i ? 'shop' : 'aws.ses'}","time":"2026-01-0${i + 1}T00:00:00Z","detail":{}}`,
        )
        .join('\n'),
    );
    const read = await readEventHistory(file, 'shop');
    expect([read.events.length, read.otherSources, read.first, read.last]).toEqual([
      2,
      1,
      '2026-01-02T00:00:00.000Z',
      '2026-01-03T00:00:00.000Z',
    ]);
  });

  it('CLI: a missing file, an unknown journeys directory and a missing option, each one line without a stack trace', async () => {
    const run = async (...args: string[]) => {
      try {
        await promisify(execFile)(process.execPath, ['bin/journeys.js', 'backtest', ...args], { cwd: ROOT });
        return { code: 0, stderr: '' };
      } catch (error) {
        const e = error as { code: number; stderr: string };
        return { code: e.code, stderr: e.stderr };
      }
    };
    const missing = await run('--events', path.join(dir, 'nope.jsonl'), '--journeys', 'journeys');
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/--events .*nope\.jsonl: no such file/);
    const unknown = await run('--events', history, '--journeys', path.join(dir, 'no-such-dir'));
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toMatch(/--journeys .*no-such-dir: no such directory/);
    const usage = await run('--events', history);
    expect(usage.code).toBe(2);
    expect(usage.stderr).toContain("journeys backtest: required option '--journeys <dir>' not specified");
    for (const r of [missing, unknown, usage]) expect(r.stderr).not.toMatch(/\n\s+at /);
  });
});
