/**
 * The single-table store. Per decision: one Query on the customer's partition, then one conditional
 * TransactWriteItems carrying the new state, its timer and its outbox entries together.
 * The table's layout is table-keys.ts, the decision's items save-transaction.ts, the rejected log
 * rejected-log.ts, erasure erasure.ts; JourneyStore is the one object services hold.
 */
import { TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import {
  GetCommand,
  PutCommand,
  QueryCommand,
  TransactWriteCommand,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import type { JourneyDefinition } from '../core/definition.ts';
import type { Movement } from '../core/loyalty/account.ts';
import type { JourneyInstance, Order, Profile } from '../core/model.ts';
import type { OrderRetention } from '../core/order-history.ts';
import type { OutboxStatus } from '../core/outbox.ts';
import type { ReferralCodeRecord } from '../core/referral.ts';
import { CustomerReads, type StoredCustomer } from './customer-reads.ts';
import { type DueTimer, type DueWork, dueWork } from './due-work.ts';
import { eraseCustomer, isErased, refusedAsErased, unlessErased } from './erasure.ts';
import { isConditionFailure } from './errors.ts';
import { getMovements } from './loyalty-store.ts';
import { customerRejections, type Rejection, recordRejection, rejections } from './rejected-log.ts';
import { type OutboxItem, type SaveRequest, type SaveResult, saveItems } from './save-transaction.ts';
import { type DocumentSender, epochSeconds, keys, strip, timerShard } from './table-keys.ts';
import { TABLE } from './table-schema.ts';

export type { OutboxStatus } from '../core/outbox.ts';
export type { StoredCustomer } from './customer-reads.ts';
// What importers have always taken from here.
export type { DueLoyalty, DueOutbox, DueTimer, DueWork } from './due-work.ts';
export { REJECTED_DETAIL_CHARS, type Rejection } from './rejected-log.ts';
export { type OutboxItem, outboxEntry, type SaveRequest, type SaveResult } from './save-transaction.ts';
export { type DocumentSender, epochSeconds, keys, queryAll } from './table-keys.ts';

export interface StoreOptions {
  timerShards: number;
  /** How long idempotency markers and finished outbox entries are kept. */
  retentionDays: number;
}

export interface CapacityMeter {
  record(operation: string, capacityUnits: number | undefined): void;
}

export class JourneyStore {
  /** Definition snapshots this process has written (save). */
  private readonly snapshotsWritten = new Set<string>();
  private readonly reads: CustomerReads;

  constructor(
    private readonly doc: DocumentSender,
    private readonly tableName: string,
    private readonly options: StoreOptions,
    private readonly meter?: CapacityMeter,
  ) {
    this.reads = new CustomerReads(doc, tableName, (operation, units) => meter?.record(operation, units));
  }

  timerShard(customerId: string): number {
    return timerShard(customerId, this.options.timerShards);
  }

  /** The customer as a journey's decision (or, without `journeyId`, any reader) sees them (customer-reads.ts). */
  loadCustomer(customerId: string, retention?: OrderRetention, journeyId?: string): Promise<StoredCustomer> {
    return this.reads.loadCustomer(customerId, retention, journeyId);
  }

  /** The customer without journey instances: the profile projection, loyalty, value checks. */
  loadCustomerFacts(customerId: string, retention?: OrderRetention): Promise<StoredCustomer> {
    return this.reads.loadCustomerFacts(customerId, retention);
  }

  /** A journey's settled instances of a customer, from the archive (inspection and tests; not a hot path). */
  archivedInstancesOf(customerId: string, journeyId: string): Promise<JourneyInstance[]> {
    return this.reads.archivedInstancesOf(customerId, journeyId);
  }

  /** Which of these instances of a journey were settled and archived (read by key). */
  archivedInstances(
    customerId: string,
    journeyId: string,
    instanceIds: readonly string[],
  ): Promise<string[]> {
    return this.reads.archivedInstances(customerId, journeyId, instanceIds);
  }

  /** Orders by id, from their own items (those the summary no longer holds in full). */
  getOrders(customerId: string, orderIds: readonly string[]): Promise<Order[]> {
    return this.reads.getOrders(customerId, orderIds);
  }

  async loadDefinition(journeyId: string, version: string): Promise<JourneyDefinition | undefined> {
    const result = await this.doc.send(
      new GetCommand({
        TableName: this.tableName,
        Key: { PK: keys.definition(journeyId), SK: keys.definitionVersion(version) },
        ReturnConsumedCapacity: 'TOTAL',
      }),
    );
    this.meter?.record('GetItem', result.ConsumedCapacity?.CapacityUnits);
    return result.Item?.definition as JourneyDefinition | undefined;
  }

  /** Writes one decision atomically; a lost optimistic-lock race comes back as `conflict`. */
  async save(decision: SaveRequest): Promise<SaveResult> {
    // A definition snapshot is content-addressed and never changes: once this process has written
    // one, entering decisions need not write its kilobytes again.
    const snapshots = decision.definitions?.filter((d) => !this.snapshotsWritten.has(d.version));
    const request = snapshots === decision.definitions ? decision : { ...decision, definitions: snapshots };
    const items = saveItems(request, {
      tableName: this.tableName,
      retentionDays: this.options.retentionDays,
      timerShard: (customerId) => this.timerShard(customerId),
    });
    if (items.length === 0) return 'saved';
    if (items.length > 100)
      throw new RangeError(`one decision would write ${items.length} items; the limit is 100`);
    // Nothing may recreate an erased customer: the tombstone check rides in the same transaction.
    // A decision of exactly 100 items leaves no room for it and reads the tombstone first instead.
    const tombstoneAt = items.length < 100 ? items.length : -1;
    if (tombstoneAt >= 0) {
      items.push(unlessErased(this.tableName, request.customerId));
    } else if (await this.isErased(request.customerId)) {
      return 'erased';
    }

    try {
      const result = await this.doc.send(
        new TransactWriteCommand({ TransactItems: items, ReturnConsumedCapacity: 'TOTAL' }),
      );
      this.meter?.record(
        'TransactWriteItems',
        result.ConsumedCapacity?.reduce((sum, c) => sum + (c.CapacityUnits ?? 0), 0),
      );
      for (const { version } of snapshots ?? []) this.snapshotsWritten.add(version);
      return 'saved';
    } catch (error) {
      if (!(error instanceof TransactionCanceledException)) throw error;
      this.meter?.record('TransactWriteItems', undefined);
      const reasons = error.CancellationReasons ?? [];
      if (request.processed && reasons[0]?.Code === 'ConditionalCheckFailed') return 'duplicate';
      if (tombstoneAt >= 0 && refusedAsErased(error, tombstoneAt)) return 'erased';
      if (reasons.some((r) => r.Code === 'ConditionalCheckFailed' || r.Code === 'TransactionConflict')) {
        return 'conflict';
      }
      throw error;
    }
  }

  /** The loyalty ledger items among `ids` that exist (one consistent BatchGet per 100 ids). */
  getMovements(customerId: string, ids: readonly string[]): Promise<Map<string, Movement>> {
    return getMovements(this.doc, this.tableName, customerId, ids);
  }

  /** Keys of instances whose timer is due, from one shard of the sparse timer index. */
  async dueTimers(shard: number, now: string, limit = 500): Promise<DueTimer[]> {
    return (await this.dueWork(shard, now, limit)).timers;
  }

  /** Everything due in one shard of the timer index (due-work.ts). */
  dueWork(shard: number, now: string, limit = 500): Promise<DueWork> {
    return dueWork({ doc: this.doc, tableName: this.tableName, meter: this.meter }, shard, now, limit);
  }

  /** The earliest pending timer across shards; the simulator jumps its clock there. */
  async nextTimer(): Promise<string | undefined> {
    const firsts = await Promise.all(
      Array.from({ length: this.options.timerShards }, async (_, shard) => {
        const page = await this.doc.send(
          new QueryCommand({
            TableName: this.tableName,
            IndexName: TABLE.timerIndex.name,
            KeyConditionExpression: '#shard = :shard',
            ExpressionAttributeNames: { '#shard': TABLE.timerIndex.partitionKey },
            ExpressionAttributeValues: { ':shard': shard },
            Limit: 1,
          }),
        );
        return page.Items?.[0]?.[TABLE.timerIndex.sortKey] as string | undefined;
      }),
    );
    return firsts.filter((d): d is string => d !== undefined).sort()[0];
  }

  async getProfile(customerId: string): Promise<Profile | undefined> {
    const result = await this.doc.send(
      new GetCommand({
        TableName: this.tableName,
        Key: { PK: keys.customer(customerId), SK: keys.profile },
        ReturnConsumedCapacity: 'TOTAL',
      }),
    );
    this.meter?.record('GetItem', result.ConsumedCapacity?.CapacityUnits);
    return result.Item ? strip<Profile>(result.Item) : undefined;
  }

  /**
   * Moves an outbox entry from one status (or any of several) to another, only if it is still there:
   * one conditional update. Returns false when another attempt got there first. With `timer.dueAt`
   * the entry carries a timer on the sparse index (the sweeper retries or reconciles it then);
   * without, any timer it had is removed — so only entries waiting for something are on the index.
   * `timer.ifDueAt` also requires the timer to be the one the caller read (a reconciliation must not
   * act on an entry that was claimed again since).
   */
  async transitionOutbox(
    customerId: string,
    outboxId: string,
    from: OutboxStatus | readonly OutboxStatus[],
    to: OutboxStatus,
    fields: Record<string, unknown> = {},
    now?: string,
    timer: { dueAt?: string | undefined; ifDueAt?: string | undefined } = {},
  ): Promise<boolean> {
    const { dueAt, ifDueAt } = timer;
    const froms = typeof from === 'string' ? [from] : from;
    const names: Record<string, string> = {
      '#status': 'status',
      '#shard': TABLE.timerIndex.partitionKey,
      '#due': TABLE.timerIndex.sortKey,
    };
    const values: Record<string, unknown> = { ':to': to };
    froms.forEach((f, i) => {
      values[`:from${i}`] = f;
    });
    const sets = ['#status = :to'];
    for (const [i, [k, v]] of Object.entries(fields).entries()) {
      names[`#f${i}`] = k;
      values[`:f${i}`] = v;
      sets.push(`#f${i} = :f${i}`);
    }
    if (now && (to === 'sent' || to === 'skipped' || to === 'failed')) {
      names['#ttl'] = TABLE.ttlAttribute;
      values[':ttl'] = epochSeconds(now, this.options.retentionDays);
      sets.push('#ttl = :ttl');
    }
    if (ifDueAt) values[':ifDue'] = ifDueAt;
    let update = `SET ${sets.join(', ')}`;
    if (dueAt) {
      values[':shard'] = this.timerShard(customerId);
      values[':due'] = dueAt;
      update += ', #shard = :shard, #due = :due';
    } else {
      update += ' REMOVE #shard, #due';
    }
    try {
      const result = await this.doc.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: { PK: keys.customer(customerId), SK: keys.outbox(outboxId) },
          UpdateExpression: update,
          ConditionExpression: ifDueAt
            ? `(${froms.map((_, i) => `#status = :from${i}`).join(' OR ')}) AND #due = :ifDue`
            : froms.map((_, i) => `#status = :from${i}`).join(' OR '),
          ExpressionAttributeNames: names,
          ExpressionAttributeValues: values,
          ReturnConsumedCapacity: 'TOTAL',
        }),
      );
      this.meter?.record('UpdateItem', result.ConsumedCapacity?.CapacityUnits);
      return true;
    } catch (error) {
      if (isConditionFailure(error)) return false;
      throw error;
    }
  }

  async getOutbox(customerId: string, outboxId: string): Promise<OutboxItem | undefined> {
    const result = await this.doc.send(
      new GetCommand({
        TableName: this.tableName,
        Key: { PK: keys.customer(customerId), SK: keys.outbox(outboxId) },
        ConsistentRead: true,
      }),
    );
    if (!result.Item) return undefined;
    const dueAt = result.Item[TABLE.timerIndex.sortKey] as string | undefined;
    return { ...strip<OutboxItem>(result.Item), ...(dueAt ? { dueAt } : {}) };
  }

  /** The rejected log (rejected-log.ts). */
  recordRejection(rejection: Rejection): Promise<void> {
    return recordRejection(this.doc, this.tableName, rejection);
  }

  rejections(day: string): Promise<Record<string, unknown>[]> {
    return rejections(this.doc, this.tableName, day);
  }

  /** The rejected events whose detail named this customer (copies in the customer's partition). */
  customerRejections(customerId: string): Promise<Record<string, unknown>[]> {
    return customerRejections(this.doc, this.tableName, customerId);
  }

  /** Whether `customer.deleted` erased this customer (the tombstone exists). */
  isErased(customerId: string): Promise<boolean> {
    return isErased(this.doc, this.tableName, customerId);
  }

  /** customer.deleted (adapters/erasure.ts). Returns how many partition items were deleted. */
  eraseCustomer(customerId: string): Promise<number> {
    return eraseCustomer(this.doc, this.tableName, customerId);
  }

  /**
   * Claims a referral code for its owner: succeeds when the code is free or already the owner's
   * (a retry), fails when another customer holds it (the caller tries the next suffix).
   */
  async claimReferralCode(record: ReferralCodeRecord): Promise<boolean> {
    try {
      const result = await this.doc.send(
        new PutCommand({
          TableName: this.tableName,
          Item: { ...keys.referralCode(record.code), type: 'referral-code', ...record },
          ConditionExpression: 'attribute_not_exists(PK) OR ownerId = :owner',
          ExpressionAttributeValues: { ':owner': record.ownerId },
          ReturnConsumedCapacity: 'TOTAL',
        }),
      );
      this.meter?.record('PutItem', result.ConsumedCapacity?.CapacityUnits);
      return true;
    } catch (error) {
      if (isConditionFailure(error)) return false;
      throw error;
    }
  }

  async getReferralCode(code: string): Promise<ReferralCodeRecord | undefined> {
    const result = await this.doc.send(
      new GetCommand({
        TableName: this.tableName,
        Key: keys.referralCode(code),
        // Strongly consistent: a referee may register moments after the referrer's code was claimed.
        ConsistentRead: true,
        ReturnConsumedCapacity: 'TOTAL',
      }),
    );
    this.meter?.record('GetItem', result.ConsumedCapacity?.CapacityUnits);
    const item = result.Item;
    return item
      ? { code: item.code, ownerId: item.ownerId, ownerMailboxHash: item.ownerMailboxHash ?? '' }
      : undefined;
  }
}
