/**
 * The loyalty program's items in the single table, against DynamoDB Local and the simulator's memory
 * table: the account loaded by the decision's Query, the ledger read by id only, account and movements
 * written in one conditional transaction (a movement never twice, a stale account version refused),
 * the account's timer on the sparse index and swept, and erasure of the whole ledger.
 */
import { randomUUID } from 'node:crypto';
import { DynamoDBDocumentClient, GetCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type DocumentSender, JourneyStore, keys } from '../../functions/adapters/store.ts';
import { createTableInput, TABLE } from '../../functions/adapters/table-schema.ts';
import { pseudonym } from '../../functions/core/erasure.ts';
import type { LoyaltyAccount, Movement } from '../../functions/core/loyalty/account.ts';
import type { Outcome } from '../../functions/services/journeys.ts';
import { Sweeper } from '../../functions/services/sweeper.ts';
import { MemoryTables } from '../../local/memory-table/table.ts';
import { partitionItems } from '../support/partition.ts';
import { testEnv } from './env.ts';

const env = testEnv();
const client = env.dynamoClient();
const memory = new MemoryTables();

const backends: { name: string; doc: DocumentSender; createTable(): Promise<string> }[] = [
  {
    name: 'DynamoDB Local',
    doc: DynamoDBDocumentClient.from(client, { marshallOptions: { removeUndefinedValues: true } }),
    createTable: async () => (await env.createTestTable('loyalty-store')).tableName,
  },
  {
    name: 'memory table',
    doc: memory,
    createTable: async () => {
      const tableName = `loyalty-store-${randomUUID()}`;
      memory.createTable(createTableInput(tableName));
      return tableName;
    },
  },
];
const NOW = '2026-03-02T08:00:00Z';
const SHARDS = 4;

afterAll(() => client.destroy());

const customer = () => `c-${randomUUID().slice(0, 8)}`;

function account(customerId: string, overrides: Partial<LoyaltyAccount> = {}): LoyaltyAccount {
  return {
    customerId,
    joinedAt: NOW,
    available: 0,
    pending: 0,
    lots: [],
    tier: 'member',
    tierSince: NOW,
    qualifying: {},
    lastActivityAt: NOW,
    redemptions: 0,
    recent: [],
    totals: { earned: 0, redeemed: 0, expired: 0, reversed: 0 },
    version: 0,
    ...overrides,
  };
}

const earn = (orderId: string, points: number): Movement => ({
  id: `earn:order:${orderId}`,
  kind: 'earn',
  at: NOW,
  available: 0,
  pending: points,
  qualifying: 0,
  orderId,
});

const bonus: Movement = {
  id: 'bonus:registration',
  kind: 'bonus',
  at: NOW,
  available: 100,
  pending: 0,
  qualifying: 100,
  month: '2026-03',
  reason: 'registration',
};

