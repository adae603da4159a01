/**
 * The `analytics` prop of RetentionJourneys: its options, their defaults and validation, and the
 * names and periods the Analytics construct (lib/analytics.ts) builds from them.
 */
/** The report locales the HTML renderer speaks. */
export const REPORT_LOCALES = ['en', 'de'] as const;
export type ReportLocale = (typeof REPORT_LOCALES)[number];

/** Where Firehose writes records, under the bucket: `records/dt=YYYY-MM-DD/` (its arrival date, UTC). */
export const RECORDS_PREFIX = 'records/';
/** Records Firehose could not convert or deliver, by error type and day. */
export const ERRORS_PREFIX = 'errors/';
/** Athena query results, under the results bucket. */
export const QUERY_RESULTS_PREFIX = 'athena/';
/** The Glue table every KPI query reads (analytics/sql-runner.ts: "always named `records`"). */
export const RECORDS_TABLE = 'records';
/** Query results hold aggregated, pseudonymous figures only; kept long enough to re-read a report. */
export const QUERY_RESULTS_RETENTION_DAYS = 30;
/** S3 server access logs of the analytics buckets. */
export const ACCESS_LOG_RETENTION_DAYS = 90;
/** First of every month, 06:00 UTC: the previous month is complete (and Firehose has flushed it). */
export const MONTHLY_REPORT_SCHEDULE = { minute: '0', hour: '6', day: '1', month: '*', year: '*' } as const;
/** Monthly periods in the emailed report, ending with the previous month: trends and cohorts need history. */
export const REPORT_MONTHS = 12;

/** The `analytics` prop of RetentionJourneys. */
export interface AnalyticsOptions {
  /**
   * Create the analytics log (rules, function, Firehose, bucket, Glue table, Athena workgroup) at all.
   * @default true
   */
  readonly enabled?: boolean;
  /**
   * How long records are kept, in months (1-120): S3 expires each object this long after Firehose
   * wrote it (a month counted as 30.44 days). Each KPI looks back `activeWindowDays` before the
   * period it reports on, so keep at least the reported range plus that window: the default covers
   * 12 reported months plus a 365-day window plus the month in progress.
   * @default 25
   */
  readonly retentionMonths?: number;
  /**
   * Athena cancels any query of the workgroup that would scan more than this many megabytes
   * (1 MB = 1,000,000 bytes, as Athena bills; 10 to 10,000,000). A cost ceiling per query: at
   * Athena's $5 per TB scanned the default caps one query at half a cent.
   * @default 1000
   */
  readonly bytesScannedCutoffPerQueryMb?: number;
  /**
   * Who receives the monthly report (HTML attachment with a short summary) on the first of each
   * month. In the SES sandbox every recipient must be a verified identity.
   * @default - no report: no schedule and no report function are created
   */
  readonly reportRecipients?: readonly string[];
  /**
   * Language of the monthly report: 'en' or 'de'.
   * @default 'en'
   */
  readonly reportLocale?: ReportLocale;
  /**
   * A customer is active at an instant when they placed a counted order in this many days before it
   * (retention, churn). 31 to 3650.
   * @default 365
   */
  readonly activeWindowDays?: number;
}

/** Validated analytics options; undefined when analytics is disabled. */
export interface AnalyticsSettings {
  retentionMonths: number;
  retentionDays: number;
  bytesScannedCutoffPerQuery: number;
  reportRecipients: string[];
  reportLocale: ReportLocale;
  activeWindowDays: number;
}

/** Validates the `analytics` prop; `fail` throws RetentionJourneysPropsError with the message. */
export function validateAnalyticsOptions(
  options: AnalyticsOptions | undefined,
  fail: (message: string) => never,
): AnalyticsSettings | undefined {
  if (options?.enabled === false) return undefined;
  const retentionMonths = options?.retentionMonths ?? 25;
  if (!Number.isInteger(retentionMonths) || retentionMonths < 1 || retentionMonths > 120) {
    fail(`analytics.retentionMonths must be a whole number from 1 to 120 (got ${retentionMonths})`);
  }
  const cutoffMb = options?.bytesScannedCutoffPerQueryMb ?? 1000;
  if (!Number.isInteger(cutoffMb) || cutoffMb < 10 || cutoffMb > 10_000_000) {
    fail(
      `analytics.bytesScannedCutoffPerQueryMb must be a whole number from 10 (Athena's minimum) to 10000000 (got ${cutoffMb})`,
    );
  }
  const recipients = [...(options?.reportRecipients ?? [])].map((r) => r.trim());
  recipients.forEach((recipient, index) => {
    if (!/^[^\s@<>",]+@[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9-]+)+$/.test(recipient)) {
      fail(
        `analytics.reportRecipients[${index}] "${recipient}" is not an email address; give plain addresses like owner@shop.example`,
      );
    }
  });
  if (recipients.length > 50) {
    fail(`analytics.reportRecipients has ${recipients.length} addresses; SES sends to at most 50 per email`);
  }
  const reportLocale = options?.reportLocale ?? 'en';
  if (!(REPORT_LOCALES as readonly string[]).includes(reportLocale)) {
    fail(`analytics.reportLocale "${reportLocale}" is not supported; use ${REPORT_LOCALES.join(' or ')}`);
  }
  const activeWindowDays = options?.activeWindowDays ?? 365;
  if (!Number.isInteger(activeWindowDays) || activeWindowDays < 31 || activeWindowDays > 3650) {
    fail(
      `analytics.activeWindowDays must be a whole number from 31 (one monthly period) to 3650 (got ${activeWindowDays})`,
    );
  }
  return {
    retentionMonths,
    retentionDays: retentionDaysOf(retentionMonths),
    bytesScannedCutoffPerQuery: cutoffMb * 1_000_000,
    reportRecipients: [...new Set(recipients)],
    reportLocale,
    activeWindowDays,
  };
}

/** S3 lifecycle rules count days: a month is 365.25 / 12 days, rounded up (25 months: 761 days). */
export function retentionDaysOf(months: number): number {
  return Math.ceil((months * 365.25) / 12);
}
