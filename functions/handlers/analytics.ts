/**
 * EventBridge rule target for the analytics log: shop events and system events from the journeys
 * bus, SES events from the default bus. The recorder turns each into pseudonymous records and
 * writes them to Firehose; a failure throws, so Lambda retries and then keeps the event in the
 * rules' DLQ. Logs ids and counts only.
 */
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import middy from '@middy/core';
import type { EventBridgeEvent } from 'aws-lambda';
import { AnalyticsKeyStore } from '../adapters/analytics-keys.ts';
import { systemClock } from '../adapters/clock.ts';
import { firehoseSink } from '../adapters/firehose-sink.ts';
import type { RawEvent } from '../core/events.ts';
import { AnalyticsService } from '../services/analytics.ts';
import { logger } from './runtime.ts';

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

let recorder: AnalyticsRecorder | undefined;

/**
 * The recorder of a Lambda cold start: the same AnalyticsService as the local runtime, writing to
 * Firehose. Built without the container on purpose: this function may read customer items and
 * analytics secrets only (lib/analytics.ts, grantAnalyticsKeys), never the signing secret.
 */
export async function lambdaRecorder(): Promise<AnalyticsRecorder> {
  recorder ??= new AnalyticsService({
    keys: new AnalyticsKeyStore(
      DynamoDBDocumentClient.from(new DynamoDBClient({}), {
        marshallOptions: { removeUndefinedValues: true },
      }),
      requiredEnv('TABLE_NAME'),
    ),
    sink: firehoseSink(requiredEnv('DELIVERY_STREAM_NAME')),
    now: () => systemClock.now(),
    configurationSetName: process.env.SES_CONFIGURATION_SET,
  });
  return recorder;
}

function requiredEnv(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set`);
  return value;
}

export const handler = middy(createAnalyticsHandler(lambdaRecorder)).use(injectLambdaContext(logger));
