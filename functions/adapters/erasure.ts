/**
 * Erasure (`customer.deleted`) across partitions. The customer's own partition is deleted; other
 * customers' items that mention them — the referrer named on their profile, the referees named by
 * link items in their partition (keys.referee, written at attribution) — are pseudonymised
 * (core/erasure.ts). Found through those two pointers, never by a scan.
 */
import { TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import {
  DeleteCommand,
  GetCommand,
  PutCommand,
  TransactWriteCommand,
  type TransactWriteCommandInput,
} from '@aws-sdk/lib-dynamodb';
import { type ErasedIdentity, erasurePlan, pseudonymiseItem } from '../core/erasure.ts';
import { CONFLICT, retryOnConflict } from '../services/retry.ts';
import { connectorKeys } from './connector-store.ts';
import { isConditionFailure } from './errors.ts';
import { type DocumentSender, keys, queryAll } from './table-keys.ts';

/**
 * The one definition of "erased" for writes: every transaction that may create or change a
 * customer's items carries this check, so nothing is written once the tombstone stands.
 */
export function unlessErased(tableName: string, customerId: string) {
  return {
    ConditionCheck: {
      TableName: tableName,
      Key: keys.erased(customerId),
      ConditionExpression: 'attribute_not_exists(PK)',
    },
  };
}

/** Whether the cancellation reason at the `unlessErased` check's position says: erased. */
export function refusedAsErased(error: TransactionCanceledException, checkAt: number): boolean {
  return error.CancellationReasons?.[checkAt]?.Code === 'ConditionalCheckFailed';
}

/**
 * One transaction that also checks the erasure tombstone, so nothing is written for an erased
 * customer. `conflict` when one of the caller's own conditions failed or another transaction
 * interfered (read again and decide again).
 */
export async function transactUnlessErased(
  doc: DocumentSender,
  tableName: string,
  customerId: string,
  items: NonNullable<TransactWriteCommandInput['TransactItems']>,
): Promise<'saved' | 'erased' | 'conflict'> {
  try {
    await doc.send(
      new TransactWriteCommand({ TransactItems: [unlessErased(tableName, customerId), ...items] }),
    );
    return 'saved';
  } catch (error) {
    if (!(error instanceof TransactionCanceledException)) throw error;
    if (refusedAsErased(error, 0)) return 'erased';
    const reasons = error.CancellationReasons ?? [];
    if (reasons.some((r) => r.Code === 'ConditionalCheckFailed' || r.Code === 'TransactionConflict'))
      return 'conflict';
    throw error;
  }
}

/** Whether `customer.deleted` erased this customer (the tombstone exists); strongly consistent. */
export async function isErased(doc: DocumentSender, tableName: string, customerId: string): Promise<boolean> {
  const result: { Item?: unknown } = await doc.send(
    new GetCommand({ TableName: tableName, Key: keys.erased(customerId), ConsistentRead: true }),
  );
  return result.Item !== undefined;
}

/**
 * customer.deleted: writes the tombstone first (so no late event or in-flight decision can recreate
 * the customer: every write checks `unlessErased`), then carries out `erasurePlan` (core/erasure.ts):
 * the rejected log's by-day records, the customer pseudonymised in the partitions that mention them
 * (the referrer named on the profile, the referees named by link items), the connectors' order
 * lookups, every item of the customer's partition, and the referral codes the customer owns.
 * Idempotent, and in this order so that a crash part-way leaves the pointers to finish the job on
 * redelivery. Returns how many partition items were deleted.
 */
export async function eraseCustomer(
  doc: DocumentSender,
  tableName: string,
  customerId: string,
): Promise<number> {
  await doc.send(
    new PutCommand({
      TableName: tableName,
      // Only the hash of the id: the tombstone must not itself be personal data.
      Item: { ...keys.erased(customerId), type: 'erased' },
    }),
  );
  const own = await queryAll(doc, {
    TableName: tableName,
    KeyConditionExpression: 'PK = :pk',
    ExpressionAttributeNames: { '#type': 'type' },
    ExpressionAttributeValues: { ':pk': keys.customer(customerId) },
    ProjectionExpression: 'PK, SK, #type, orderId, referralCode, referrerId, refereeId, email, dayPK, daySK',
    ConsistentRead: true,
  });
  const plan = erasurePlan(customerId, own);

  for (const Key of plan.rejectedRecords) await doc.send(new DeleteCommand({ TableName: tableName, Key }));
  for (const other of plan.others) await pseudonymiseIn(doc, tableName, other, plan.who);
  for (const orderId of plan.orderLookups)
    await deleteIfStill(doc, tableName, connectorKeys.orderLookup(orderId), 'customerId', customerId);
  for (let i = 0; i < own.length; i += 100) {
    await doc.send(
      new TransactWriteCommand({
        TransactItems: own
          .slice(i, i + 100)
          .map((k) => ({ Delete: { TableName: tableName, Key: { PK: k.PK, SK: k.SK } } })),
      }),
    );
  }
  // Last: a shared code (another owner since) is never lost.
  for (const code of plan.referralCodes)
    await deleteIfStill(doc, tableName, keys.referralCode(code), 'ownerId', customerId);
  return own.length;
}

/** Deletes an item outside the partition only while it still names the erased customer. */
async function deleteIfStill(
  doc: DocumentSender,
  tableName: string,
  Key: { PK: string; SK: string },
  field: string,
  customerId: string,
): Promise<void> {
  try {
    await doc.send(
      new DeleteCommand({
        TableName: tableName,
        Key,
        ConditionExpression: '#field = :customer',
        ExpressionAttributeNames: { '#field': field },
        ExpressionAttributeValues: { ':customer': customerId },
      }),
    );
  } catch (error) {
    if (!isConditionFailure(error)) throw error;
  }
}

/**
 * Rewrites every item of `otherId`'s partition that mentions the erased customer (core/erasure.ts).
 * An item whose key changes (`J#referral-reward#<refereeId>`, `OUT#…#<refereeId>#…`) is moved:
 * deleted and put under the new key in one transaction. Each write is conditional on what was read
 * (`version` of state items, `status` of outbox entries), so a decision or a dispatch in between is
 * never overwritten: the item is read again and rewritten.
 */
async function pseudonymiseIn(
  doc: DocumentSender,
  tableName: string,
  otherId: string,
  who: ErasedIdentity,
): Promise<void> {
  const items = await queryAll(doc, {
    TableName: tableName,
    KeyConditionExpression: 'PK = :pk',
    ExpressionAttributeValues: { ':pk': keys.customer(otherId) },
    ConsistentRead: true,
  });
  for (const item of items) await rewrite(doc, tableName, item, who);
}

async function rewrite(
  doc: DocumentSender,
  tableName: string,
  read: Record<string, unknown>,
  who: ErasedIdentity,
): Promise<void> {
  const key: Record<string, unknown> = { PK: read.PK, SK: read.SK };
  await retryOnConflict(
    `erasure: item ${String(read.SK)}`,
    async (attempt) => {
      // After a lost race the item is read again: whatever was written in between is pseudonymised.
      const item =
        attempt === 0
          ? read
          : (
              (await doc.send(new GetCommand({ TableName: tableName, Key: key, ConsistentRead: true }))) as {
                Item?: Record<string, unknown>;
              }
            ).Item;
      const next = item && pseudonymiseItem(item, who);
      if (!item || !next) return 'done';
      // A new version: a decision that read the old item (and would write the id back with it) now
      // conflicts and decides again on the pseudonymised one.
      if (typeof item.version === 'number') next.version = item.version + 1;
      const guard =
        typeof item.version === 'number'
          ? { expr: '#guard = :guard', name: 'version', value: item.version }
          : typeof item.status === 'string'
            ? { expr: '#guard = :guard', name: 'status', value: item.status }
            : undefined;
      const condition = guard
        ? {
            ConditionExpression: `attribute_exists(PK) AND ${guard.expr}`,
            ExpressionAttributeNames: { '#guard': guard.name },
            ExpressionAttributeValues: { ':guard': guard.value },
          }
        : { ConditionExpression: 'attribute_exists(PK)' };
      const moved = next.SK !== item.SK;
      try {
        await doc.send(
          new TransactWriteCommand({
            TransactItems: moved
              ? [
                  { Delete: { TableName: tableName, Key: key, ...condition } },
                  {
                    Put: {
                      TableName: tableName,
                      Item: next,
                      ConditionExpression: 'attribute_not_exists(PK)',
                    },
                  },
                ]
              : [{ Put: { TableName: tableName, Item: next, ...condition } }],
          }),
        );
        return 'done';
      } catch (error) {
        if (!(error instanceof TransactionCanceledException)) throw error;
        const reasons = error.CancellationReasons ?? [];
        // The pseudonymised key exists already (another erasure run moved the item, and something
        // wrote the old key again since): what is left under the old key names the customer; drop it.
        if (
          moved &&
          reasons[1]?.Code === 'ConditionalCheckFailed' &&
          reasons[0]?.Code !== 'ConditionalCheckFailed'
        ) {
          await doc.send(new DeleteCommand({ TableName: tableName, Key: key }));
          return 'done';
        }
        if (!reasons.some((r) => r.Code === 'ConditionalCheckFailed' || r.Code === 'TransactionConflict'))
          throw error;
        return CONFLICT;
      }
    },
    // No wait: the item is read again, and customer.deleted as a whole is retried if it keeps changing.
    { maxAttempts: 9, backoff: async () => {} },
  );
}
