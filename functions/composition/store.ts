/**
 * The table side every composition shares: one document client and the stores built on it. Only
 * the DynamoDB client is imported here, so a function that needs nothing else bundles nothing else.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { ComplianceStore } from '../adapters/compliance-store.ts';
import { type CapacityMeter, type DocumentSender, JourneyStore } from '../adapters/store.ts';
import { DEFAULT_TIMER_SHARDS } from '../adapters/table-schema.ts';
import type { ConnectorConfig } from '../config.ts';

/** What the store pieces take from the configuration: where the table is and how keys are spread. */
export type StoreConfig = Pick<ConnectorConfig, 'tableName' | 'retentionDays'> & { timerShards?: number };

export interface StoreOverrides {
  dynamo?: DynamoDBClient | undefined;
  /** Answers the stores' document commands instead of a client for `dynamo` (the simulator's memory mode). */
  document?: DocumentSender | undefined;
  meter?: CapacityMeter | undefined;
  /** Makes the journey store in place of `new JourneyStore` (the simulator's observes the decisions written). */
  createStore?: ((...args: ConstructorParameters<typeof JourneyStore>) => JourneyStore) | undefined;
}

/** The document client: `removeUndefinedValues`, because optional fields are left undefined, not deleted. */
export function documentClient(overrides: Pick<StoreOverrides, 'dynamo' | 'document'> = {}): DocumentSender {
  return (
    overrides.document ??
    DynamoDBDocumentClient.from(overrides.dynamo ?? new DynamoDBClient({}), {
      marshallOptions: { removeUndefinedValues: true },
    })
  );
}

export function journeyStore(
  doc: DocumentSender,
  config: StoreConfig,
  overrides: Pick<StoreOverrides, 'meter' | 'createStore'> = {},
): JourneyStore {
  const make = overrides.createStore ?? ((...args) => new JourneyStore(...args));
  return make(
    doc,
    config.tableName,
    { timerShards: config.timerShards ?? DEFAULT_TIMER_SHARDS, retentionDays: config.retentionDays },
    overrides.meter,
  );
}

/** Suppressions, consent withdrawals and SES event records. */
export function complianceStore(doc: DocumentSender, config: StoreConfig): ComplianceStore {
  return new ComplianceStore(doc, config.tableName, config.retentionDays);
}
