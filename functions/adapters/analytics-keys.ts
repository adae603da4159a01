/**
 * The customer's analytics secret (functions/analytics/keys.ts): 32 random bytes in the customer's
 * own partition (`PK=C#<id>, SK=ANALYTICS`, type `analytics`), so erasure — which deletes the whole
 * partition — deletes it, and every record keyed with it can no longer be tied to anyone.
 *
 * One round trip per event: a BatchGetItem reads the secret, the profile's locale and the erasure
 * tombstone together. A customer seen for the first time gets a secret from a conditional
 * transaction that also checks the tombstone, so no secret is ever created after erasure, and two
 * writers racing for the first one both end up with the winner's.
 */
import { randomBytes } from 'node:crypto';
import { TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import { BatchGetCommand, TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import { CONFLICT, retryOnConflict } from '../services/retry.ts';
import { refusedAsErased, unlessErased } from './erasure.ts';
import { type DocumentSender, keys } from './table-keys.ts';

export const ANALYTICS_SK = 'ANALYTICS';
const SECRET_BYTES = 32;
/** BatchGetItem may leave keys unprocessed under throttling: read them again, a few times. */
const MAX_READS = 5;

export type CustomerSecret =
  | { status: 'ok'; secret: Uint8Array; locale: string | undefined }
  | { status: 'erased' }
  /** No secret yet and `create` was not asked for. */
  | { status: 'none'; locale: string | undefined };

export class AnalyticsKeyStore {
  constructor(
    private readonly doc: DocumentSender,
    private readonly tableName: string,
    private readonly random: (bytes: number) => Uint8Array = (n) => new Uint8Array(randomBytes(n)),
  ) {}

  /** The customer's secret and locale; with `create`, a secret is made for a customer who has none. */
  async secret(customerId: string, options: { create: boolean }): Promise<CustomerSecret> {
    // A lost race for the first secret is read again at once: the winner's secret is there to take.
    return retryOnConflict(
      `analytics secret of customer ${customerId}`,
      async (): Promise<CustomerSecret | typeof CONFLICT> => {
        const read = await this.read(customerId);
        if (read.erased) return { status: 'erased' };
        if (read.secret) return { status: 'ok', secret: read.secret, locale: read.locale };
        if (!options.create) return { status: 'none', locale: read.locale };
        const secret = this.random(SECRET_BYTES);
        const created = await this.create(customerId, secret);
        if (created === 'created') return { status: 'ok', secret, locale: read.locale };
        if (created === 'erased') return { status: 'erased' };
        return CONFLICT;
      },
      { maxAttempts: 3, backoff: async () => {} },
    );
  }

  private async read(
    customerId: string,
  ): Promise<{ erased: boolean; secret: Uint8Array | undefined; locale: string | undefined }> {
    const pk = keys.customer(customerId);
    const tombstone = keys.erased(customerId);
    let pending: Record<string, unknown>[] = [
      { PK: pk, SK: ANALYTICS_SK },
      { PK: pk, SK: keys.profile },
      tombstone,
    ];
    const items: Record<string, unknown>[] = [];
    for (let attempt = 0; pending.length; attempt++) {
      if (attempt >= MAX_READS)
        throw new Error(`analytics secret of customer ${customerId}: keys still unprocessed`);
      if (attempt > 0) await new Promise((resolve) => setTimeout(resolve, 25 * 2 ** attempt));
      const result = await this.doc.send(
        new BatchGetCommand({
          RequestItems: {
            [this.tableName]: {
              Keys: pending,
              ConsistentRead: true,
              // Only what is needed: the profile's address and name are never read here.
              ProjectionExpression: 'PK, SK, #type, #locale, secret',
              ExpressionAttributeNames: { '#type': 'type', '#locale': 'locale' },
            },
          },
        }),
      );
      items.push(...(result.Responses?.[this.tableName] ?? []));
      pending = (result.UnprocessedKeys?.[this.tableName]?.Keys ?? []) as Record<string, unknown>[];
    }
    const find = (sk: string, partition = pk) => items.find((i) => i.PK === partition && i.SK === sk);
    const secret = find(ANALYTICS_SK)?.secret;
    const locale = find(keys.profile)?.locale;
    return {
      erased: find(tombstone.SK, tombstone.PK) !== undefined,
      secret: secret instanceof Uint8Array && secret.byteLength >= 16 ? secret : undefined,
      locale: typeof locale === 'string' ? locale : undefined,
    };
  }

  private async create(customerId: string, secret: Uint8Array): Promise<'created' | 'exists' | 'erased'> {
    try {
      await this.doc.send(
        new TransactWriteCommand({
          TransactItems: [
            {
              Put: {
                TableName: this.tableName,
                Item: { PK: keys.customer(customerId), SK: ANALYTICS_SK, type: 'analytics', secret },
                ConditionExpression: 'attribute_not_exists(PK)',
              },
            },
            unlessErased(this.tableName, customerId),
          ],
        }),
      );
      return 'created';
    } catch (error) {
      if (!(error instanceof TransactionCanceledException)) throw error;
      if (refusedAsErased(error, 1)) return 'erased';
      const [put, tombstone] = error.CancellationReasons ?? [];
      if (put?.Code === 'ConditionalCheckFailed' || put?.Code === 'TransactionConflict') return 'exists';
      if (tombstone?.Code === 'TransactionConflict') return 'exists'; // read again: the tombstone decides
      throw error;
    }
  }
}
