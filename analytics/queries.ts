/**
 * The KPI queries: analytics/queries/<name>.sql, one per KPI group, in the subset of SQL both DuckDB
 * and Athena (Trino) run. A line `-- include: <fragment>` is replaced by analytics/queries/_<fragment>.sql,
 * so shared definitions (what a counted order is, a customer's segment) are written once.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { bindSql, type SqlParam } from './binder.ts';

export const QUERY_NAMES = [
  'overview',
  'retention',
  'revenue',
  'nps',
  'cohorts',
  'journeys',
  'emails',
  'journey-revenue',
  'loyalty',
  'loyalty-tiers',
] as const;
export type QueryName = (typeof QUERY_NAMES)[number];

/** Where the .sql files are; a bundled Lambda ships them next to its code and passes the directory. */
export const DEFAULT_QUERY_DIR = path.join(path.dirname(fileURLToPath(import.meta.url)), 'queries');

const INCLUDE = /^[ \t]*--[ \t]*include:[ \t]*([a-z0-9-]+)[ \t]*$/gm;

/**
 * Fragment substitutions: without a breakdown, `-- include: segment` takes _no-segment.sql (an empty
 * table) so the whole-shop report skips the scan for every customer's latest market.
 */
export type Includes = Readonly<Record<string, string>>;
export const includesFor = (breakdown: boolean): Includes => (breakdown ? {} : { segment: 'no-segment' });

/** The text of one query with its fragments included, parameters still unbound. */
export function queryText(name: QueryName, dir = DEFAULT_QUERY_DIR, includes: Includes = {}): string {
  const text = readFileSync(path.join(dir, `${name}.sql`), 'utf8');
  return text.replace(INCLUDE, (_, fragment: string) =>
    readFileSync(path.join(dir, `_${includes[fragment] ?? fragment}.sql`), 'utf8').trimEnd(),
  );
}

/** One query, fragments included and parameters bound: ready for a SqlRunner. */
export function boundQuery(
  name: QueryName,
  params: Readonly<Record<string, SqlParam>>,
  options: { dir?: string | undefined; includes?: Includes } = {},
): string {
  return bindSql(queryText(name, options.dir ?? DEFAULT_QUERY_DIR, options.includes), params);
}
