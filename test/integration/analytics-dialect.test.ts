/**
 * The KPI queries run on DuckDB here and on Athena (Trino) in AWS, so every query — fragments
 * included, parameters bound, with and without a breakdown — must be valid in both:
 * - it runs on DuckDB (against a small log with every record type);
 * - node-sql-parser's Trino grammar accepts it;
 * - the parser is lenient about function names and DuckDB-only tokens (it accepts `x::varchar` and
 *   `list_value(…)`), so every function called must be on a list of functions that exist with the same
 *   meaning in both engines, and no DuckDB-only token may appear.
 * No translation layer is needed: the queries stay inside that common subset.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import pkg from 'node-sql-parser';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { param, type SqlParam } from '../../analytics/binder.ts';
import { DuckDbRunner } from '../../analytics/duckdb.ts';
import { periodsBetween } from '../../analytics/periods.ts';
import { boundQuery, includesFor, QUERY_NAMES } from '../../analytics/queries.ts';
import { RECORD_TYPES } from '../../functions/analytics/record.ts';
import {
  earned,
  email,
  entered,
  feedback,
  goalReached,
  joined,
  order,
  record,
  redeemed,
  refund,
  tierChanged,
  writeLog,
} from '../support/analytics-records.ts';

const { Parser } = pkg;

/**
 * Functions both engines have with the same meaning (Trino: trino.io/docs/current/functions/*;
 * DuckDB: duckdb.org/docs/sql/functions/*). `arbitrary` is DuckDB's alias of `first`, `max_by` of
 * `arg_max`; `date_diff(unit, a, b)` counts unit boundaries in DuckDB and whole units in Trino, which
 * agree for 'day' on DATE values — the only way the queries use it.
 */
const PORTABLE_FUNCTIONS = new Set([
  'count',
  'sum',
  'min',
  'max',
  'arbitrary',
  'max_by',
  'bool_or',
  'coalesce',
  'substr',
  'lag',
  'lead',
  'date_diff',
]);

/** Syntax DuckDB takes and Trino does not (or means differently). */
const DUCKDB_ONLY = [
  /::/,
  /\binterval\b/i,
  /\bqualify\b/i,
  /\bexclude\b/i,
  /\bilike\b/i,
  /\bgroup by all\b/i,
  /\[/,
];

function functionsCalled(ast: unknown, into = new Set<string>()): Set<string> {
  if (Array.isArray(ast)) for (const a of ast) functionsCalled(a, into);
  else if (ast && typeof ast === 'object') {
    const node = ast as Record<string, unknown>;
    if (node.type === 'aggr_func') into.add(String(node.name).toLowerCase());
    if (node.type === 'function') {
      const parts = (node.name as { name?: { value: string }[] }).name ?? [];
      into.add(
        parts
          .map((p) => p.value)
          .join('.')
          .toLowerCase(),
      );
    }
    for (const v of Object.values(node)) functionsCalled(v, into);
  }
  return into;
}

/** The SQL without comments and string literals, for the token checks. */
const code = (sql: string) => sql.replace(/--[^\n]*/g, '').replace(/'(?:[^']|'')*'/g, "''");

const params: Record<string, SqlParam> = {
  start: param.date('2025-01-01'),
  end: param.date('2025-04-01'),
  periods: param.dateRows(
    periodsBetween('2025-01-01', '2025-04-01', 'month', 365).map((p) => [
      p.start,
      p.end,
      p.activeFromAtStart,
      p.activeFromAtEnd,
    ]),
  ),
  dimension: param.identifier('locale'),
  goalWindowDays: param.int(30),
};

const variants = QUERY_NAMES.flatMap((name) =>
  [true, false].map((breakdown) => ({
    label: `${name}${breakdown ? ' (by locale)' : ''}`,
    sql: boundQuery(name, params, { includes: includesFor(breakdown) }),
  })),
);

let dir: string;
let runner: DuckDbRunner;
beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'kpis-dialect-'));
  const who = { customer: 'a', market: 'DE', locale: 'de-DE' };
  const records = [
    order(who, 'o1', '2024-11-02'),
    order(who, 'o2', '2025-02-02', '12.30', 'EUR'),
    refund(who, 'o2', '2025-02-03', '2.30'),
    feedback(who, '2025-02-04', 9, 'o2'),
    entered(who, 'win-back', 'i1', '2025-01-10', false),
    goalReached(who, 'win-back', 'i1', '2025-02-02', false),
    email('email.sent', who, 'win-back', 'offer', 's1', '2025-01-10'),
    email('email.bounced', who, 'win-back', 'offer', 's1', '2025-01-10', 'permanent'),
    joined(who, '2024-12-01'),
    earned(who, '2025-02-02', 12, 'order', 'o2'),
    tierChanged(who, '2025-02-02', 'silver', 'up'),
    redeemed(who, '2025-03-02', 10),
  ];
  // One record of every other type, so no query meets a type it was not written for untested.
  const seen = new Set(records.map((r) => r.type));
  for (const type of RECORD_TYPES)
    if (!seen.has(type)) records.push(record(type, '2025-03-01', { customer: null }));
  await writeLog(dir, records);
  runner = await DuckDbRunner.open(dir);
});
afterAll(async () => {
  runner?.close();
  await rm(dir, { recursive: true, force: true });
});

describe('every KPI query is in the DuckDB ∩ Athena (Trino) subset', () => {
  it.each(variants)('$label: runs on DuckDB', async ({ sql }) => {
    await expect(runner.query(sql)).resolves.toBeInstanceOf(Array);
  });

  it.each(variants)('$label: parses as Trino and calls only portable functions', ({ sql }) => {
    const ast = new Parser().astify(sql, { database: 'trino' });
    const unknown = [...functionsCalled(ast)].filter((f) => !PORTABLE_FUNCTIONS.has(f));
    expect(unknown).toEqual([]);
    for (const pattern of DUCKDB_ONLY) expect(code(sql)).not.toMatch(pattern);
  });

  it('the check itself rejects DuckDB-only SQL', () => {
    const parses = (sql: string) => {
      try {
        new Parser().astify(sql, { database: 'trino' });
        return true;
      } catch {
        return false;
      }
    };
    expect(parses('SELECT * EXCLUDE (id) FROM records')).toBe(false);
    expect(parses('SELECT id FROM records QUALIFY row_number() OVER () = 1')).toBe(false);
    expect(parses('SELECT [1, 2]')).toBe(false);
    // What the grammar lets through, the lists catch.
    expect([
      ...functionsCalled(new Parser().astify('SELECT list_value(1, 2)', { database: 'trino' })),
    ]).toEqual(['list_value']);
    expect(DUCKDB_ONLY.some((p) => p.test(code('SELECT time::DATE FROM records')))).toBe(true);
    expect(DUCKDB_ONLY.some((p) => p.test(code("SELECT DATE '2025-01-01' + INTERVAL 3 DAY")))).toBe(true);
  });
});
