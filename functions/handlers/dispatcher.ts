/** DynamoDB stream consumer for outbox inserts: renders and sends emails, publishes events. */
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import middy from '@middy/core';
import type { DynamoDBBatchResponse, DynamoDBStreamEvent } from 'aws-lambda';
import { composed, type DispatcherComposition } from '../composition/lambda/dispatcher.ts';
import { redactEmails } from '../core/privacy.ts';
import { OUTBOX_METRICS } from '../metrics.ts';
import { dispatchRecords } from '../services/stream.ts';
import { logger, metrics, publishStoredMetrics } from './runtime.ts';

export function createDispatcherHandler(getServices: () => Promise<DispatcherComposition>) {
  return async (event: DynamoDBStreamEvent): Promise<DynamoDBBatchResponse> => {
    const { dispatcher } = await getServices();
    const result = await dispatchRecords(dispatcher, event.Records);
    for (const outcome of result.outcomes) {
      // Sent, published and skipped entries are volumes: SES's own metrics and the analytics log
      // count them (functions/metrics.ts); what did not go out at once is a metric the alarms watch.
      if (outcome.status === 'failed' || outcome.status === 'retrying' || outcome.status === 'unknown')
        metrics.addMetric(OUTBOX_METRICS[outcome.status], MetricUnit.Count, 1);
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
  .use(publishStoredMetrics());
