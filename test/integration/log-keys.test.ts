/**
 * The analytics secret (adapters/analytics-keys.ts) on both tables the services run on: created once
 * (racing writers agree on one), read with the profile's locale, never created after erasure, ignored
 * by the journey store's customer load, and deleted by erasure with the rest of the partition.
 */
import { randomUUID } from 'node:crypto';
import { DynamoDBDocumentClient, GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, describe, expect, it } from 'vitest';
import { ANALYTICS_SK, AnalyticsKeyStore } from '../../functions/adapters/analytics-keys.ts';
import { type DocumentSender, JourneyStore, keys } from '../../functions/adapters/store.ts';
import { createTableInput } from '../../functions/adapters/table-schema.ts';
import { MemoryTables } from '../../local/memory-table/table.ts';
import { testEnv } from './env.ts';

const env = testEnv();
const client = env.dynamoClient();
const memory = new MemoryTables();
afterAll(() => client.destroy());

const backends: { name: string; doc: DocumentSender; createTable(): Promise<string> }[] = [
  {
    name: 'DynamoDB Local',
    doc: DynamoDBDocumentClient.from(client, { marshallOptions: { removeUndefinedValues: true } }),
    createTable: async () => (await env.createTestTable('log-keys')).tableName,
  },
  {
    name: 'memory table',
    doc: memory,
    createTable: async () => {
      const tableName = `log-keys-${randomUUID()}`;
      memory.createTable(createTableInput(tableName));
      return tableName;
    },
  },
];
const NOW = '2026-03-02T08:00:00Z';

describe.each(backends)('analytics secret on $name', ({ doc, createTable }) => {
  it('is created once, racing writers agree on it, and it comes with the profile locale', async () => {
    const tableName = await createTable();
    const store = new JourneyStore(doc, tableName, { timerShards: 4, retentionDays: 30 });
    const secrets = new AnalyticsKeyStore(doc, tableName);
    const customerId = `c-${randomUUID().slice(0, 8)}`;
    expect(await secrets.secret(customerId, { create: false })).toEqual({
      status: 'none',
      locale: undefined,
    });
    await store.save({
      customerId,
      profile: {
        next: { customerId, email: 'anna@example.com', locale: 'de-AT', marketingConsent: true },
        expectedVersion: 0,
      },
      now: NOW,
    });
    const racing = await Promise.all(
      Array.from({ length: 4 }, () => secrets.secret(customerId, { create: true })),
    );
    const first = racing[0];
    if (first?.status !== 'ok') throw new Error(`expected a secret, got ${first?.status}`);
    expect(first.secret.byteLength).toBe(32);
    expect(first.locale).toBe('de-AT');
    for (const other of racing) expect(other).toEqual(first);
    expect(await secrets.secret(customerId, { create: false })).toEqual(first);

    // The journey store's load reads the partition up to OUT#, ANALYTICS included: it must ignore it.
    const { view } = await store.loadCustomer(customerId);
    expect(view.profile?.customerId).toBe(customerId);
    expect(JSON.stringify(view)).not.toContain('secret');
    expect(view.instances).toEqual([]);
    expect(view.orders).toEqual([]);

    // Erasure deletes the whole partition, the secret with it, and no secret is ever made again.
    await store.eraseCustomer(customerId);
    const item = await doc.send(
      new GetCommand({ TableName: tableName, Key: { PK: keys.customer(customerId), SK: ANALYTICS_SK } }),
    );
    expect(item.Item).toBeUndefined();
    expect(await secrets.secret(customerId, { create: true })).toEqual({ status: 'erased' });
    const after = await doc.send(
      new GetCommand({ TableName: tableName, Key: { PK: keys.customer(customerId), SK: ANALYTICS_SK } }),
    );
    expect(after.Item).toBeUndefined();
  });

  it('an erased customer whose partition is not deleted yet reads as erased (the tombstone comes first)', async () => {
    const tableName = await createTable();
    const secrets = new AnalyticsKeyStore(doc, tableName);
    const customerId = `c-${randomUUID().slice(0, 8)}`;
    expect((await secrets.secret(customerId, { create: true })).status).toBe('ok');
    await doc.send(
      new PutCommand({ TableName: tableName, Item: { ...keys.erased(customerId), type: 'erased' } }),
    );
    expect(await secrets.secret(customerId, { create: true })).toEqual({ status: 'erased' });
  });
});
