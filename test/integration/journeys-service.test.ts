/**
 * JourneyService and ProfileService against DynamoDB Local: concurrent deliveries for one customer,
 * redelivered events, and malformed events. No mocks: the services are wired by createServices.
 */
import { randomUUID } from 'node:crypto';
import { copyFile, mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { DynamoDBDocumentClient, GetCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { VirtualClock } from '../../functions/adapters/clock.ts';
import { keys } from '../../functions/adapters/store.ts';
import { buildCatalog } from '../../functions/catalog/build.ts';
import type { Catalog } from '../../functions/catalog/catalog.ts';
import { configFromEnv } from '../../functions/config.ts';
import type { RawEvent } from '../../functions/core/events.ts';
import { createServices, type Services } from '../../functions/services/container.ts';
import { partitionItems } from '../support/partition.ts';
import { orderPlaced, registration } from '../support/scenario.ts';
import { testEnv } from './env.ts';

const ROOT = path.resolve(import.meta.dirname, '../..');
const START = '2026-03-02T08:00:00Z';
const env = testEnv();
const dynamo = env.dynamoClient();
const doc = DynamoDBDocumentClient.from(dynamo);

let catalog: Catalog;
let tableName: string;

beforeAll(async () => {
  // Only the onboarding journey: these tests are about the plumbing, and must not change when
  // marketers add journeys.
  const journeysDir = await mkdtemp(path.join(tmpdir(), 'journeys-'));
  await copyFile(path.join(ROOT, 'journeys/onboarding.yaml'), path.join(journeysDir, 'onboarding.yaml'));
  ({ catalog } = await buildCatalog(ROOT, { defaultLocale: 'en', journeysDir }));
  ({ tableName } = await env.createTestTable('journeys-service'));
});
afterAll(() => dynamo.destroy());

/** Fresh services with their own virtual clock, on the file's table. */
function services(now = START, extraCatalog?: Catalog): { services: Services; clock: VirtualClock } {
  const clock = new VirtualClock(now);
  const config = configFromEnv({ TABLE_NAME: tableName, SIGNING_SECRET: 'test-signing-secret-0123456789' });
  return {
    clock,
    services: createServices(
      { ...config, signingSecret: config.signingSecret as string },
      extraCatalog ?? catalog,
      clock,
      // No sleeping between conflict retries: the race is decided by DynamoDB, not by timing.
      { dynamo, backoff: async () => {} },
    ),
  };
}

const customer = () => `c-${randomUUID().slice(0, 8)}`;
const raw = (
  detailType: string,
  detail: Record<string, unknown>,
  time = START,
  id = `evt-${randomUUID()}`,
): RawEvent => ({
  id,
  source: 'shop',
  detailType,
  time,
  detail,
});

const partition = (customerId: string) => partitionItems(doc, tableName, customerId);
const outboxOf = async (customerId: string) =>
  (await partition(customerId)).filter((item) => String(item.SK).startsWith('OUT#'));

describe('concurrent deliveries for one customer', () => {
  it('registration, consent change and update projected concurrently: no lost update', async () => {
    // Prepare
    const { services: s } = services();
    const id = customer();
    const events = [
      raw('customer.registered', registration(id, { firstName: undefined, marketingConsent: true }), START),
      raw('customer.consent.changed', { customerId: id, marketingConsent: false }, '2026-03-02T08:00:05Z'),
      raw('customer.updated', { customerId: id, firstName: 'Berta' }, '2026-03-02T08:00:06Z'),
      raw('customer.updated', { customerId: id, timeZone: 'Europe/Vienna' }, '2026-03-02T08:00:07Z'),
    ];
    // Act: all at once, as concurrent Lambda invocations would
    const outcomes = await Promise.all(events.map((e) => s.profiles.handleEvent(e)));
    // Assess: each one applied, and the profile holds every fact
    expect(outcomes.map((o) => o.status)).toEqual(['applied', 'applied', 'applied', 'applied']);
    const { view, profileVersion } = await s.store.loadCustomer(id);
    expect(view.profile).toMatchObject({
      customerId: id,
      email: `${id}@example.de`,
      locale: 'de-DE',
      firstName: 'Berta',
      timeZone: 'Europe/Vienna',
      marketingConsent: false,
      registeredAt: START,
    });
    expect(profileVersion).toBe(4);
  });

  it('the journey and the profile projection processing the same registration concurrently both land', async () => {
    const { services: s } = services();
    const id = customer();
    const registered = raw('customer.registered', registration(id));
    const consent = raw(
      'customer.consent.changed',
      { customerId: id, marketingConsent: false },
      '2026-03-02T08:00:01Z',
    );
    const [journey, profile, consentOutcome] = await Promise.all([
      s.journeys.handleEvent('onboarding', registered),
      s.profiles.handleEvent(registered),
      s.profiles.handleEvent(consent),
    ]);
    expect([journey.status, profile.status, consentOutcome.status]).toEqual([
      'applied',
      'applied',
      'applied',
    ]);
    const { view } = await s.store.loadCustomer(id);
    expect(view.profile).toMatchObject({ email: `${id}@example.de`, marketingConsent: false });
    expect(view.instances).toHaveLength(1);
    expect(view.instances[0]).toMatchObject({ journeyId: 'onboarding', status: 'active', sent: ['welcome'] });
    // The journey's entries (the profile may add its own, e.g. the referral code).
    const outbox = (await outboxOf(id)).filter((o) => String(o.outboxId).startsWith('onboarding#'));
    expect(outbox.map((o) => o.effect.message ?? o.effect.detailType).sort()).toEqual([
      'journey.entered',
      'welcome',
    ]);
  });

  it('the same registration delivered twice concurrently under different ids enters once, one welcome', async () => {
    const { services: s } = services();
    const id = customer();
    const outcomes = await Promise.all([
      s.journeys.handleEvent('onboarding', raw('customer.registered', registration(id))),
      s.journeys.handleEvent('onboarding', raw('customer.registered', registration(id))),
      s.journeys.handleEvent('onboarding', raw('customer.registered', registration(id))),
    ]);
    expect(outcomes.map((o) => o.status).sort()).toEqual(['applied', 'unchanged', 'unchanged']);
    const { view } = await s.store.loadCustomer(id);
    expect(view.instances).toHaveLength(1);
    expect(view.instances[0]?.version).toBe(1);
    const sends = (await outboxOf(id)).filter((o) => o.effect.kind === 'send');
    expect(sends.map((o) => o.effect.message)).toEqual(['welcome']);
  });

  it('a timer falling due and an exiting order race: the instance ends exited, nothing lost', async () => {
    // Prepare: registered two days ago, now waiting for getting-started
    const { services: s, clock } = services();
    const id = customer();
    const registered = raw('customer.registered', registration(id));
    await s.profiles.handleEvent(registered);
    await s.journeys.handleEvent('onboarding', registered);
    const [before] = (await s.store.loadCustomer(id)).view.instances;
    const dueAt = before?.waiting?.dueAt as string;
    expect(dueAt).toBe('2026-03-04T08:00:00Z');
    clock.set(dueAt);
    // Act
    const [timer, order] = await Promise.all([
      s.journeys.handleTimer('onboarding', id, before?.instanceId as string, dueAt),
      s.journeys.handleEvent('onboarding', raw('order.placed', orderPlaced(id, `${id}-o1`, dueAt), dueAt)),
    ]);
    // Assess
    expect(order.status).toBe('applied');
    // Exited with its goal reached: nothing can change it any more, so the write moved it to the archive.
    expect((await s.store.loadCustomer(id)).view.instances).toEqual([]);
    const [after] = await s.store.archivedInstancesOf(id, 'onboarding');
    expect(after).toMatchObject({ status: 'exited', endReason: 'exitOn:order.placed', goalReachedAt: dueAt });
    expect(after?.waiting).toBeUndefined();
    // One write per applied decision, none lost: entry (1) + order (2) [+ timer (3)].
    expect(after?.version).toBe(timer.status === 'applied' ? 3 : 2);
    const types = (await outboxOf(id)).map((o) => o.effect.detailType ?? o.effect.message);
    expect(types).toEqual(expect.arrayContaining(['journey.exited', 'journey.goal.reached', 'welcome']));
    expect(types.includes('getting-started')).toBe(timer.status === 'applied');
    // No timer left behind on the index for the ended instance.
    const item = await doc.send(
      new GetCommand({
        TableName: tableName,
        Key: { PK: keys.customer(id), SK: keys.archivedInstance('onboarding', after?.instanceId as string) },
        ConsistentRead: true,
      }),
    );
    expect(item.Item).toBeDefined();
    expect(item.Item).not.toHaveProperty('dueAt');
    expect(item.Item).not.toHaveProperty('timerShard');
  });

  it('two journeys deciding on the same event concurrently each keep their instance', async () => {
    // Prepare: a second journey on the same trigger
    const onboarding = catalog.journeys[0];
    if (!onboarding) throw new Error('catalog has no journeys');
    const twin: Catalog = {
      ...catalog,
      journeys: [
        ...catalog.journeys,
        { definition: { ...onboarding.definition, id: 'twin' }, version: 'twin-v1' },
      ],
    };
    const { services: s } = services(START, twin);
    const id = customer();
    const registered = raw('customer.registered', registration(id));
    // Act
    const outcomes = await Promise.all([
      s.journeys.handleEvent('onboarding', registered),
      s.journeys.handleEvent('twin', registered),
      s.profiles.handleEvent(registered),
    ]);
    // Assess
    expect(outcomes.map((o) => o.status)).toEqual(['applied', 'applied', 'applied']);
    const { view } = await s.store.loadCustomer(id);
    expect(view.instances.map((i) => i.journeyId).sort()).toEqual(['onboarding', 'twin']);
    const welcomes = (await outboxOf(id)).filter((o) => o.effect.message === 'welcome');
    expect(welcomes.map((o) => o.effect.journeyId).sort()).toEqual(['onboarding', 'twin']);
  });
});

describe('redelivery', () => {
  it('the same event id twice: the second is duplicate or unchanged and enqueues nothing', async () => {
    // Prepare
    const { services: s } = services();
    const id = customer();
    const registered = raw('customer.registered', registration(id), START, `evt-${id}`);
    const first = await s.journeys.handleEvent('onboarding', registered);
    const profileFirst = await s.profiles.handleEvent(registered);
    const outboxAfterFirst = await outboxOf(id);
    const profileAfterFirst = await s.store.loadCustomer(id);
    // Act
    const second = await s.journeys.handleEvent('onboarding', registered);
    const profileSecond = await s.profiles.handleEvent(registered);
    // Assess
    expect(first.status).toBe('applied');
    expect(['duplicate', 'unchanged']).toContain(second.status);
    expect(profileFirst.status).toBe('applied');
    expect(profileSecond.status).toBe('duplicate');
    expect(await outboxOf(id)).toEqual(outboxAfterFirst);
    expect(await s.store.loadCustomer(id)).toEqual(profileAfterFirst);
    expect(outboxAfterFirst.filter((o) => o.effect.message === 'welcome')).toHaveLength(1);
  });

  it('the same order event id redelivered after a retry exits once and reaches the goal once', async () => {
    const { services: s, clock } = services();
    const id = customer();
    await s.journeys.handleEvent('onboarding', raw('customer.registered', registration(id)));
    // Processed when it was placed: an event an hour ahead of the clock is rejected as from the future.
    clock.set('2026-03-02T09:00:00Z');
    const order = raw(
      'order.placed',
      orderPlaced(id, `${id}-o1`, '2026-03-02T09:00:00Z'),
      '2026-03-02T09:00:00Z',
    );
    const outcomes = await Promise.all([
      s.journeys.handleEvent('onboarding', order),
      s.journeys.handleEvent('onboarding', order),
    ]);
    expect(outcomes.map((o) => o.status).sort()).toEqual(
      outcomes.some((o) => o.status === 'duplicate') ? ['applied', 'duplicate'] : ['applied', 'unchanged'],
    );
    const types = (await outboxOf(id)).map((o) => o.effect.detailType ?? o.effect.message);
    expect(types.filter((t) => t === 'journey.goal.reached')).toHaveLength(1);
    expect(types.filter((t) => t === 'journey.exited')).toHaveLength(1);
  });
});

describe('malformed events', () => {
  it('are rejected with the field named, recorded, and write nothing for the customer', async () => {
    // Prepare
    const { services: s } = services();
    const id = customer();
    const bad = raw('order.placed', orderPlaced(id, `${id}-o1`, START, { amount: '10.00' }));
    // Act
    const journey = await s.journeys.handleEvent('onboarding', bad);
    const profile = await s.profiles.handleEvent(bad);
    // Assess
    for (const outcome of [journey, profile]) {
      expect(outcome).toEqual({ status: 'rejected', errors: [expect.stringContaining('total.currency')] });
    }
    const recorded = (await s.store.rejections('2026-03-02')).filter((r) => r.eventId === bad.id);
    expect(recorded).toHaveLength(1);
    expect(recorded[0]).toMatchObject({ detailType: 'order.placed', detail: JSON.stringify(bad.detail) });
    // Only the rejected record's copy, which erasure finds there.
    expect((await partition(id)).map((item) => item.type)).toEqual(['rejected']);
    const marker = await doc.send(
      new GetCommand({ TableName: tableName, Key: { PK: keys.processed(bad.id), SK: 'profile' } }),
    );
    expect(marker.Item).toBeUndefined();
  });

  it('a malformed event for a customer in a journey changes neither the profile nor the instance', async () => {
    const { services: s } = services();
    const id = customer();
    const registered = raw('customer.registered', registration(id));
    await s.profiles.handleEvent(registered);
    await s.journeys.handleEvent('onboarding', registered);
    const before = await partition(id);
    const bad = raw('customer.consent.changed', { customerId: id, marketingConsent: 'no' });
    expect((await s.profiles.handleEvent(bad)).status).toBe('rejected');
    expect((await partition(id)).filter((item) => item.type !== 'rejected')).toEqual(before);
  });
});

describe('erasure', () => {
  it('customer.deleted erases the profile, instances and outbox of the customer', async () => {
    const { services: s } = services();
    const id = customer();
    const registered = raw('customer.registered', registration(id));
    await s.profiles.handleEvent(registered);
    await s.journeys.handleEvent('onboarding', registered);
    expect((await partition(id)).length).toBeGreaterThan(2);
    const outcome = await s.profiles.handleEvent(raw('customer.deleted', { customerId: id }));
    expect(outcome.status).toBe('applied');
    expect(await partition(id)).toEqual([]);
  });
});
