/**
 * The items one decision writes (JourneyStore.save): a SaveRequest becomes the TransactItems of the
 * one conditional TransactWriteItems, each conditioned on the version it was read at. Pure: the
 * store adds the tombstone check, sends and reads the outcome.
 */
import type { TransactWriteCommandInput } from '@aws-sdk/lib-dynamodb';
import type { JourneyDefinition } from '../core/definition.ts';
import type { JourneyHistory } from '../core/journey-history.ts';
import type { LoyaltyAccount, Movement } from '../core/loyalty/account.ts';
import type { Effect, JourneyInstance, MarketingLedger, Order, Profile } from '../core/model.ts';
import type { OrderSummary } from '../core/order-history.ts';
import type { OutboxStatus } from '../core/outbox.ts';
import { unlessErased } from './erasure.ts';
import { accountPut, movementPut } from './loyalty-store.ts';
import { summaryItem } from './order-summary-item.ts';
import { epochSeconds, keys } from './table-keys.ts';
import { TABLE } from './table-schema.ts';

export type TransactItem = NonNullable<TransactWriteCommandInput['TransactItems']>[number];

export interface OutboxItem {
  customerId: string;
  outboxId: string;
  effect: Effect;
  status: OutboxStatus;
  createdAt: string;
  attempts: number;
  /** SES events recorded for the email, `kind -> first time` (ses-events.ts). */
  events?: Record<string, string> | undefined;
  /** How often it was sent again because no SES event settled it within the grace period. */
  resends?: number | undefined;
  /** When the sweeper acts on it (retry or reconcile); only on `sending`, `unknown` and `retry`. */
  dueAt?: string | undefined;
}

/** The outbox entry a decision's effect becomes, as written and as the dispatcher receives it. */
export function outboxEntry(customerId: string, effect: Effect, now: string): OutboxItem {
  return { customerId, outboxId: effect.outboxId, effect, status: 'pending', createdAt: now, attempts: 0 };
}

export interface SaveRequest {
  customerId: string;
  /** Idempotency marker: the event id and the consumer that processed it. */
  processed?: { eventId: string; consumer: string } | undefined;
  profile?: { next: Profile; expectedVersion: number } | undefined;
  /** Orders changed by the decision, each written to its own item (`XO#`). */
  orders?: Order[] | undefined;
  /** The order summary after the decision (`#ORDERS`, conditional on the version read). */
  orderSummary?: { next: OrderSummary; expectedVersion: number } | undefined;
  /** Order items to delete from where they were kept before (`O#`): the same decision writes them to `XO#`. */
  retireLegacyOrders?: string[] | undefined;
  instances?: JourneyInstance[] | undefined;
  /**
   * Instances that nothing can change any more (core/journey-history.ts), each at the version it was
   * read: moved to the archive (`XJ#`) and counted in their journey's history, all in this write.
   */
  settle?: { instances: JourneyInstance[]; history: JourneyHistory } | undefined;
  /** The frequency-cap ledger after the decision (`version` as read). */
  ledger?: MarketingLedger | undefined;
  effects?: Effect[] | undefined;
  /** Definition snapshots to keep for instances that pin them. */
  definitions?: { definition: JourneyDefinition; version: string }[] | undefined;
  /**
   * An attributed referral: the link item in the referrer's partition (keys.referee), written with
   * the referee's profile, unless the referrer was erased meanwhile (then `conflict`).
   */
  referralLink?: { referrerId: string; code: string } | undefined;
  /**
   * A loyalty decision (services/loyalty.ts): the account as it is after it (put conditional on
   * `expectedVersion`, its timer on the sparse index when `dueAt` is set) and the new ledger items
   * (each refused if its id exists: a cause can move points only once).
   */
  loyalty?: { next: LoyaltyAccount; expectedVersion: number; movements: Movement[] } | undefined;
  now: string;
}

/** `erased`: the customer was erased (`customer.deleted`); nothing was written and nothing may be. */
export type SaveResult = 'saved' | 'duplicate' | 'conflict' | 'erased';

/** Where the items go and how long idempotency markers are kept (StoreOptions.retentionDays). */
export interface SaveTable {
  tableName: string;
  retentionDays: number;
  /** The timer index shard of a customer (JourneyStore.timerShard). */
  timerShard: (customerId: string) => number;
}

