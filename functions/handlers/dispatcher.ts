/** DynamoDB stream consumer for outbox inserts: renders and sends emails, publishes events. */
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import middy from '@middy/core';
import type { DynamoDBBatchResponse, DynamoDBStreamEvent } from 'aws-lambda';
import { redactEmails } from '../core/privacy.ts';
import type { Services } from '../services/container.ts';
import { dispatchRecords } from '../services/stream.ts';
import { lambdaServices, logger, metrics } from './runtime.ts';

export function createDispatcherHandler(getServices: () => Promise<Services>) {
  return async (event: DynamoDBStreamEvent): Promise<DynamoDBBatchResponse> => {
    const { dispatcher } = await getServices();
    const result = await dispatchRecords(dispatcher, event.Records);
    for (const outcome of result.outcomes) {
      metrics.addMetric(`outbox_${outcome.status}`, MetricUnit.Count, 1);
      if (outcome.status === 'failed')
        logger.error('outbox entry failed', {
          outboxId: outcome.outboxId,
          reason: redactEmails(outcome.reason),
        });
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

export const handler = middy(createDispatcherHandler(lambdaServices))
  .use(injectLambdaContext(logger))
  .use(logMetrics(metrics, { captureColdStartMetric: true }));
