/**
 * What every connector does with a translated delivery (connectors/translation.ts), whichever shop
 * system it came from: reject it whole or publish it whole, once.
 *
 * 1. A rejected payload, or a translation with an event the contract refuses, goes to the rejected
 *    log (inspectable, replayable) and nothing is published: no partial state.
 * 2. The delivery is claimed by its platform delivery id; a redelivery of a published one is skipped.
 * 3. Orders the payload ties to a customer are linked (order → customer lookup); events that had
 *    arrived before their order are released.
 * 4. Events that name only an order get its customer from the lookup, or wait parked on it.
 * 5. The canonical events are published with the shop's source, and the delivery marked published.
 * A failure in between releases the claim and throws: the platform (or EventBridge) retries, and the
 * core is idempotent per customer and order, so a repeat does no harm.
 */
import type { ConnectorStore, ParkedEvent } from '../adapters/connector-store.ts';
import type { EventPublisher } from '../adapters/publisher.ts';
import type { Rejection } from '../adapters/store.ts';
import type { CanonicalEvent, Platform, Translation, TranslationResult } from '../connectors/translation.ts';
import { parseShopEvent } from '../core/events.ts';

export interface ConnectorDeps {
  store: Pick<
    ConnectorStore,
    | 'claimDelivery'
    | 'markPublished'
    | 'releaseDelivery'
    | 'claimOnce'
    | 'releaseOnce'
    | 'customerOf'
    | 'linkOrder'
    | 'clearParked'
    | 'park'
  >;
  rejections: { recordRejection(rejection: Rejection): Promise<void> };
  publisher: EventPublisher;
  /** The journeys bus's shop source (SHOP_EVENT_SOURCE): what the profile and journey rules match. */
  source: string;
  now: () => string;
}

/** What the delivery came as, for the rejected log: the platform's own id, time and payload. */
export interface DeliveryEnvelope {
  id: string;
  time: string;
  detail: unknown;
}

export type ConnectorOutcome =
  | {
      status: 'published';
      platform: Platform;
      topic: string;
      published: { detailType: string; customerId: string }[];
      /** Events waiting for their order to be placed. */
      parked: number;
      /** Events that had waited for an order this delivery placed, published now. */
      released: number;
      /** Facts an earlier delivery already published (`onceKey`), left out. */
      repeated: number;
      ignored?: string | undefined;
    }
  | { status: 'duplicate'; platform: Platform; topic: string }
  | { status: 'in-flight'; platform: Platform; topic: string }
  | { status: 'rejected'; platform: Platform; topic?: string | undefined; errors: string[] };

/** Stands in for the customer while checking an event that takes its customer from its order. */
const PLACEHOLDER_CUSTOMER = 'customer-of-order';

export class ConnectorService {
  constructor(private readonly deps: ConnectorDeps) {}

  async handle(result: TranslationResult, envelope: DeliveryEnvelope): Promise<ConnectorOutcome> {
    const now = this.deps.now();
    if (!result.ok) return this.reject({ ...result, envelope, now });
    const { translation } = result;
    const errors = this.contractErrors(translation, now);
    if (errors.length) {
      const named = [
        ...translation.orders.map((o) => o.customerId),
        ...translation.events.map((e) => e.detail.customerId),
      ].find((id): id is string => typeof id === 'string');
      return this.reject({ ...translation, errors, customerId: named, envelope, now });
    }

    const { platform, deliveryId, topic } = translation;
    const claim = await this.deps.store.claimDelivery(platform, deliveryId, topic, now);
    if (claim === 'published') return { status: 'duplicate', platform, topic };
    if (claim === 'in-flight') return { status: 'in-flight', platform, topic };
    const onceClaimed: string[] = [];
    try {
      const outcome = await this.publishTranslation(translation, now, onceClaimed);
      await this.deps.store.markPublished(platform, deliveryId);
      return outcome;
    } catch (error) {
      for (const key of onceClaimed) await this.deps.store.releaseOnce(platform, key);
      await this.deps.store.releaseDelivery(platform, deliveryId);
      throw error;
    }
  }