describe.each(backends)('loyalty items on $name', (backend) => {
  const doc = backend.doc;
  let tableName: string;
  let store: JourneyStore;

  beforeAll(async () => {
    tableName = await backend.createTable();
    store = new JourneyStore(doc, tableName, { timerShards: SHARDS, retentionDays: 30 });
  });

  async function raw(pk: string, sk: string) {
    const result = await doc.send(
      new GetCommand({ TableName: tableName, Key: { PK: pk, SK: sk }, ConsistentRead: true }),
    );
    return result.Item;
  }

  const partition = (customerId: string) => partitionItems(doc, tableName, customerId);

  it('writes the account and its movements in one transaction; the Query loads the account, never the ledger', async () => {
    const id = customer();
    const next = account(id, { available: 100, pending: 59, dueAt: '2026-03-16T08:00:00Z' });
    const result = await store.save({
      customerId: id,
      processed: { eventId: `evt-${id}`, consumer: 'loyalty' },
      loyalty: { next, expectedVersion: 0, movements: [bonus, earn('o1', 59)] },
      effects: [
        {
          kind: 'emit',
          outboxId: 'loyalty#joined',
          detailType: 'loyalty.member.joined',
          detail: { customerId: id, tier: 'member', joinedAt: NOW },
        },
      ],
      now: NOW,
    });
    expect(result).toBe('saved');

    const { view } = await store.loadCustomer(id);
    expect(view.loyalty).toEqual({ ...next, version: 1 });
    expect(JSON.stringify(view)).not.toContain('earn:order:o1');

    const known = await store.getMovements(id, ['bonus:registration', 'earn:order:o1', 'earn:order:o2']);
    expect([...known.keys()].sort()).toEqual(['bonus:registration', 'earn:order:o1']);
    expect(known.get('earn:order:o1')).toEqual(earn('o1', 59));

    const item = await raw(keys.customer(id), keys.loyalty);
    expect(item).toMatchObject({ type: 'loyalty', version: 1, dueAt: '2026-03-16T08:00:00Z' });
    expect(item?.[TABLE.timerIndex.partitionKey]).toBe(store.timerShard(id));
    expect((await partition(id)).map((i) => i.SK).sort()).toEqual(
      [keys.loyalty, 'OUT#loyalty#joined', 'PTS#bonus:registration', 'PTS#earn:order:o1'].sort(),
    );
  });

  it('refuses the whole decision when one of its movements exists already (a cause moves points once)', async () => {
    const id = customer();
    await store.save({
      customerId: id,
      loyalty: { next: account(id, { pending: 59 }), expectedVersion: 0, movements: [earn('o1', 59)] },
      now: NOW,
    });
    // A second decision on the same order (a redelivery that did not see the ledger item) loses.
    const again = await store.save({
      customerId: id,
      loyalty: {
        next: account(id, { pending: 118, version: 1 }),
        expectedVersion: 1,
        movements: [earn('o2', 59), earn('o1', 59)],
      },
      now: NOW,
    });
    expect(again).toBe('conflict');
    const { view } = await store.loadCustomer(id);
    expect(view.loyalty).toMatchObject({ pending: 59, version: 1 });
    expect([...(await store.getMovements(id, ['earn:order:o1', 'earn:order:o2'])).keys()]).toEqual([
      'earn:order:o1',
    ]);
  });

  it('refuses an account written on a stale version, and a second account for a new member', async () => {
    const id = customer();
    expect(
      await store.save({
        customerId: id,
        loyalty: { next: account(id), expectedVersion: 0, movements: [] },
        now: NOW,
      }),
    ).toBe('saved');
    // A racing first decision also believed the account did not exist.
    expect(
      await store.save({
        customerId: id,
        loyalty: { next: account(id, { available: 100 }), expectedVersion: 0, movements: [bonus] },
        now: NOW,
      }),
    ).toBe('conflict');
    expect(
      await store.save({
        customerId: id,
        loyalty: { next: account(id, { available: 5 }), expectedVersion: 1, movements: [] },
        now: NOW,
      }),
    ).toBe('saved');
    expect(
      await store.save({
        customerId: id,
        loyalty: { next: account(id, { available: 7 }), expectedVersion: 1, movements: [] },
        now: NOW,
      }),
    ).toBe('conflict');
    const { view } = await store.loadCustomer(id);
    expect(view.loyalty).toMatchObject({ available: 5, version: 2 });
    expect(await store.getMovements(id, ['bonus:registration'])).toEqual(new Map());
  });

  it('keeps the timer on the sparse index only while the account has a due moment, and sweeps it', async () => {
    const waiting = customer();
    const idle = customer();
    await store.save({
      customerId: waiting,
      loyalty: {
        next: account(waiting, { dueAt: '2026-03-16T08:00:00Z' }),
        expectedVersion: 0,
        movements: [],
      },
      now: NOW,
    });
    await store.save({
      customerId: idle,
      loyalty: { next: account(idle), expectedVersion: 0, movements: [] },
      now: NOW,
    });
    expect(await raw(keys.customer(idle), keys.loyalty)).not.toHaveProperty(TABLE.timerIndex.sortKey);

    const dueIn = async (now: string) =>
      (await Promise.all(Array.from({ length: SHARDS }, (_, s) => store.dueWork(s, now))))
        .flatMap((w) => w.loyalty)
        .filter((d) => d.customerId === waiting || d.customerId === idle);
    expect(await dueIn('2026-03-16T07:59:59Z')).toEqual([]);
    expect(await dueIn('2026-03-16T08:00:00Z')).toEqual([
      { customerId: waiting, dueAt: '2026-03-16T08:00:00Z' },
    ]);
    // Loyalty timers are not journey timers.
    const shard = store.timerShard(waiting);
    expect((await store.dueTimers(shard, '2026-03-17T00:00:00Z')).map((t) => t.customerId)).not.toContain(
      waiting,
    );

    const handled: [string, string][] = [];
    const loyalty = {
      handleTimer: async (customerId: string, dueAt: string): Promise<Outcome> => {
        handled.push([customerId, dueAt]);
        // What the service does: decide and store the account with its next due moment (none here).
        const { view } = await store.loadCustomer(customerId);
        const current = view.loyalty as LoyaltyAccount;
        await store.save({
          customerId,
          loyalty: {
            next: { ...current, dueAt: undefined },
            expectedVersion: current.version,
            movements: [],
          },
          now: dueAt,
        });
        return {
          status: 'applied',
          trace: [{ journeyId: 'loyalty', instanceId: '-', note: 'released' }],
          effects: 0,
        };
      },
    };
    const journeys = { handleTimer: async () => ({ status: 'unchanged', trace: [] }) as Outcome };
    const sweeper = new Sweeper(store, journeys as never, SHARDS, 8, undefined, loyalty);
    const report = await sweeper.sweep('2026-03-16T08:00:00Z');
    expect(handled.filter(([c]) => c === waiting)).toEqual([[waiting, '2026-03-16T08:00:00Z']]);
    expect(handled.map(([c]) => c)).not.toContain(idle);
    expect(report.trace).toContainEqual({
      journeyId: 'loyalty',
      instanceId: '-',
      note: 'released',
      customerId: waiting,
    });
    expect(report.failed).toEqual([]);
    // The account no longer carries a timer: nothing is due on the next sweep.
    expect(await dueIn('2026-03-17T00:00:00Z')).toEqual([]);
  });

  it('reads more than 100 movements by id, in batches', async () => {
    const id = customer();
    const movements = Array.from({ length: 120 }, (_, i) => earn(`o${i}`, 1));
    for (let i = 0; i < movements.length; i += 60) {
      const { view } = await store.loadCustomer(id);
      expect(
        await store.save({
          customerId: id,
          loyalty: {
            next: account(id, { pending: i + 60, version: view.loyalty?.version ?? 0 }),
            expectedVersion: view.loyalty?.version ?? 0,
            movements: movements.slice(i, i + 60),
          },
          now: NOW,
        }),
      ).toBe('saved');
    }
    const ids = [...movements.map((m) => m.id), 'earn:order:missing', 'earn:order:o3'];
    const known = await store.getMovements(id, ids);
    expect(known.size).toBe(120);
    expect(known.get('earn:order:o119')).toEqual(earn('o119', 1));
  });

  it('erases the account and the whole ledger with the customer', async () => {
    const id = customer();
    await store.save({
      customerId: id,
      loyalty: {
        next: account(id, { available: 100, dueAt: '2026-03-16T08:00:00Z' }),
        expectedVersion: 0,
        movements: [bonus, earn('o1', 10)],
      },
      now: NOW,
    });
    expect(await store.eraseCustomer(id)).toBe(3);
    expect(await partition(id)).toEqual([]);
    expect(
      await store.save({
        customerId: id,
        loyalty: { next: account(id), expectedVersion: 0, movements: [bonus] },
        now: NOW,
      }),
    ).toBe('erased');
  });

  it("pseudonymises a referral bonus in the referrer's ledger when the referee is erased", async () => {
    const referrer = customer();
    const referee = customer();
    const referral: Movement = {
      ...bonus,
      id: `bonus:referral:${referee}`,
      available: 250,
      qualifying: 250,
      reason: 'referral',
    };
    await store.save({
      customerId: referrer,
      loyalty: { next: account(referrer, { available: 250 }), expectedVersion: 0, movements: [referral] },
      now: NOW,
    });
    await store.save({
      customerId: referee,
      profile: {
        next: {
          customerId: referee,
          email: `${referee}@example.de`,
          marketingConsent: true,
          referrerId: referrer,
        },
        expectedVersion: 0,
      },
      now: NOW,
    });

    await store.eraseCustomer(referee);

    const items = await partition(referrer);
    expect(JSON.stringify(items)).not.toContain(referee);
    const moved = `bonus:referral:${pseudonym(referee)}`;
    expect(await store.getMovements(referrer, [moved, referral.id])).toEqual(
      new Map([[moved, { ...referral, id: moved }]]),
    );
    // The account never named the referee: its balance and version stay.
    expect((await store.loadCustomer(referrer)).view.loyalty).toMatchObject({ available: 250, version: 1 });
  });
});
