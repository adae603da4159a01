/**
 * For `npm run bench`: the report over a log directory, timed against a bare `SELECT count(*)` over the
 * same files in the same process (the ratio says what the KPI queries cost beyond reading the log).
 */
import { DuckDbRunner } from './duckdb.ts';
import { computeReport, type ReportOptions } from './report.ts';
import type { ReportData } from './report-types.ts';

export interface ReportTiming {
  records: number;
  /** `SELECT count(*) FROM records` on the view over the JSON Lines files. */
  countMs: number;
  /** Loading the log into memory plus every report query (what `journeys report` does). */
  reportMs: number;
  ratio: number;
  report: ReportData;
}

export async function timeReport(
  dir: string,
  options: Omit<ReportOptions, 'onProgress'>,
): Promise<ReportTiming> {
  const runner = await DuckDbRunner.open(dir);
  try {
    let t = performance.now();
    const [row] = await runner.query('SELECT count(*) AS n FROM records');
    const countMs = performance.now() - t;
    t = performance.now();
    await runner.materialize();
    const report = await computeReport(runner, options);
    const reportMs = performance.now() - t;
    return { records: Number(row?.n ?? 0), countMs, reportMs, ratio: reportMs / countMs, report };
  } finally {
    runner.close();
  }
}
