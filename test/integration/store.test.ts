/**
 * The single-table store against DynamoDB Local: atomic decisions, optimistic locking, idempotency
 * markers, outbox uniqueness, the sparse timer index, the rejected log and erasure.
 */
import { randomUUID } from 'node:crypto';
import { DynamoDBDocumentClient, GetCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type DocumentSender, JourneyStore, keys } from '../../functions/adapters/store.ts';
import { createTableInput } from '../../functions/adapters/table-schema.ts';
import type { Effect, JourneyInstance, Order, Profile } from '../../functions/core/model.ts';
import { DEFAULT_RETENTION, summariseOrders } from '../../functions/core/order-history.ts';
import { MemoryTables } from '../../local/memory-table/table.ts';
import { partitionItems } from '../support/partition.ts';
import { testEnv } from './env.ts';

const env = testEnv();
const client = env.dynamoClient();
const memory = new MemoryTables();

/**
 * The same contract on both tables the store runs on: DynamoDB Local (Lambda's stand-in) and the
 * simulator's memory table, so a large simulation in memory behaves as the deployed store does.
 */
const backends: { name: string; doc: DocumentSender; createTable(prefix: string): Promise<string> }[] = [
  {
    name: 'DynamoDB Local',
    doc: DynamoDBDocumentClient.from(client, { marshallOptions: { removeUndefinedValues: true } }),
    createTable: async (prefix) => (await env.createTestTable(prefix)).tableName,
  },
  {
    name: 'memory table',
    doc: memory,
    createTable: async (prefix) => {
      const tableName = `${prefix}-${randomUUID()}`;
      memory.createTable(createTableInput(tableName));
      return tableName;
    },
  },
];
const NOW = '2026-03-02T08:00:00Z';
const SHARDS = 4;

afterAll(() => client.destroy());

