import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ReportData } from '../../analytics/report-types.ts';
import { reportSpec } from '../../bin/commands.ts';
import { type ReportDeps, type ReportOptions, runReport } from '../../local/report-cli.ts';
import { earned, email, entered, feedback, joined, order, writeLog } from '../support/analytics-records.ts';
import { parseCommandLine } from '../support/cli.ts';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
let tmp: string;
let log: string;

beforeAll(async () => {
  tmp = await mkdtemp(path.join(os.tmpdir(), 'report-cli-'));
  log = path.join(tmp, 'analytics');
  await mkdir(path.join(tmp, 'empty'));
  await writeLog(log, [
    order({ customer: 'a', market: 'DE' }, 'a1', '2026-09-03', '10.00'),
    order({ customer: 'a', market: 'DE' }, 'a2', '2026-11-04', '20.00'),
    order({ customer: 'b', market: 'AT' }, 'b1', '2026-11-05', '30.00'),
    feedback('b', '2026-11-06', 10),
    entered('a', 'win-back', 'i1', '2026-11-01', false),
    email('email.sent', 'a', 'win-back', 'offer', 's1', '2026-11-01'),
    joined({ customer: 'a', market: 'DE' }, '2026-09-03'),
    earned({ customer: 'a', market: 'DE' }, '2026-11-04', 20, 'order', 'a2'),
  ]);
});
afterAll(async () => {
  await rm(tmp, { recursive: true, force: true });
});

async function run(argv: string[], deps: ReportDeps = {}) {
  let stdout = '';
  let stderr = '';
  const { options } = parseCommandLine<ReportOptions>(reportSpec(), argv);
  const code = await runReport(
    options,
    {
      out: (t) => {
        stdout += t;
      },
      err: (t) => {
        stderr += t;
      },
      cwd: tmp,
      root: path.join(tmp, 'project'),
      env: {},
      now: () => new Date('2026-12-01T08:00:00.000Z'),
    },
    deps,
  );
  return { code, stdout, stderr };
}

