/**
 * The connector service on DynamoDB Local, whichever shop system the translation came from: webhooks
 * arrive twice, late, early (a refund before its order) and the bus can fail after a claim. Nothing
 * is published twice for one delivery, nothing is lost, a rejected payload leaves only its
 * rejected-log record, and erasure takes the order → customer lookups with the customer.
 */
import { randomUUID } from 'node:crypto';
import { DynamoDBDocumentClient, GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { beforeEach, describe, expect, it } from 'vitest';
import { connectorKeys } from '../../functions/adapters/connector-store.ts';
import { eraseCustomer } from '../../functions/adapters/erasure.ts';
import type { EventPublisher, OutgoingEvent } from '../../functions/adapters/publisher.ts';
import { JourneyStore, keys } from '../../functions/adapters/store.ts';
import type { CanonicalEvent, Translation } from '../../functions/connectors/translation.ts';
import type { ConnectorService } from '../../functions/services/connectors.ts';
import { connectorService } from '../../functions/services/container.ts';
import { testEnv } from './env.ts';

const NOW = '2026-03-02T08:00:00Z';

/** The bus: what was published, in order; `failNext` makes the next publish throw (EventBridge down). */
class RecordingBus implements EventPublisher {
  events: OutgoingEvent[] = [];
  failNext = 0;
  async publish(event: OutgoingEvent) {
    if (this.failNext > 0) {
      this.failNext--;
      throw new Error('PutEvents failed: InternalFailure');
    }
    this.events.push(event);
  }
}

let bus: RecordingBus;
let service: ConnectorService;
let doc: DynamoDBDocumentClient;
let tableName: string;
let run: string;

beforeEach(async () => {
  const env = testEnv();
  ({ tableName } = await env.createTestTable('connectors'));
  doc = DynamoDBDocumentClient.from(env.dynamoClient(), { marshallOptions: { removeUndefinedValues: true } });
  bus = new RecordingBus();
  service = connectorService(doc, { tableName, shopEventSource: 'shop', retentionDays: 30 }, bus, () => NOW);
  run = randomUUID().slice(0, 8);
});

const order = (orderId: string, customerId: string): CanonicalEvent => ({
  detailType: 'order.placed',
  time: '2026-03-02T07:58:00Z',
  detail: {
    orderId,
    customerId,
    placedAt: '2026-03-02T07:58:00Z',
    total: { amount: '59.90', currency: 'EUR' },
  },
});
const refund = (orderId: string): CanonicalEvent => ({
  detailType: 'order.refunded',
  time: '2026-03-02T07:59:00Z',
  detail: { orderId, amount: { amount: '10.00', currency: 'EUR' } },
  customerOf: orderId,
});
const delivery = (deliveryId: string, events: CanonicalEvent[], orders: Translation['orders'] = []) => ({
  ok: true as const,
  translation: { platform: 'shopify' as const, deliveryId, topic: 'test', events, orders },
});
const envelope = (id: string) => ({ id, time: NOW, detail: { id } });

describe('connector service', () => {
  it('publishes a refund that came before its order once the order is placed, after the order', async () => {
    // Prepare
    const [o, c] = [`o-${run}`, `c-${run}`];
    // Act
    const early = await service.handle(delivery(`d1-${run}`, [refund(o)]), envelope('d1'));
    const placed = await service.handle(
      delivery(`d2-${run}`, [order(o, c)], [{ orderId: o, customerId: c }]),
      envelope('d2'),
    );
    // Assess
    expect(early).toMatchObject({ status: 'published', published: [], parked: 1 });
    expect(placed).toMatchObject({ status: 'published', released: 1 });
    expect(bus.events.map((e) => [e.detailType, e.detail.customerId, e.source])).toEqual([
      ['order.placed', c, 'shop'],
      ['order.refunded', c, 'shop'],
    ]);
    // A later refund finds the customer with one lookup, and nothing stays parked.
    await service.handle(delivery(`d3-${run}`, [refund(o)]), envelope('d3'));
    expect(bus.events.at(-1)).toMatchObject({ detailType: 'order.refunded', detail: { customerId: c } });
    const lookup = await doc.send(
      new GetCommand({ TableName: tableName, Key: connectorKeys.orderLookup(o) }),
    );
    expect(lookup.Item).toMatchObject({ customerId: c });
    expect(lookup.Item?.parked).toBeUndefined();
  });

  it('releases an early refund once though its delivery was retried after a failure', async () => {
    // Prepare: the refund parks, then the bus fails on the delivery's second event; the retry parks it again
    const [o, c] = [`o-${run}`, `c-${run}`];
    const other = order(`o2-${run}`, c);
    bus.failNext = 1;
    await expect(service.handle(delivery(`d1-${run}`, [refund(o), other]), envelope('d1'))).rejects.toThrow();
    await service.handle(delivery(`d1-${run}`, [refund(o), other]), envelope('d1'));
    // Act
    const placed = await service.handle(
      delivery(`d2-${run}`, [order(o, c)], [{ orderId: o, customerId: c }]),
      envelope('d2'),
    );
    // Assess
    expect(placed).toMatchObject({ released: 1 });
    expect(bus.events.filter((e) => e.detailType === 'order.refunded')).toHaveLength(1);
  });

  it('publishes a delivery once however often it arrives', async () => {
    // Prepare
    const d = delivery(
      `d-${run}`,
      [order(`o-${run}`, `c-${run}`)],
      [{ orderId: `o-${run}`, customerId: `c-${run}` }],
    );
    // Act
    const outcomes = [];
    for (let i = 0; i < 3; i++) outcomes.push((await service.handle(d, envelope('d'))).status);
    // Assess
    expect(outcomes).toEqual(['published', 'duplicate', 'duplicate']);
    expect(bus.events).toHaveLength(1);
  });

  it('publishes a refund once though every order change resends it, and gives its claim back on a failure', async () => {
    // Prepare: WooCommerce resends the order, with every refund so far, on each order.updated
    const [o, c] = [`o-${run}`, `c-${run}`];
    const refundOnce = (id: string): CanonicalEvent => ({
      ...refund(o),
      detail: { orderId: o, customerId: c, amount: { amount: '10.00', currency: 'EUR' } },
      customerOf: undefined,
      onceKey: `refund:${o}:${id}`,
    });
    bus.failNext = 1;
    // Act
    await expect(service.handle(delivery(`d1-${run}`, [refundOnce('r1')]), envelope('d1'))).rejects.toThrow();
    await service.handle(delivery(`d1-${run}`, [refundOnce('r1')]), envelope('d1'));
    const again = await service.handle(
      delivery(`d2-${run}`, [refundOnce('r1'), refundOnce('r2')]),
      envelope('d2'),
    );
    // Assess
    expect(again).toMatchObject({ status: 'published', repeated: 1 });
    expect(bus.events.map((e) => e.detailType)).toEqual(['order.refunded', 'order.refunded']);
  });

  it('gives the claim back when the bus fails, so the retry publishes', async () => {
    // Prepare
    const d = delivery(`d-${run}`, [order(`o-${run}`, `c-${run}`)]);
    bus.failNext = 1;
    // Act
    await expect(service.handle(d, envelope('d'))).rejects.toThrow(/PutEvents failed/);
    const retry = await service.handle(d, envelope('d'));
    // Assess
    expect(retry.status).toBe('published');
    expect(bus.events).toHaveLength(1);
  });

  it('rejects a translation the contract refuses whole: the rejected log has it, the bus nothing', async () => {
    // Prepare: the second event has a float total, which the contract refuses
    const bad = order(`o2-${run}`, `c-${run}`);
    bad.detail.total = { amount: 59.9, currency: 'EUR' };
    // Act
    const outcome = await service.handle(
      delivery(`d-${run}`, [order(`o-${run}`, `c-${run}`), bad]),
      envelope(`d-${run}`),
    );
    const mapped = await service.handle(
      {
        ok: false,
        platform: 'woocommerce',
        deliveryId: `w-${run}`,
        topic: 'order.created',
        errors: ['id: required'],
      },
      envelope(`w-${run}`),
    );
    // Assess
    expect(outcome).toMatchObject({ status: 'rejected' });
    expect(outcome.status === 'rejected' && outcome.errors.join()).toMatch(
      /total\.amount: must be a decimal string/,
    );
    expect(mapped).toMatchObject({ status: 'rejected', errors: ['id: required'] });
    expect(bus.events).toEqual([]);
    const rejected = await new JourneyStore(doc, tableName, { timerShards: 4, retentionDays: 30 }).rejections(
      '2026-03-02',
    );
    expect(rejected.map((r) => [r.detailType, r.consumer])).toEqual(
      expect.arrayContaining([
        ['shopify:test', 'connector:shopify'],
        ['woocommerce:order.created', 'connector:woocommerce'],
      ]),
    );
    // Nothing claimed: the same delivery id, fixed, goes through.
    expect(
      (await service.handle(delivery(`d-${run}`, [order(`o-${run}`, `c-${run}`)]), envelope('d'))).status,
    ).toBe('published');
  });

  it('keeps a rejected payload in the customer it names, and erasure takes it', async () => {
    // Prepare: a mapping rejection naming its customer, as the platform wrappers fill it in
    const c = `c-${run}`;
    const store = new JourneyStore(doc, tableName, { timerShards: 4, retentionDays: 30 });
    // Act
    await service.handle(
      {
        ok: false,
        platform: 'shopify',
        deliveryId: `d-${run}`,
        topic: 'orders/create',
        customerId: c,
        errors: ['x: y'],
      },
      { id: `d-${run}`, time: NOW, detail: { payload: { email: 'someone@example.com' } } },
    );
    const kept = await store.customerRejections(c);
    await eraseCustomer(doc, tableName, c);
    // Assess
    expect(kept.map((r) => r.detailType)).toEqual(['shopify:orders/create']);
    expect(await store.customerRejections(c)).toEqual([]);
  });

  it('keeps the first customer of an order, and links no order to an erased customer', async () => {
    // Prepare
    const [o, c, other] = [`o-${run}`, `c-${run}`, `x-${run}`];
    await service.handle(
      delivery(`d1-${run}`, [order(o, c)], [{ orderId: o, customerId: c }]),
      envelope('d1'),
    );
    await eraseCustomer(doc, tableName, other);
    // Act
    await service.handle(delivery(`d2-${run}`, [], [{ orderId: o, customerId: other }]), envelope('d2'));
    await service.handle(
      delivery(`d3-${run}`, [], [{ orderId: `o9-${run}`, customerId: other }]),
      envelope('d3'),
    );
    // Assess
    const get = async (id: string) =>
      (await doc.send(new GetCommand({ TableName: tableName, Key: connectorKeys.orderLookup(id) }))).Item;
    expect(await get(o)).toMatchObject({ customerId: c });
    expect(await get(`o9-${run}`)).toBeUndefined();
  });

  it('erases the order lookups with the customer', async () => {
    // Prepare: the order as the core keeps it in the customer's partition, and its lookup
    const [o, c] = [`o-${run}`, `c-${run}`];
    await service.handle(
      delivery(`d1-${run}`, [order(o, c)], [{ orderId: o, customerId: c }]),
      envelope('d1'),
    );
    await doc.send(
      new PutCommand({
        TableName: tableName,
        Item: { PK: keys.customer(c), SK: keys.order(o), type: 'order', orderId: o },
      }),
    );
    // Act
    await eraseCustomer(doc, tableName, c);
    // Assess
    const lookup = await doc.send(
      new GetCommand({ TableName: tableName, Key: connectorKeys.orderLookup(o) }),
    );
    expect(lookup.Item).toBeUndefined();
  });
});
