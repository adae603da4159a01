/**
 * The loyalty program's items in the customer's partition: the account (`#LOYALTY`, loaded by the
 * decision's Query, carrying the account's timer on the sparse index like an instance) and the ledger
 * (`PTS#<movementId>`, immutable, read only by id). The account and the movements a decision adds
 * are written by JourneyStore.save (save-transaction.ts) in the decision's one transaction.
 */
import type { LoyaltyAccount, Movement } from '../core/loyalty/account.ts';
import type { TransactItem } from './save-transaction.ts';
import { type DocumentSender, getByKeys, keys, strip } from './table-keys.ts';
import { TABLE } from './table-schema.ts';

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

/** The ledger items among `ids` that exist, strongly consistent (table-keys.ts getByKeys). */
export async function getMovements(
  doc: DocumentSender,
  tableName: string,
  customerId: string,
  ids: readonly string[],
): Promise<Map<string, Movement>> {
  const items = await getByKeys(doc, tableName, keys.customer(customerId), ids.map(keys.movement));
  return new Map(items.map((item) => strip<Movement>(item)).map((m) => [m.id, m]));
}
