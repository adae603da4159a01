/**
 * The SqlRunner for AWS: Athena (engine v3, Trino) over the Glue table `records`. One query =
 * StartQueryExecution in the workgroup (which holds the encrypted results location and the
 * bytes-scanned limit), GetQueryExecution until it ends, then GetQueryResults page by page. Athena
 * returns every value as text plus the column's type; `mapResultPages` turns that into SqlRows the
 * way DuckDB's runner returns them (integers as numbers, decimals and text as strings).
 */
import {
  AthenaClient,
  type ColumnInfo,
  GetQueryExecutionCommand,
  type GetQueryExecutionCommandOutput,
  GetQueryResultsCommand,
  type GetQueryResultsCommandOutput,
  StartQueryExecutionCommand,
  type StartQueryExecutionCommandOutput,
} from '@aws-sdk/client-athena';
import type { SqlRow, SqlRunner, SqlValue } from '../../analytics/sql-runner.ts';

export class AthenaQueryError extends Error {
  override name = 'AthenaQueryError';
}

/** The three calls the runner makes: an AthenaClient, or a fake in tests. */
export interface AthenaApi {
  send(command: StartQueryExecutionCommand): Promise<StartQueryExecutionCommandOutput>;
  send(command: GetQueryExecutionCommand): Promise<GetQueryExecutionCommandOutput>;
  send(command: GetQueryResultsCommand): Promise<GetQueryResultsCommandOutput>;
}

export interface AthenaRunnerOptions {
  workgroup: string;
  database: string;
  /** @default 'AwsDataCatalog' */
  catalog?: string | undefined;
  client?: AthenaApi | undefined;
  /** Give up waiting after this long (the query keeps running in Athena). @default 600_000 */
  timeoutMs?: number | undefined;
  /** @default setTimeout */
  sleep?: ((ms: number) => Promise<void>) | undefined;
  /** Called when a query ends, with what it scanned (Athena bills by bytes scanned). */
  onQueryDone?: ((stats: { queryExecutionId: string; bytesScanned: number; ms: number }) => void) | undefined;
}

const INTEGER_TYPES = new Set(['tinyint', 'smallint', 'integer', 'int', 'bigint']);
const FLOAT_TYPES = new Set(['double', 'float', 'real']);

/** One Athena text value → the SqlValue of its column type. Undefined (no VarCharValue) is NULL. */
export function mapValue(text: string | undefined, type: string | undefined): SqlValue {
  if (text === undefined) return null;
  const t = (type ?? 'varchar').toLowerCase().replace(/\(.*$/, '');
  if (INTEGER_TYPES.has(t) || FLOAT_TYPES.has(t)) return Number(text);
  if (t === 'boolean') return text === 'true';
  // varchar, char, decimal (kept exact as text, as the queries CAST money to VARCHAR anyway), date …
  return text;
}

/**
 * The rows of a query's result pages. Athena repeats the column names as the first row of the first
 * page of a SELECT's results; that row is dropped.
 */
export function mapResultPages(pages: readonly Pick<GetQueryResultsCommandOutput, 'ResultSet'>[]): SqlRow[] {
  const columns: ColumnInfo[] = pages[0]?.ResultSet?.ResultSetMetadata?.ColumnInfo ?? [];
  const rows: SqlRow[] = [];
  pages.forEach((page, pageIndex) => {
    const pageRows = page.ResultSet?.Rows ?? [];
    pageRows.forEach((row, rowIndex) => {
      const data = row.Data ?? [];
      if (pageIndex === 0 && rowIndex === 0 && isHeader(data, columns)) return;
      const out: SqlRow = {};
      columns.forEach((column, i) => {
        out[column.Name ?? `_col${i}`] = mapValue(data[i]?.VarCharValue, column.Type);
      });
      rows.push(out);
    });
  });
  return rows;
}

const isHeader = (data: readonly { VarCharValue?: string | undefined }[], columns: readonly ColumnInfo[]) =>
  columns.length > 0 && columns.every((c, i) => data[i]?.VarCharValue === c.Name);

export class AthenaRunner implements SqlRunner {
  readonly source: string;
  private readonly client: AthenaApi;
  private readonly sleep: (ms: number) => Promise<void>;

  constructor(private readonly options: AthenaRunnerOptions) {
    this.source = `athena:${options.workgroup}`;
    this.client = options.client ?? new AthenaClient({});
    this.sleep = options.sleep ?? ((ms) => new Promise((resolve) => setTimeout(resolve, ms)));
  }

  async query(sql: string): Promise<SqlRow[]> {
    const started = Date.now();
    const { QueryExecutionId: id } = await this.client.send(
      new StartQueryExecutionCommand({
        QueryString: sql,
        WorkGroup: this.options.workgroup,
        QueryExecutionContext: {
          Database: this.options.database,
          Catalog: this.options.catalog ?? 'AwsDataCatalog',
        },
      }),
    );
    if (!id) throw new AthenaQueryError(`Athena (${this.source}) returned no query execution id`);
    const bytesScanned = await this.wait(id, started);
    const pages: GetQueryResultsCommandOutput[] = [];
    let nextToken: string | undefined;
    do {
      const page = await this.client.send(
        new GetQueryResultsCommand({ QueryExecutionId: id, NextToken: nextToken, MaxResults: 1000 }),
      );
      pages.push(page);
      nextToken = page.NextToken;
    } while (nextToken);
    this.options.onQueryDone?.({ queryExecutionId: id, bytesScanned, ms: Date.now() - started });
    return mapResultPages(pages);
  }

  /** Polls until the query ends (200 ms, doubling to 2 s); returns the bytes scanned. */
  private async wait(id: string, started: number): Promise<number> {
    const timeoutMs = this.options.timeoutMs ?? 600_000;
    for (let delay = 200; ; delay = Math.min(delay * 2, 2000)) {
      const { QueryExecution: q } = await this.client.send(
        new GetQueryExecutionCommand({ QueryExecutionId: id }),
      );
      const state = q?.Status?.State;
      if (state === 'SUCCEEDED') return q?.Statistics?.DataScannedInBytes ?? 0;
      if (state === 'FAILED' || state === 'CANCELLED') {
        const reason =
          q?.Status?.StateChangeReason ?? q?.Status?.AthenaError?.ErrorMessage ?? 'no reason given';
        throw new AthenaQueryError(
          `Athena query ${id} in workgroup ${this.options.workgroup} ${state.toLowerCase()}: ${reason}`,
        );
      }
      if (Date.now() - started > timeoutMs) {
        throw new AthenaQueryError(
          `Athena query ${id} still ${state ?? 'pending'} after ${Math.round(timeoutMs / 1000)} s`,
        );
      }
      await this.sleep(delay);
    }
  }
}
