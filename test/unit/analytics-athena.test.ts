import {
  GetQueryExecutionCommand,
  GetQueryResultsCommand,
  type GetQueryResultsCommandOutput,
  StartQueryExecutionCommand,
} from '@aws-sdk/client-athena';
import { describe, expect, it } from 'vitest';
import {
  type AthenaApi,
  AthenaQueryError,
  AthenaRunner,
  mapResultPages,
  mapValue,
} from '../../functions/adapters/athena.ts';

const columns = [
  { Name: 'period_start', Type: 'varchar' },
  { Name: 'orders', Type: 'bigint' },
  { Name: 'revenue', Type: 'varchar' },
  { Name: 'holdout', Type: 'boolean' },
  { Name: 'share', Type: 'double' },
  { Name: 'total', Type: 'decimal(38,4)' },
];
const row = (...values: (string | undefined)[]) => ({
  Data: values.map((v) => (v === undefined ? {} : { VarCharValue: v })),
});
const page = (rows: ReturnType<typeof row>[], next?: string): GetQueryResultsCommandOutput => ({
  $metadata: {},
  ResultSet: { ResultSetMetadata: { ColumnInfo: columns }, Rows: rows },
  NextToken: next,
});

describe('Athena result mapping', () => {
  it('drops the header row, maps types, keeps decimals exact and NULL as null, across pages', () => {
    const pages = [
      page(
        [
          row('period_start', 'orders', 'revenue', 'holdout', 'share', 'total'),
          row('2025-01-01', '12', '599.4000', 'true', '0.25', '12.3400'),
        ],
        't1',
      ),
      page([row('2025-02-01', '0', undefined, 'false', undefined, undefined)]),
    ];
    expect(mapResultPages(pages)).toEqual([
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
  });

  it('keeps a first data row that merely looks different from the header', () => {
    expect(mapResultPages([page([row('period_start', '1', 'x', 'true', '1', '1')])])).toHaveLength(1);
    expect(mapResultPages([])).toEqual([]);
    expect(mapValue('7', 'integer')).toBe(7);
    expect(mapValue('2025-01-01', 'date')).toBe('2025-01-01');
  });
});

/** A stand-in for the three Athena calls: scripted states, recorded requests. */
function fakeAthena(
  states: { State: string; StateChangeReason?: string }[],
  pages: GetQueryResultsCommandOutput[],
) {
  const calls: unknown[] = [];
  const api = {
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
        const index = command.input.NextToken === undefined ? 0 : Number(command.input.NextToken);
        return pages[index];
      }
      throw new Error('unexpected command');
    },
  } as AthenaApi;
  return { api, calls };
}

describe('AthenaRunner', () => {
  it('starts the query in the workgroup and database, polls until it succeeds and reads every page', async () => {
    const { api, calls } = fakeAthena(
      [{ State: 'QUEUED' }, { State: 'RUNNING' }, { State: 'SUCCEEDED' }],
      [
        page([row('period_start', 'orders', 'revenue', 'holdout', 'share', 'total'), row('a', '1')], '1'),
        page([row('b', '2')]),
      ],
    );
    const slept: number[] = [];
    const done: number[] = [];
    const runner = new AthenaRunner({
      workgroup: 'retention',
      database: 'analytics',
      client: api,
      sleep: async (ms) => {
        slept.push(ms);
      },
      onQueryDone: (s) => done.push(s.bytesScanned),
    });
    const rows = await runner.query('SELECT 1');
    expect(rows.map((r) => [r.period_start, r.orders])).toEqual([
      ['a', 1],
      ['b', 2],
    ]);
    expect(runner.source).toBe('athena:retention');
    const start = calls[0] as StartQueryExecutionCommand;
    expect(start.input).toEqual({
      QueryString: 'SELECT 1',
      WorkGroup: 'retention',
      QueryExecutionContext: { Database: 'analytics', Catalog: 'AwsDataCatalog' },
    });
    expect(slept).toEqual([200, 400]);
    expect(done).toEqual([2048]);
  });

  it('fails with the state change reason', async () => {
    const { api } = fakeAthena(
      [{ State: 'FAILED', StateChangeReason: 'Query exhausted resources: bytes scanned limit' }],
      [],
    );
    const runner = new AthenaRunner({ workgroup: 'wg', database: 'db', client: api, sleep: async () => {} });
    await expect(runner.query('SELECT 1')).rejects.toThrow(
      new AthenaQueryError(
        'Athena query q-1 in workgroup wg failed: Query exhausted resources: bytes scanned limit',
      ),
    );
  });
});
