/**
 * What decisions read of a customer: the one Query of the decision range (a journey's own items and
 * live instances, or the customer's `#` items only), the order items of a customer stored before order
 * summaries, and the few items read by key (orders the summary let go, settled instances). The layout
 * is table-keys.ts; JourneyStore delegates here.
 */
import { QueryCommand, type QueryCommandOutput } from '@aws-sdk/lib-dynamodb';
import type { JourneyHistory } from '../core/journey-history.ts';
import type { CustomerView, JourneyInstance, MarketingLedger, Order, Profile } from '../core/model.ts';
import { DEFAULT_RETENTION, type OrderRetention, summariseOrders } from '../core/order-history.ts';
import { accountFromItem } from './loyalty-store.ts';
import { summaryFromItem } from './order-summary-item.ts';
import { type DocumentSender, getByKeys, keys, queryAll, strip } from './table-keys.ts';
import { TABLE } from './table-schema.ts';

export interface StoredCustomer {
  view: CustomerView;
  /** Optimistic-lock version of the profile item; 0 when there is none. */
  profileVersion: number;
  /** Optimistic-lock version of the order summary (`#ORDERS`); 0 when there is none. */
  ordersVersion: number;
  /**
   * Order items still kept where they were before the summary (`O#`, inside the decision's range):
   * counted in `view.orderSummary` already; the profile projection moves them out.
   */
  legacyOrders: Order[];
  /** How many read requests the load took (a large partition pages). */
  reads: number;
}

/** Hears each request's consumed capacity (the bench's and the cost model's meter). */
export type ReadMeter = (operation: string, capacityUnits: number | undefined) => void;

export class CustomerReads {
  constructor(
    private readonly doc: DocumentSender,
    private readonly tableName: string,
    private readonly meter: ReadMeter,
  ) {}

  /**
   * The customer as a decision sees them, in one Query. With `journeyId` (a journey's decision) the
   * range ends after that journey's live instances: the customer's own `#` items and the instances of
   * journeys sorting before it, never those after it (table-keys.ts). Without, every live instance.
   * `retention` cuts the recent orders of a customer stored before order summaries, whose order
   * items a second Query reads until the profile projection has moved them (withLegacyOrders).
   */
  async loadCustomer(
    customerId: string,
    retention: OrderRetention = DEFAULT_RETENTION,
    journeyId?: string,
  ): Promise<StoredCustomer> {
    if (journeyId === undefined) return this.load(customerId, retention, '#sk < :end', keys.outboxPrefix);
    const stored = await this.load(customerId, retention, '#sk < :end', keys.instancesAfter(journeyId));
    return this.withLegacyOrders(customerId, retention, stored);
  }

  /**
   * The customer without journey instances, for decisions that never look at them (the profile
   * projection, loyalty, value checks): the `#` items only.
   */
  async loadCustomerFacts(
    customerId: string,
    retention: OrderRetention = DEFAULT_RETENTION,
  ): Promise<StoredCustomer> {
    const stored = await this.load(customerId, retention, 'begins_with(#sk, :end)', keys.ownPrefix);
    return this.withLegacyOrders(customerId, retention, stored);
  }

  /**
   * A customer with no order summary yet whose profile does not say its orders are all summarised
   * (stored before summaries, or not stored yet): their order items from then, read and summarised.
   */
  private async withLegacyOrders(
    customerId: string,
    retention: OrderRetention,
    stored: StoredCustomer,
  ): Promise<StoredCustomer> {
    if (stored.ordersVersion > 0 || stored.view.profile?.ordersSummarised) return stored;
    const legacy = await this.load(customerId, retention, 'begins_with(#sk, :end)', keys.order(''));
    const reads = stored.reads + legacy.reads;
    if (legacy.legacyOrders.length === 0) return { ...stored, reads };
    const view = { ...stored.view, orders: legacy.view.orders, orderSummary: legacy.view.orderSummary };
    return { ...stored, view, legacyOrders: legacy.legacyOrders, reads };
  }

