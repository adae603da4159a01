/**
 * The input edge against DynamoDB Local (its item size, nesting and number limits are the point):
 * every handler the local runtime routes an event to accepts it or rejects it, the same way, and none
 * crashes; the rejected log stores anything; rejected records follow the customer into erasure.
 */
import { randomUUID } from 'node:crypto';
import path from 'node:path';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, ScanCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { VirtualClock } from '../../functions/adapters/clock.ts';
import { JourneyStore } from '../../functions/adapters/store.ts';
import { buildCatalog } from '../../functions/catalog/build.ts';
import type { Catalog } from '../../functions/catalog/catalog.ts';
import type { RawEvent } from '../../functions/core/events.ts';
import { acceptEvent } from '../../functions/services/journeys.ts';
import { type Delivery, LocalRuntime } from '../../local/runtime/runtime.ts';
import { partitionItems } from '../support/partition.ts';
import { orderPlaced, registration } from '../support/scenario.ts';
import { testEnv } from './env.ts';

const ROOT = path.resolve(import.meta.dirname, '../..');
const START = '2026-03-02T08:00:00Z';
const env = testEnv();
const dynamo = env.dynamoClient();
const doc = DynamoDBDocumentClient.from(dynamo);

let catalog: Catalog;
let runtime: LocalRuntime;
let clock: VirtualClock;
let tableName: string;

beforeAll(async () => {
  ({ catalog } = await buildCatalog(ROOT, { defaultLocale: 'en' }));
  clock = new VirtualClock(START);
  tableName = `hostile-${randomUUID()}`;
  runtime = await LocalRuntime.create({
    catalog,
    clock,
    dynamoEndpoint: env.dynamoEndpoint,
    stream: false,
    sesEndpoint: env.sesEndpoint,
    env: { TABLE_NAME: tableName },
  });
});
afterAll(() => {
  runtime?.dynamo?.destroy();
  dynamo.destroy();
});

const customer = () => `c-${randomUUID().slice(0, 8)}`;
const event = (detailType: string, detail: unknown, time = clock.now()): RawEvent => ({
  id: `evt-${randomUUID()}`,
  source: 'shop',
  detailType,
  time,
  detail,
});

/** Each target's verdict: `accepted`, `rejected`, or the error it threw. */
function verdicts(delivery: Delivery): string[] {
  return delivery.targets.map((t) =>
    t.error !== undefined
      ? `${t.target}: threw ${t.error}`
      : `${t.target}: ${t.outcome?.status === 'rejected' ? 'rejected' : 'accepted'}`,
  );
}

function expectRejectedByAll(delivery: Delivery): void {
  expect(delivery.targets.length).toBeGreaterThan(0);
  expect(verdicts(delivery)).toEqual(delivery.targets.map((t) => `${t.target}: rejected`));
}

const partition = (customerId: string) => partitionItems(doc, tableName, customerId);

describe('an event is rejected by every handler, never crashes one', () => {
  it.each(['constructor', 'toString', '__proto__', 'hasOwnProperty', 'valueOf'])(
    'detail-type "%s" (a prototype key) is not a shop event',
    async (detailType) => {
      const id = customer();
      const result = await runtime.services.profiles.handleEvent(event(detailType, { customerId: id }));
      expect(result).toEqual({
        status: 'rejected',
        errors: [expect.stringMatching(/^detail-type: .* is not a shop event; expected one of /)],
      });
    },
  );

  it.each([
    ['a 200 KB discountCode', (id: string) => ({ ...order(id), discountCode: 'X'.repeat(200_000) })],
    ['a 140 KB email', (id: string) => registrationWith(id, 140_000)],
    ['a 100 KB email', (id: string) => registrationWith(id, 100_000)],
    ['an email of 255 characters', (id: string) => registrationWith(id, 255 - '@example.de'.length)],
  ])('%s: every handler rejects it, with the field and the limit', async (_, detail) => {
    const id = customer();
    const body = detail(id) as Record<string, unknown>;
    const type = 'email' in body ? 'customer.registered' : 'order.placed';
    const delivery = await runtime.deliver(event(type, body));
    expectRejectedByAll(delivery);
    const errors = delivery.targets.flatMap((t) =>
      t.outcome?.status === 'rejected' ? t.outcome.errors : [],
    );
    expect(errors.join('\n')).toMatch(/^(discountCode|email): .*at most (64|254)/m);
    expect((await partition(id)).filter((item) => item.type !== 'rejected')).toEqual([]);
  });

  it('an email of 254 characters is accepted by every handler', async () => {
    const id = customer();
    const delivery = await runtime.deliver(
      event('customer.registered', registrationWith(id, 254 - '@example.de'.length)),
    );
    expect(verdicts(delivery)).toEqual(delivery.targets.map((t) => `${t.target}: accepted`));
  });

  it('a detail over 256 KB is rejected by every handler, naming the limit', async () => {
    const id = customer();
    const delivery = await runtime.deliver(
      event('order.placed', { ...order(id), padding: 'p'.repeat(300 * 1024) }),
    );
    expectRejectedByAll(delivery);
    expect(delivery.targets[0]?.outcome).toMatchObject({
      errors: [expect.stringMatching(/^\(detail\): .*256 KB/)],
    });
  });
});

