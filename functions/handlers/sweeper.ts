/** Runs once a minute (EventBridge schedule): advances every instance whose timer fell due. */
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import middy from '@middy/core';
import { composed, type SweeperComposition } from '../composition/lambda/sweeper.ts';
import { redactEmails } from '../core/privacy.ts';
import { SWEEPER_METRICS } from '../metrics.ts';
import { logger, metrics } from './runtime.ts';

export function createSweeperHandler(getServices: () => Promise<SweeperComposition>, now: () => string) {
  return async () => {
    const { sweeper } = await getServices();
    const report = await sweeper.sweep(now());
    metrics.addMetric(SWEEPER_METRICS.due, MetricUnit.Count, report.due);
    metrics.addMetric(SWEEPER_METRICS.advanced, MetricUnit.Count, report.advanced);
    metrics.addMetric(SWEEPER_METRICS.failed, MetricUnit.Count, report.failed.length);
    metrics.addMetric(SWEEPER_METRICS.outboxRetried, MetricUnit.Count, report.outbox.retried);
    metrics.addMetric(SWEEPER_METRICS.outboxResent, MetricUnit.Count, report.outbox.resent);
    metrics.addMetric(SWEEPER_METRICS.outboxSettled, MetricUnit.Count, report.outbox.settled);
    if (report.outbox.resent)
      logger.warn('outbox entries resent: no SES event within the grace period', {
        resent: report.outbox.resent,
      });
    for (const failure of report.failed)
      logger.error('timer failed; retried next sweep', {
        ...failure,
        error: redactEmails(String(failure.error)),
      });
    return {
      due: report.due,
      advanced: report.advanced,
      failed: report.failed.length,
      outbox: {
        due: report.outbox.due,
        retried: report.outbox.retried,
        resent: report.outbox.resent,
        settled: report.outbox.settled,
      },
    };
  };
}

export const handler = middy(
  createSweeperHandler(composed, () => new Date().toISOString().replace(/\.\d{3}Z$/, 'Z')),
)
  .use(injectLambdaContext(logger))
  .use(logMetrics(metrics, { captureColdStartMetric: true }));
