/**
 * The simulator's memory table must answer as DynamoDB does. Every case sends the same commands to
 * DynamoDB Local and to the memory table and compares what comes back: items, pages, and errors down
 * to the cancellation reason of each transaction item. The expressions are the ones the stores send,
 * plus the edges around them (a comparison with a missing attribute, a nested path under no map).
 */
import { randomUUID } from 'node:crypto';
import {
  BatchGetCommand,
  DeleteCommand,
  DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  QueryCommand,
  TransactWriteCommand,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import { afterAll, describe, expect, it } from 'vitest';
import type { DocumentSender } from '../../functions/adapters/store.ts';
import { createTableInput } from '../../functions/adapters/table-schema.ts';
import { UnsupportedExpression } from '../../local/errors.ts';
import { MemoryTables } from '../../local/memory-table/table.ts';
import { testEnv } from './env.ts';

const env = testEnv();
const client = env.dynamoClient();
const dynamo = DynamoDBDocumentClient.from(client, { marshallOptions: { removeUndefinedValues: true } });
afterAll(() => client.destroy());

type AnyCommand =
  | BatchGetCommand
  | GetCommand
  | PutCommand
  | UpdateCommand
  | DeleteCommand
  | QueryCommand
  | TransactWriteCommand;
type Step = (table: string) => { send(doc: DocumentSender): Promise<unknown> };
/** Both sides get the same command object (the client's overloads type one command at a time). */
const step =
  (build: (table: string) => AnyCommand): Step =>
  (table) => ({
    send: (doc) => (doc.send as (command: AnyCommand) => Promise<unknown>)(build(table)),
  });

/** What a request came to, in a form both sides can be compared by. */
async function outcome(doc: DocumentSender, s: ReturnType<Step>): Promise<unknown> {
  try {
    const result = (await s.send(doc)) as Record<string, unknown>;
    const { Item, Items, LastEvaluatedKey, Count, Responses, UnprocessedKeys } = result;
    // BatchGetItem answers in no particular order: compared in key order.
    const responses = Responses
      ? Object.fromEntries(
          Object.entries(Responses as Record<string, Record<string, unknown>[]>).map(([table, items]) => [
            table.startsWith('memory-diff') ? 'table' : table,
            [...items].sort((a, b) => `${a.PK}|${a.SK}`.localeCompare(`${b.PK}|${b.SK}`)),
          ]),
        )
      : undefined;
    return { ok: { Item, Items, LastEvaluatedKey, Count, Responses: responses, UnprocessedKeys } };
  } catch (error) {
    const e = error as Error & { CancellationReasons?: { Code?: string }[] };
    return { error: e.name, reasons: e.CancellationReasons?.map((r) => r.Code) };
  }
}

/** Runs the steps on a fresh table on each side; returns both sides' outcomes. */
async function both(steps: Step[]): Promise<{ dynamo: unknown[]; memory: unknown[] }> {
  const { tableName } = await env.createTestTable('memory-diff');
  const memory = new MemoryTables();
  memory.createTable(createTableInput(tableName));
  const run = async (doc: DocumentSender) => {
    const results: unknown[] = [];
    for (const s of steps) results.push(await outcome(doc, s(tableName)));
    return results;
  };
  return { dynamo: await run(dynamo), memory: await run(memory) };
}

const get = (PK: string, SK: string) =>
  step((t) => new GetCommand({ TableName: t, Key: { PK, SK }, ConsistentRead: true }));
const put = (Item: Record<string, unknown>, ConditionExpression?: string, values?: Record<string, unknown>) =>
  step((t) => new PutCommand({ TableName: t, Item, ConditionExpression, ExpressionAttributeValues: values }));
const update = (
  Key: Record<string, unknown>,
  UpdateExpression: string,
  options: { condition?: string; names?: Record<string, string>; values?: Record<string, unknown> } = {},
) =>
  step(
    (t) =>
      new UpdateCommand({
        TableName: t,
        Key,
        UpdateExpression,
        ConditionExpression: options.condition,
        ExpressionAttributeNames: options.names,
        ExpressionAttributeValues: options.values,
      }),
  );

const profileKey = { PK: 'C#a', SK: '#PROFILE' };

describe('memory table answers as DynamoDB Local does', () => {
  it('conditional puts: attribute_not_exists, version checks, OR with a comparison', async () => {
    const consent = 'attribute_not_exists(PK) OR marketingConsent <> :false';
    const { dynamo: d, memory: m } = await both([
      put({ ...profileKey, version: 1 }, 'attribute_not_exists(PK)'),
      put({ ...profileKey, version: 1 }, 'attribute_not_exists(PK)'),
      put({ ...profileKey, version: 2 }, 'version = :v', { ':v': 1 }),
      put({ ...profileKey, version: 3 }, 'version = :v', { ':v': 1 }),
      // The profile has no marketingConsent attribute: a comparison with a missing attribute.
      put({ ...profileKey, version: 3, marketingConsent: true }, consent, { ':false': false }),
      put({ ...profileKey, version: 4, marketingConsent: false }, consent, { ':false': false }),
      put({ ...profileKey, version: 5, marketingConsent: false }, consent, { ':false': false }),
      get('C#a', '#PROFILE'),
    ]);
    expect(m).toEqual(d);
  });

  it('updates: SET with if_not_exists arithmetic, nested maps created once, REMOVE, key attributes refused', async () => {
    const events = { '#events': 'events', '#kind': 'delivered' };
    const outbox = { PK: 'C#a', SK: 'OUT#1' };
    // As ComplianceStore.recordEmailEvent sends them: the map once, then each kind once.
    const createEvents = update(outbox, 'SET #events = :empty', {
      condition: 'attribute_exists(PK) AND attribute_not_exists(#events)',
      names: { '#events': 'events' },
      values: { ':empty': {} },
    });
    const recordDelivered = update(outbox, 'SET #events.#kind = :at', {
      condition: 'attribute_exists(PK) AND attribute_not_exists(#events.#kind)',
      names: events,
      values: { ':at': '2026-03-02T08:00:00Z' },
    });
    const { dynamo: d, memory: m } = await both([
      update(profileKey, 'SET customerId = :id, #version = if_not_exists(#version, :zero) + :one', {
        names: { '#version': 'version' },
        values: { ':id': 'a', ':zero': 0, ':one': 1 },
      }),
      update(profileKey, 'SET #version = if_not_exists(#version, :zero) + :one', {
        names: { '#version': 'version' },
        values: { ':zero': 0, ':one': 1 },
      }),
      get('C#a', '#PROFILE'),
      createEvents,
      put({ ...outbox, status: 'sent' }),
      recordDelivered,
      createEvents,
      recordDelivered,
      update(outbox, 'SET #events.#kind = :at', {
        condition: 'attribute_exists(PK) AND attribute_not_exists(#events.#kind)',
        names: events,
        values: { ':at': '2026-03-03T08:00:00Z' },
      }),
      update(outbox, 'SET #status = :to REMOVE lastError', {
        condition: '#status = :from',
        names: { '#status': 'status' },
        values: { ':from': 'sent', ':to': 'done' },
      }),
      get('C#a', 'OUT#1'),
      update(outbox, 'SET SK = :sk', { values: { ':sk': 'OUT#2' } }),
    ]);
    expect(m).toEqual(d);
  });

  it('transactions: all or nothing, with a reason per item', async () => {
    const tombstone = { PK: 'ERASED#x', SK: 'ERASED' };
    const transact = (items: (t: string) => NonNullable<TransactWriteCommand['input']['TransactItems']>) =>
      step((t) => new TransactWriteCommand({ TransactItems: items(t) }));
    const decision = (version: number) =>
      transact((t) => [
        { ConditionCheck: { TableName: t, Key: tombstone, ConditionExpression: 'attribute_not_exists(PK)' } },
        {
          Put: {
            TableName: t,
            Item: { ...profileKey, version: version + 1 },
            ConditionExpression: version === 0 ? 'attribute_not_exists(PK)' : 'version = :v',
            ExpressionAttributeValues: version === 0 ? undefined : { ':v': version },
          },
        },
        {
          Put: {
            TableName: t,
            Item: {
              PK: 'C#a',
              SK: `OUT#${version}`,
              status: 'pending',
              nested: { kept: 1, dropped: undefined },
            },
            ConditionExpression: 'attribute_not_exists(PK)',
          },
        },
      ]);
    const { dynamo: d, memory: m } = await both([
      decision(0),
      decision(0),
      decision(1),
      put(tombstone),
      decision(2),
      get('C#a', '#PROFILE'),
      get('C#a', 'OUT#0'),
      get('C#a', 'OUT#2'),
      transact((t) => [
        { Put: { TableName: t, Item: { PK: 'C#b', SK: 'X' } } },
        { Delete: { TableName: t, Key: { PK: 'C#b', SK: 'X' } } },
      ]),
      transact((t) => [
        {
          Update: {
            TableName: t,
            Key: profileKey,
            UpdateExpression: 'SET marketingConsent = :false',
            ConditionExpression: 'attribute_not_exists(PK) OR marketingConsent <> :false',
            ExpressionAttributeValues: { ':false': false },
          },
        },
        {
          Delete: {
            TableName: t,
            Key: { PK: 'C#a', SK: 'OUT#0' },
            ConditionExpression: 'attribute_exists(PK)',
          },
        },
      ]),
      get('C#a', '#PROFILE'),
      get('C#a', 'OUT#0'),
    ]);
    expect(m).toEqual(d);
  });

  it('queries: key conditions in sort-key order, projections, the keys-only timer index page by page', async () => {
    const items = [
      { PK: 'C#a', SK: '#PROFILE', email: 'a@example.com' },
      { PK: 'C#a', SK: 'J#onboarding#1', timerShard: 1, dueAt: '2026-03-03T08:00:00Z', pc: 2 },
      { PK: 'C#a', SK: 'O#1', total: { amount: '10.00', currency: 'EUR' } },
      { PK: 'C#a', SK: 'OUT#1', status: 'pending' },
      { PK: 'C#b', SK: 'J#win-back#1', timerShard: 1, dueAt: '2026-03-02T08:00:00Z' },
      // Index sort keys differ: DynamoDB leaves the order of equal ones open.
      { PK: 'C#c', SK: 'J#birthday#1', timerShard: 1, dueAt: '2026-03-02T20:00:00Z' },
      { PK: 'C#d', SK: 'J#birthday#1', timerShard: 2, dueAt: '2026-03-01T08:00:00Z' },
      { PK: 'C#ü', SK: 'J#x#1', timerShard: 1, dueAt: '2026-03-09T08:00:00Z' },
    ];
    const query = (input: Omit<QueryCommand['input'], 'TableName'>) =>
      step((t) => new QueryCommand({ TableName: t, ...input }));
    const timers = (ExclusiveStartKey?: Record<string, unknown>) =>
      query({
        IndexName: 'timers',
        KeyConditionExpression: '#shard = :shard AND #due <= :now',
        ExpressionAttributeNames: { '#shard': 'timerShard', '#due': 'dueAt' },
        ExpressionAttributeValues: { ':shard': 1, ':now': '2026-03-03T08:00:00Z' },
        Limit: 2,
        ExclusiveStartKey,
      });
    const { dynamo: d, memory: m } = await both([
      ...items.map((item) => put(item)),
      query({
        KeyConditionExpression: '#pk = :pk AND #sk < :outbox',
        ExpressionAttributeNames: { '#pk': 'PK', '#sk': 'SK' },
        ExpressionAttributeValues: { ':pk': 'C#a', ':outbox': 'OUT#' },
        ConsistentRead: true,
      }),
      query({
        KeyConditionExpression: 'PK = :pk',
        ExpressionAttributeValues: { ':pk': 'C#a' },
        ProjectionExpression: 'PK, SK, email',
      }),
      query({
        KeyConditionExpression: 'PK = :pk AND begins_with(SK, :j)',
        ExpressionAttributeValues: { ':pk': 'C#a', ':j': 'J#' },
        ScanIndexForward: false,
      }),
      query({
        KeyConditionExpression: 'PK = :pk AND SK BETWEEN :a AND :b',
        ExpressionAttributeValues: { ':pk': 'C#a', ':a': 'J#', ':b': 'O#2' },
      }),
      timers(),
      timers({ PK: 'C#b', SK: 'J#win-back#1', timerShard: 1, dueAt: '2026-03-02T08:00:00Z' }),
      query({
        IndexName: 'timers',
        KeyConditionExpression: '#shard = :shard',
        ExpressionAttributeNames: { '#shard': 'timerShard' },
        ExpressionAttributeValues: { ':shard': 1 },
      }),
      query({ KeyConditionExpression: 'PK = :pk', ExpressionAttributeValues: { ':pk': 'C#nobody' } }),
      step(
        (t) =>
          new DeleteCommand({
            TableName: t,
            Key: { PK: 'C#a', SK: 'O#1' },
            ConditionExpression: '#o = :o',
            ExpressionAttributeNames: { '#o': 'ownerId' },
            ExpressionAttributeValues: { ':o': 'a' },
          }),
      ),
      step((t) => new DeleteCommand({ TableName: t, Key: { PK: 'C#a', SK: 'O#1' } })),
      get('C#a', 'O#1'),
    ]);
    expect(m).toEqual(d);
  });

  it('the analytics secret: BatchGet with a projection, binary values, a put guarded by the tombstone', async () => {
    const secret = new Uint8Array(32).map((_, i) => i);
    const tombstone = { PK: 'ERASED#a', SK: 'ERASED' };
    const batchGet = (customer: string) =>
      step(
        (t) =>
          new BatchGetCommand({
            RequestItems: {
              [t]: {
                Keys: [
                  { PK: `C#${customer}`, SK: 'ANALYTICS' },
                  { PK: `C#${customer}`, SK: '#PROFILE' },
                  tombstone,
                ],
                ConsistentRead: true,
                ProjectionExpression: 'PK, SK, #type, #locale, secret',
                ExpressionAttributeNames: { '#type': 'type', '#locale': 'locale' },
              },
            },
          }),
      );
    const create = (customer: string) =>
      step(
        (t) =>
          new TransactWriteCommand({
            TransactItems: [
              {
                Put: {
                  TableName: t,
                  Item: { PK: `C#${customer}`, SK: 'ANALYTICS', type: 'analytics', secret },
                  ConditionExpression: 'attribute_not_exists(PK)',
                },
              },
              {
                ConditionCheck: {
                  TableName: t,
                  Key: tombstone,
                  ConditionExpression: 'attribute_not_exists(PK)',
                },
              },
            ],
          }),
      );
    const { dynamo: d, memory: m } = await both([
      put({ PK: 'C#a', SK: '#PROFILE', type: 'profile', locale: 'de-AT', email: 'a@example.com' }),
      batchGet('a'),
      create('a'),
      create('a'),
      batchGet('a'),
      put(tombstone),
      create('b'),
      batchGet('b'),
      step((t) => new BatchGetCommand({ RequestItems: { [t]: { Keys: [tombstone, tombstone] } } })),
    ]);
    expect(m).toEqual(d);
  });

  it('refuses what it does not implement, naming it, instead of guessing', async () => {
    const memory = new MemoryTables();
    const tableName = `memory-${randomUUID()}`;
    memory.createTable(createTableInput(tableName));
    await expect(
      memory.send(
        new UpdateCommand({
          TableName: tableName,
          Key: profileKey,
          UpdateExpression: 'ADD n :one',
          ExpressionAttributeValues: { ':one': 1 },
        }),
      ),
    ).rejects.toThrow(UnsupportedExpression);
    await expect(
      memory.send(
        new PutCommand({
          TableName: tableName,
          Item: profileKey,
          ConditionExpression: 'size(email) > :n',
          ExpressionAttributeValues: { ':n': 1 },
        }),
      ),
    ).rejects.toThrow(/function size is not supported/);
    await expect(memory.send(new GetCommand({ TableName: 'nope', Key: profileKey }))).rejects.toThrow(
      /non-existent table: nope/,
    );
  });
});
