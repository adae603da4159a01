/**
 * An in-process table that answers the DynamoDB document-client commands the stores send
 * (Get, BatchGet, Put, Update, Delete, Query, TransactWrite) with DynamoDB's semantics: conditional writes,
 * all-or-nothing transactions with per-item cancellation reasons, key-condition queries in sort-key
 * order, the sparse timer index, copies in and out.
 *
 * Why it exists: `journeys simulate --store memory` runs large what-if simulations (a thousand
 * customers over months) in seconds. On two cores DynamoDB Local plus the SDK's HTTP round trips cost
 * about 2.5 ms of CPU per request and a simulated customer needs ~90 requests; here a request costs
 * microseconds. The stores' own code (every key, condition and transaction) runs unchanged on top,
 * so only DynamoDB itself is stood in for, and `test/integration/memory-table.test.ts` holds this
 * table to DynamoDB Local's answers for every expression the stores use. Integration tests and the
 * default simulator keep running against DynamoDB Local.
 *
 * Anything outside the supported subset throws an `UnsupportedExpression` error naming it, instead of
 * guessing. The expressions are parsed and evaluated in expressions.ts.
 */

import type { CreateTableCommandInput } from '@aws-sdk/client-dynamodb';
import { ConditionalCheckFailedException, TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import {
  BatchGetCommand,
  DeleteCommand,
  GetCommand,
  PutCommand,
  QueryCommand,
  TransactWriteCommand,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import { UnsupportedExpression } from '../errors.ts';
import {
  applyUpdate,
  type Condition,
  compareKeys,
  copy,
  evaluate,
  type Item,
  type Names,
  operandValue,
  order,
  parseCondition,
  parseUpdate,
  type Scope,
  segmentName,
  shared,
  stored,
  ValidationException,
  type Value,
  type Values,
} from './expressions.ts';

// ---------------------------------------------------------------------------------------------------
// Tables
// ---------------------------------------------------------------------------------------------------

interface TableShape {
  partitionKey: string;
  sortKey: string;
  indexes: Map<string, { partitionKey: string; sortKey: string | undefined }>;
}

class Table {
  /** Partition key value → sort key value → item. */
  readonly partitions = new Map<string, Map<string, Item>>();
  /**
   * Each partition's items in sort-key order, kept until a key comes or goes (an item replaced under
   * its key keeps its place): a decision queries its customer's partition every time, and sorting
   * it anew for each was a fifth of the table's time.
   */
  private readonly sortedKeys = new Map<string, string[]>();
  constructor(readonly shape: TableShape) {}

  /** The items of one partition in sort-key order (DynamoDB's: UTF-8 bytes). */
  inKeyOrder(pk: string): Item[] {
    const partition = this.partitions.get(pk);
    if (!partition) return [];
    let keys = this.sortedKeys.get(pk);
    if (!keys) {
      keys = [...partition.keys()].sort(compareKeys);
      this.sortedKeys.set(pk, keys);
    }
    const items: Item[] = [];
    for (const sk of keys) items.push(partition.get(sk) as Item);
    return items;
  }

  keyOf(key: Item): [string, string] {
    const pk = key[this.shape.partitionKey];
    const sk = key[this.shape.sortKey];
    if (typeof pk !== 'string' || typeof sk !== 'string')
      throw new ValidationException(
        `The provided key element does not match the schema (${this.shape.partitionKey}, ${this.shape.sortKey})`,
      );
    return [pk, sk];
  }
  get(key: Item): Item | undefined {
    const [pk, sk] = this.keyOf(key);
    return this.partitions.get(pk)?.get(sk);
  }
  put(item: Item): void {
    const [pk, sk] = this.keyOf(item);
    let partition = this.partitions.get(pk);
    if (!partition) {
      partition = new Map();
      this.partitions.set(pk, partition);
    }
    if (!partition.has(sk)) this.sortedKeys.delete(pk);
    partition.set(sk, item);
  }
  delete(key: Item): void {
    const [pk, sk] = this.keyOf(key);
    const partition = this.partitions.get(pk);
    if (partition?.delete(sk)) this.sortedKeys.delete(pk);
    if (partition?.size === 0) this.partitions.delete(pk);
  }
}

/** The key condition's equality on the partition key, to go straight to one partition. */
function partitionValue(condition: Condition, attribute: string, scope: Scope): Value {
  if (condition.kind === 'and')
    return (
      partitionValue(condition.left, attribute, scope) ?? partitionValue(condition.right, attribute, scope)
    );
  if (
    condition.kind === 'compare' &&
    condition.op === '=' &&
    condition.left.kind === 'path' &&
    condition.left.path.segments.length === 1 &&
    segmentName(condition.left.path.segments[0] as string, scope) === attribute
  )
    return operandValue({}, condition.right, scope);
  return undefined;
}

type Write =
  | { kind: 'put'; table: Table; item: Item }
  | { kind: 'delete'; table: Table; key: Item }
  | { kind: 'check'; table: Table; key: Item };

function apply(write: Write): void {
  if (write.kind === 'put') write.table.put(write.item);
  else if (write.kind === 'delete') write.table.delete(write.key);
}

type TransactItem = NonNullable<TransactWriteCommand['input']['TransactItems']>[number];
type Conditional = {
  ConditionExpression?: string | undefined;
  ExpressionAttributeNames?: Names;
  ExpressionAttributeValues?: Values;
};

const conditionFailed = () =>
  new ConditionalCheckFailedException({ message: 'The conditional request failed', $metadata: {} });

/**
 * Speaks the document client's `send` for the commands above. Tables are created from the same
 * `CreateTableInput` as the deployed one (`createTable`); an unknown table is an error, as in DynamoDB.
 */
export class MemoryTables {
  private readonly tables = new Map<string, Table>();

  createTable(input: CreateTableCommandInput): void {
    const key = (schema: CreateTableCommandInput['KeySchema'], type: 'HASH' | 'RANGE') =>
      schema?.find((k) => k.KeyType === type)?.AttributeName;
    const partitionKey = key(input.KeySchema, 'HASH');
    const sortKey = key(input.KeySchema, 'RANGE');
    if (!input.TableName || !partitionKey || !sortKey)
      throw new ValidationException('a memory table needs a name, a partition key and a sort key');
    const indexes = new Map(
      (input.GlobalSecondaryIndexes ?? []).map((index) => [
        index.IndexName as string,
        {
          partitionKey: key(index.KeySchema, 'HASH') as string,
          sortKey: key(index.KeySchema, 'RANGE'),
        },
      ]),
    );
    this.tables.set(input.TableName, new Table({ partitionKey, sortKey, indexes }));
  }

  private table(name: string | undefined): Table {
    const table = name === undefined ? undefined : this.tables.get(name);
    if (!table)
      throw Object.assign(new Error(`Cannot do operations on a non-existent table: ${name}`), {
        name: 'ResourceNotFoundException',
      });
    return table;
  }

  // biome-ignore lint/suspicious/noExplicitAny: the document client's overloaded `send`, answered by command class
  async send(command: any): Promise<any> {
    // Yield once like a network call would, so concurrent work interleaves as it does against a server.
    await Promise.resolve();
    if (command instanceof GetCommand) {
      const item = this.table(command.input.TableName).get(command.input.Key as Item);
      return { Item: item ? shared(item) : undefined };
    }
    if (command instanceof BatchGetCommand) return this.batchGet(command.input);
    if (command instanceof PutCommand) return this.single({ Put: command.input });
    if (command instanceof DeleteCommand) return this.single({ Delete: command.input });
    if (command instanceof UpdateCommand) {
      const { ReturnValues, UpdateExpression, ...rest } = command.input;
      if (ReturnValues && ReturnValues !== 'NONE')
        throw new UnsupportedExpression(`ReturnValues ${ReturnValues} is not supported`);
      if (!UpdateExpression) throw new UnsupportedExpression('an update needs an UpdateExpression');
      return this.single({ Update: { ...rest, UpdateExpression } });
    }
    if (command instanceof QueryCommand) return this.query(command.input);
    if (command instanceof TransactWriteCommand) return this.transact(command.input.TransactItems ?? []);
    throw new UnsupportedExpression(`${command?.constructor?.name ?? 'this command'} is not supported`);
  }

  /** A single conditional write: a transaction of one, failing with the single-item error. */
  private single(entry: TransactItem): Record<string, never> {
    const { write, passed } = this.plan(entry);
    if (!passed) throw conditionFailed();
    apply(write);
    return {};
  }

  /** Whether the request's condition holds for the item at `key` (a missing item is `{}`). */
  private holds(table: Table, key: Item, request: Conditional): boolean {
    if (!request.ConditionExpression) return true;
    return evaluate(table.get(key) ?? {}, parseCondition(request.ConditionExpression), {
      names: request.ExpressionAttributeNames,
      values: request.ExpressionAttributeValues,
    });
  }

  /** What one write would do and whether its condition holds; nothing is changed yet. */
  private plan(entry: TransactItem): { write: Write; passed: boolean } {
    if (entry.Put) {
      const table = this.table(entry.Put.TableName);
      const item = entry.Put.Item as Item;
      return {
        write: { kind: 'put', table, item: stored(item) as Item },
        passed: this.holds(table, item, entry.Put),
      };
    }
    if (entry.Delete) {
      const table = this.table(entry.Delete.TableName);
      const key = entry.Delete.Key as Item;
      return { write: { kind: 'delete', table, key }, passed: this.holds(table, key, entry.Delete) };
    }
    if (entry.ConditionCheck) {
      const table = this.table(entry.ConditionCheck.TableName);
      const key = entry.ConditionCheck.Key as Item;
      return { write: { kind: 'check', table, key }, passed: this.holds(table, key, entry.ConditionCheck) };
    }
    if (entry.Update) {
      const table = this.table(entry.Update.TableName);
      const key = entry.Update.Key as Item;
      if (!this.holds(table, key, entry.Update))
        return { write: { kind: 'check', table, key }, passed: false };
      if (!entry.Update.UpdateExpression)
        throw new UnsupportedExpression('an update needs an UpdateExpression');
      const scope = {
        names: entry.Update.ExpressionAttributeNames,
        values: entry.Update.ExpressionAttributeValues,
      };
      const item = applyUpdate(
        table.get(key) ?? (copy(key) as Item),
        parseUpdate(entry.Update.UpdateExpression),
        scope,
        [table.shape.partitionKey, table.shape.sortKey],
      );
      return { write: { kind: 'put', table, item }, passed: true };
    }
    throw new ValidationException('a transaction item needs Put, Update, Delete or ConditionCheck');
  }

  /** Every key answered at once (nothing left unprocessed: there is no throttling here). */
  private batchGet(input: BatchGetCommand['input']): {
    Responses: Record<string, Item[]>;
    UnprocessedKeys: Record<string, never>;
  } {
    const requests = Object.entries(input.RequestItems ?? {});
    const total = requests.reduce((n, [, request]) => n + (request.Keys?.length ?? 0), 0);
    if (total === 0 || total > 100)
      throw new ValidationException('Too many items requested for the BatchGetItem call');
    const Responses: Record<string, Item[]> = {};
    for (const [name, request] of requests) {
      const table = this.table(name);
      const seen = new Set<string>();
      for (const key of request.Keys ?? []) {
        const id = JSON.stringify(table.keyOf(key as Item));
        if (seen.has(id)) throw new ValidationException('Provided list of item keys contains duplicates');
        seen.add(id);
      }
      const scope = { names: request.ExpressionAttributeNames, values: undefined };
      const project = request.ProjectionExpression
        ? request.ProjectionExpression.split(',').map((name) => segmentName(name.trim(), scope))
        : undefined;
      Responses[name] = (request.Keys ?? []).flatMap((key) => {
        const item = table.get(key as Item);
        if (!item) return [];
        if (!project) return [shared(item) as Item];
        return [
          Object.fromEntries(
            project.filter((field) => item[field] !== undefined).map((field) => [field, shared(item[field])]),
          ),
        ];
      });
    }
    return { Responses, UnprocessedKeys: {} };
  }

  private query(input: QueryCommand['input']): { Items: Item[]; Count: number; LastEvaluatedKey?: Item } {
    const table = this.table(input.TableName);
    if (!input.KeyConditionExpression) throw new ValidationException('Query needs a KeyConditionExpression');
    if (input.FilterExpression) throw new UnsupportedExpression('FilterExpression is not supported');
    const scope = { names: input.ExpressionAttributeNames, values: input.ExpressionAttributeValues };
    const condition = parseCondition(input.KeyConditionExpression);
    const index = input.IndexName ? table.shape.indexes.get(input.IndexName) : undefined;
    if (input.IndexName && !index)
      throw new ValidationException(`The table does not have the specified index: ${input.IndexName}`);
    const hashKey = index ? index.partitionKey : table.shape.partitionKey;
    const rangeKey = index ? index.sortKey : table.shape.sortKey;
    const hash = partitionValue(condition, hashKey, scope);
    if (hash === undefined)
      throw new ValidationException(`Query condition missed key schema element: ${hashKey}`);
    // The base table goes to one partition; the sparse index looks at the items that carry its key.
    // The base table's partition is kept in sort-key order (Table.inKeyOrder).
    const candidates = index
      ? [...table.partitions.values()].flatMap((p) => [...p.values()]).filter((i) => i[hashKey] !== undefined)
      : table.inKeyOrder(String(hash));
    const matching = candidates.filter((item) => evaluate(item, condition, scope));
    // Sort key order. An index may repeat sort keys; DynamoDB leaves their order open, here it is the table's key.
    if (index)
      matching.sort(
        (a, b) =>
          (rangeKey ? (order(a[rangeKey], b[rangeKey]) ?? 0) : 0) ||
          compareKeys(String(a[table.shape.partitionKey]), String(b[table.shape.partitionKey])) ||
          compareKeys(String(a[table.shape.sortKey]), String(b[table.shape.sortKey])),
      );
    if (input.ScanIndexForward === false) matching.reverse();
    let start = 0;
    if (input.ExclusiveStartKey) {
      const [pk, sk] = table.keyOf(input.ExclusiveStartKey as Item);
      start =
        matching.findIndex((i) => i[table.shape.partitionKey] === pk && i[table.shape.sortKey] === sk) + 1;
    }
    const limit = input.Limit ?? Number.POSITIVE_INFINITY;
    const page = matching.slice(start, start + limit);
    // A page that fills its Limit carries LastEvaluatedKey even if nothing follows (DynamoDB cannot tell).
    const more = page.length === limit;
    const last = page[page.length - 1];
    const project = input.ProjectionExpression
      ? input.ProjectionExpression.split(',').map((name) => segmentName(name.trim(), scope))
      : undefined;
    // An index without a projection of everything returns the keys only (the timer index is KEYS_ONLY).
    const keysOnly = index
      ? [
          table.shape.partitionKey,
          table.shape.sortKey,
          index.partitionKey,
          ...(index.sortKey ? [index.sortKey] : []),
        ]
      : undefined;
    const shown = project ?? keysOnly;
    const items = page.map((item) =>
      shown
        ? Object.fromEntries(
            shown.filter((name) => item[name] !== undefined).map((name) => [name, shared(item[name])]),
          )
        : (shared(item) as Item),
    );
    return {
      Items: items,
      Count: items.length,
      ...(more && last
        ? {
            LastEvaluatedKey: Object.fromEntries(
              (keysOnly ?? [table.shape.partitionKey, table.shape.sortKey]).map((k) => [k, last[k]]),
            ),
          }
        : {}),
    };
  }

  private transact(items: TransactItem[]): Record<string, never> {
    if (items.length > 100)
      throw new ValidationException('Member must have length less than or equal to 100');
    const writes: Write[] = [];
    const reasons: { Code: string; Message?: string }[] = [];
    const seen = new Set<string>();
    for (const entry of items) {
      const { write, passed } = this.plan(entry);
      const id = JSON.stringify(write.table.keyOf(write.kind === 'put' ? write.item : write.key));
      if (seen.has(id))
        throw new ValidationException('Transaction request cannot include multiple operations on one item');
      seen.add(id);
      writes.push(write);
      reasons.push(
        passed
          ? { Code: 'None' }
          : { Code: 'ConditionalCheckFailed', Message: 'The conditional request failed' },
      );
    }
    if (reasons.some((r) => r.Code !== 'None')) {
      throw new TransactionCanceledException({
        message: `Transaction cancelled, please refer cancellation reasons for specific reasons [${reasons.map((r) => r.Code).join(', ')}]`,
        $metadata: {},
        CancellationReasons: reasons,
      });
    }
    for (const write of writes) apply(write);
    return {};
  }
}
