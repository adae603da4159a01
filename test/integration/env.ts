/**
 * Access to the servers started once per run by global-setup.ts. Only usable inside integration tests.
 */
import { randomUUID } from 'node:crypto';
import { CreateTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBStreamsClient } from '@aws-sdk/client-dynamodb-streams';
import { SESv2Client } from '@aws-sdk/client-sesv2';
import { inject } from 'vitest';
import { createTableInput } from '../../functions/adapters/table-schema.ts';
import { type SesEmail, sesEmulatorStore } from '../../local/servers/ses-emulator.ts';

/** Dummy values: DynamoDB Local runs with -sharedDb and the SES emulator only wants an `AWS…` auth header. */
export const LOCAL_AWS = {
  region: 'local',
  credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
} as const;

export interface TestEnv {
  dynamoEndpoint: string;
  sesEndpoint: string;
  dynamoClient(): DynamoDBClient;
  dynamoStreamsClient(): DynamoDBStreamsClient;
  sesClient(): SESv2Client;
  /** Emails captured by the shared emulator, optionally only those to `recipient` (to, cc or bcc). */
  sesEmails(recipient?: string): Promise<SesEmail[]>;
  /** Creates a uniquely named table from the deployed schema; its stream is NEW_AND_OLD_IMAGES. */
  createTestTable(prefix?: string): Promise<{ tableName: string; streamArn: string }>;
}

/**
 * When this test file's modules loaded (a second back, as the emulator's `at` is whole seconds): the
 * file reads only emails from then on. The shared store holds every integration test's emails, tens
 * of MB by the end of a run, which one read under load failed to carry.
 */
const FILE_STARTED = Math.floor(Date.now() / 1000) - 1;

export function testEnv(): TestEnv {
  const dynamoEndpoint = inject('dynamoEndpoint');
  const sesEndpoint = inject('sesEndpoint');
  if (!dynamoEndpoint || !sesEndpoint) {
    throw new Error('integration servers not provided: run through the `integration` Vitest project');
  }
  const dynamoClient = () => new DynamoDBClient({ ...LOCAL_AWS, endpoint: dynamoEndpoint });
  return {
    dynamoEndpoint,
    sesEndpoint,
    dynamoClient,
    dynamoStreamsClient: () => new DynamoDBStreamsClient({ ...LOCAL_AWS, endpoint: dynamoEndpoint }),
    sesClient: () => new SESv2Client({ ...LOCAL_AWS, endpoint: sesEndpoint }),
    // No clear(): the emulator is shared by concurrently running test files, so filter by recipient.
    async sesEmails(recipient) {
      const emails = await sesEmulatorStore(sesEndpoint).emails(FILE_STARTED);
      if (recipient === undefined) return emails;
      return emails.filter((email) =>
        [...email.destination.to, ...email.destination.cc, ...email.destination.bcc].includes(recipient),
      );
    },
    async createTestTable(prefix = 'test') {
      const tableName = `${prefix}-${randomUUID()}`;
      const client = dynamoClient();
      try {
        const response = await client.send(new CreateTableCommand(createTableInput(tableName)));
        const streamArn = response.TableDescription?.LatestStreamArn;
        if (!streamArn) throw new Error(`table ${tableName} was created without a stream`);
        return { tableName, streamArn };
      } finally {
        client.destroy();
      }
    },
  };
}
