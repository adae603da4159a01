import { GetCommand, PutCommand, type TransactWriteCommandInput, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { EmitEffect, Profile } from '../core/model.ts';
import { SETTLEABLE } from '../core/outbox.ts';
import { suppressAddress, withdrawConsent } from '../core/profile.ts';
import type { EmailEventKind } from '../core/ses-event.ts';
import { CONFLICT, retryOnConflict } from '../services/retry.ts';
import { isErased, transactUnlessErased } from './erasure.ts';
import { isConditionFailure } from './errors.ts';
import { outboxEntry } from './save-transaction.ts';
import { type DocumentSender, keys } from './table-keys.ts';
import { TABLE } from './table-schema.ts';

export type { EmailEventKind } from '../core/ses-event.ts';

export type SuppressionReason = 'bounce' | 'complaint';

type TransactItem = NonNullable<TransactWriteCommandInput['TransactItems']>[number];

export class ComplianceStore {
  constructor(
    private readonly doc: DocumentSender,
    private readonly tableName: string,
    /** How long settled outbox entries are kept (as JourneyStore's `retentionDays`). */
    private readonly retentionDays = 30,
  ) {}

  isErased(customerId: string): Promise<boolean> {
    return isErased(this.doc, this.tableName, customerId);
  }

  /** Whether marketing to this address (by `addressHash`) is suppressed. */
  async isSuppressed(hash: string): Promise<boolean> {
    return (await this.get(keys.suppressed(hash))) !== undefined;
  }

  /**
   * Suppresses an address for marketing. The entry holds the hash, the reason and the time only: no
   * address, no customer id, so it may outlive `customer.deleted`. Returns false if it already was.
   */
  async suppress(hash: string, reason: SuppressionReason, at: string): Promise<boolean> {
    try {
      await this.doc.send(
        new PutCommand({
          TableName: this.tableName,
          Item: { ...keys.suppressed(hash), type: 'suppression', reason, suppressedAt: at },
          ConditionExpression: 'attribute_not_exists(PK)',
        }),
      );
      return true;
    } catch (error) {
      if (isConditionFailure(error)) return false;
      throw error;
    }
  }

  /**
   * Marks the profile suppressed if its current address is the suppressed one (core/profile.ts
   * `suppressAddress`). Conditional on the profile version, so it never overwrites a newer write.
   */
  async markProfileSuppressed(customerId: string, hash: string): Promise<boolean> {
    return retryOnConflict(`suppression of customer ${customerId}`, async () => {
      const { profile, version } = await this.profile(customerId);
      const next = suppressAddress(profile, hash);
      if (!next) return false;
      const outcome = await this.transactUnlessErased(customerId, [this.putProfile(next, version)]);
      return outcome === 'conflict' ? CONFLICT : outcome === 'saved';
    });
  }

  /**
   * Withdraws marketing consent (one-click unsubscribe) by the projection's clock rules
   * (core/profile.ts `withdrawConsent`) and enqueues the event that tells the shop, in one
   * transaction: the outbox entry is published by the dispatcher, so it cannot be lost between the
   * two. Creates a minimal profile if the projection has not stored one yet; never for an erased
   * customer. `unchanged` when consent was already withdrawn (a second click) or a newer consent
   * fact stands.
   */
  async withdrawConsent(
    customerId: string,
    at: string,
    notify: EmitEffect,
  ): Promise<'withdrawn' | 'unchanged' | 'erased'> {
    return retryOnConflict(`consent of customer ${customerId}`, async () => {
      const { profile, version } = await this.profile(customerId);
      const withdrawal = withdrawConsent(profile, customerId, at);
      if (!withdrawal.profile) return 'unchanged';
      const outcome = await this.transactUnlessErased(customerId, [
        this.putProfile(withdrawal.profile, version),
        ...(withdrawal.notify ? [this.putOutbox(customerId, notify, at)] : []),
      ]);
      if (outcome === 'conflict') return CONFLICT;
      if (outcome === 'erased') return 'erased';
      return withdrawal.notify ? 'withdrawn' : 'unchanged';
    });
  }

  /**
   * Records an SES event on the outbox entry of the email it is about, once: `events.<kind>` keeps the
   * first time it happened, a redelivered event is a `duplicate`. `missing` when the entry is gone
   * (expired, or the customer was erased): nothing is created then.
   */
  async recordEmailEvent(
    customerId: string,
    outboxId: string,
    kind: EmailEventKind,
    at: string,
  ): Promise<'recorded' | 'duplicate' | 'missing'> {
    const Key = { PK: keys.customer(customerId), SK: keys.outbox(outboxId) };
    try {
      // A nested attribute needs its map; create it once (a separate update: paths may not overlap).
      await this.doc.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key,
          UpdateExpression: 'SET #events = :empty',
          ConditionExpression: 'attribute_exists(PK) AND attribute_not_exists(#events)',
          ExpressionAttributeNames: { '#events': 'events' },
          ExpressionAttributeValues: { ':empty': {} },
        }),
      );
    } catch (error) {
      if (!isConditionFailure(error)) throw error;
    }
    try {
      await this.doc.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key,
          UpdateExpression: 'SET #events.#kind = :at',
          ConditionExpression: 'attribute_exists(PK) AND attribute_not_exists(#events.#kind)',
          ExpressionAttributeNames: { '#events': 'events', '#kind': kind },
          ExpressionAttributeValues: { ':at': at },
        }),
      );
      return 'recorded';
    } catch (error) {
      if (!isConditionFailure(error)) throw error;
      return (await this.get(Key)) ? 'duplicate' : 'missing';
    }
  }

  /**
   * An SES event for the email proves SES accepted it: an entry still waiting to learn that
   * (`sending` after a crash, `unknown` after a timeout or 5xx, or even `pending` / `retry` again)
   * becomes `sent`, its timer removed, so it is never resent. One conditional update; false when the
   * entry was already final (or is gone).
   */
  async settleSent(customerId: string, outboxId: string, at: string, messageId?: string): Promise<boolean> {
    const values: Record<string, unknown> = {
      ':sent': 'sent',
      ':at': at,
      ':by': 'ses-event',
      ':ttl': Math.floor(Date.parse(at) / 1000) + this.retentionDays * 86_400,
    };
    SETTLEABLE.forEach((status, i) => {
      values[`:s${i}`] = status;
    });
    if (messageId) values[':mid'] = messageId;
    try {
      await this.doc.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: { PK: keys.customer(customerId), SK: keys.outbox(outboxId) },
          UpdateExpression:
            'SET #status = :sent, sentAt = if_not_exists(sentAt, :at), settledBy = :by, #ttl = :ttl' +
            (messageId ? ', messageId = if_not_exists(messageId, :mid)' : '') +
            ' REMOVE #shard, #due',
          ConditionExpression: SETTLEABLE.map((_, i) => `#status = :s${i}`).join(' OR '),
          ExpressionAttributeNames: {
            '#status': 'status',
            '#ttl': TABLE.ttlAttribute,
            '#shard': TABLE.timerIndex.partitionKey,
            '#due': TABLE.timerIndex.sortKey,
          },
          ExpressionAttributeValues: values,
        }),
      );
      return true;
    } catch (error) {
      if (isConditionFailure(error)) return false;
      throw error;
    }
  }

  private transactUnlessErased(customerId: string, items: TransactItem[]) {
    return transactUnlessErased(this.doc, this.tableName, customerId, items);
  }

  private async profile(customerId: string): Promise<{ profile: Profile | undefined; version: number }> {
    const item = await this.get({ PK: keys.customer(customerId), SK: keys.profile });
    if (!item) return { profile: undefined, version: 0 };
    const { PK: _pk, SK: _sk, type: _type, version, ...profile } = item;
    return { profile: profile as unknown as Profile, version: version as number };
  }

  /** The profile as JourneyStore.save writes it: the next version, only over the version read. */
  private putProfile(profile: Profile, version: number): TransactItem {
    return {
      Put: {
        TableName: this.tableName,
        Item: {
          ...profile,
          PK: keys.customer(profile.customerId),
          SK: keys.profile,
          type: 'profile',
          version: version + 1,
        },
        ...(version === 0
          ? { ConditionExpression: 'attribute_not_exists(PK)' }
          : {
              ConditionExpression: '#version = :version',
              ExpressionAttributeNames: { '#version': 'version' },
              ExpressionAttributeValues: { ':version': version },
            }),
      },
    };
  }

  /** A new outbox entry (deterministic id: enqueued once). */
  private putOutbox(customerId: string, effect: EmitEffect, at: string): TransactItem {
    return {
      Put: {
        TableName: this.tableName,
        Item: {
          ...outboxEntry(customerId, effect, at),
          PK: keys.customer(customerId),
          SK: keys.outbox(effect.outboxId),
          type: 'outbox',
        },
        ConditionExpression: 'attribute_not_exists(PK)',
      },
    };
  }

  private async get(Key: { PK: string; SK: string }): Promise<Record<string, unknown> | undefined> {
    const result = await this.doc.send(
      new GetCommand({ TableName: this.tableName, Key, ConsistentRead: true }),
    );
    return result.Item;
  }
}
