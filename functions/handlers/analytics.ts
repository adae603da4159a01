/**
 * EventBridge rule target for the analytics log: shop events and system events from the journeys
 * bus, SES events from the default bus. The recorder turns each into pseudonymous records and
 * writes them to Firehose; a failure throws, so Lambda retries and then keeps the event in the
 * rules' DLQ. Logs ids and counts only.
 */
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import middy from '@middy/core';
import type { EventBridgeEvent } from 'aws-lambda';
import type { RawEvent } from '../core/events.ts';
import { logger, metrics } from './runtime.ts';

/**
 * What the handler needs of the analytics service (functions/services/analytics.ts on i9-log:
 * `AnalyticsService.record(event)`), kept minimal so either side can change its result type.
 */
export interface AnalyticsRecorder {
  record(event: RawEvent): Promise<unknown>;
}

export function createAnalyticsHandler(getRecorder: () => Promise<AnalyticsRecorder>) {
  return async (event: EventBridgeEvent<string, unknown>) => {
    const recorder = await getRecorder();
    const outcome = await recorder.record({
      id: event.id,
      source: event.source,
      detailType: event['detail-type'],
      time: event.time,
      detail: event.detail,
    });
    const records = recordCount(outcome);
    if (records !== undefined) metrics.addMetric('analytics_records_written', MetricUnit.Count, records);
    logger.info('analytics event processed', {
      eventId: event.id,
      source: event.source,
      detailType: event['detail-type'],
      ...(records === undefined ? {} : { records }),
    });
    return records ?? 0;
  };
}

/** `{ records: n }` from the service's outcome, when it says so. */
function recordCount(outcome: unknown): number | undefined {
  if (typeof outcome !== 'object' || outcome === null || !('records' in outcome)) return undefined;
  const records = (outcome as { records: unknown }).records;
  return typeof records === 'number' && Number.isInteger(records) && records >= 0 ? records : undefined;
}

/**
 * The recorder of a Lambda cold start. MERGE: build the log helper's AnalyticsService here, once per
 * cold start — from functions/services/container.ts, with `firehoseSink(process.env.DELIVERY_STREAM_NAME)`
 * (functions/adapters/firehose-sink.ts) as its sink, the table from TABLE_NAME and the system clock.
 * It must not load the signing secret: this function may read customer items and analytics secrets
 * only (lib/analytics.ts, grantAnalyticsKeys).
 */
export async function lambdaRecorder(): Promise<AnalyticsRecorder> {
  throw new Error(
    'analytics recorder not wired: lambdaRecorder() in functions/handlers/analytics.ts must build AnalyticsService with the Firehose sink',
  );
}

export const handler = middy(createAnalyticsHandler(lambdaRecorder))
  .use(injectLambdaContext(logger))
  .use(logMetrics(metrics, { captureColdStartMetric: true }));
