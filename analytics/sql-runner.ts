/**
 * The one thing the KPI code needs from a SQL engine. DuckDB (embedded) answers it locally, Athena in
 * AWS (functions/adapters/athena.ts); both see a table or view named `records` with the columns of
 * functions/analytics/record.ts (plus the `dt` partition in Athena).
 */
export type SqlValue = string | number | boolean | null;
export type SqlRow = Record<string, SqlValue>;

export interface SqlRunner {
  /** Runs one query (text from analytics/queries after parameter binding) and returns its rows. */
  query(sql: string): Promise<SqlRow[]>;
  /** A short name for reports and errors: `duckdb:.data/analytics` or `athena:<workgroup>`. */
  readonly source: string;
}