describe.each(backends)('store on $name', (backend) => {
  const doc = backend.doc;
  let tableName: string;
  let store: JourneyStore;

  const newStore = async () => {
    const table = await backend.createTable('store');
    return {
      tableName: table,
      store: new JourneyStore(doc, table, { timerShards: SHARDS, retentionDays: 30 }),
    };
  };

  beforeAll(async () => {
    ({ tableName, store } = await newStore());
  });

  const customer = () => `c-${randomUUID().slice(0, 8)}`;

  const profile = (customerId: string, overrides: Partial<Profile> = {}): Profile => ({
    customerId,
    email: `${customerId}@example.de`,
    locale: 'de-DE',
    marketingConsent: true,
    ...overrides,
  });

  const instance = (overrides: Partial<JourneyInstance> = {}): JourneyInstance => ({
    journeyId: 'onboarding',
    instanceId: '20260302T080000Z',
    definitionVersion: 'v1',
    status: 'active',
    holdout: false,
    enteredAt: NOW,
    pc: 2,
    context: {},
    sent: ['welcome'],
    version: 0,
    ...overrides,
  });

  const waiting = (dueAt: string, overrides: Partial<JourneyInstance> = {}) =>
    instance({ waiting: { dueAt, reason: 'wait' }, ...overrides });

  const send = (customerId: string, outboxId: string): Effect => ({
    kind: 'send',
    outboxId,
    journeyId: 'onboarding',
    instanceId: '20260302T080000Z',
    message: 'welcome',
    messageClass: 'transactional',
    recipient: { email: `${customerId}@example.de`, locale: 'de-DE', timeZone: 'Europe/Berlin' },
    data: {},
  });

  const emit = (outboxId: string): Effect => ({
    kind: 'emit',
    outboxId,
    detailType: 'journey.entered',
    detail: { journey: 'onboarding' },
  });

  async function rawItem(table: string, pk: string, sk: string) {
    const result = await doc.send(
      new GetCommand({ TableName: table, Key: { PK: pk, SK: sk }, ConsistentRead: true }),
    );
    return result.Item;
  }

  const partition = (table: string, customerId: string) => partitionItems(doc, table, customerId);

  describe('save', () => {
    it('writes state, timer and outbox entries of one decision together, and reads them back', async () => {
      // Prepare
      const id = customer();
      const order: Order = { orderId: 'o1', placedAt: NOW, total: { amount: '59.90', currency: 'EUR' } };
      // Act
      const result = await store.save({
        customerId: id,
        processed: { eventId: `evt-${id}`, consumer: 'journey:onboarding' },
        profile: { next: profile(id), expectedVersion: 0 },
        orders: [order],
        orderSummary: { next: summariseOrders([order], DEFAULT_RETENTION), expectedVersion: 0 },
        instances: [waiting('2026-03-04T08:00:00Z')],
        effects: [send(id, 'onboarding#i#0'), emit('onboarding#i#journey.entered')],
        now: NOW,
      });
      // Assess
      expect(result).toBe('saved');
      const { view, profileVersion, ordersVersion, reads } = await store.loadCustomer(id);
      expect(reads).toBe(1);
      expect(profileVersion).toBe(1);
      expect(ordersVersion).toBe(1);
      expect(view.profile).toEqual(profile(id));
      expect(view.orders).toEqual([order]);
      expect(view.orderSummary).toMatchObject({ count: 1, revenue: { EUR: '59.90' }, recent: [order] });
      // The order's own item is out of the decision range, read by id.
      expect(await store.getOrders(id, ['o1'])).toEqual([order]);
      expect(view.instances).toEqual([{ ...waiting('2026-03-04T08:00:00Z'), version: 1 }]);
      // The outbox is not part of the decision read (SK < OUT#), but it is there, pending.
      expect(await store.getOutbox(id, 'onboarding#i#0')).toMatchObject({
        customerId: id,
        status: 'pending',
        attempts: 0,
        createdAt: NOW,
        effect: send(id, 'onboarding#i#0'),
      });
      expect((await store.getOutbox(id, 'onboarding#i#journey.entered'))?.status).toBe('pending');
      // The timer lives on the instance item, in the shard the store assigns to the customer.
      const item = await rawItem(
        tableName,
        keys.customer(id),
        keys.instance('onboarding', '20260302T080000Z'),
      );
      expect(item).toMatchObject({
        timerShard: store.timerShard(id),
        dueAt: '2026-03-04T08:00:00Z',
        version: 1,
      });
      // The idempotency marker expires.
      const marker = await rawItem(tableName, keys.processed(`evt-${id}`), 'journey:onboarding');
      expect(marker?.expiresAt).toBe(Math.floor(Date.parse(NOW) / 1000) + 30 * 86_400);
    });

    it('carries timer attributes only while the instance waits', async () => {
      // Prepare
      const id = customer();
      const sk = keys.instance('onboarding', '20260302T080000Z');
      await store.save({ customerId: id, instances: [waiting('2026-03-04T08:00:00Z')], now: NOW });
      // Act: the instance moves on and completes
      const result = await store.save({
        customerId: id,
        instances: [instance({ status: 'completed', version: 1, endedAt: NOW })],
        now: NOW,
      });
      // Assess
      expect(result).toBe('saved');
      const item = await rawItem(tableName, keys.customer(id), sk);
      expect(item).toMatchObject({ status: 'completed', version: 2 });
      expect(item).not.toHaveProperty('timerShard');
      expect(item).not.toHaveProperty('dueAt');
      // An exited instance that still has a stale `waiting` field carries no timer either.
      const other = customer();
      await store.save({
        customerId: other,
        instances: [waiting('2026-03-04T08:00:00Z', { status: 'exited' })],
        now: NOW,
      });
      expect(await rawItem(tableName, keys.customer(other), sk)).not.toHaveProperty('dueAt');
    });

    it('returns conflict on a stale instance version and writes nothing of the decision', async () => {
      // Prepare: version 1 is stored
      const id = customer();
      await store.save({ customerId: id, instances: [waiting('2026-03-04T08:00:00Z')], now: NOW });
      const before = await partition(tableName, id);
      // Act: a decision made on the state before that write (version 0) also wants a profile, an order,
      // an outbox entry and its idempotency marker written.
      const result = await store.save({
        customerId: id,
        processed: { eventId: `evt-${id}`, consumer: 'journey:onboarding' },
        profile: { next: profile(id), expectedVersion: 0 },
        orders: [{ orderId: 'o1', placedAt: NOW }],
        instances: [instance({ status: 'exited', version: 0 })],
        effects: [send(id, 'stale#1')],
        now: NOW,
      });
      // Assess
      expect(result).toBe('conflict');
      expect(await partition(tableName, id)).toEqual(before);
      expect(await rawItem(tableName, keys.processed(`evt-${id}`), 'journey:onboarding')).toBeUndefined();
      // The marker was not written, so the retry of the same event is not mistaken for a duplicate.
      expect(
        await store.save({
          customerId: id,
          processed: { eventId: `evt-${id}`, consumer: 'journey:onboarding' },
          instances: [instance({ status: 'exited', version: 1 })],
          effects: [send(id, 'fresh#1')],
          now: NOW,
        }),
      ).toBe('saved');
    });

    it('lets exactly one of two concurrent writers of the same version win', async () => {
      // Prepare
      const id = customer();
      await store.save({ customerId: id, instances: [waiting('2026-03-04T08:00:00Z')], now: NOW });
      // Act: two decisions made on version 1, written at once
      const results = await Promise.all(
        ['a', 'b'].map((side) =>
          store.save({
            customerId: id,
            instances: [instance({ version: 1, pc: side === 'a' ? 3 : 4 })],
            effects: [emit(`race#${side}`)],
            now: NOW,
          }),
        ),
      );
      // Assess
      expect([...results].sort()).toEqual(['conflict', 'saved']);
      const winner = results[0] === 'saved' ? 'a' : 'b';
      const [stored] = (await store.loadCustomer(id)).view.instances;
      expect(stored).toMatchObject({ version: 2, pc: winner === 'a' ? 3 : 4 });
      const outbox = (await partition(tableName, id)).filter((i) => String(i.SK).startsWith('OUT#'));
      expect(outbox.map((i) => i.outboxId)).toEqual([`race#${winner}`]);
    });

    it('returns conflict when the version is ahead of the stored one, or the item does not exist', async () => {
      const id = customer();
      await store.save({ customerId: id, profile: { next: profile(id), expectedVersion: 0 }, now: NOW });
      expect(
        await store.save({ customerId: id, profile: { next: profile(id), expectedVersion: 5 }, now: NOW }),
      ).toBe('conflict');
      expect(
        await store.save({ customerId: id, profile: { next: profile(id), expectedVersion: 0 }, now: NOW }),
      ).toBe('conflict');
      expect(await store.save({ customerId: id, instances: [instance({ version: 3 })], now: NOW })).toBe(
        'conflict',
      );
      expect((await store.loadCustomer(id)).profileVersion).toBe(1);
      expect((await store.loadCustomer(id)).view.instances).toEqual([]);
    });

    it('returns duplicate for a repeated processed marker, and writes nothing the second time', async () => {
      // Prepare
      const id = customer();
      const processed = { eventId: `evt-${id}`, consumer: 'profile' };
      expect(
        await store.save({
          customerId: id,
          processed,
          profile: { next: profile(id), expectedVersion: 0 },
          now: NOW,
        }),
      ).toBe('saved');
      // Act: the same event again, even with a decision that would otherwise apply
      const again = await store.save({
        customerId: id,
        processed,
        profile: { next: profile(id, { locale: 'fr-FR' }), expectedVersion: 1 },
        effects: [emit('dup#1')],
        now: NOW,
      });
      // Assess
      expect(again).toBe('duplicate');
      expect((await store.loadCustomer(id)).view.profile?.locale).toBe('de-DE');
      expect(await store.getOutbox(id, 'dup#1')).toBeUndefined();
      // Markers are per consumer: the same event is new to another consumer.
      expect(
        await store.save({
          customerId: id,
          processed: { eventId: `evt-${id}`, consumer: 'journey:onboarding' },
          instances: [instance()],
          now: NOW,
        }),
      ).toBe('saved');
    });

    it('never enqueues the same outbox id twice, whatever its status', async () => {
      // Prepare
      const id = customer();
      await store.save({ customerId: id, effects: [send(id, 'once#1')], now: NOW });
      // Act 1: enqueue again while pending
      const whilePending = await store.save({ customerId: id, effects: [send(id, 'once#1')], now: NOW });
      // Act 2: enqueue again after it was sent
      expect(await store.transitionOutbox(id, 'once#1', 'pending', 'sending')).toBe(true);
      expect(await store.transitionOutbox(id, 'once#1', 'sending', 'sent', { messageId: 'm-1' }, NOW)).toBe(
        true,
      );
      const afterSent = await store.save({
        customerId: id,
        instances: [instance()],
        effects: [send(id, 'once#1')],
        now: NOW,
      });
      // Assess
      expect(whilePending).toBe('conflict');
      expect(afterSent).toBe('conflict');
      expect(await store.getOutbox(id, 'once#1')).toMatchObject({ status: 'sent', messageId: 'm-1' });
      // ...and the rest of the rejected decision was not written either.
      expect((await store.loadCustomer(id)).view.instances).toEqual([]);
      const outbox = (await partition(tableName, id)).filter((i) => String(i.SK).startsWith('OUT#'));
      expect(outbox).toHaveLength(1);
    });

    it('moves an outbox entry only from the status it is in', async () => {
      const id = customer();
      await store.save({ customerId: id, effects: [emit('t#1')], now: NOW });
      expect(await store.transitionOutbox(id, 't#1', 'sending', 'sent')).toBe(false);
      expect(await store.transitionOutbox(id, 't#1', 'pending', 'sent', { sentAt: NOW }, NOW)).toBe(true);
      expect(await store.transitionOutbox(id, 't#1', 'pending', 'sent', {}, NOW)).toBe(false);
      const item = await rawItem(tableName, keys.customer(id), keys.outbox('t#1'));
      // Finished entries expire with the retention period.
      expect(item).toMatchObject({
        status: 'sent',
        sentAt: NOW,
        expiresAt: Math.floor(Date.parse(NOW) / 1000) + 30 * 86_400,
      });
      expect(await store.transitionOutbox(id, 'missing', 'pending', 'sent')).toBe(false);
    });

    it('refuses a decision of more than 100 items before sending it', async () => {
      const id = customer();
      const effects = Array.from({ length: 101 }, (_, i) => emit(`big#${i}`));
      await expect(store.save({ customerId: id, effects, now: NOW })).rejects.toThrow(
        /101 items; the limit is 100/,
      );
    });
  });

  describe('timers', () => {
    it('dueTimers returns per shard exactly the due instances of that shard', async () => {
      // Prepare: a fresh table, 12 customers, each with one due (or just due) and one future timer
      const { store: timers } = await newStore();
      const ids = Array.from({ length: 12 }, customer);
      const now = '2026-03-04T08:00:00Z';
      for (const [i, id] of ids.entries()) {
        await timers.save({
          customerId: id,
          instances: [
            waiting(i % 2 ? now : '2026-03-04T07:59:00Z', {
              instanceId: `o#${i}`,
              journeyId: 'post-purchase',
            }),
            waiting('2026-03-04T08:00:01Z'),
            instance({ instanceId: 'done', status: 'completed' }),
          ],
          now: NOW,
        });
      }
      // Act
      const perShard = await Promise.all(
        Array.from({ length: SHARDS }, (_, shard) => timers.dueTimers(shard, now)),
      );
      // Assess
      for (const [shard, due] of perShard.entries()) {
        for (const timer of due) expect(timers.timerShard(timer.customerId)).toBe(shard);
      }
      const all = perShard.flat();
      expect(all.map((t) => t.customerId).sort()).toEqual([...ids].sort());
      expect(all.every((t) => t.journeyId === 'post-purchase')).toBe(true);
      expect(all.find((t) => t.customerId === ids[3])).toEqual({
        customerId: ids[3],
        journeyId: 'post-purchase',
        instanceId: 'o#3', // instance ids may contain '#'
        dueAt: now,
      });
      // Writes spread over more than one shard.
      expect(perShard.filter((due) => due.length > 0).length).toBeGreaterThan(1);
    });

    it('dueTimers honours its limit and returns the earliest first', async () => {
      const { store: timers } = await newStore();
      const id = customer();
      const shard = timers.timerShard(id);
      await timers.save({
        customerId: id,
        instances: ['2026-03-03T10:00:00Z', '2026-03-03T08:00:00Z', '2026-03-03T09:00:00Z'].map((dueAt, i) =>
          waiting(dueAt, { instanceId: `i${i}` }),
        ),
        now: NOW,
      });
      const due = await timers.dueTimers(shard, '2026-03-04T00:00:00Z', 2);
      expect(due.map((t) => t.dueAt)).toEqual(['2026-03-03T08:00:00Z', '2026-03-03T09:00:00Z']);
    });

    it('nextTimer returns the earliest timer over all shards, and nothing on an empty index', async () => {
      const { store: timers } = await newStore();
      expect(await timers.nextTimer()).toBeUndefined();
      const dues = [
        '2026-03-09T08:00:00Z',
        '2026-03-05T08:00:00Z',
        '2026-03-07T08:00:00Z',
        '2026-03-06T08:00:00Z',
      ];
      for (const dueAt of dues)
        await timers.save({ customerId: customer(), instances: [waiting(dueAt)], now: NOW });
      // A completed instance with an even earlier (stale) waiting field does not count.
      await timers.save({
        customerId: customer(),
        instances: [waiting('2026-03-03T08:00:00Z', { status: 'completed' })],
        now: NOW,
      });
      expect(await timers.nextTimer()).toBe('2026-03-05T08:00:00Z');
    });
  });

  describe('rejected log', () => {
    it('records rejected events by day, once per event even when several consumers reject it', async () => {
      // Prepare
      const eventId = `evt-${randomUUID()}`;
      const rejection = {
        eventId,
        detailType: 'order.placed',
        source: 'shop',
        time: '2026-03-02T07:59:00Z',
        detail: { orderId: 'o1', total: { amount: '1.00' } },
        errors: ['total.currency: required (rule: order.placed requires total.currency)'],
        now: '2026-03-02T08:00:00Z',
      };
      // Act
      await store.recordRejection({ ...rejection, consumer: 'profile' });
      await store.recordRejection({ ...rejection, consumer: 'journey:onboarding' });
      // Assess
      const mine = (await store.rejections('2026-03-02')).filter((r) => r.eventId === eventId);
      expect(mine).toHaveLength(1);
      expect(mine[0]).toMatchObject({
        detailType: 'order.placed',
        source: 'shop',
        // As text: a detail DynamoDB could not store (unsafe numbers, deep nesting) is kept all the same.
        detail: JSON.stringify(rejection.detail),
        errors: rejection.errors,
      });
      expect((await store.rejections('2026-03-03')).some((r) => r.eventId === eventId)).toBe(false);
    });
  });

  describe('eraseCustomer', () => {
    it('removes every item of the customer partition, beyond one transaction of 100, and nothing else', async () => {
      // Prepare: profile, instance, outbox and 150 orders; a neighbour
      const id = customer();
      const neighbour = customer();
      await store.save({
        customerId: id,
        profile: { next: profile(id), expectedVersion: 0 },
        instances: [waiting('2026-03-04T08:00:00Z')],
        effects: [send(id, 'e#1'), emit('e#2')],
        now: NOW,
      });
      for (let batch = 0; batch < 2; batch++) {
        await store.save({
          customerId: id,
          orders: Array.from({ length: 75 }, (_, i) => ({ orderId: `o${batch}-${i}`, placedAt: NOW })),
          now: NOW,
        });
      }
      await store.save({
        customerId: neighbour,
        profile: { next: profile(neighbour), expectedVersion: 0 },
        now: NOW,
      });
      expect(await partition(tableName, id)).toHaveLength(154);
      // Act
      const deleted = await store.eraseCustomer(id);
      // Assess
      expect(deleted).toBe(154);
      expect(await partition(tableName, id)).toEqual([]);
      expect(await store.getProfile(id)).toBeUndefined();
      expect(await store.getProfile(neighbour)).toMatchObject({ customerId: neighbour });
      // Erasing an unknown customer is a no-op, not an error.
      expect(await store.eraseCustomer(customer())).toBe(0);
    });
  });
});
