/**
 * The DynamoDB-stream side of the outbox: which records are outbox inserts, and how a batch is
 * dispatched with partial-failure reporting. Used by the Lambda handler and the local stream poller.
 */
import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import type { DynamoDBBatchResponse, DynamoDBRecord } from 'aws-lambda';
import type { OutboxItem } from '../adapters/store.ts';
import { type OutboxStatus, REQUEUED_FROM } from '../core/outbox.ts';
import type { Dispatcher, DispatchOutcome } from './dispatcher.ts';

/**
 * The outbox entry a record asks the dispatcher to act on: a new entry (INSERT), or one the sweeper
 * put back to `pending` for a retry or a resend (MODIFY from `retry`, `sending` or `unknown`). The
 * CDK stream filter (lib/retention-journeys.ts) lets exactly these through.
 */
export function outboxItemFromRecord(record: DynamoDBRecord): OutboxItem | undefined {
  const image = record.dynamodb?.NewImage;
  if (!image) return undefined;
  if (record.eventName === 'MODIFY') {
    const before = record.dynamodb?.OldImage?.status?.S as OutboxStatus | undefined;
    if (image.status?.S !== 'pending' || !before || !REQUEUED_FROM.includes(before)) return undefined;
  } else if (record.eventName !== 'INSERT') {
    return undefined;
  }
  const item = unmarshall(image as Record<string, AttributeValue>);
  if (item.type !== 'outbox') return undefined;
  return item as unknown as OutboxItem;
}

export interface BatchResult extends DynamoDBBatchResponse {
  outcomes: DispatchOutcome[];
  errors: { itemIdentifier: string; error: unknown }[];
}

/**
 * Dispatches records in order. On the first transient failure it stops and reports that record and
 * all after it, as Lambda's ReportBatchItemFailures expects for ordered stream processing.
 */
export async function dispatchRecords(
  dispatcher: Dispatcher,
  records: DynamoDBRecord[],
): Promise<BatchResult> {
  const result: BatchResult = { batchItemFailures: [], outcomes: [], errors: [] };
  for (const record of records) {
    const item = outboxItemFromRecord(record);
    if (!item) continue;
    try {
      result.outcomes.push(await dispatcher.dispatch(item));
    } catch (error) {
      const itemIdentifier = record.dynamodb?.SequenceNumber ?? record.eventID ?? '';
      result.batchItemFailures.push({ itemIdentifier });
      result.errors.push({ itemIdentifier, error });
      break;
    }
  }
  return result;
}
