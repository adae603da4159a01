/**
 * The loyalty program's items in the customer's partition: the account (`#LOYALTY`, loaded by the
 * decision's Query, carrying the account's timer on the sparse index like an instance) and the ledger
 * (`PTS#<movementId>`, immutable, read only by id). The account and the movements a decision adds
 * are written by JourneyStore.save (save-transaction.ts) in the decision's one transaction.
 */
import { BatchGetCommand } from '@aws-sdk/lib-dynamodb';
import type { LoyaltyAccount, Movement } from '../core/loyalty/account.ts';
import type { TransactItem } from './save-transaction.ts';
import { type DocumentSender, keys, strip } from './table-keys.ts';
import { TABLE } from './table-schema.ts';

/** DynamoDB's limit of keys per BatchGetItem. */
const BATCH_KEYS = 100;
/** Rounds for keys DynamoDB left unprocessed (throttling) before the read counts as failed. */
const MAX_ROUNDS = 6;

/** The stored account item as the model's account: `dueAt` is the timer index attribute. */
export function accountFromItem(item: Record<string, unknown>): LoyaltyAccount {
  const dueAt = item[TABLE.timerIndex.sortKey] as string | undefined;
  return { ...strip<LoyaltyAccount>(item), ...(dueAt ? { dueAt } : {}), version: item.version as number };
}

/**
 * The account's put: conditional on the version the decision read (absent for a new account), with the
 * account's next due moment on the timer index, so the account and its timer can never disagree.
 */
export function accountPut(
  tableName: string,
  account: LoyaltyAccount,
  expectedVersion: number,
  shard: number,
): TransactItem {
  const { version: _, dueAt, ...data } = account;
  const timer = dueAt ? { [TABLE.timerIndex.partitionKey]: shard, [TABLE.timerIndex.sortKey]: dueAt } : {};
  return {
    Put: {
      TableName: tableName,
      Item: {
        ...data,
        ...timer,
        PK: keys.customer(account.customerId),
        SK: keys.loyalty,
        type: 'loyalty',
        version: expectedVersion + 1,
      },
      ConditionExpression: expectedVersion === 0 ? 'attribute_not_exists(PK)' : 'version = :v',
      ExpressionAttributeValues: expectedVersion === 0 ? undefined : { ':v': expectedVersion },
    },
  };
}

/** A movement's put: only if its id (derived from its cause) was never written — the ledger is append-only. */
export function movementPut(tableName: string, customerId: string, movement: Movement): TransactItem {
  return {
    Put: {
      TableName: tableName,
      Item: { ...movement, PK: keys.customer(customerId), SK: keys.movement(movement.id), type: 'movement' },
      ConditionExpression: 'attribute_not_exists(PK)',
    },
  };
}

/**
 * The ledger items among `ids` that exist, strongly consistent (a movement written a moment ago by a
 * racing decision must be seen). Unprocessed keys are asked for again with a short backoff.
 */
export async function getMovements(
  doc: DocumentSender,
  tableName: string,
  customerId: string,
  ids: readonly string[],
): Promise<Map<string, Movement>> {
  const found = new Map<string, Movement>();
  const unique = [...new Set(ids)];
  for (let i = 0; i < unique.length; i += BATCH_KEYS) {
    let pending: Record<string, unknown>[] = unique
      .slice(i, i + BATCH_KEYS)
      .map((id) => ({ PK: keys.customer(customerId), SK: keys.movement(id) }));
    for (let round = 0; pending.length > 0; round++) {
      if (round >= MAX_ROUNDS)
        throw new Error(`loyalty ledger of customer ${customerId}: keys still unprocessed`);
      if (round > 0) await new Promise((resolve) => setTimeout(resolve, 25 * 2 ** round));
      const result = await doc.send(
        new BatchGetCommand({
          RequestItems: { [tableName]: { Keys: pending, ConsistentRead: true } },
        }),
      );
      for (const item of result.Responses?.[tableName] ?? []) {
        const movement = strip<Movement>(item);
        found.set(movement.id, movement);
      }
      pending = (result.UnprocessedKeys?.[tableName]?.Keys ?? []) as Record<string, unknown>[];
    }
  }
  return found;
}
