/**
 * The single-table store. Per decision: one Query on the customer's partition, then one conditional
 * TransactWriteItems carrying the new state, its timer and its outbox entries together.
 */
import { TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import {
  type DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  QueryCommand,
  type QueryCommandInput,
  type QueryCommandOutput,
  TransactWriteCommand,
  type TransactWriteCommandInput,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import { unitHash } from '../core/codes.ts';
import type { JourneyDefinition } from '../core/definition.ts';
import type {
  CustomerView,
  Effect,
  JourneyInstance,
  MarketingLedger,
  Order,
  Profile,
} from '../core/model.ts';
import type { OutboxStatus } from '../core/outbox.ts';
import { customerHash } from '../core/privacy.ts';
import type { ReferralCodeRecord } from '../core/referral.ts';
import { CONFLICT, retryOnConflict } from '../services/retry.ts';
import { eraseCustomer, isErased, refusedAsErased, unlessErased } from './erasure.ts';
import { TABLE } from './table-schema.ts';

type TransactItem = NonNullable<TransactWriteCommandInput['TransactItems']>[number];

/**
 * What the stores need of a DynamoDB document client: `send`. Lambda and the local runtime pass a
 * `DynamoDBDocumentClient`; the simulator's memory mode passes `MemoryTables` (local/memory-table/table.ts).
 */
export type DocumentSender = Pick<DynamoDBDocumentClient, 'send'>;

/** Every item a query matches, page after page (a page stops at 1 MB). Not for hot paths. */
export async function queryAll(
  doc: DocumentSender,
  input: Omit<QueryCommandInput, 'ExclusiveStartKey'>,
): Promise<Record<string, unknown>[]> {
  const items: Record<string, unknown>[] = [];
  let startKey: Record<string, unknown> | undefined;
  do {
    const page: QueryCommandOutput = await doc.send(
      new QueryCommand({ ...input, ExclusiveStartKey: startKey }),
    );
    items.push(...(page.Items ?? []));
    startKey = page.LastEvaluatedKey;
  } while (startKey);
  return items;
}

export const keys = {
  customer: (customerId: string) => `C#${customerId}`,
  /** Sorts before J#, O# and OUT#, so `SK < "OUT#"` reads profile, instances and orders only. */
  profile: '#PROFILE',
  /** Marketing sends across journeys, for the frequency cap; also before `OUT#`. */
  ledger: '#LEDGER',
  instance: (journeyId: string, instanceId: string) => `J#${journeyId}#${instanceId}`,
  order: (orderId: string) => `O#${orderId}`,
  outbox: (outboxId: string) => `OUT#${outboxId}`,
  outboxPrefix: 'OUT#',
  definition: (journeyId: string) => `D#${journeyId}`,
  definitionVersion: (version: string) => `V#${version}`,
  processed: (eventId: string) => `E#${eventId}`,
  rejected: (day: string) => `REJECTED#${day}`,
  /** A rejected event's copy in the customer's partition (sorts after `OUT#`: never loaded by decisions). */
  customerRejection: (sk: string) => `REJECTED#${sk}`,
  /** Erasure tombstone: outside the customer's partition and keyed by a hash, never the id itself. */
  erased: (customerId: string) => ({ PK: `ERASED#${customerHash(customerId)}`, SK: 'ERASED' }),
  /** Marketing suppression of an address, keyed by `addressHash` (core/privacy.ts): it outlives erasure. */
  suppressed: (addressHash: string) => ({ PK: `SUPPRESSED#${addressHash}`, SK: 'SUPPRESSED' }),
  /** A submitted feedback answer (idempotency per link), in the customer's partition. */
  feedback: (feedbackId: string) => `FB#${feedbackId}`,
  /** The answers to one email's NPS question (core/feedback.ts); sorts after `OUT#`. */
  survey: (orderId: string) => `SURVEY#${orderId}`,
  referralCode: (code: string) => ({ PK: `R#${code}`, SK: 'CODE' }),
  /**
   * In the referrer's partition, one per attributed referee: how erasure of either end finds the
   * other end's items without a scan. Sorts after `OUT#`, so decisions never load it.
   */
  referee: (refereeId: string) => `REFEREE#${refereeId}`,
};

export interface StoredCustomer {
  view: CustomerView;
  /** Optimistic-lock version of the profile item; 0 when there is none. */
  profileVersion: number;
  /** How many read requests the load took (a large partition pages). */
  reads: number;
}

export type { OutboxStatus } from '../core/outbox.ts';

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

/** The outbox entry a decision's effect becomes, as written and as the dispatcher receives it. */
export function outboxEntry(customerId: string, effect: Effect, now: string): OutboxItem {
  return { customerId, outboxId: effect.outboxId, effect, status: 'pending', createdAt: now, attempts: 0 };
}

export interface SaveRequest {
  customerId: string;
  /** Idempotency marker: the event id and the consumer that processed it. */
  processed?: { eventId: string; consumer: string } | undefined;
  profile?: { next: Profile; expectedVersion: number } | undefined;
  orders?: Order[] | undefined;
  instances?: JourneyInstance[] | undefined;
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
  now: string;
}

/** `erased`: the customer was erased (`customer.deleted`); nothing was written and nothing may be. */
export type SaveResult = 'saved' | 'duplicate' | 'conflict' | 'erased';

export interface StoreOptions {
  timerShards: number;
  /** How long idempotency markers and finished outbox entries are kept. */
  retentionDays: number;
}

export interface CapacityMeter {
  record(operation: string, capacityUnits: number | undefined): void;
}

/** `days` after `iso`, in epoch seconds (the TTL attribute's unit). */
export const epochSeconds = (iso: string, days: number) => Math.floor(Date.parse(iso) / 1000) + days * 86_400;

/** Attribute names the store owns; everything else on an item is the model's data. */
const KEY_FIELDS = [
  'PK',
  'SK',
  'type',
  'version',
  TABLE.timerIndex.partitionKey,
  TABLE.timerIndex.sortKey,
  TABLE.ttlAttribute,
];

function strip<T>(item: Record<string, unknown>): T {
  const data: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(item)) if (!KEY_FIELDS.includes(k)) data[k] = v;
  return data as T;
}

export class JourneyStore {
  constructor(
    private readonly doc: DocumentSender,
    private readonly tableName: string,
    private readonly options: StoreOptions,
    private readonly meter?: CapacityMeter,
  ) {}

  timerShard(customerId: string): number {
    return Math.floor(unitHash(`shard:${customerId}`) * this.options.timerShards);
  }

  async loadCustomer(customerId: string): Promise<StoredCustomer> {
    const view: CustomerView = { profile: undefined, orders: [], instances: [] };
    let profileVersion = 0;
    let reads = 0;
    let startKey: Record<string, unknown> | undefined;
    do {
      const page: QueryCommandOutput = await this.doc.send(
        new QueryCommand({
          TableName: this.tableName,
          KeyConditionExpression: '#pk = :pk AND #sk < :outbox',
          ExpressionAttributeNames: { '#pk': TABLE.partitionKey, '#sk': TABLE.sortKey },
          ExpressionAttributeValues: { ':pk': keys.customer(customerId), ':outbox': keys.outboxPrefix },
          ConsistentRead: true,
          ExclusiveStartKey: startKey,
          ReturnConsumedCapacity: 'TOTAL',
        }),
      );
      reads++;
      this.meter?.record('Query', page.ConsumedCapacity?.CapacityUnits);
      for (const item of page.Items ?? []) {
        if (item.type === 'profile') {
          view.profile = strip<Profile>(item);
          profileVersion = item.version as number;
        } else if (item.type === 'instance') {
          view.instances.push({ ...strip<JourneyInstance>(item), version: item.version as number });
        } else if (item.type === 'ledger') {
          view.ledger = {
            sends: (item.sends ?? []) as MarketingLedger['sends'],
            version: item.version as number,
          };
        } else if (item.type === 'order') {
          view.orders.push(strip<Order>(item));
        }
      }
      startKey = page.LastEvaluatedKey;
    } while (startKey);
    return { view, profileVersion, reads };
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
  async save(request: SaveRequest): Promise<SaveResult> {
    const items: TransactItem[] = [];
    const pk = keys.customer(request.customerId);
    const put = (
      Item: Record<string, unknown>,
      ConditionExpression?: string,
      values?: Record<string, unknown>,
    ) =>
      items.push({
        Put: {
          TableName: this.tableName,
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
          [TABLE.ttlAttribute]: epochSeconds(request.now, this.options.retentionDays),
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
      put({ ...order, PK: pk, SK: keys.order(order.orderId), type: 'order' });
    }
    for (const instance of request.instances ?? []) {
      const { version, ...data } = instance;
      const timer =
        (instance.status === 'active' || instance.status === 'watching') && instance.waiting
          ? {
              [TABLE.timerIndex.partitionKey]: this.timerShard(request.customerId),
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
    if (request.ledger) {
      const { sends, version } = request.ledger;
      put(
        { PK: pk, SK: keys.ledger, type: 'ledger', sends, version: version + 1 },
        version === 0 ? 'attribute_not_exists(PK)' : 'version = :v',
        version === 0 ? undefined : { ':v': version },
      );
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
      items.push(unlessErased(this.tableName, referrerId));
    }
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

  /** Keys of instances whose timer is due, from one shard of the sparse timer index. */
  async dueTimers(shard: number, now: string, limit = 500): Promise<DueTimer[]> {
    return (await this.dueWork(shard, now, limit)).timers;
  }

  /**
   * Everything due in one shard of the timer index, in one query: instance timers (`J#…`) and outbox
   * entries waiting for a retry or a reconciliation (`OUT#…`), told apart by their sort key.
   */
  async dueWork(
    shard: number,
    now: string,
    limit = 500,
  ): Promise<{ timers: DueTimer[]; outbox: DueOutbox[] }> {
    const timers: DueTimer[] = [];
    const outbox: DueOutbox[] = [];
    let startKey: Record<string, unknown> | undefined;
    do {
      const page: QueryCommandOutput = await this.doc.send(
        new QueryCommand({
          TableName: this.tableName,
          IndexName: TABLE.timerIndex.name,
          KeyConditionExpression: '#shard = :shard AND #due <= :now',
          ExpressionAttributeNames: {
            '#shard': TABLE.timerIndex.partitionKey,
            '#due': TABLE.timerIndex.sortKey,
          },
          ExpressionAttributeValues: { ':shard': shard, ':now': now },
          ExclusiveStartKey: startKey,
          Limit: limit - timers.length - outbox.length,
          ReturnConsumedCapacity: 'TOTAL',
        }),
      );
      this.meter?.record('Query', page.ConsumedCapacity?.CapacityUnits);
      for (const item of page.Items ?? []) {
        const sk = item.SK as string;
        const customerId = (item.PK as string).slice(2);
        const dueAt = item[TABLE.timerIndex.sortKey] as string;
        if (sk.startsWith(keys.outboxPrefix)) {
          outbox.push({ customerId, outboxId: sk.slice(keys.outboxPrefix.length), dueAt });
          continue;
        }
        const [, journeyId, ...rest] = sk.split('#');
        timers.push({ customerId, journeyId: journeyId as string, instanceId: rest.join('#'), dueAt });
      }
      startKey = page.LastEvaluatedKey;
    } while (startKey && timers.length + outbox.length < limit);
    return { timers, outbox };
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
      if ((error as Error).name === 'ConditionalCheckFailedException') return false;
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

  /**
   * Keeps a rejected event where it can be inspected and replayed: by day, and — when the detail names
   * a customer — a copy in the customer's partition, so erasure finds it. Whatever the detail is
   * (unsafe numbers, deep nesting, `__proto__`, megabytes), it is stored as a JSON string cut to
   * `REJECTED_DETAIL_CHARS`, so this write cannot fail on the data; only infrastructure faults throw.
   * Once the customer is erased, the record keeps no personal data (the detail is redacted).
   */
  async recordRejection(rejection: Rejection): Promise<void> {
    const day = rejection.now.slice(0, 10);
    const record = storableRejection(rejection);
    const dayItem = {
      PK: keys.rejected(day),
      // Keyed by event id: every consumer that rejects the same event writes the same record.
      SK: `${record.time}#${record.eventId}`,
      type: 'rejected',
      ...record,
      [TABLE.ttlAttribute]: epochSeconds(rejection.now, 90),
    };
    const customerId = attributedCustomer(
      rejection.customerId === undefined ? rejection.detail : { customerId: rejection.customerId },
    );
    if (customerId === undefined) {
      await this.doc.send(new PutCommand({ TableName: this.tableName, Item: dayItem }));
      return;
    }
    // Consumers rejecting the same event at once write the same items and may collide: a lost
    // transaction is written again (nothing is read, so nothing is decided again).
    await retryOnConflict(
      `rejected event ${record.eventId}`,
      async () => {
        try {
          // With the tombstone check in the same transaction: a customer erased meanwhile gets neither.
          await this.doc.send(
            new TransactWriteCommand({
              TransactItems: [
                { Put: { TableName: this.tableName, Item: dayItem } },
                {
                  Put: {
                    TableName: this.tableName,
                    Item: {
                      ...dayItem,
                      PK: keys.customer(customerId),
                      SK: keys.customerRejection(dayItem.SK),
                      dayPK: dayItem.PK,
                      daySK: dayItem.SK,
                    },
                  },
                },
                unlessErased(this.tableName, customerId),
              ],
            }),
          );
          return 'written';
        } catch (error) {
          if (!(error instanceof TransactionCanceledException)) throw error;
          if (!refusedAsErased(error, 2)) return CONFLICT;
        }
        const { PK, SK, type, eventId, detailType, source, time, errors, consumer, now } = dayItem;
        const redacted = { PK, SK, type, eventId, detailType, source, time, errors, consumer, now };
        await this.doc.send(
          new PutCommand({
            TableName: this.tableName,
            Item: {
              ...redacted,
              detail: '[redacted: customer erased]',
              redacted: 'customer erased',
              [TABLE.ttlAttribute]: dayItem[TABLE.ttlAttribute],
            },
          }),
        );
        return 'redacted';
      },
      { maxAttempts: 5 },
    );
  }

  async rejections(day: string): Promise<Record<string, unknown>[]> {
    // Pages: a day of rejected details (up to 16,000 characters each) passes 1 MB quickly.
    return queryAll(this.doc, {
      TableName: this.tableName,
      KeyConditionExpression: 'PK = :pk',
      ExpressionAttributeValues: { ':pk': keys.rejected(day) },
    });
  }

  /** The rejected events whose detail named this customer (copies in the customer's partition). */
  async customerRejections(customerId: string): Promise<Record<string, unknown>[]> {
    return queryAll(this.doc, {
      TableName: this.tableName,
      KeyConditionExpression: 'PK = :pk AND begins_with(SK, :rejected)',
      ExpressionAttributeValues: {
        ':pk': keys.customer(customerId),
        ':rejected': keys.customerRejection(''),
      },
      ConsistentRead: true,
    });
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
      if ((error as Error).name === 'ConditionalCheckFailedException') return false;
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

export interface Rejection {
  /**
   * The customer the event is about when its detail does not say so at the top (a shop connector's
   * raw payload): the copy in their partition is what erasure finds.
   */
  customerId?: string | undefined;
  eventId: string;
  detailType: string;
  source: string;
  time: string;
  detail: unknown;
  errors: string[];
  consumer: string;
  now: string;
}

/** How much of a rejected detail is kept (as JSON text); enough to see what was wrong and replay most. */
export const REJECTED_DETAIL_CHARS = 16_000;

/** Every field as a bounded, well-formed string: DynamoDB keys, items and UTF-8 cannot refuse it. */
function storableRejection(rejection: Rejection) {
  return {
    eventId: clip(rejection.eventId, 200),
    detailType: clip(rejection.detailType, 200),
    source: clip(rejection.source, 256),
    time: clip(rejection.time, 64),
    detail: clip(detailText(rejection.detail), REJECTED_DETAIL_CHARS),
    errors: rejection.errors.slice(0, 25).map((error) => clip(error, 1000)),
    consumer: clip(rejection.consumer, 200),
    now: rejection.now,
  };
}

function detailText(detail: unknown): string {
  try {
    return JSON.stringify(detail) ?? String(detail);
  } catch {
    return '[not JSON: cannot be serialised]';
  }
}

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

function clip(value: unknown, max: number): string {
  const text = (typeof value === 'string' ? value : String(value)).replace(LONE_SURROGATE, '\uFFFD');
  if (text.length <= max) return text || '-';
  // Never end on half a surrogate pair.
  const kept = text.slice(0, max).replace(/[\uD800-\uDBFF]$/, '');
  return `${kept}…[truncated: ${kept.length} of ${text.length} characters kept]`;
}

/** The customer a rejected detail names, if the id could be one (the partition key must hold it). */
function attributedCustomer(detail: unknown): string | undefined {
  if (typeof detail !== 'object' || detail === null || !Object.hasOwn(detail, 'customerId')) return undefined;
  const id = (detail as { customerId?: unknown }).customerId;
  if (typeof id !== 'string') return undefined;
  const trimmed = id.trim();
  return trimmed.length > 0 && trimmed.length <= 200 ? trimmed : undefined;
}
