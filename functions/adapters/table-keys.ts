/**
 * The single table's layout: item keys, the attributes the store owns, paging queries, TTL times and
 * timer shards. Shared by every adapter on the table (store.ts, erasure.ts, feedback-store.ts, …).
 */
import {
  BatchGetCommand,
  type DynamoDBDocumentClient,
  QueryCommand,
  type QueryCommandInput,
  type QueryCommandOutput,
} from '@aws-sdk/lib-dynamodb';
import { unitHash } from '../core/codes.ts';
import { customerHash } from '../core/privacy.ts';
import { TABLE } from './table-schema.ts';

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

/** DynamoDB's limit of keys per BatchGetItem. */
const BATCH_KEYS = 100;
/** Rounds for keys DynamoDB left unprocessed (throttling) before the read counts as failed. */
const MAX_ROUNDS = 6;

/**
 * The items of one partition among the sort keys `sks` that exist, strongly consistent (an item a
 * racing decision wrote a moment ago must be seen). Unprocessed keys are asked for again with a
 * short backoff; `onRead` hears each request's consumed capacity.
 */
export async function getByKeys(
  doc: DocumentSender,
  tableName: string,
  pk: string,
  sks: readonly string[],
  onRead?: (capacityUnits: number | undefined) => void,
): Promise<Record<string, unknown>[]> {
  const found: Record<string, unknown>[] = [];
  const unique = [...new Set(sks)];
  for (let i = 0; i < unique.length; i += BATCH_KEYS) {
    let pending: Record<string, unknown>[] = unique.slice(i, i + BATCH_KEYS).map((SK) => ({ PK: pk, SK }));
    for (let round = 0; pending.length > 0; round++) {
      if (round >= MAX_ROUNDS) throw new Error(`partition ${pk}: keys still unprocessed`);
      if (round > 0) await new Promise((resolve) => setTimeout(resolve, 25 * 2 ** round));
      const result = await doc.send(
        new BatchGetCommand({
          RequestItems: { [tableName]: { Keys: pending, ConsistentRead: true } },
          ReturnConsumedCapacity: 'TOTAL',
        }),
      );
      onRead?.(result.ConsumedCapacity?.reduce((sum, c) => sum + (c.CapacityUnits ?? 0), 0));
      found.push(...(result.Responses?.[tableName] ?? []));
      pending = (result.UnprocessedKeys?.[tableName]?.Keys ?? []) as Record<string, unknown>[];
    }
  }
  return found;
}

export const keys = {
  customer: (customerId: string) => `C#${customerId}`,
  /**
   * The decision's Query reads `SK < "OUT#"`: what a decision needs and nothing that grows with the
   * customer's history — profile, ledger, loyalty account, order summary, each journey's entry history
   * and its live instances. What grows (every order, settled instances) is kept under keys sorting
   * after `OUT#` (`X…#`) and read by key only. `O#` is where order items were kept before: still read,
   * and moved out by the profile projection when it meets them.
   */
  profile: '#PROFILE',
  /** What every `#` item shares: the customer's own state, no journey instances (loadCustomerFacts). */
  ownPrefix: '#',
  /** Marketing sends across journeys, for the frequency cap; also before `OUT#`. */
  ledger: '#LEDGER',
  /** The loyalty account (core/loyalty/account.ts); before `OUT#`, so the decision's Query loads it. */
  loyalty: '#LOYALTY',
  /**
   * One immutable loyalty ledger item (a movement). Sorts after `OUT#`: decisions never load the
   * ledger, which grows without bound; they read the few items a cause names by id (BatchGet).
   */
  movement: (movementId: string) => `PTS#${movementId}`,
  /** All-time order aggregates and the recent orders (core/order-history.ts). */
  orderSummary: '#ORDERS',
  /** One journey's entries of instances no longer live (core/journey-history.ts). */
  journeyHistory: (journeyId: string) => `#JH#${journeyId}`,
  /** Sorts right after every live instance of `journeyId` (`$` follows `#`): a journey's read ends there. */
  instancesAfter: (journeyId: string) => `J#${journeyId}$`,
  /** A live instance (running, watching, or finished with its goal still open). */
  instance: (journeyId: string, instanceId: string) => `J#${journeyId}#${instanceId}`,
  /** A settled instance: out of the decision's range, read by key (re-entry for the same key). */
  archivedInstance: (journeyId: string, instanceId: string) => `XJ#${journeyId}#${instanceId}`,
  /** The name of an order in references (analytics) and where order items were kept before `XO#`. */
  order: (orderId: string) => `O#${orderId}`,
  /** One order as the shop told it; out of the decision's range (the summary carries the recent ones). */
  orderItem: (orderId: string) => `XO#${orderId}`,
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
  /**
   * A submitted feedback answer (idempotency per link), in the customer's partition. Inside the
   * decision's range, but bounded: it expires with its link (TTL).
   */
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

const KEY_FIELD_SET: ReadonlySet<string> = new Set(KEY_FIELDS);

export function strip<T>(item: Record<string, unknown>): T {
  const data: Record<string, unknown> = {};
  for (const k in item) if (Object.hasOwn(item, k) && !KEY_FIELD_SET.has(k)) data[k] = item[k];
  return data as T;
}

/** The timer index shard of a customer: where its instances' and outbox entries' timers go. */
export function timerShard(customerId: string, timerShards: number): number {
  return Math.floor(unitHash(`shard:${customerId}`) * timerShards);
}