describe('the rejected log stores anything', () => {
  const hostile: [string, unknown][] = [
    ['an unsafe integer', { customerId: 'x', big: 2 ** 60, list: [Number.MAX_SAFE_INTEGER + 2] }],
    ['nesting deeper than 32', { customerId: 'x', deep: nest(40) }],
    ['a __proto__ key', JSON.parse('{"customerId":"x","__proto__":{"polluted":true},"constructor":1}')],
    ['a 1 MB detail', { customerId: 'x', blob: 'b'.repeat(1024 * 1024) }],
    ['a string detail', 'not an object'],
    ['an empty key', { '': 1, customerId: 'x' }],
  ];

  it.each(hostile)('%s is rejected by every handler and kept as a string', async (_, detail) => {
    const delivery = await runtime.deliver(event('order.placed', detail));
    expectRejectedByAll(delivery);
    const recorded = (await runtime.services.store.rejections(START.slice(0, 10))).filter(
      (r) => r.eventId === delivery.event.id,
    );
    expect(recorded).toHaveLength(1);
    const stored = recorded[0]?.detail;
    expect(typeof stored).toBe('string');
    expect(String(stored).length).toBeLessThanOrEqual(20_000);
  });

  it('a truncated detail says so', async () => {
    const delivery = await runtime.deliver(event('order.placed', { blob: 'b'.repeat(1024 * 1024) }));
    const [record] = (await runtime.services.store.rejections(START.slice(0, 10))).filter(
      (r) => r.eventId === delivery.event.id,
    );
    expect(record?.detail).toMatch(/…\[truncated: \d+ of \d+ characters kept\]$/);
  });
});

describe('timestamps from a clock in the future', () => {
  it('a registration dated 9999-12-31 is rejected, and later consent changes still apply', async () => {
    const id = customer();
    await runtime.deliver(event('customer.registered', registration(id)));
    const frozen = await runtime.deliver(
      event('customer.registered', registration(id), '9999-12-31T00:00:00Z'),
    );
    expectRejectedByAll(frozen);
    expect(frozen.targets[0]?.outcome).toMatchObject({
      errors: [expect.stringMatching(/^time: .*more than 5 minutes in the future/)],
    });
    clock.set(ahead(60));
    const withdrawn = await runtime.deliver(
      event('customer.consent.changed', { customerId: id, marketingConsent: false }),
    );
    expect(withdrawn.targets.find((t) => t.target === 'profile')?.outcome?.status).toBe('applied');
    expect((await runtime.services.store.getProfile(id))?.marketingConsent).toBe(false);
  });

  it.each([
    ['placedAt', (id: string) => orderPlaced(id, `${id}-o1`, ahead(6))],
    ['registeredAt', (id: string) => registration(id, { registeredAt: ahead(6) })],
  ])('a business time (%s) 6 minutes ahead is rejected naming the field', async (field, detail) => {
    const id = customer();
    const body = detail(id);
    const delivery = await runtime.deliver(
      event(field === 'placedAt' ? 'order.placed' : 'customer.registered', body),
    );
    expectRejectedByAll(delivery);
    expect(delivery.targets[0]?.outcome).toMatchObject({
      errors: [expect.stringMatching(new RegExp(`^${field}: .*more than 5 minutes in the future`))],
    });
  });

  it('a business time within the tolerance (4 minutes ahead) is accepted', async () => {
    const id = customer();
    const delivery = await runtime.deliver(event('order.placed', orderPlaced(id, `${id}-o1`, ahead(4))));
    expect(verdicts(delivery)).toEqual(delivery.targets.map((t) => `${t.target}: accepted`));
  });
});

