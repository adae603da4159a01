/**
 * Erasure (`customer.deleted`) across partitions. The customer's own partition is deleted; other
 * customers' items that mention them — the referrer named on their profile, the referees named by
 * link items in their partition (keys.referee, written at attribution) — are pseudonymised
 * (core/erasure.ts). Found through those two pointers, never by a scan.
 */
import { TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import { DeleteCommand, GetCommand, PutCommand, TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import { type ErasedIdentity, pseudonymiseItem } from '../core/erasure.ts';
import { connectorKeys } from './connector-store.ts';
import { type DocumentSender, keys, queryAll } from './store.ts';

/**
 * customer.deleted: writes the tombstone first (so no late event or in-flight decision can recreate
 * the customer: every `save` checks it), then pseudonymises the customer in the other partitions
 * that mention them (the referrer named on the profile, the referees named by link items), then
 * removes every item in the customer's partition and the referral codes the customer owns.
 * Idempotent, and in this order so that a crash part-way leaves the links to finish the job on
 * redelivery. Returns how many partition items were deleted.
 */
export async function eraseCustomer(
  doc: DocumentSender,
  tableName: string,
  customerId: string,
  /** Runs once the tombstone stands and before the partition is read and deleted. */
  afterTombstone?: () => Promise<void>,
): Promise<number> {
  await doc.send(
    new PutCommand({
      TableName: tableName,
      // Only the hash of the id: the tombstone must not itself be personal data.
      Item: { ...keys.erased(customerId), type: 'erased' },
    }),
  );
  await afterTombstone?.();
  const own = await queryAll(doc, {
    TableName: tableName,
    KeyConditionExpression: 'PK = :pk',
    ExpressionAttributeNames: { '#type': 'type' },
    ExpressionAttributeValues: { ':pk': keys.customer(customerId) },
    ProjectionExpression: 'PK, SK, #type, referralCode, referrerId, refereeId, email',
    ConsistentRead: true,
  });

  const profile = own.find((item) => item.type === 'profile');
  const who: ErasedIdentity = {
    customerId,
    email: typeof profile?.email === 'string' ? profile.email : undefined,
    orderIds: own.filter((item) => item.type === 'order').map((item) => String(item.SK).slice(2)),
  };
  const others = new Set<string>();
  if (typeof profile?.referrerId === 'string') others.add(profile.referrerId);
  for (const item of own)
    if (item.type === 'referral-link' && typeof item.refereeId === 'string') others.add(item.refereeId);
  for (const other of others) await pseudonymiseIn(doc, tableName, other, who);
  // The connectors' order → customer lookups (adapters/connector-store.ts) name the customer: gone
  // with them, found through the customer's orders (before those are deleted). Only a lookup that names this customer.
  for (const orderId of who.orderIds ?? []) {
    try {
      await doc.send(
        new DeleteCommand({
          TableName: tableName,
          Key: connectorKeys.orderLookup(orderId),
          ConditionExpression: 'customerId = :customer',
          ExpressionAttributeValues: { ':customer': customerId },
        }),
      );
    } catch (error) {
      if ((error as Error).name !== 'ConditionalCheckFailedException') throw error;
    }
  }

  for (let i = 0; i < own.length; i += 100) {
    await doc.send(
      new TransactWriteCommand({
        TransactItems: own
          .slice(i, i + 100)
          .map((k) => ({ Delete: { TableName: tableName, Key: { PK: k.PK, SK: k.SK } } })),
      }),
    );
  }
  // Referral codes live in their own partition (`R#<code>`); the profile names the customer's own
  // code (`referralCode`). Deleted only if the customer owns it, so a shared code is never lost.
  const referralCodes = new Set(
    own.filter((item) => item.type === 'profile').map((item) => item.referralCode as string | undefined),
  );
  for (const code of referralCodes) {
    if (typeof code !== 'string') continue;
    try {
      await doc.send(
        new DeleteCommand({
          TableName: tableName,
          Key: keys.referralCode(code),
          ConditionExpression: '#owner = :owner',
          ExpressionAttributeNames: { '#owner': 'ownerId' },
          ExpressionAttributeValues: { ':owner': customerId },
        }),
      );
    } catch (error) {
      if ((error as Error).name !== 'ConditionalCheckFailedException') throw error;
    }
  }
  return own.length;
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
  let item: Record<string, unknown> | undefined = read;
  for (let attempt = 0; item && attempt < 8; attempt++) {
    const next = pseudonymiseItem(item, who);
    if (!next) return;
    // A new version: a decision that read the old item (and would write the id back with it) now
    // conflicts and decides again on the pseudonymised one.
    if (typeof item.version === 'number') next.version = item.version + 1;
    const key: Record<string, unknown> = { PK: item.PK, SK: item.SK };
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
                  Put: { TableName: tableName, Item: next, ConditionExpression: 'attribute_not_exists(PK)' },
                },
              ]
            : [{ Put: { TableName: tableName, Item: next, ...condition } }],
        }),
      );
      return;
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
        return;
      }
      if (!reasons.some((r) => r.Code === 'ConditionalCheckFailed' || r.Code === 'TransactionConflict'))
        throw error;
      const fresh: { Item?: Record<string, unknown> } = await doc.send(
        new GetCommand({ TableName: tableName, Key: key, ConsistentRead: true }),
      );
      item = fresh.Item;
    }
  }
  if (item && pseudonymiseItem(item, who))
    throw new Error(`erasure: item ${String(read.SK)} kept changing; customer.deleted will be retried`);
}
