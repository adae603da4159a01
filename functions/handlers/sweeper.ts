/** Runs once a minute (EventBridge schedule): advances every instance whose timer fell due. */
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import middy from '@middy/core';
import { composed, type SweeperComposition } from '../composition/lambda/sweeper.ts';
import { redactEmails } from '../core/privacy.ts';
import { SWEEPER_METRICS } from '../metrics.ts';
import { logger, metrics, publishStoredMetrics } from './runtime.ts';

export function createSweeperHandler(getServices: () => Promise<SweeperComposition>, now: () => string) {
  return async () => {
    const { sweeper } = await getServices();
    const report = await sweeper.sweep(now());
    // Published only when not zero: a series costs by the hour it gets data (functions/metrics.ts),
    // and the alarms on these treat no data as nothing failed.
    const counts = {
      [SWEEPER_METRICS.failed]: report.failed.length,
      [SWEEPER_METRICS.outboxRetried]: report.outbox.retried,
      [SWEEPER_METRICS.outboxResent]: report.outbox.resent,
      [SWEEPER_METRICS.outboxSettled]: report.outbox.settled,
    };
    for (const [name, count] of Object.entries(counts))
      if (count > 0) metrics.addMetric(name, MetricUnit.Count, count);
    logger.info('sweep', { due: report.due, advanced: report.advanced, ...counts });
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
  .use(publishStoredMetrics());
