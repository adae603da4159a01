/**
 * The rejected log: events a consumer could not accept, kept by day for inspection and replay, with a
 * copy in the customer's partition when the event names one (so erasure finds it). JourneyStore
 * delegates here.
 */
import { TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import { PutCommand, TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import { CONFLICT, retryOnConflict } from '../services/retry.ts';
import { refusedAsErased, unlessErased } from './erasure.ts';
import { type DocumentSender, epochSeconds, keys, queryAll } from './table-keys.ts';
import { TABLE } from './table-schema.ts';

export interface Rejection {
  /**
   * The customer the event is about when its detail does not say so at the top (a shop connector's
   * raw payload): the copy in their partition is what erasure finds.
   */
  customerId?: string | undefined;
  eventId: string;
  detailType: string;
  source: string;
  time: string;
  detail: unknown;
  errors: string[];
  consumer: string;
  now: string;
}

/** How much of a rejected detail is kept (as JSON text); enough to see what was wrong and replay most. */
export const REJECTED_DETAIL_CHARS = 16_000;

/** Every field as a bounded, well-formed string: DynamoDB keys, items and UTF-8 cannot refuse it. */
function storableRejection(rejection: Rejection) {
  return {
    eventId: clip(rejection.eventId, 200),
    detailType: clip(rejection.detailType, 200),
    source: clip(rejection.source, 256),
    time: clip(rejection.time, 64),
    detail: clip(detailText(rejection.detail), REJECTED_DETAIL_CHARS),
    errors: rejection.errors.slice(0, 25).map((error) => clip(error, 1000)),
    consumer: clip(rejection.consumer, 200),
    now: rejection.now,
  };
}

function detailText(detail: unknown): string {
  try {
    return JSON.stringify(detail) ?? String(detail);
  } catch {
    return '[not JSON: cannot be serialised]';
  }
}

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

function clip(value: unknown, max: number): string {
  const text = (typeof value === 'string' ? value : String(value)).replace(LONE_SURROGATE, '\uFFFD');
  if (text.length <= max) return text || '-';
  // Never end on half a surrogate pair.
  const kept = text.slice(0, max).replace(/[\uD800-\uDBFF]$/, '');
  return `${kept}…[truncated: ${kept.length} of ${text.length} characters kept]`;
}

/** The customer a rejected detail names, if the id could be one (the partition key must hold it). */
function attributedCustomer(detail: unknown): string | undefined {
  if (typeof detail !== 'object' || detail === null || !Object.hasOwn(detail, 'customerId')) return undefined;
  const id = (detail as { customerId?: unknown }).customerId;
  if (typeof id !== 'string') return undefined;
  const trimmed = id.trim();
  return trimmed.length > 0 && trimmed.length <= 200 ? trimmed : undefined;
}

/**
 * Keeps a rejected event where it can be inspected and replayed: by day, and — when the detail names
 * a customer — a copy in the customer's partition, so erasure finds it. Whatever the detail is
 * (unsafe numbers, deep nesting, `__proto__`, megabytes), it is stored as a JSON string cut to
 * `REJECTED_DETAIL_CHARS`, so this write cannot fail on the data; only infrastructure faults throw.
 * Once the customer is erased, the record keeps no personal data (the detail is redacted).
 */
export async function recordRejection(
  doc: DocumentSender,
  tableName: string,
  rejection: Rejection,
): Promise<void> {
  const day = rejection.now.slice(0, 10);
  const record = storableRejection(rejection);
  const dayItem = {
    PK: keys.rejected(day),
    // Keyed by event id: every consumer that rejects the same event writes the same record.
    SK: `${record.time}#${record.eventId}`,
    type: 'rejected',
    ...record,
    [TABLE.ttlAttribute]: epochSeconds(rejection.now, 90),
  };
  const customerId = attributedCustomer(
    rejection.customerId === undefined ? rejection.detail : { customerId: rejection.customerId },
  );
  if (customerId === undefined) {
    await doc.send(new PutCommand({ TableName: tableName, Item: dayItem }));
    return;
  }
  // Consumers rejecting the same event at once write the same items and may collide: a lost
  // transaction is written again (nothing is read, so nothing is decided again).
  await retryOnConflict(
    `rejected event ${record.eventId}`,
    async () => {
      try {
        // With the tombstone check in the same transaction: a customer erased meanwhile gets neither.
        await doc.send(
          new TransactWriteCommand({
            TransactItems: [
              { Put: { TableName: tableName, Item: dayItem } },
              {
                Put: {
                  TableName: tableName,
                  Item: {
                    ...dayItem,
                    PK: keys.customer(customerId),
                    SK: keys.customerRejection(dayItem.SK),
                    dayPK: dayItem.PK,
                    daySK: dayItem.SK,
                  },
                },
              },
              unlessErased(tableName, customerId),
            ],
          }),
        );
        return 'written';
      } catch (error) {
        if (!(error instanceof TransactionCanceledException)) throw error;
        if (!refusedAsErased(error, 2)) return CONFLICT;
      }
      const { PK, SK, type, eventId, detailType, source, time, errors, consumer, now } = dayItem;
      const redacted = { PK, SK, type, eventId, detailType, source, time, errors, consumer, now };
      await doc.send(
        new PutCommand({
          TableName: tableName,
          Item: {
            ...redacted,
            detail: '[redacted: customer erased]',
            redacted: 'customer erased',
            [TABLE.ttlAttribute]: dayItem[TABLE.ttlAttribute],
          },
        }),
      );
      return 'redacted';
    },
    { maxAttempts: 5 },
  );
}

export async function rejections(
  doc: DocumentSender,
  tableName: string,
  day: string,
): Promise<Record<string, unknown>[]> {
  // Pages: a day of rejected details (up to 16,000 characters each) passes 1 MB quickly.
  return queryAll(doc, {
    TableName: tableName,
    KeyConditionExpression: 'PK = :pk',
    ExpressionAttributeValues: { ':pk': keys.rejected(day) },
  });
}

/** The rejected events whose detail named this customer (copies in the customer's partition). */
export async function customerRejections(
  doc: DocumentSender,
  tableName: string,
  customerId: string,
): Promise<Record<string, unknown>[]> {
  return queryAll(doc, {
    TableName: tableName,
    KeyConditionExpression: 'PK = :pk AND begins_with(SK, :rejected)',
    ExpressionAttributeValues: {
      ':pk': keys.customer(customerId),
      ':rejected': keys.customerRejection(''),
    },
    ConsistentRead: true,
  });
}