describe('rejected records follow the customer', () => {
  it('are findable by customer and erased with the customer', async () => {
    const id = customer();
    await runtime.deliver(event('customer.registered', registration(id)));
    const bad = await runtime.deliver(event('customer.updated', { customerId: id, email: `${id}@nowhere` }));
    expectRejectedByAll(bad);
    const mine = await runtime.services.store.customerRejections(id);
    expect(mine.map((r) => r.eventId)).toEqual([bad.event.id]);
    expect(mine[0]?.detail).toContain(`${id}@nowhere`);

    await runtime.deliver(event('customer.deleted', { customerId: id }));

    expect(await runtime.services.store.customerRejections(id)).toEqual([]);
    expect(await scanFor(id)).toEqual([]);
  });

  it('a malformed event after erasure is kept without personal data', async () => {
    const id = customer();
    await runtime.deliver(event('customer.registered', registration(id, { firstName: `Name${id}` })));
    await runtime.deliver(event('customer.deleted', { customerId: id }));
    const late = await runtime.deliver(
      event('customer.updated', { customerId: id, email: `${id}@nowhere`, firstName: `Name${id}` }),
    );
    expectRejectedByAll(late);
    const [record] = (await runtime.services.store.rejections(START.slice(0, 10))).filter(
      (r) => r.eventId === late.event.id,
    );
    expect(record).toMatchObject({ detailType: 'customer.updated', redacted: 'customer erased' });
    expect(await scanFor(id)).toEqual([]);
  });
});

describe('SES events from anyone who may put on the default bus', () => {
  // The route is the CDK rule's pattern: only events tagged with this configuration set reach the handler.
  const set = { 'ses:configuration-set': ['retention-journeys'] };
  it.each<[string, unknown]>([
    ['a prototype key as eventType', { eventType: 'constructor', mail: { tags: set } }],
    [
      'recipients that are not a list',
      { eventType: 'Complaint', complaint: { complainedRecipients: 'x' }, mail: { tags: set } },
    ],
    [
      'a recipient address that is a number',
      {
        eventType: 'Complaint',
        complaint: { complainedRecipients: [{ emailAddress: 7 }, null] },
        mail: { tags: set },
      },
    ],
    [
      'tags that are not lists',
      { eventType: 'Delivery', mail: { tags: { ...set, outbox: 'abc', journey: 5 } } },
    ],
  ])('%s is ignored or recorded, never crashes the handler', async (_, detail) => {
    const delivery = await runtime.deliver({
      ...event('Email Complaint Received', detail),
      source: 'aws.ses',
    });
    expect(delivery.targets.map((t) => [t.target, t.error])).toEqual([['ses-events', undefined]]);
  });

  it('a detail that is a string matches no rule, and the handler given it ignores it', async () => {
    const malformed = { ...event('Email Bounced', 'Email Bounced'), source: 'aws.ses' };
    expect((await runtime.deliver(malformed)).targets).toEqual([]);
    await expect(runtime.services.sesEvents.handle(malformed)).resolves.toBeDefined();
  });
});

describe('infrastructure faults', () => {
  it('a store that cannot be reached still throws, so Lambda retries', async () => {
    const client = new DynamoDBClient({
      region: 'local',
      credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
      endpoint: 'http://127.0.0.1:9',
      maxAttempts: 1,
    });
    const store = new JourneyStore(DynamoDBDocumentClient.from(client), tableName, {
      timerShards: 1,
      retentionDays: 1,
    });
    try {
      const malformed = event('order.placed', { customerId: 'x' });
      await expect(acceptEvent({ store, now: () => START }, malformed, 'profile')).rejects.toThrow();
    } finally {
      client.destroy();
    }
  });
});

/** The virtual clock's time plus `minutes` (the clock only moves forward across the file's tests). */
function ahead(minutes: number): string {
  return new Date(Date.parse(clock.now()) + minutes * 60_000).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

function order(customerId: string) {
  return orderPlaced(customerId, `${customerId}-o1`, START);
}

function registrationWith(customerId: string, localLength: number) {
  return registration(customerId, { email: `${'e'.repeat(localLength)}@example.de` });
}

function nest(depth: number): unknown {
  let value: unknown = 'leaf';
  for (let i = 0; i < depth; i++) value = { next: value };
  return value;
}

/** Every item (outside the tombstone) whose attributes mention `needle` anywhere. */
async function scanFor(needle: string): Promise<Record<string, unknown>[]> {
  const found: Record<string, unknown>[] = [];
  let startKey: Record<string, unknown> | undefined;
  do {
    const page = await doc.send(new ScanCommand({ TableName: tableName, ExclusiveStartKey: startKey }));
    for (const item of page.Items ?? []) if (JSON.stringify(item).includes(needle)) found.push(item);
    startKey = page.LastEvaluatedKey;
  } while (startKey);
  return found;
}
