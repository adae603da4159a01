import { PutItemCommand, UpdateItemCommand } from '@aws-sdk/client-dynamodb';
import { DeleteCommand, DynamoDBDocumentClient, PutCommand } from '@aws-sdk/lib-dynamodb';
import { describe, expect, it } from 'vitest';
import { StreamPoller } from '../../local/runtime/stream-poller.ts';
import { testEnv } from './env.ts';

describe('StreamPoller on DynamoDB Local', () => {
  const env = testEnv();

  it('drains INSERT and MODIFY records in order, in the Lambda event shape', async () => {
    const { tableName, streamArn } = await env.createTestTable('poller');
    const db = env.dynamoClient();
    const streams = env.dynamoStreamsClient();
    const poller = new StreamPoller({ client: streams, streamArn });

    await db.send(
      new PutItemCommand({
        TableName: tableName,
        Item: {
          PK: { S: 'CUSTOMER#c1' },
          SK: { S: 'INSTANCE#welcome' },
          step: { N: '1' },
          blob: { B: new Uint8Array([1, 2, 3]) },
          tags: { SS: ['a', 'b'] },
          nested: { M: { ok: { BOOL: true }, list: { L: [{ S: 'x' }, { NULL: true }] } } },
        },
      }),
    );
    await db.send(
      new UpdateItemCommand({
        TableName: tableName,
        Key: { PK: { S: 'CUSTOMER#c1' }, SK: { S: 'INSTANCE#welcome' } },
        UpdateExpression: 'SET step = :s',
        ExpressionAttributeValues: { ':s': { N: '2' } },
      }),
    );
    await db.send(
      new PutItemCommand({ TableName: tableName, Item: { PK: { S: 'CUSTOMER#c2' }, SK: { S: 'PROFILE' } } }),
    );

    const records = await poller.drain();
    expect(records.map((record) => [record.eventName, record.dynamodb?.Keys?.PK?.S])).toEqual([
      ['INSERT', 'CUSTOMER#c1'],
      ['MODIFY', 'CUSTOMER#c1'],
      ['INSERT', 'CUSTOMER#c2'],
    ]);
    const sequenceNumbers = records.map((record) => BigInt(record.dynamodb?.SequenceNumber ?? '0'));
    expect([...sequenceNumbers].sort((a, b) => (a < b ? -1 : 1))).toEqual(sequenceNumbers);

    const [insert, modify] = records;
    expect(insert).toMatchObject({
      eventSource: 'aws:dynamodb',
      eventSourceARN: streamArn,
      eventID: expect.any(String),
      dynamodb: {
        Keys: { PK: { S: 'CUSTOMER#c1' }, SK: { S: 'INSTANCE#welcome' } },
        StreamViewType: 'NEW_AND_OLD_IMAGES',
        SequenceNumber: expect.any(String),
        SizeBytes: expect.any(Number),
        ApproximateCreationDateTime: expect.any(Number),
      },
    });
    expect(insert?.dynamodb?.NewImage).toEqual({
      PK: { S: 'CUSTOMER#c1' },
      SK: { S: 'INSTANCE#welcome' },
      step: { N: '1' },
      blob: { B: 'AQID' }, // base64, as Lambda delivers binary
      tags: { SS: ['a', 'b'] },
      nested: { M: { ok: { BOOL: true }, list: { L: [{ S: 'x' }, { NULL: true }] } } },
    });
    expect(insert?.dynamodb?.OldImage).toBeUndefined();
    // Epoch seconds, not a Date (JSON round-trip safe, as a Lambda event is).
    const created = insert?.dynamodb?.ApproximateCreationDateTime ?? 0;
    expect(Math.abs(created - Date.now() / 1000)).toBeLessThan(120);
    expect(JSON.parse(JSON.stringify(records))).toEqual(records);

    expect(modify?.dynamodb?.OldImage?.step).toEqual({ N: '1' });
    expect(modify?.dynamodb?.NewImage?.step).toEqual({ N: '2' });

    expect(await poller.drain()).toEqual([]);
    expect(await poller.poll()).toEqual([]);
    db.destroy();
    streams.destroy();
  });

  it('returns only new records on each poll, including REMOVE, and sees writes made right before drain()', async () => {
    const { tableName, streamArn } = await env.createTestTable('poller');
    const doc = DynamoDBDocumentClient.from(env.dynamoClient());
    const streams = env.dynamoStreamsClient();
    const poller = new StreamPoller({ client: streams, streamArn });
    expect(await poller.poll()).toEqual([]);

    for (let round = 0; round < 20; round++) {
      await Promise.all(
        [0, 1, 2].map((i) =>
          doc.send(new PutCommand({ TableName: tableName, Item: { PK: `r${round}`, SK: `${i}` } })),
        ),
      );
      await doc.send(new DeleteCommand({ TableName: tableName, Key: { PK: `r${round}`, SK: '0' } }));
      const records = await poller.drain();
      expect(records.map((record) => record.eventName).sort()).toEqual([
        'INSERT',
        'INSERT',
        'INSERT',
        'REMOVE',
      ]);
      expect(records.at(-1)?.dynamodb?.OldImage).toEqual({ PK: { S: `r${round}` }, SK: { S: '0' } });
    }
    expect(await poller.drain()).toEqual([]);
    doc.destroy();
    streams.destroy();
  });

  it('LATEST skips what was written before the first poll', async () => {
    const { tableName, streamArn } = await env.createTestTable('poller');
    const doc = DynamoDBDocumentClient.from(env.dynamoClient());
    const streams = env.dynamoStreamsClient();
    await doc.send(new PutCommand({ TableName: tableName, Item: { PK: 'before', SK: '0' } }));
    const poller = new StreamPoller({ client: streams, streamArn, startingPosition: 'LATEST' });
    expect(await poller.poll()).toEqual([]);
    await doc.send(new PutCommand({ TableName: tableName, Item: { PK: 'after', SK: '0' } }));
    const records = await poller.drain();
    expect(records.map((record) => record.dynamodb?.Keys?.PK?.S)).toEqual(['after']);

    // A TRIM_HORIZON poller on the same stream sees both.
    const all = await new StreamPoller({ client: streams, streamArn }).drain();
    expect(all.map((record) => record.dynamodb?.Keys?.PK?.S)).toEqual(['before', 'after']);
    doc.destroy();
    streams.destroy();
  });
});
