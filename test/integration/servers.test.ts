import { execFileSync } from 'node:child_process';
import { DescribeTableCommand, DynamoDBClient, ListTablesCommand } from '@aws-sdk/client-dynamodb';
import { SESv2Client, SendEmailCommand } from '@aws-sdk/client-sesv2';
import { afterAll, describe, expect, it } from 'vitest';
import { TABLE } from '../../functions/adapters/table-schema.ts';
import { startDynamoDbLocal, startSesEmulator } from '../../local/servers.ts';
import { LOCAL_AWS, testEnv } from './env.ts';

function javaPids(): number[] {
  try {
    return execFileSync('pgrep', ['-f', 'DynamoDBLocal.jar'], { encoding: 'utf8' })
      .split('\n')
      .filter(Boolean)
      .map(Number);
  } catch {
    return []; // pgrep exits 1 when nothing matches
  }
}

describe('shared servers from the global setup', () => {
  const env = testEnv();

  it('creates a table with the deployed schema and its stream', async () => {
    const { tableName, streamArn } = await env.createTestTable();
    expect(streamArn).toContain(tableName);
    const client = env.dynamoClient();
    const { TableNames } = await client.send(new ListTablesCommand({}));
    expect(TableNames).toContain(tableName);
    const { Table } = await client.send(new DescribeTableCommand({ TableName: tableName }));
    expect(Table?.TableStatus).toBe('ACTIVE');
    expect(Table?.GlobalSecondaryIndexes?.map((index) => index.IndexName)).toEqual([TABLE.timerIndex.name]);
    expect(Table?.StreamSpecification).toEqual({ StreamEnabled: true, StreamViewType: 'NEW_AND_OLD_IMAGES' });
    client.destroy();
  });

  it('captures an SES v2 SendEmail with Simple content and headers', async () => {
    const to = `servers-test-${Date.now()}@example.com`;
    const client = env.sesClient();
    const sent = await client.send(
      new SendEmailCommand({
        FromEmailAddress: 'shop@example.com',
        Destination: { ToAddresses: [to] },
        Content: {
          Simple: {
            Subject: { Data: 'Your cart misses you' },
            Body: { Html: { Data: '<p>Come back</p>' }, Text: { Data: 'Come back' } },
            Headers: [
              { Name: 'List-Unsubscribe', Value: '<https://example.com/u/1>' },
              { Name: 'List-Unsubscribe-Post', Value: 'List-Unsubscribe=One-Click' },
            ],
          },
        },
      }),
    );
    client.destroy();
    expect(sent.MessageId).toBeTruthy();

    const fromShared = await env.sesEmails(to);
    expect(fromShared).toHaveLength(1);
    const [email] = fromShared;
    expect(email).toMatchObject({
      messageId: sent.MessageId,
      from: 'shop@example.com',
      subject: 'Your cart misses you',
      body: { html: '<p>Come back</p>', text: 'Come back' },
    });
    expect(email?.headers).toEqual(
      expect.arrayContaining([
        { name: 'List-Unsubscribe', value: '<https://example.com/u/1>' },
        { name: 'List-Unsubscribe-Post', value: 'List-Unsubscribe=One-Click' },
      ]),
    );
    expect(typeof email?.at).toBe('number');
  });
});

describe('server lifecycle', () => {
  const started: Array<{ stop(): Promise<void> }> = [];
  afterAll(async () => {
    await Promise.allSettled(started.map((server) => server.stop()));
  });

  it('stop() ends the DynamoDB Local JVM itself', async () => {
    const dynamo = await startDynamoDbLocal();
    started.push(dynamo);
    expect(javaPids()).toContain(dynamo.pid);
    const client = new DynamoDBClient({ ...LOCAL_AWS, endpoint: dynamo.endpoint });
    await expect(client.send(new ListTablesCommand({}))).resolves.toMatchObject({ TableNames: [] });
    client.destroy();

    await dynamo.stop();
    expect(javaPids()).not.toContain(dynamo.pid);
    expect(() => process.kill(dynamo.pid, 0)).toThrow();
    await dynamo.stop(); // idempotent
  });

  // The emulator's store is module-global: this in-process instance (in the test worker) does not share
  // it with the global setup's instance (in the Vitest main process), so clear() here is harmless.
  it('the SES emulator picks a free port, serves the viewer, clears and stops', async () => {
    const ses = await startSesEmulator();
    started.push(ses);
    expect(ses.endpoint).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    const viewer = await fetch(ses.viewerUrl);
    expect(viewer.status).toBe(200);
    expect(await viewer.text()).toContain('<html');

    const client = new SESv2Client({ ...LOCAL_AWS, endpoint: ses.endpoint });
    await client.send(
      new SendEmailCommand({
        FromEmailAddress: 'a@example.com',
        Destination: { ToAddresses: ['b@example.com'] },
        Content: { Simple: { Subject: { Data: 's' }, Body: { Text: { Data: 't' } } } },
      }),
    );
    client.destroy();
    expect((await ses.emails()).length).toBeGreaterThan(0);
    await ses.clear();
    expect(await ses.emails()).toEqual([]);

    await ses.stop();
    await expect(fetch(`${ses.endpoint}/health-check`)).rejects.toThrow();
  });
});
