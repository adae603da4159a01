/**
 * What the shop connectors keep in the one table, outside any customer's partition:
 *
 * - `WH#<platform>#<deliveryId>` / `DELIVERY`: one per webhook delivery. Claimed before the canonical
 *   events are published and marked `published` after, so a redelivery is skipped once its events are
 *   out, and a delivery whose handler died between claim and mark is published again after
 *   `STALE_CLAIM_SECONDS` (at least once; the core is idempotent per order and customer). No personal
 *   data; expires after `DELIVERY_DAYS`.
 * - `ONCE#<platform>#<key>` / `ONCE`: a fact published once whatever delivery repeats it (a refund that
 *   WooCommerce resends with every order change); no personal data.
 * - `OL#<orderId>` / `ORDER`: the order → customer lookup, written when an order names its customer,
 *   read with one GetItem by events that name only the order (a fulfillment, a refund). An event that
 *   arrives before its order is parked on the same item and released when the order is linked, so
 *   webhooks may come in any order. Deleted with the customer (adapters/erasure.ts, through the
 *   customer's order items); expires after `ORDER_LOOKUP_DAYS` otherwise.
 */
import { TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import {
  DeleteCommand,
  GetCommand,
  PutCommand,
  TransactWriteCommand,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import type { CanonicalEvent, Platform } from '../connectors/translation.ts';
import { refusedAsErased, unlessErased } from './erasure.ts';
import { isConditionFailure } from './errors.ts';
import { type DocumentSender, epochSeconds } from './table-keys.ts';
import { TABLE } from './table-schema.ts';

/**
 * How long a claim is honoured before a redelivery may publish again. The connector functions time out
 * well before (lib/connectors.ts), and Lambda's second async retry comes about three minutes after the
 * first attempt: a claim left by a crashed invocation is taken over by then, not sent to the DLQ.
 */
export const STALE_CLAIM_SECONDS = 2 * 60;
/** Shopify retries a webhook for 48 hours, WooCommerce and Shopware for less: a month covers them. */
export const DELIVERY_DAYS = 30;
/** Refunds and deliveries come weeks, rarely months, after the order: 400 days covers a year's returns. */
export const ORDER_LOOKUP_DAYS = 400;
/** Events parked on one order before it is known: more is a flood, not a shop. */
export const MAX_PARKED = 50;

export const connectorKeys = {
  delivery: (platform: Platform, deliveryId: string) => ({
    PK: `WH#${platform}#${deliveryId}`,
    SK: 'DELIVERY',
  }),
  once: (platform: Platform, key: string) => ({ PK: `ONCE#${platform}#${key}`, SK: 'ONCE' }),
  orderLookup: (orderId: string) => ({ PK: `OL#${orderId}`, SK: 'ORDER' }),
};

export type Claim = 'claimed' | 'published' | 'in-flight';

/** A parked event: the canonical event waiting for its order's customer, with the delivery it came in. */
export interface ParkedEvent {
  event: CanonicalEvent;
  deliveryId: string;
  platform: Platform;
}

export class ConnectorStore {
  constructor(
    private readonly doc: DocumentSender,
    private readonly tableName: string,
  ) {}

  /**
   * Claims a delivery for publishing: `claimed` (go ahead), `published` (a duplicate: its events are
   * out), or `in-flight` (another invocation claimed it moments ago: let the platform retry later).
   */
  async claimDelivery(platform: Platform, deliveryId: string, topic: string, now: string): Promise<Claim> {
    const nowSeconds = epochSeconds(now, 0);
    try {
      await this.doc.send(
        new PutCommand({
          TableName: this.tableName,
          Item: {
            ...connectorKeys.delivery(platform, deliveryId),
            type: 'delivery',
            state: 'claimed',
            topic,
            claimedAt: nowSeconds,
            [TABLE.ttlAttribute]: epochSeconds(now, DELIVERY_DAYS),
          },
          ConditionExpression: 'attribute_not_exists(PK) OR (#state = :claimed AND claimedAt < :stale)',
          ExpressionAttributeNames: { '#state': 'state' },
          ExpressionAttributeValues: { ':claimed': 'claimed', ':stale': nowSeconds - STALE_CLAIM_SECONDS },
        }),
      );
      return 'claimed';
    } catch (error) {
      if (!isConditionFailure(error)) throw error;
    }
    const current = await this.doc.send(
      new GetCommand({
        TableName: this.tableName,
        Key: connectorKeys.delivery(platform, deliveryId),
        ConsistentRead: true,
      }),
    );
    return current.Item?.state === 'published' ? 'published' : 'in-flight';
  }

  async markPublished(platform: Platform, deliveryId: string): Promise<void> {
    await this.doc.send(
      new UpdateCommand({
        TableName: this.tableName,
        Key: connectorKeys.delivery(platform, deliveryId),
        UpdateExpression: 'SET #state = :published',
        ExpressionAttributeNames: { '#state': 'state' },
        ExpressionAttributeValues: { ':published': 'published' },
      }),
    );
  }

  /** Gives the claim up (the publish failed): the platform's retry may claim it at once. */
  async releaseDelivery(platform: Platform, deliveryId: string): Promise<void> {
    await this.doc
      .send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: connectorKeys.delivery(platform, deliveryId),
          UpdateExpression: 'SET claimedAt = :zero',
          ConditionExpression: '#state = :claimed',
          ExpressionAttributeNames: { '#state': 'state' },
          ExpressionAttributeValues: { ':zero': 0, ':claimed': 'claimed' },
        }),
      )
      .catch((error: Error) => {
        if (!isConditionFailure(error)) throw error;
      });
  }

  /**
   * Claims a fact that must be published once (CanonicalEvent.onceKey): false when an earlier delivery
   * published it. Kept as long as the order lookups: a refund repeated a year on is still the same.
   */
  async claimOnce(platform: Platform, key: string, now: string): Promise<boolean> {
    try {
      await this.doc.send(
        new PutCommand({
          TableName: this.tableName,
          Item: {
            ...connectorKeys.once(platform, key),
            type: 'once',
            [TABLE.ttlAttribute]: epochSeconds(now, ORDER_LOOKUP_DAYS),
          },
          ConditionExpression: 'attribute_not_exists(PK)',
        }),
      );
      return true;
    } catch (error) {
      if (!isConditionFailure(error)) throw error;
      return false;
    }
  }

  /** Gives a once-claim back when its delivery failed before publishing: the retry claims it again. */
  async releaseOnce(platform: Platform, key: string): Promise<void> {
    await this.doc.send(
      new DeleteCommand({ TableName: this.tableName, Key: connectorKeys.once(platform, key) }),
    );
  }

  /** The customer an order belongs to, if the order is known. */
  async customerOf(orderId: string): Promise<string | undefined> {
    const result = await this.doc.send(
      new GetCommand({
        TableName: this.tableName,
        Key: connectorKeys.orderLookup(orderId),
        ConsistentRead: true,
      }),
    );
    const customerId = result.Item?.customerId;
    return typeof customerId === 'string' ? customerId : undefined;
  }

  /**
   * Links an order to its customer and returns the events parked on it (to be published now). An order
   * already linked to another customer keeps its link: the result says so, and nothing is released.
   * Not for an erased customer: the tombstone is checked in the same transaction.
   */
  async linkOrder(
    orderId: string,
    customerId: string,
    now: string,
  ): Promise<{ status: 'linked' | 'conflict' | 'erased'; parked: ParkedEvent[] }> {
    try {
      await this.doc.send(
        new TransactWriteCommand({
          TransactItems: [
            {
              Update: {
                TableName: this.tableName,
                Key: connectorKeys.orderLookup(orderId),
                UpdateExpression: 'SET #type = :type, customerId = :c, linkedAt = :now, #ttl = :ttl',
                ConditionExpression: 'attribute_not_exists(customerId) OR customerId = :c',
                ExpressionAttributeNames: { '#type': 'type', '#ttl': TABLE.ttlAttribute },
                ExpressionAttributeValues: {
                  ':type': 'order-lookup',
                  ':c': customerId,
                  ':now': now,
                  ':ttl': epochSeconds(now, ORDER_LOOKUP_DAYS),
                },
              },
            },
            unlessErased(this.tableName, customerId),
          ],
        }),
      );
    } catch (error) {
      if (!(error instanceof TransactionCanceledException)) throw error;
      if (refusedAsErased(error, 1)) return { status: 'erased', parked: [] };
      const [lookup] = error.CancellationReasons ?? [];
      if (lookup?.Code === 'ConditionalCheckFailed') return { status: 'conflict', parked: [] };
      throw error;
    }
    // No event parks once the customer is set (park's condition), so what is parked now is final.
    const item = await this.doc.send(
      new GetCommand({
        TableName: this.tableName,
        Key: connectorKeys.orderLookup(orderId),
        ConsistentRead: true,
      }),
    );
    const parked = Array.isArray(item.Item?.parked) ? (item.Item.parked as string[]) : [];
    return { status: 'linked', parked: parked.map((p) => JSON.parse(p) as ParkedEvent) };
  }

  /** Removes the parked events once they are published (a crash before leaves them to the next link). */
  async clearParked(orderId: string): Promise<void> {
    await this.doc.send(
      new UpdateCommand({
        TableName: this.tableName,
        Key: connectorKeys.orderLookup(orderId),
        UpdateExpression: 'REMOVE parked',
      }),
    );
  }

  /**
   * Parks an event on an order not linked yet. Returns `linked` with the customer if the order was
   * linked meanwhile (publish at once), `full` past `MAX_PARKED`.
   */
  async park(
    orderId: string,
    parked: ParkedEvent,
    now: string,
  ): Promise<{ status: 'parked' } | { status: 'linked'; customerId: string } | { status: 'full' }> {
    try {
      await this.doc.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: connectorKeys.orderLookup(orderId),
          UpdateExpression:
            'SET #type = :type, parked = list_append(if_not_exists(parked, :none), :one), #ttl = if_not_exists(#ttl, :ttl)',
          ConditionExpression:
            'attribute_not_exists(customerId) AND (attribute_not_exists(parked) OR size(parked) < :max)',
          ExpressionAttributeNames: { '#type': 'type', '#ttl': TABLE.ttlAttribute },
          ExpressionAttributeValues: {
            ':type': 'order-lookup',
            ':none': [],
            ':one': [JSON.stringify(parked)],
            ':max': MAX_PARKED,
            ':ttl': epochSeconds(now, ORDER_LOOKUP_DAYS),
          },
        }),
      );
      return { status: 'parked' };
    } catch (error) {
      if (!isConditionFailure(error)) throw error;
    }
    const customerId = await this.customerOf(orderId);
    return customerId ? { status: 'linked', customerId } : { status: 'full' };
  }
}
