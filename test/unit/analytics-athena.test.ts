/**
 * The Athena runner (functions/adapters/athena.ts) without AWS: a stand-in client answers the three
 * calls with scripted states and result pages, so the polling, paging and type mapping are checked as
 * plain code.
 */
import {
  type AthenaClient,
  GetQueryExecutionCommand,
  GetQueryResultsCommand,
  type GetQueryResultsCommandOutput,
  StartQueryExecutionCommand,
  StopQueryExecutionCommand,
} from '@aws-sdk/client-athena';
import { describe, expect, it } from 'vitest';
import { AthenaRunner, athenaValue } from '../../functions/adapters/athena.ts';
import { AthenaQueryError } from '../../functions/adapters/errors.ts';

const columns = [
  { Name: 'period_start', Type: 'varchar' },
  { Name: 'orders', Type: 'bigint' },
  { Name: 'revenue', Type: 'varchar' },
  { Name: 'holdout', Type: 'boolean' },
  { Name: 'share', Type: 'double' },
  { Name: 'total', Type: 'decimal' },
];
const row = (...values: (string | undefined)[]) => ({
  Data: values.map((v) => (v === undefined ? {} : { VarCharValue: v })),
});
const header = row(...columns.map((c) => c.Name));
const page = (rows: ReturnType<typeof row>[], next?: string): GetQueryResultsCommandOutput => ({
  $metadata: {},
  ResultSet: { ResultSetMetadata: { ColumnInfo: columns }, Rows: rows },
  NextToken: next,
});

/** Scripted query states and result pages; every request is recorded. */
function fakeAthena(
  states: { State: string; StateChangeReason?: string }[],
  pages: GetQueryResultsCommandOutput[],
) {
  const calls: unknown[] = [];
  const client = {
    async send(command: unknown) {
      calls.push(command);
      if (command instanceof StartQueryExecutionCommand) return { $metadata: {}, QueryExecutionId: 'q-1' };
      if (command instanceof GetQueryExecutionCommand) {
        const status = states.shift() ?? { State: 'RUNNING' };
        return {
          $metadata: {},
          QueryExecution: { Status: status, Statistics: { DataScannedInBytes: 2048 } },
        };
      }
      if (command instanceof GetQueryResultsCommand) {
        return pages[command.input.NextToken === undefined ? 0 : Number(command.input.NextToken)];
      }
      if (command instanceof StopQueryExecutionCommand) return { $metadata: {} };
      throw new Error('unexpected command');
    },
  } as unknown as AthenaClient;
  return { client, calls };
}

const noWait = async () => {};

describe('Athena value mapping', () => {
  it('numbers for integer and float types, booleans, decimals and text as strings, NULL as null', () => {
    expect(athenaValue('12', 'bigint')).toBe(12);
    expect(athenaValue('7', 'integer')).toBe(7);
    expect(athenaValue('0.25', 'double')).toBe(0.25);
    expect(athenaValue('true', 'boolean')).toBe(true);
    expect(athenaValue('false', 'boolean')).toBe(false);
    // Money stays exact: a decimal is never rounded through a float.
    expect(athenaValue('12345678901234.5678', 'decimal')).toBe('12345678901234.5678');
    expect(athenaValue('2025-01-01', 'date')).toBe('2025-01-01');
    expect(athenaValue('', 'varchar')).toBe('');
    expect(athenaValue(undefined, 'varchar')).toBeNull();
  });
});

describe('AthenaRunner', () => {
  it('starts the query in the workgroup and database, polls until it succeeds and reads every page', async () => {
    const { client, calls } = fakeAthena(
      [{ State: 'QUEUED' }, { State: 'RUNNING' }, { State: 'SUCCEEDED' }],
      [
        page([header, row('2025-01-01', '12', '599.4000', 'true', '0.25', '12.3400')], '1'),
        page([row('2025-02-01', '0', undefined, 'false', undefined, undefined)]),
      ],
    );
    const slept: number[] = [];
    const states: string[] = [];
    const runner = new AthenaRunner({
      workGroup: 'retention',
      database: 'analytics',
      client,
      sleep: async (ms) => {
        slept.push(ms);
      },
      onProgress: (p) => states.push(p.state),
    });
    expect(await runner.query('SELECT 1')).toEqual([
      {
        period_start: '2025-01-01',
        orders: 12,
        revenue: '599.4000',
        holdout: true,
        share: 0.25,
        total: '12.3400',
      },
      { period_start: '2025-02-01', orders: 0, revenue: null, holdout: false, share: null, total: null },
    ]);
    expect(runner.source).toBe('athena:retention');
    expect((calls[0] as StartQueryExecutionCommand).input).toEqual({
      QueryString: 'SELECT 1',
      WorkGroup: 'retention',
      QueryExecutionContext: { Database: 'analytics' },
    });
    expect(states).toEqual(['QUEUED', 'RUNNING', 'SUCCEEDED']);
    expect(slept).toEqual([250, 500]);
  });

  it('fails with the state change reason', async () => {
    const { client } = fakeAthena(
      [{ State: 'FAILED', StateChangeReason: 'Bytes scanned limit was exceeded' }],
      [],
    );
    const runner = new AthenaRunner({ workGroup: 'wg', database: 'db', client, sleep: noWait });
    await expect(runner.query('SELECT 1')).rejects.toThrow(
      new AthenaQueryError('Athena query q-1 failed: Bytes scanned limit was exceeded'),
    );
  });

  it('stops a query that outlives the timeout', async () => {
    const { client, calls } = fakeAthena([], []);
    const runner = new AthenaRunner({
      workGroup: 'wg',
      database: 'db',
      client,
      sleep: noWait,
      timeoutMs: -1,
    });
    await expect(runner.query('SELECT 1')).rejects.toThrow(AthenaQueryError);
    expect(calls.some((c) => c instanceof StopQueryExecutionCommand)).toBe(true);
  });
});
