/**
 * Parameter binding for the KPI queries in analytics/queries/*.sql. Athena has no client-side
 * prepared statements worth the round trips, and DuckDB's `$1` placeholders are not Trino's `?`, so
 * values are bound as text — which is only safe because nothing but dates, integers, identifiers from
 * a fixed list and lists of date tuples can be bound, each checked before it is written.
 *
 *   {{start}}   a parameter; an unbound name is an error, so a typo cannot run silently.
 */

/** The only identifiers a query may be given (breakdown columns of `records`). */
export const IDENTIFIERS = ['market', 'locale'] as const;
export type Identifier = (typeof IDENTIFIERS)[number];

export type SqlParam =
  | { kind: 'date'; value: string }
  | { kind: 'int'; value: number }
  | { kind: 'identifier'; value: Identifier }
  /** Rows of dates, bound as a VALUES list: `('2025-01-01', '2025-02-01'), (…)`. */
  | { kind: 'dateRows'; value: readonly (readonly string[])[] };

export class BindError extends Error {
  override name = 'BindError';
}

const DATE = /^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}:\d{2}\.\d{3}Z)?$/;

export const param = {
  date: (value: string): SqlParam => ({ kind: 'date', value }),
  int: (value: number): SqlParam => ({ kind: 'int', value }),
  identifier: (value: Identifier): SqlParam => ({ kind: 'identifier', value }),
  dateRows: (value: readonly (readonly string[])[]): SqlParam => ({ kind: 'dateRows', value }),
};

function dateLiteral(value: string, name: string): string {
  // A real calendar date as well as the right shape: 2025-02-30 is refused.
  if (!DATE.test(value) || Number.isNaN(Date.parse(value)) || !sameDay(value)) {
    throw new BindError(`parameter ${name}: "${value}" is not a date (YYYY-MM-DD or an ISO instant)`);
  }
  return `'${value}'`;
}

const sameDay = (value: string) =>
  new Date(`${value.slice(0, 10)}T00:00:00.000Z`).toISOString().startsWith(value.slice(0, 10));

function render(name: string, p: SqlParam): string {
  switch (p.kind) {
    case 'date':
      return dateLiteral(p.value, name);
    case 'int':
      if (!Number.isSafeInteger(p.value))
        throw new BindError(`parameter ${name}: ${p.value} is not an integer`);
      return String(p.value);
    case 'identifier':
      if (!(IDENTIFIERS as readonly string[]).includes(p.value)) {
        throw new BindError(`parameter ${name}: "${p.value}" is not one of ${IDENTIFIERS.join(', ')}`);
      }
      return p.value;
    case 'dateRows': {
      if (p.value.length === 0) throw new BindError(`parameter ${name}: needs at least one row`);
      const width = p.value[0]?.length ?? 0;
      return p.value
        .map((row) => {
          if (row.length !== width || width === 0) {
            throw new BindError(`parameter ${name}: every row needs ${width} dates`);
          }
          return `(${row.map((d) => dateLiteral(d, name)).join(', ')})`;
        })
        .join(', ');
    }
  }
}

/**
 * Replaces every `{{name}}` in `sql`; throws BindError for a missing or invalid parameter. Extra
 * parameters are fine: the report binds one set for all its queries.
 */
export function bindSql(sql: string, params: Readonly<Record<string, SqlParam>>): string {
  const bound = sql.replace(/\{\{\s*([A-Za-z][A-Za-z0-9_]*)\s*\}\}/g, (_, name: string) => {
    const p = params[name];
    if (p === undefined) throw new BindError(`parameter ${name} is not bound`);
    return render(name, p);
  });
  if (/\{\{|\}\}/.test(bound)) throw new BindError('malformed placeholder left in the query');
  return bound;
}
