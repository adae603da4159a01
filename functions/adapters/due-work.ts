/**
 * The sparse timer index, one shard at a time: what fell due — journey instances' timers (`J#…`),
 * outbox entries waiting for a retry or a reconciliation (`OUT#…`) and loyalty accounts (`#LOYALTY`),
 * told apart by their sort key. The sweeper asks; the store (store.ts) answers through here.
 */
import { QueryCommand, type QueryCommandOutput } from '@aws-sdk/lib-dynamodb';
import type { CapacityMeter } from './store.ts';
import { type DocumentSender, keys } from './table-keys.ts';
import { TABLE } from './table-schema.ts';

/** A due timer of the sparse index: an instance's wait, or an outbox entry's retry / reconcile time. */
export interface DueTimer {
  customerId: string;
  journeyId: string;
  instanceId: string;
  dueAt: string;
}
export interface DueOutbox {
  customerId: string;
  outboxId: string;
  dueAt: string;
}
/** A loyalty account's timer (hold release, reminder, expiry, tier review, birthday). */
export interface DueLoyalty {
  customerId: string;
  dueAt: string;
}

/** Everything due in one shard. */
export interface DueWork {
  timers: DueTimer[];
  outbox: DueOutbox[];
  loyalty: DueLoyalty[];
}

/**
 * Everything due in one shard of the timer index, in one query: instance timers (`J#…`), outbox
 * entries waiting for a retry or a reconciliation (`OUT#…`) and loyalty accounts (`#LOYALTY`),
 * told apart by their sort key.
 */
export async function dueWork(
  table: { doc: DocumentSender; tableName: string; meter?: CapacityMeter | undefined },
  shard: number,
  now: string,
  limit = 500,
): Promise<DueWork> {
  const timers: DueTimer[] = [];
  const outbox: DueOutbox[] = [];
  const loyalty: DueLoyalty[] = [];
  const found = () => timers.length + outbox.length + loyalty.length;
  let startKey: Record<string, unknown> | undefined;
  do {
    const page: QueryCommandOutput = await table.doc.send(
      new QueryCommand({
        TableName: table.tableName,
        IndexName: TABLE.timerIndex.name,
        KeyConditionExpression: '#shard = :shard AND #due <= :now',
        ExpressionAttributeNames: {
          '#shard': TABLE.timerIndex.partitionKey,
          '#due': TABLE.timerIndex.sortKey,
        },
        ExpressionAttributeValues: { ':shard': shard, ':now': now },
        ExclusiveStartKey: startKey,
        Limit: limit - found(),
        ReturnConsumedCapacity: 'TOTAL',
      }),
    );
    table.meter?.record('Query', page.ConsumedCapacity?.CapacityUnits);
    for (const item of page.Items ?? []) {
      const sk = item.SK as string;
      const customerId = (item.PK as string).slice(2);
      const dueAt = item[TABLE.timerIndex.sortKey] as string;
      if (sk.startsWith(keys.outboxPrefix)) {
        outbox.push({ customerId, outboxId: sk.slice(keys.outboxPrefix.length), dueAt });
        continue;
      }
      if (sk === keys.loyalty) {
        loyalty.push({ customerId, dueAt });
        continue;
      }
      const [, journeyId, ...rest] = sk.split('#');
      timers.push({ customerId, journeyId: journeyId as string, instanceId: rest.join('#'), dueAt });
    }
    startKey = page.LastEvaluatedKey;
  } while (startKey && found() < limit);
  return { timers, outbox, loyalty };
}