describe('journeys report', () => {
  it('--json prints the report for the 12 months before the current one, progress on stderr', async () => {
    const { code, stdout, stderr } = await run(['--analytics', 'analytics', '--json']);
    expect(code).toBe(0);
    const data = JSON.parse(stdout) as ReportData;
    expect(Object.keys(data)).toEqual([
      'from',
      'to',
      'period',
      'activeWindowDays',
      'periods',
      'cohorts',
      'journeys',
      'emailHealth',
      'loyalty',
      'generated',
    ]);
    expect(data).toMatchObject({
      from: '2025-12-01',
      to: '2026-12-01',
      period: 'month',
      activeWindowDays: 365,
    });
    expect(data.periods).toHaveLength(12);
    expect(data.periods.at(-1)).toMatchObject({
      start: '2026-11-01',
      market: null,
      customersAtStart: 1,
      newCustomers: 1,
      orders: 2,
      revenue: { EUR: '50.00' },
      nps: 100,
    });
    expect(data.journeys.map((j) => j.journey)).toEqual(['win-back']);
    expect(stderr).toContain('retention (2/10)…');
    expect(stderr).toContain('journeys report: 8 records in');
    // Months without any record are worth a note, not an error.
    expect(stderr).toContain('journeys report: note: no records in the period 2025-12-01 … 2026-01-01');
  });

  it('--by market adds a row per market and period; --period quarter and explicit dates', async () => {
    const { code, stdout } = await run([
      '--analytics',
      'analytics',
      '--json',
      '--by',
      'market',
      '--period',
      'quarter',
      '--from',
      '2026-07-01',
      '--to',
      '2027-01-01',
    ]);
    expect(code).toBe(0);
    const data = JSON.parse(stdout) as ReportData;
    expect(data.periods.map((p) => `${p.start} ${p.market}`)).toEqual([
      '2026-07-01 null',
      '2026-10-01 null',
      '2026-07-01 AT',
      '2026-10-01 AT',
      '2026-07-01 DE',
      '2026-10-01 DE',
    ]);
  });

  it('--csv writes the five tables; the default output is a text summary', async () => {
    const { code, stderr } = await run(['--analytics', 'analytics', '--csv', 'csv']);
    expect(code).toBe(0);
    expect((await readdir(path.join(tmp, 'csv'))).sort()).toEqual([
      'cohorts.csv',
      'journeys.csv',
      'kpis.csv',
      'loyalty.csv',
      'messages.csv',
    ]);
    const kpis = await readFile(path.join(tmp, 'csv', 'kpis.csv'), 'utf8');
    expect(kpis.split('\r\n')[0]).toMatch(
      /^start,end,market,customersAtStart,.*,revenue_EUR,averageOrderValue_EUR,/,
    );
    expect(kpis.split('\r\n')).toHaveLength(14); // header, 12 months, final newline
    expect(stderr).toContain('wrote csv/{kpis,cohorts,journeys,messages,loyalty}.csv');
    const text = await run(['--analytics', 'analytics']);
    expect(text.stdout).toMatch(/^Retention report 2025-12-01 … 2026-12-01/);
    expect(text.stdout).toContain('win-back: 1 (0 held out)');
    expect(text.stdout).toContain(
      'Loyalty 2026-11-01: 1 members (0 new, 1 active); points earned 20, redeemed 0, expired 0, reversed 0; redemption rate 0.0 %, — per redeeming member; tiers member 1; 0 up, 0 down',
    );
  });

  it('--out renders with the injected renderer, in the chosen locale', async () => {
    const seen: string[] = [];
    const renderHtml = (data: ReportData, o: { locale: 'en' | 'de' }) => {
      seen.push(o.locale);
      return `<html>${data.periods.length}</html>`;
    };
    const { code } = await run(['--analytics', 'analytics', '--out', 'out/report.html', '--locale', 'de'], {
      renderHtml,
    });
    expect(code).toBe(0);
    expect(seen).toEqual(['de']);
    expect(await readFile(path.join(tmp, 'out', 'report.html'), 'utf8')).toBe('<html>12</html>');
    const missing = await run(['--analytics', 'analytics', '--out', 'x.html']);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain('--out needs the HTML renderer');
  });

  it.each([
    [['--from', '2025-02-30'], 2, '--from: "2025-02-30" is not a date (YYYY-MM-DD)'],
    [
      ['--from', '2026-03-01', '--to', '2026-01-01'],
      2,
      '--from (2026-03-01) must be before --to (2026-01-01)',
    ],
    [['--period', 'day'], 2, '--period: "day" is not one of week, month, quarter, year'],
    [['--by', 'country'], 2, '--by: "country" is not market or locale'],
    [['--active-window', 'ten'], 2, '--active-window: "ten" is not a whole number of days'],
    [['--active-window', '20'], 2, 'active window: 20 days is shorter than a month (31 days)'],
    [['--athena'], 2, '--athena needs --workgroup (or JOURNEYS_ATHENA_WORKGROUP)'],
    [['--athena', '--analytics', 'x'], 2, '--analytics and --athena exclude each other'],
    [
      ['--from', '2026-12-01'],
      2,
      '--to, which defaults to the start of the current month (2026-12-01); give --to',
    ],
    [['--analytics', 'analytics', '--csv', 'analytics/dt=2026-11-04/part-0.jsonl'], 1, 'cannot write'],
    [['--analytics', 'nowhere'], 1, 'nowhere does not exist'],
    [[], 1, `${path.join('project', '.data', 'analytics')} does not exist`],
    [['--analytics', 'empty'], 1, 'has no records (no dt=YYYY-MM-DD/*.jsonl files)'],
  ])('%j → exit %i, "%s", no stack', async (argv, exit, message) => {
    const { code, stderr } = await run(argv);
    expect(code).toBe(exit);
    expect(stderr).toContain(message);
    expect(stderr).not.toMatch(/\n\s+at /);
  });

  it('runs from bin/journeys.js like any command', async () => {
    const result = await promisify(execFile)(
      process.execPath,
      [
        'bin/journeys.js',
        'report',
        '--analytics',
        log,
        '--from',
        '2026-11-01',
        '--to',
        '2026-12-01',
        '--json',
      ],
      { cwd: root },
    );
    expect((JSON.parse(result.stdout) as ReportData).periods[0]).toMatchObject({
      orders: 2,
      customersAtStart: 1,
    });
    const missing = await promisify(execFile)(
      process.execPath,
      ['bin/journeys.js', 'report', '--analytics', path.join(tmp, 'none')],
      {
        cwd: root,
      },
    ).catch((e: { code: number; stderr: string }) => e);
    expect(missing).toMatchObject({ code: 1 });
    expect((missing as { stderr: string }).stderr).toContain('does not exist');
  });
});
