/**
 * The AWS AnalyticsSink: records as JSON Lines to an Amazon Data Firehose stream, which converts
 * them to Parquet with the Glue table's schema (lib/analytics.ts).
 *
 * PutRecordBatch takes at most 500 records and 4 MB per call, and it can succeed as a call while
 * some of its records fail (throttling, an internal error: `FailedPutCount`). Only the failed
 * records are sent again, with backoff; if some still fail, `write` throws so the Lambda invocation
 * fails and is retried — a record delivered twice is harmless (queries dedupe on `id`), a record lost
 * is not.
 */
import { FirehoseClient, PutRecordBatchCommand } from '@aws-sdk/client-firehose';
import { type AnalyticsRecord, type AnalyticsSink, COLUMN_NAMES } from '../analytics/record.ts';
import { FirehoseDeliveryError } from './errors.ts';

/** PutRecordBatch's limits (API reference; they cannot be raised). */
export const MAX_RECORDS_PER_CALL = 500;
/** "4 MB for the entire request": counted in decimal megabytes, the lower reading. */
export const MAX_BYTES_PER_CALL = 4_000_000;
export const MAX_BYTES_PER_RECORD = 1_000 * 1024;

const encoder = new TextEncoder();

/** One JSON line per record, keys in COLUMNS order, every column present (null where n/a). */
export function encodeRecord(record: AnalyticsRecord): Uint8Array {
  const row: Record<string, unknown> = {};
  for (const name of COLUMN_NAMES) row[name] = record[name] ?? null;
  return encoder.encode(`${JSON.stringify(row)}\n`);
}

/** Splits encoded records into calls within PutRecordBatch's record and byte limits, in order. */
export function batches(
  data: readonly Uint8Array[],
  limits = { records: MAX_RECORDS_PER_CALL, bytes: MAX_BYTES_PER_CALL },
): Uint8Array[][] {
  const out: Uint8Array[][] = [];
  let current: Uint8Array[] = [];
  let bytes = 0;
  for (const item of data) {
    if (item.byteLength > MAX_BYTES_PER_RECORD) {
      throw new RangeError(
        `an analytics record of ${item.byteLength} bytes exceeds Firehose's ${MAX_BYTES_PER_RECORD}-byte record limit`,
      );
    }
    if (current.length > 0 && (current.length >= limits.records || bytes + item.byteLength > limits.bytes)) {
      out.push(current);
      current = [];
      bytes = 0;
    }
    current.push(item);
    bytes += item.byteLength;
  }
  if (current.length > 0) out.push(current);
  return out;
}

/** The one call the sink makes; a FirehoseClient in Lambda. */
export interface FirehoseSender {
  send(command: PutRecordBatchCommand): Promise<{
    FailedPutCount?: number | undefined;
    RequestResponses?: { ErrorCode?: string | undefined; ErrorMessage?: string | undefined }[] | undefined;
  }>;
}

export interface FirehoseSinkOptions {
  /** Calls per batch, the first included, before giving up on its failed records. @default 4 */
  maxAttempts?: number;
  /** Waits before attempt `attempt` (2, 3 ...). @default 100 ms doubling, with full jitter */
  backoff?: (attempt: number) => Promise<void>;
}

export class FirehoseSink implements AnalyticsSink {
  private readonly maxAttempts: number;
  private readonly backoff: (attempt: number) => Promise<void>;

  constructor(
    private readonly client: FirehoseSender,
    private readonly deliveryStreamName: string,
    options: FirehoseSinkOptions = {},
  ) {
    this.maxAttempts = options.maxAttempts ?? 4;
    this.backoff = options.backoff ?? jitteredBackoff;
  }

  async write(records: readonly AnalyticsRecord[]): Promise<void> {
    for (const batch of batches(records.map(encodeRecord))) await this.put(batch);
  }

  private async put(batch: Uint8Array[]): Promise<void> {
    let pending = batch;
    let lastError = '';
    for (let attempt = 1; attempt <= this.maxAttempts; attempt++) {
      if (attempt > 1) await this.backoff(attempt);
      const response = await this.client.send(
        new PutRecordBatchCommand({
          DeliveryStreamName: this.deliveryStreamName,
          Records: pending.map((Data) => ({ Data })),
        }),
      );
      if (!response.FailedPutCount) return;
      const responses = response.RequestResponses ?? [];
      const failed = pending.filter((_, i) => responses[i]?.ErrorCode !== undefined);
      // A response that counts failures but does not say which: resend them all (duplicates are fine).
      pending = failed.length > 0 ? failed : pending;
      const first = responses.find((r) => r.ErrorCode !== undefined);
      lastError = first ? `${first.ErrorCode}: ${first.ErrorMessage ?? ''}`.trim() : 'unknown error';
    }
    throw new FirehoseDeliveryError(
      `${pending.length} of ${batch.length} analytics records not accepted by Firehose stream ${this.deliveryStreamName} after ${this.maxAttempts} attempts (last: ${lastError})`,
    );
  }
}

/** The sink Lambda uses; the SDK's own retries cover failed calls, the sink failed records. */
export function firehoseSink(deliveryStreamName: string, client = new FirehoseClient({})): FirehoseSink {
  return new FirehoseSink(client, deliveryStreamName);
}

function jitteredBackoff(attempt: number): Promise<void> {
  const ms = Math.random() * 100 * 2 ** (attempt - 2);
  return new Promise((resolve) => setTimeout(resolve, ms));
}
