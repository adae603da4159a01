/**
 * The dispatcher's side of the outbox: how many workers send at what rate, and the DynamoDB stream
 * source that hands them new outbox entries (functions/services/stream.ts reads the same records).
 */
import { Duration } from 'aws-cdk-lib';
import type { ITableV2 } from 'aws-cdk-lib/aws-dynamodb';
import { FilterCriteria, FilterRule, StartingPosition } from 'aws-cdk-lib/aws-lambda';
import { DynamoEventSource, SqsDlq } from 'aws-cdk-lib/aws-lambda-event-sources';
import type { IQueue } from 'aws-cdk-lib/aws-sqs';
import { TABLE } from '../functions/adapters/table-schema.ts';
import { REQUEUED_FROM } from '../functions/core/outbox.ts';

/**
 * Sort-key prefix of outbox entries; must equal `keys.outboxPrefix` in functions/adapters/table-keys.ts
 * (test/infra asserts it). Kept literal so synth does not load the AWS SDK.
 */
export const OUTBOX_PREFIX = 'OUT#';

/**
 * One dispatcher invocation sends its batch one email after another. An SES v2 `SendEmail` round
 * trip takes roughly 100 ms, so one invocation (a "worker") manages about 10 sends per second at most.
 */
export const SENDS_PER_WORKER_PER_SECOND = 10;

/** How the dispatcher is sized from the send rate (see `sendRatePerSecond`). */
export function dispatcherSizing(sendRatePerSecond: number): {
  reservedConcurrency: number;
  sendsPerSecondPerWorker: number;
  batchSize: number;
} {
  const reservedConcurrency = Math.max(1, Math.ceil(sendRatePerSecond / SENDS_PER_WORKER_PER_SECOND));
  const sendsPerSecondPerWorker = sendRatePerSecond / reservedConcurrency;
  const batchSize = Math.min(25, Math.max(1, Math.ceil(sendsPerSecondPerWorker * 5)));
  return { reservedConcurrency, sendsPerSecondPerWorker, batchSize };
}

/** The stream records that invoke the dispatcher, in batches its sizing allows; failures end in `deadLetterQueue`. */
export function outboxStreamSource(
  table: ITableV2,
  batchSize: number,
  deadLetterQueue: IQueue,
): DynamoEventSource {
  return new DynamoEventSource(table, {
    startingPosition: StartingPosition.TRIM_HORIZON,
    // Only new outbox entries, and entries the sweeper put back to `pending` for a retry or a
    // resend (functions/services/stream.ts): state, timers, the "sent" update of an entry and
    // recorded SES events never invoke it.
    filters: [
      FilterCriteria.filter({
        eventName: FilterRule.isEqual('INSERT'),
        dynamodb: { Keys: { [TABLE.sortKey]: { S: FilterRule.beginsWith(OUTBOX_PREFIX) } } },
      }),
      FilterCriteria.filter({
        eventName: FilterRule.isEqual('MODIFY'),
        dynamodb: {
          Keys: { [TABLE.sortKey]: { S: FilterRule.beginsWith(OUTBOX_PREFIX) } },
          NewImage: { status: { S: FilterRule.isEqual('pending') } },
          OldImage: { status: { S: FilterRule.or(...REQUEUED_FROM) } },
        },
      }),
    ],
    batchSize,
    maxBatchingWindow: Duration.seconds(1),
    // One batch per stream shard at a time; reserved concurrency caps the shards in flight.
    parallelizationFactor: 1,
    bisectBatchOnError: true,
    reportBatchItemFailures: true,
    retryAttempts: 8,
    // The stream keeps records 24 h; give up (to the DLQ) well before they expire.
    maxRecordAge: Duration.hours(12),
    onFailure: new SqsDlq(deadLetterQueue),
  });
}