  private async publishTranslation(
    translation: Translation,
    now: string,
    onceClaimed: string[],
  ): Promise<ConnectorOutcome> {
    const { platform, deliveryId, topic } = translation;
    const published: { detailType: string; customerId: string }[] = [];
    const known = new Map(translation.orders.map((o) => [o.orderId, o.customerId]));
    let parked = 0;
    let released = 0;
    let repeated = 0;

    // This delivery's own events first, then what waited for its orders: an order before its delivery.
    for (const event of translation.events) {
      if (event.onceKey !== undefined) {
        if (!(await this.deps.store.claimOnce(platform, event.onceKey, now))) {
          repeated++;
          continue;
        }
        onceClaimed.push(event.onceKey);
      }
      const orderId = event.customerOf;
      let customerId = typeof event.detail.customerId === 'string' ? event.detail.customerId : undefined;
      if (orderId !== undefined) {
        customerId = known.get(orderId) ?? (await this.deps.store.customerOf(orderId));
        if (customerId === undefined) {
          const outcome = await this.deps.store.park(orderId, { event, deliveryId, platform }, now);
          if (outcome.status === 'parked') {
            parked++;
            continue;
          }
          if (outcome.status === 'full')
            throw new Error(`order ${orderId}: too many events waiting for an order that never came`);
          customerId = outcome.customerId;
        }
      }
      if (customerId === undefined) continue; // contractErrors made sure every other event names one
      await this.publish(event, customerId);
      published.push({ detailType: event.detailType, customerId });
    }
    for (const { orderId, customerId } of translation.orders) {
      const link = await this.deps.store.linkOrder(orderId, customerId, now);
      if (link.status !== 'linked' || !link.parked.length) continue;
      // A delivery retried after a failure parks its events again: each is released once.
      const unique = new Map(
        link.parked.map((p) => [`${p.platform}|${p.deliveryId}|${JSON.stringify(p.event)}`, p]),
      );
      for (const waiting of unique.values()) {
        await this.publish(waiting.event, customerId);
        published.push({ detailType: waiting.event.detailType, customerId });
        released++;
      }
      await this.deps.store.clearParked(orderId);
    }
    return {
      status: 'published',
      platform,
      topic,
      published,
      parked,
      released,
      repeated,
      ignored: translation.ignored,
    };
  }

  private async publish(event: CanonicalEvent | ParkedEvent['event'], customerId: string): Promise<void> {
    await this.deps.publisher.publish({
      source: this.deps.source,
      detailType: event.detailType,
      detail: { ...event.detail, customerId },
      time: event.time,
    });
  }

  /** Every event must pass the contract as the core will see it; a mapping fault rejects the delivery. */
  private contractErrors(translation: Translation, now: string): string[] {
    const errors: string[] = [];
    for (const [index, event] of translation.events.entries()) {
      const detail =
        event.customerOf === undefined ? event.detail : { ...event.detail, customerId: PLACEHOLDER_CUSTOMER };
      const parsed = parseShopEvent(
        {
          id: `${translation.deliveryId}#${index}`,
          source: this.deps.source,
          detailType: event.detailType,
          time: event.time,
          detail,
        },
        { now },
      );
      if (!parsed.ok) errors.push(...parsed.errors.map((e) => `${event.detailType} ${e}`));
    }
    return errors;
  }

  private async reject(rejection: {
    platform: Platform;
    topic?: string | undefined;
    deliveryId?: string | undefined;
    customerId?: string | undefined;
    errors: string[];
    envelope: DeliveryEnvelope;
    now: string;
  }): Promise<ConnectorOutcome> {
    const { platform, topic, errors, envelope } = rejection;
    await this.deps.rejections.recordRejection({
      eventId: rejection.deliveryId ?? envelope.id,
      detailType: `${platform}:${topic ?? 'unknown topic'}`,
      source: `connector/${platform}`,
      time: envelope.time,
      detail: envelope.detail,
      customerId: rejection.customerId,
      errors,
      consumer: `connector:${platform}`,
      now: rejection.now,
    });
    return { status: 'rejected', platform, topic, errors };
  }
}