/** The decision's items, in this order: the idempotency marker first (its failure means `duplicate`). */
export function saveItems(request: SaveRequest, table: SaveTable): TransactItem[] {
  const items: TransactItem[] = [];
  const pk = keys.customer(request.customerId);
  const put = (
    Item: Record<string, unknown>,
    ConditionExpression?: string,
    values?: Record<string, unknown>,
  ) =>
    items.push({
      Put: {
        TableName: table.tableName,
        Item,
        ConditionExpression,
        ExpressionAttributeValues: values,
      },
    });

  if (request.processed) {
    put(
      {
        PK: keys.processed(request.processed.eventId),
        SK: request.processed.consumer,
        type: 'processed',
        processedAt: request.now,
        [TABLE.ttlAttribute]: epochSeconds(request.now, table.retentionDays),
      },
      'attribute_not_exists(PK)',
    );
  }
  if (request.profile) {
    const { next, expectedVersion } = request.profile;
    put(
      { ...next, PK: pk, SK: keys.profile, type: 'profile', version: expectedVersion + 1 },
      expectedVersion === 0 ? 'attribute_not_exists(PK)' : 'version = :v',
      expectedVersion === 0 ? undefined : { ':v': expectedVersion },
    );
  }
  for (const order of request.orders ?? []) {
    put({ ...order, PK: pk, SK: keys.orderItem(order.orderId), type: 'order' });
  }
  if (request.orderSummary) {
    const { next, expectedVersion } = request.orderSummary;
    put(
      { ...summaryItem(next), PK: pk, SK: keys.orderSummary, type: 'orders', version: expectedVersion + 1 },
      expectedVersion === 0 ? 'attribute_not_exists(PK)' : 'version = :v',
      expectedVersion === 0 ? undefined : { ':v': expectedVersion },
    );
  }
  for (const orderId of request.retireLegacyOrders ?? []) {
    items.push({ Delete: { TableName: table.tableName, Key: { PK: pk, SK: keys.order(orderId) } } });
  }
  for (const instance of request.instances ?? []) {
    const { version, ...data } = instance;
    const timer =
      (instance.status === 'active' || instance.status === 'watching') && instance.waiting
        ? {
            [TABLE.timerIndex.partitionKey]: table.timerShard(request.customerId),
            [TABLE.timerIndex.sortKey]: instance.waiting.dueAt,
          }
        : {};
    put(
      {
        ...data,
        ...timer,
        PK: pk,
        SK: keys.instance(instance.journeyId, instance.instanceId),
        type: 'instance',
        version: version + 1,
      },
      version === 0 ? 'attribute_not_exists(PK)' : 'version = :v',
      version === 0 ? undefined : { ':v': version },
    );
  }
  if (request.settle) {
    const { instances, history } = request.settle;
    for (const instance of instances) {
      const { version, ...data } = instance;
      if (version > 0)
        items.push({
          Delete: {
            TableName: table.tableName,
            Key: { PK: pk, SK: keys.instance(instance.journeyId, instance.instanceId) },
            ConditionExpression: 'version = :v',
            ExpressionAttributeValues: { ':v': version },
          },
        });
      // Moving it is a write: the archived copy carries the version after it.
      put({
        ...data,
        PK: pk,
        SK: keys.archivedInstance(instance.journeyId, instance.instanceId),
        type: 'archived-instance',
        version: version + 1,
        settledAt: request.now,
      });
    }
    const { version, ...data } = history;
    put(
      {
        ...data,
        PK: pk,
        SK: keys.journeyHistory(history.journeyId),
        type: 'journey-history',
        version: version + 1,
      },
      version === 0 ? 'attribute_not_exists(PK)' : 'version = :v',
      version === 0 ? undefined : { ':v': version },
    );
  }
  if (request.ledger) {
    const { sends, version } = request.ledger;
    put(
      { PK: pk, SK: keys.ledger, type: 'ledger', sends, version: version + 1 },
      version === 0 ? 'attribute_not_exists(PK)' : 'version = :v',
      version === 0 ? undefined : { ':v': version },
    );
  }
  if (request.loyalty) {
    const { next, expectedVersion, movements } = request.loyalty;
    if (next.customerId !== request.customerId)
      throw new RangeError(`loyalty account of ${next.customerId} in a decision on ${request.customerId}`);
    items.push(accountPut(table.tableName, next, expectedVersion, table.timerShard(request.customerId)));
    for (const movement of movements) items.push(movementPut(table.tableName, request.customerId, movement));
  }
  for (const effect of request.effects ?? []) {
    const entry = outboxEntry(request.customerId, effect, request.now);
    // Deterministic ids: the same logical send can never be enqueued twice.
    put({ ...entry, PK: pk, SK: keys.outbox(effect.outboxId), type: 'outbox' }, 'attribute_not_exists(PK)');
  }
  for (const { definition, version } of request.definitions ?? []) {
    // Unconditional: the snapshot for a version is always the same content.
    put({
      PK: keys.definition(definition.id),
      SK: keys.definitionVersion(version),
      type: 'definition',
      definition,
    });
  }
  if (request.referralLink) {
    const { referrerId, code } = request.referralLink;
    put({
      PK: keys.customer(referrerId),
      SK: keys.referee(request.customerId),
      type: 'referral-link',
      refereeId: request.customerId,
      code,
      linkedAt: request.now,
    });
    items.push(unlessErased(table.tableName, referrerId));
  }
  return items;
}
