/**
 * Runs on the first of each month (EventBridge schedule, lib/analytics.ts): computes the KPIs on
 * Athena and emails the HTML report to REPORT_RECIPIENTS. The scheduled time decides the month, so a
 * retried run reports the same month; invoke it with `{ "month": "2026-10" }` to send a month again.
 */
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { SESv2Client } from '@aws-sdk/client-sesv2';
import middy from '@middy/core';
import * as z from 'zod/mini';
import { renderReportHtml } from '../../analytics/html/render.ts';
import { computeReport } from '../../analytics/report.ts';
import { AthenaRunner } from '../adapters/athena.ts';
import { formatIssues } from '../core/events.ts';
import {
  type MonthlyReportDeps,
  MonthlyReportService,
  type MonthlyReportSettings,
  type ReportRequest,
} from '../services/monthly-report.ts';
import { logger, publishStoredMetrics } from './runtime.ts';

const envSchema = z.object({
  REPORT_RECIPIENTS: z.string().check(z.minLength(3)),
  REPORT_LOCALE: z._default(z.enum(['en', 'de']), 'en'),
  REPORT_MONTHS: z._default(z.coerce.number().check(z.int(), z.gte(1), z.lte(60)), 12),
  ACTIVE_WINDOW_DAYS: z._default(z.coerce.number().check(z.int(), z.gte(1)), 365),
  SENDER_ADDRESS: z.string().check(z.minLength(3)),
  SES_CONFIGURATION_SET: z.optional(z.string()),
  SHOP_NAME: z._default(z.string().check(z.minLength(1)), 'Our Shop'),
  ATHENA_WORKGROUP: z.string().check(z.minLength(1)),
  ATHENA_DATABASE: z.string().check(z.minLength(1)),
});

export interface MonthlyReportConfig {
  settings: MonthlyReportSettings;
  workGroup: string;
  database: string;
}

/** The handler's configuration from the environment; names the variable that is wrong. */
export function reportConfigFromEnv(env: Record<string, string | undefined>): MonthlyReportConfig {
  const parsed = envSchema.safeParse(env);
  if (!parsed.success) {
    throw new Error(
      `invalid configuration: ${formatIssues(parsed.error.issues, 'the environment').join('; ')}`,
    );
  }
  const e = parsed.data;
  return {
    settings: {
      recipients: e.REPORT_RECIPIENTS.split(',')
        .map((r) => r.trim())
        .filter(Boolean),
      locale: e.REPORT_LOCALE,
      sender: e.SENDER_ADDRESS,
      configurationSetName: e.SES_CONFIGURATION_SET,
      shopName: e.SHOP_NAME,
      months: e.REPORT_MONTHS,
      activeWindowDays: e.ACTIVE_WINDOW_DAYS,
    },
    workGroup: e.ATHENA_WORKGROUP,
    database: e.ATHENA_DATABASE,
  };
}

/**
 * The instant whose previous month is reported: `{ month: "YYYY-MM" }` reports that month, a
 * scheduled event its scheduled `time`, anything else the current time.
 */
export function reportInstant(event: unknown, now: Date): Date {
  if (typeof event === 'object' && event !== null) {
    const { month, time } = event as { month?: unknown; time?: unknown };
    if (month !== undefined) {
      const match = typeof month === 'string' ? /^(\d{4})-(0[1-9]|1[0-2])$/.exec(month) : null;
      if (!match) throw new Error(`month must be YYYY-MM, e.g. "2026-10" (got ${JSON.stringify(month)})`);
      return new Date(Date.UTC(Number(match[1]), Number(match[2]), 1));
    }
    if (typeof time === 'string' && !Number.isNaN(Date.parse(time))) return new Date(time);
  }
  return now;
}

export function createMonthlyReportHandler(getService: () => Promise<MonthlyReportService>) {
  return async (event: unknown) => {
    const service = await getService();
    const result = await service.run(reportInstant(event, new Date()));
    logger.info('monthly report sent', { ...result });
    return result;
  };
}

/** The KPI computation (on Athena, queries side by side) and the HTML renderer. */
export function reportFunctions(
  runner: AthenaRunner,
  shopName: string | undefined,
): Pick<MonthlyReportDeps, 'compute' | 'render'> {
  return {
    compute: (request: ReportRequest) => computeReport(runner, { ...request, parallel: true }),
    render: (data, options) => renderReportHtml(data, { ...options, shopName }),
  };
}

let service: Promise<MonthlyReportService> | undefined;

export function lambdaReportService(): Promise<MonthlyReportService> {
  service ??= (async () => {
    const config = reportConfigFromEnv(process.env);
    const runner = new AthenaRunner({
      workGroup: config.workGroup,
      database: config.database,
      onProgress: (progress) => logger.debug('athena query', progress),
    });
    return new MonthlyReportService(
      { ...reportFunctions(runner, process.env.SHOP_NAME), ses: new SESv2Client({}) },
      config.settings,
    );
  })().catch((error: unknown) => {
    service = undefined;
    throw error;
  });
  return service;
}

export const handler = middy(createMonthlyReportHandler(lambdaReportService))
  .use(injectLambdaContext(logger))
  .use(publishStoredMetrics());
