/**
 * A customer stored before order summaries and settled instances (issue 13), against DynamoDB Local:
 * their partition as the previous release wrote it — a profile, order items under `O#`, finished
 * instances under `J#` — meets today's services. Decisions must come out as they did (the fourth
 * order is thanked as a returning customer's, onboarding is not entered again, an old order told
 * again does not start its series again), and the partition must end in today's layout: the order
 * summary counts every order, the order items and finished instances are out of the decision range.
 */
import { randomUUID } from 'node:crypto';
import { copyFile, mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { DynamoDBDocumentClient, PutCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { VirtualClock } from '../../functions/adapters/clock.ts';
import { keys } from '../../functions/adapters/store.ts';
import { buildCatalog } from '../../functions/catalog/build.ts';
import { type Catalog, compiledJourneys } from '../../functions/catalog/catalog.ts';
import { configFromEnv } from '../../functions/config.ts';
import type { RawEvent } from '../../functions/core/events.ts';
import { createServices, type Services } from '../../functions/services/container.ts';
import { partitionItems } from '../support/partition.ts';
import { testEnv } from './env.ts';

const ROOT = path.resolve(import.meta.dirname, '../..');
const NOW = '2026-06-01T08:00:00Z';
const env = testEnv();
const dynamo = env.dynamoClient();
const doc = DynamoDBDocumentClient.from(dynamo);

let catalog: Catalog;
let tableName: string;
let services: Services;

beforeAll(async () => {
  const journeysDir = await mkdtemp(path.join(tmpdir(), 'journeys-'));
  for (const id of ['onboarding', 'post-purchase'])
    await copyFile(path.join(ROOT, `journeys/${id}.yaml`), path.join(journeysDir, `${id}.yaml`));
  ({ catalog } = await buildCatalog(ROOT, { defaultLocale: 'en', journeysDir }));
  ({ tableName } = await env.createTestTable('history-migration'));
  const config = configFromEnv({ TABLE_NAME: tableName, SIGNING_SECRET: 'test-signing-secret-0123456789' });
  services = createServices(
    { ...config, signingSecret: config.signingSecret as string },
    catalog,
    new VirtualClock(NOW),
    {
      dynamo,
      backoff: async () => {},
    },
  );
});
afterAll(() => dynamo.destroy());

const total = { amount: '40.00', currency: 'EUR' };
const raw = (detailType: string, detail: Record<string, unknown>): RawEvent => ({
  id: `evt-${randomUUID()}`,
  source: 'shop',
  detailType,
  time: NOW,
  detail,
});

const partition = (customerId: string) => partitionItems(doc, tableName, customerId);

/** The partition as the release before order summaries left it after three orders. */
async function writeLegacyCustomer(customerId: string): Promise<void> {
  const versions = compiledJourneys(catalog);
  const version = (id: string) => versions.get(id)?.version as string;
  const pk = keys.customer(customerId);
  const orders = ['2026-01-10T10:00:00Z', '2026-02-10T10:00:00Z', '2026-03-10T10:00:00Z'];
  const items: Record<string, unknown>[] = [
    {
      PK: pk,
      SK: '#PROFILE',
      type: 'profile',
      version: 4,
      customerId,
      email: 'lea@example.de',
      firstName: 'Lea',
      locale: 'de-DE',
      timeZone: 'Europe/Berlin',
      marketingConsent: true,
      consentAt: '2026-01-01T09:00:00Z',
      registeredAt: '2026-01-01T09:00:00Z',
      updatedAt: '2026-01-01T09:00:00Z',
    },
    {
      PK: pk,
      SK: 'J#onboarding#20260101T090000Z',
      type: 'instance',
      version: 3,
      journeyId: 'onboarding',
      instanceId: '20260101T090000Z',
      definitionVersion: version('onboarding'),
      status: 'exited',
      holdout: false,
      enteredAt: '2026-01-01T09:00:00Z',
      pc: 3,
      context: { customerId },
      sent: ['welcome'],
      endedAt: '2026-01-10T10:00:00Z',
      endReason: 'exitOn:order.placed',
      goalDeadline: '2026-01-15T09:00:00Z',
      goalReachedAt: '2026-01-10T10:00:00Z',
    },
  ];
  for (const [i, placedAt] of orders.entries()) {
    const orderId = `o${i + 1}`;
    const total = { amount: '40.00', currency: 'EUR' };
    items.push(
      { PK: pk, SK: `O#${orderId}`, type: 'order', orderId, placedAt, total, deliveredAt: placedAt },
      {
        PK: pk,
        SK: `J#post-purchase#${orderId}`,
        type: 'instance',
        version: 5,
        journeyId: 'post-purchase',
        instanceId: orderId,
        definitionVersion: version('post-purchase'),
        status: 'completed',
        holdout: false,
        enteredAt: placedAt,
        pc: 99,
        context: { customerId, orderId, placedAt },
        trigger: { customerId, orderId, placedAt, total },
        sent: [i === 0 ? 'thank-you-first' : 'thank-you-returning', 'review-request'],
        endedAt: placedAt,
        endReason: 'completed',
        goalDeadline: placedAt,
        goalReachedAt: placedAt,
      },
    );
  }
  for (const Item of items) await doc.send(new PutCommand({ TableName: tableName, Item }));
}

describe('a customer stored before order summaries', () => {
  it('is decided on as before, and ends in today’s layout', async () => {
    // Prepare
    const id = `legacy-${randomUUID().slice(0, 8)}`;
    await writeLegacyCustomer(id);
    const order = raw('order.placed', {
      orderId: 'o4',
      customerId: id,
      placedAt: NOW,
      total: { amount: '40.00', currency: 'EUR' },
    });

    // Act: the journeys decide before the profile projection has migrated anything (they race in AWS)
    const postPurchase = await services.journeys.handleEvent('post-purchase', order);
    const onboarding = await services.journeys.handleEvent('onboarding', order);
    const profile = await services.profiles.handleEvent(order);

    // Assess: the decisions
    expect(postPurchase.status).toBe('applied');
    expect(onboarding.status).toBe('unchanged');
    expect(profile.status).toBe('applied');
    const thanked = (await partition(id)).find((i) => String(i.SK).startsWith('OUT#post-purchase#o4#'));
    expect(thanked?.effect).toMatchObject({ kind: 'send', message: 'thank-you-returning' });
    expect(thanked?.effect.data.orderCount).toBe(4);

    // Assess: the layout
    const items = await partition(id);
    const sks = items.map((i) => String(i.SK));
    expect(sks.filter((sk) => sk.startsWith('O#'))).toEqual([]);
    expect(sks.filter((sk) => sk.startsWith('XO#')).sort()).toEqual(['XO#o1', 'XO#o2', 'XO#o3', 'XO#o4']);
    expect(items.find((i) => i.SK === '#ORDERS')).toMatchObject({ count: 4, revenue: { EUR: '160.00' } });
    expect(items.find((i) => i.SK === '#PROFILE')).toMatchObject({ ordersSummarised: true, version: 5 });
    // The finished post-purchase instances left with the decision that met them; the new one is live.
    expect(sks.filter((sk) => sk.startsWith('J#post-purchase#'))).toEqual(['J#post-purchase#o4']);
    expect(sks.filter((sk) => sk.startsWith('XJ#post-purchase#')).sort()).toEqual([
      'XJ#post-purchase#o1',
      'XJ#post-purchase#o2',
      'XJ#post-purchase#o3',
    ]);
    expect(items.find((i) => i.SK === '#JH#post-purchase')).toMatchObject({
      entries: 3,
      lastEnteredAt: '2026-03-10T10:00:00Z',
    });
  });

  it('does not start an old order’s series again when the order is told once more', async () => {
    // Prepare: migrated by a first order, then the first order told again under a new event id
    const id = `legacy-${randomUUID().slice(0, 8)}`;
    await writeLegacyCustomer(id);
    const fourth = raw('order.placed', { orderId: 'o4', customerId: id, placedAt: NOW, total });
    await services.profiles.handleEvent(fourth);
    await services.journeys.handleEvent('post-purchase', fourth);
    const again = raw('order.placed', {
      orderId: 'o1',
      customerId: id,
      placedAt: '2026-01-10T10:00:00Z',
      total,
    });

    // Act
    const outcome = await services.journeys.handleEvent('post-purchase', again);
    await services.profiles.handleEvent(again);

    // Assess
    expect(outcome.status).toBe('unchanged');
    expect(outcome.status === 'unchanged' && outcome.trace.map((t) => t.note)).toContain(
      'does not enter: already entered for this key',
    );
    expect((await partition(id)).find((i) => i.SK === '#ORDERS')).toMatchObject({ count: 4 });
  });

  it('is read in one Query of its own items and live instances once migrated', async () => {
    // Prepare
    const id = `legacy-${randomUUID().slice(0, 8)}`;
    await writeLegacyCustomer(id);
    const fourth = raw('order.placed', { orderId: 'o4', customerId: id, placedAt: NOW, total });
    await services.profiles.handleEvent(fourth);
    await services.journeys.handleEvent('post-purchase', fourth);

    // Act
    const stored = await services.store.loadCustomer(id, undefined, 'post-purchase');

    // Assess
    expect(stored.reads).toBe(1);
    expect(stored.legacyOrders).toEqual([]);
    expect(stored.view.instances.map((i) => i.instanceId).sort()).toEqual(['20260101T090000Z', 'o4']);
    expect(stored.view.orderSummary?.count).toBe(4);
    // Recent: what these two journeys can still look at (post-purchase's ~81 days plus the margin);
    // the January order is counted, no longer seen one by one.
    expect(stored.view.orders.map((o) => o.orderId).sort()).toEqual(['o2', 'o3', 'o4']);
    expect(stored.view.orderSummary?.evictedUpTo).toBe('2026-01-10T10:00:00Z');
  });
});
