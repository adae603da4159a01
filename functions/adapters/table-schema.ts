/**
 * The one table's shape. The CDK stack and the local runtime both build the table from these
 * constants, so the embedded DynamoDB Local table is the one deployed.
 */
import type { CreateTableCommandInput } from '@aws-sdk/client-dynamodb';

export const TABLE = {
  partitionKey: 'PK',
  sortKey: 'SK',
  /** Epoch seconds; DynamoDB TTL deletes idempotency markers and dispatched outbox entries. */
  ttlAttribute: 'expiresAt',
  timerIndex: {
    name: 'timers',
    /** Waiting instances spread over shards so one hot partition cannot throttle the sweeper. */
    partitionKey: 'timerShard',
    sortKey: 'dueAt',
  },
} as const;

/** Default number of timer shards; the sweeper queries each in parallel once a minute. */
export const DEFAULT_TIMER_SHARDS = 4;

export function createTableInput(tableName: string): CreateTableCommandInput {
  return {
    TableName: tableName,
    BillingMode: 'PAY_PER_REQUEST',
    AttributeDefinitions: [
      { AttributeName: TABLE.partitionKey, AttributeType: 'S' },
      { AttributeName: TABLE.sortKey, AttributeType: 'S' },
      { AttributeName: TABLE.timerIndex.partitionKey, AttributeType: 'N' },
      { AttributeName: TABLE.timerIndex.sortKey, AttributeType: 'S' },
    ],
    KeySchema: [
      { AttributeName: TABLE.partitionKey, KeyType: 'HASH' },
      { AttributeName: TABLE.sortKey, KeyType: 'RANGE' },
    ],
    GlobalSecondaryIndexes: [
      {
        IndexName: TABLE.timerIndex.name,
        KeySchema: [
          { AttributeName: TABLE.timerIndex.partitionKey, KeyType: 'HASH' },
          { AttributeName: TABLE.timerIndex.sortKey, KeyType: 'RANGE' },
        ],
        // Keys only: the sweeper re-reads the customer's partition before deciding anyway.
        Projection: { ProjectionType: 'KEYS_ONLY' },
      },
    ],
    StreamSpecification: { StreamEnabled: true, StreamViewType: 'NEW_AND_OLD_IMAGES' },
  };
}