  /** One Query of the customer's partition: `#pk = :pk AND <sortKey>` with `:end`, page after page. */
  private async load(
    customerId: string,
    retention: OrderRetention,
    sortKey: string,
    end: string,
  ): Promise<StoredCustomer> {
    const view: CustomerView = { profile: undefined, orders: [], instances: [] };
    const legacyOrders: Order[] = [];
    let profileVersion = 0;
    let ordersVersion = 0;
    let reads = 0;
    let startKey: Record<string, unknown> | undefined;
    do {
      const page: QueryCommandOutput = await this.doc.send(
        new QueryCommand({
          TableName: this.tableName,
          KeyConditionExpression: `#pk = :pk AND ${sortKey}`,
          ExpressionAttributeValues: { ':pk': keys.customer(customerId), ':end': end },
          ExpressionAttributeNames: { '#pk': TABLE.partitionKey, '#sk': TABLE.sortKey },
          ConsistentRead: true,
          ExclusiveStartKey: startKey,
          ReturnConsumedCapacity: 'TOTAL',
        }),
      );
      reads++;
      this.meter('Query', page.ConsumedCapacity?.CapacityUnits);
      for (const item of page.Items ?? []) {
        if (item.type === 'profile') {
          view.profile = strip<Profile>(item);
          profileVersion = item.version as number;
        } else if (item.type === 'instance') {
          view.instances.push({ ...strip<JourneyInstance>(item), version: item.version as number });
        } else if (item.type === 'ledger') {
          view.ledger = {
            sends: (item.sends ?? []) as MarketingLedger['sends'],
            version: item.version as number,
          };
        } else if (item.type === 'order') {
          legacyOrders.push(strip<Order>(item));
        } else if (item.type === 'orders') {
          view.orderSummary = summaryFromItem(item);
          ordersVersion = item.version as number;
        } else if (item.type === 'journey-history') {
          const history = { ...strip<JourneyHistory>(item), version: item.version as number };
          view.histories = { ...view.histories, [history.journeyId]: history };
        } else if (item.type === 'loyalty') {
          view.loyalty = accountFromItem(item);
        }
      }
      startKey = page.LastEvaluatedKey;
    } while (startKey);
    // The first summary of a customer stored before summaries: every order item was still in range.
    view.orderSummary ??= summariseOrders(legacyOrders, retention);
    const recent = new Set(view.orderSummary.recent.map((o) => o.orderId));
    view.orders = [...view.orderSummary.recent, ...legacyOrders.filter((o) => !recent.has(o.orderId))];
    return { view, profileVersion, ordersVersion, legacyOrders, reads };
  }

  /** A journey's settled instances of a customer, from the archive (inspection and tests; not a hot path). */
  async archivedInstancesOf(customerId: string, journeyId: string): Promise<JourneyInstance[]> {
    const items = await queryAll(this.doc, {
      TableName: this.tableName,
      KeyConditionExpression: 'PK = :pk AND begins_with(SK, :prefix)',
      ExpressionAttributeValues: {
        ':pk': keys.customer(customerId),
        ':prefix': keys.archivedInstance(journeyId, ''),
      },
      ConsistentRead: true,
    });
    return items.map((item) => ({ ...strip<JourneyInstance>(item), version: item.version as number }));
  }

  /** Which of these instances of a journey were settled and archived (read by key). */
  async archivedInstances(
    customerId: string,
    journeyId: string,
    instanceIds: readonly string[],
  ): Promise<string[]> {
    if (instanceIds.length === 0) return [];
    const items = await getByKeys(
      this.doc,
      this.tableName,
      keys.customer(customerId),
      instanceIds.map((id) => keys.archivedInstance(journeyId, id)),
      (units) => this.meter('BatchGetItem', units),
    );
    return items.map((item) => String(item.instanceId));
  }

  /** Orders by id, from their own items (those the summary no longer holds in full). */
  async getOrders(customerId: string, orderIds: readonly string[]): Promise<Order[]> {
    if (orderIds.length === 0) return [];
    const items = await getByKeys(
      this.doc,
      this.tableName,
      keys.customer(customerId),
      orderIds.map(keys.orderItem),
      (units) => this.meter('BatchGetItem', units),
    );
    return items.map((item) => strip<Order>(item));
  }
}
