/** DynamoDB stream consumer for outbox inserts: renders and sends emails, publishes events. */
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import middy from '@middy/core';
import type { DynamoDBBatchResponse, DynamoDBStreamEvent } from 'aws-lambda';
import { composed, type DispatcherComposition } from '../composition/lambda/dispatcher.ts';
import { redactEmails } from '../core/privacy.ts';
import { DIMENSION, EMAILS_SENT_METRIC, JOURNEY_METRICS, OUTBOX_METRICS } from '../metrics.ts';
import { dispatchRecords } from '../services/stream.ts';
import { logger, metrics } from './runtime.ts';

/** Lifecycle events the dispatcher publishes, counted per journey as it publishes them. */
const LIFECYCLE_METRICS = {
  'journey.entered': JOURNEY_METRICS.entered,
  'journey.goal.reached': JOURNEY_METRICS.goalReached,
} as const;

export function createDispatcherHandler(getServices: () => Promise<DispatcherComposition>) {
  return async (event: DynamoDBStreamEvent): Promise<DynamoDBBatchResponse> => {
    const { dispatcher } = await getServices();
    const result = await dispatchRecords(dispatcher, event.Records);
    for (const outcome of result.outcomes) {
      metrics.addMetric(OUTBOX_METRICS[outcome.status], MetricUnit.Count, 1);
      // Per-journey counters for the dashboard (names and dimensions: functions/metrics.ts).
      if (outcome.status === 'sent') {
        const sent = metrics.singleMetric();
        sent.addDimensions({ [DIMENSION.journey]: outcome.journeyId, [DIMENSION.message]: outcome.message });
        sent.addMetric(EMAILS_SENT_METRIC, MetricUnit.Count, 1);
      }
      const lifecycle =
        outcome.status === 'published'
          ? LIFECYCLE_METRICS[outcome.detailType as keyof typeof LIFECYCLE_METRICS]
          : undefined;
      if (lifecycle && outcome.status === 'published') {
        const counted = metrics.singleMetric();
        counted.addDimension(DIMENSION.journey, String(outcome.detail.journey));
        counted.addMetric(lifecycle, MetricUnit.Count, 1);
      }
      if (outcome.status === 'failed')
        logger.error('outbox entry failed', {
          outboxId: outcome.outboxId,
          reason: redactEmails(outcome.reason),
        });
      if (outcome.status === 'retrying' || outcome.status === 'unknown')
        logger.warn(
          outcome.status === 'retrying'
            ? 'SES did not take the email; retried later'
            : 'SES may have the email; settled by its events',
          {
            outboxId: outcome.outboxId,
            reason: redactEmails(outcome.reason),
            at: outcome.status === 'retrying' ? outcome.retryAt : outcome.reconcileAt,
          },
        );
    }
    for (const { itemIdentifier, error } of result.errors) {
      logger.warn('transient dispatch failure; Lambda retries from this record', {
        itemIdentifier,
        error: redactEmails(String(error)),
      });
    }
    return { batchItemFailures: result.batchItemFailures };
  };
}

export const handler = middy(createDispatcherHandler(composed))
  .use(injectLambdaContext(logger))
  .use(logMetrics(metrics, { captureColdStartMetric: true }));
