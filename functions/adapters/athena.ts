/**
 * The Athena SqlRunner (analytics/sql-runner.ts): runs one KPI query in the analytics workgroup
 * (lib/analytics.ts), whose enforced configuration fixes the result location, its encryption and the
 * bytes-scanned limit, and returns the rows with SQL types mapped to JSON ones.
 *
 * Athena answers every value as text: integers and doubles become numbers, booleans booleans,
 * decimals stay strings (money is never rounded through a float), and a missing `VarCharValue` is
 * SQL NULL (an empty string has one).
 */
import {
  AthenaClient,
  GetQueryExecutionCommand,
  GetQueryResultsCommand,
  StartQueryExecutionCommand,
  StopQueryExecutionCommand,
} from '@aws-sdk/client-athena';
import type { SqlRow, SqlRunner, SqlValue } from '../../analytics/sql-runner.ts';
import { AthenaQueryError } from './errors.ts';

export interface AthenaRunnerOptions {
  workGroup: string;
  database: string;
  client?: AthenaClient;
  /** Give up (and stop the query) after this long. @default 5 minutes */
  timeoutMs?: number;
  /** Waits between status polls: 250 ms growing to 2 s. */
  sleep?: (ms: number) => Promise<void>;
  /** Called after every status poll of a running query, for progress logs. */
  onProgress?: (progress: { state: string; elapsedMs: number; scannedBytes: number }) => void;
}

const NUMBER_TYPES = new Set(['tinyint', 'smallint', 'integer', 'int', 'bigint', 'double', 'float', 'real']);

/** One Athena value as the KPI code expects it (pure). */
export function athenaValue(text: string | undefined, type: string | undefined): SqlValue {
  if (text === undefined) return null;
  const t = (type ?? 'varchar').toLowerCase();
  if (t === 'boolean') return text === 'true';
  if (NUMBER_TYPES.has(t)) {
    const n = Number(text);
    return Number.isNaN(n) ? text : n;
  }
  return text;
}

export class AthenaRunner implements SqlRunner {
  readonly source: string;
  private readonly client: AthenaClient;
  private readonly timeoutMs: number;
  private readonly sleep: (ms: number) => Promise<void>;

  constructor(private readonly options: AthenaRunnerOptions) {
    this.source = `athena:${options.workGroup}`;
    this.client = options.client ?? new AthenaClient({});
    this.timeoutMs = options.timeoutMs ?? 300_000;
    this.sleep = options.sleep ?? ((ms) => new Promise((resolve) => setTimeout(resolve, ms)));
  }

  async query(sql: string): Promise<SqlRow[]> {
    const started = Date.now();
    const { QueryExecutionId: id } = await this.client.send(
      new StartQueryExecutionCommand({
        QueryString: sql,
        WorkGroup: this.options.workGroup,
        QueryExecutionContext: { Database: this.options.database },
      }),
    );
    if (!id) throw new AthenaQueryError('Athena started no query (no QueryExecutionId)');

    let wait = 250;
    for (;;) {
      const { QueryExecution: execution } = await this.client.send(
        new GetQueryExecutionCommand({ QueryExecutionId: id }),
      );
      const state = execution?.Status?.State ?? 'UNKNOWN';
      const elapsedMs = Date.now() - started;
      this.options.onProgress?.({
        state,
        elapsedMs,
        scannedBytes: execution?.Statistics?.DataScannedInBytes ?? 0,
      });
      if (state === 'SUCCEEDED') break;
      if (state === 'FAILED' || state === 'CANCELLED') {
        const reason = execution?.Status?.StateChangeReason ?? 'no reason given';
        throw new AthenaQueryError(`Athena query ${id} ${state.toLowerCase()}: ${reason}`);
      }
      if (elapsedMs > this.timeoutMs) {
        await this.client
          .send(new StopQueryExecutionCommand({ QueryExecutionId: id }))
          .catch(() => undefined);
        throw new AthenaQueryError(`Athena query ${id} still ${state} after ${this.timeoutMs} ms; stopped`);
      }
      await this.sleep(wait);
      wait = Math.min(2_000, wait * 2);
    }
    return this.results(id);
  }

  private async results(id: string): Promise<SqlRow[]> {
    const rows: SqlRow[] = [];
    let names: string[] = [];
    let types: (string | undefined)[] = [];
    let nextToken: string | undefined;
    let first = true;
    do {
      const page = await this.client.send(
        new GetQueryResultsCommand({ QueryExecutionId: id, NextToken: nextToken, MaxResults: 1000 }),
      );
      const resultSet = page.ResultSet;
      if (first) {
        const info = resultSet?.ResultSetMetadata?.ColumnInfo ?? [];
        names = info.map((c) => c.Name ?? '');
        types = info.map((c) => c.Type);
      }
      // The first row of the first page of a SELECT repeats the column names.
      const data = (resultSet?.Rows ?? []).slice(first ? 1 : 0);
      for (const row of data) {
        const out: SqlRow = {};
        (row.Data ?? []).forEach((datum, i) => {
          out[names[i] ?? `_${i}`] = athenaValue(datum.VarCharValue, types[i]);
        });
        rows.push(out);
      }
      first = false;
      nextToken = page.NextToken;
    } while (nextToken);
    return rows;
  }
}
