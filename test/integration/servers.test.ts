import { execFileSync, spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { connect } from 'node:net';
import { networkInterfaces, tmpdir } from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import {
  CreateTableCommand,
  DescribeTableCommand,
  DynamoDBClient,
  GetItemCommand,
  ListTablesCommand,
  PutItemCommand,
} from '@aws-sdk/client-dynamodb';
import { SESv2Client, SendEmailCommand } from '@aws-sdk/client-sesv2';
import { afterAll, describe, expect, it } from 'vitest';
import { TABLE } from '../../functions/adapters/table-schema.ts';
import { startDynamoDbLocal } from '../../local/servers/dynamodb-local.ts';
import { startSesEmulator } from '../../local/servers/ses-emulator.ts';
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

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

/** Polls until `pid` has exited; false if it is still there after `limitMs` (a hang, not a timing claim). */
async function exited(pid: number, limitMs = 30_000): Promise<boolean> {
  for (const deadline = Date.now() + limitMs; Date.now() < deadline; ) {
    if (!alive(pid)) return true;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return !alive(pid);
}

/** Whether a TCP connection to host:port is accepted. */
function connects(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host, port });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

/** This machine's own non-loopback IPv4 addresses (where another host would reach a listening port). */
const externalAddresses = Object.values(networkInterfaces())
  .flat()
  .filter((a) => a !== undefined && a.family === 'IPv4' && !a.internal)
  .map((a) => a?.address as string);

/** `ss -ltn`'s local addresses listening on `port`, or undefined where `ss` is missing (macOS). */
function listeningAddresses(port: number): string[] | undefined {
  try {
    return execFileSync('ss', ['-Hltn', `sport = :${port}`], { encoding: 'utf8' })
      .split('\n')
      .filter(Boolean)
      .map((line) => line.trim().split(/\s+/)[3] as string);
  } catch {
    return undefined;
  }
}

/** Starts test/support/dynamodb-parent.ts in its own Node process and reads the JVM's pid and port. */
async function parentWithDynamoDb(dbPath?: string) {
  const script = path.resolve(import.meta.dirname, '../support/dynamodb-parent.ts');
  const parent = spawn(process.execPath, ['--import', 'tsx', script, ...(dbPath ? [dbPath] : [])], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const lines = createInterface({ input: parent.stdout });
  const first = await new Promise<string>((resolve, reject) => {
    lines.once('line', resolve);
    parent.once('exit', (code) =>
      reject(new Error(`parent exited (${code}) before starting DynamoDB Local`)),
    );
  });
  return { parent, ...(JSON.parse(first) as { pid: number; port: number }) };
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

  it('DynamoDB Local listens on 127.0.0.1 only', async () => {
    const dynamo = await startDynamoDbLocal();
    started.push(dynamo);
    expect(await connects('127.0.0.1', dynamo.port)).toBe(true);
    // What `ss -ltnp` shows: the one socket is bound to loopback, not 0.0.0.0 / [::] / *.
    const addresses = listeningAddresses(dynamo.port);
    if (addresses) expect(addresses).toEqual([`127.0.0.1:${dynamo.port}`]);
    // And from this machine's own external address (how another host would try), nobody answers.
    for (const address of externalAddresses) expect(await connects(address, dynamo.port)).toBe(false);
    await dynamo.stop();
  });

  it('the JVM exits when its parent process is killed with SIGKILL', async () => {
    const { parent, pid, port } = await parentWithDynamoDb();
    try {
      expect(javaPids()).toContain(pid);
      expect(await connects('127.0.0.1', port)).toBe(true);
      parent.kill('SIGKILL');
      expect(await exited(pid)).toBe(true);
      expect(javaPids()).not.toContain(pid);
    } finally {
      parent.kill('SIGKILL');
      if (alive(pid)) process.kill(pid, 'SIGKILL');
    }
  });

  it('with a dbPath the tables survive a SIGKILL of the parent and a restart on the same port', async () => {
    const dbPath = await mkdtemp(path.join(tmpdir(), 'dynamodb-data-'));
    let pid: number | undefined;
    try {
      // Prepare: a table with an item, written through a process that then dies with SIGKILL.
      const first = await parentWithDynamoDb(dbPath);
      pid = first.pid;
      const before = new DynamoDBClient({ ...LOCAL_AWS, endpoint: `http://127.0.0.1:${first.port}` });
      await before.send(
        new CreateTableCommand({
          TableName: 'survivor',
          AttributeDefinitions: [{ AttributeName: 'PK', AttributeType: 'S' }],
          KeySchema: [{ AttributeName: 'PK', KeyType: 'HASH' }],
          BillingMode: 'PAY_PER_REQUEST',
        }),
      );
      await before.send(new PutItemCommand({ TableName: 'survivor', Item: { PK: { S: 'kept' } } }));
      before.destroy();
      first.parent.kill('SIGKILL');
      expect(await exited(first.pid)).toBe(true);
      // Act: start again on the data directory and the same port.
      const again = await startDynamoDbLocal({ dbPath, port: first.port });
      started.push(again);
      pid = again.pid;
      // Assess
      const after = new DynamoDBClient({ ...LOCAL_AWS, endpoint: again.endpoint });
      const { Item } = await after.send(
        new GetItemCommand({ TableName: 'survivor', Key: { PK: { S: 'kept' } } }),
      );
      after.destroy();
      expect(Item).toEqual({ PK: { S: 'kept' } });
      await again.stop();
    } finally {
      if (pid !== undefined && alive(pid)) process.kill(pid, 'SIGKILL');
      await rm(dbPath, { recursive: true, force: true });
    }
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
