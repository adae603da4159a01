import type { PutRecordBatchCommand } from '@aws-sdk/client-firehose';
import { describe, expect, it } from 'vitest';
import { FirehoseDeliveryError } from '../../functions/adapters/errors.ts';
import {
  batches,
  encodeRecord,
  FirehoseSink,
  MAX_RECORDS_PER_CALL,
} from '../../functions/adapters/firehose-sink.ts';
import type { AnalyticsRecord } from '../../functions/analytics/record.ts';
import { COLUMNS } from '../../functions/analytics/record.ts';

/** Firehose has no local emulator: a stand-in that records calls and fails the records it is told to. */
class ScriptedFirehose {
  readonly calls: string[][] = [];
  constructor(private readonly failures: (line: string, call: number) => boolean = () => false) {}
  async send(command: PutRecordBatchCommand) {
    const lines = (command.input.Records ?? []).map((r) => new TextDecoder().decode(r.Data));
    const call = this.calls.push(lines);
    const responses = lines.map((line) =>
      this.failures(line, call)
        ? { ErrorCode: 'ServiceUnavailableException', ErrorMessage: 'Slow down.' }
        : { RecordId: `r${call}` },
    );
    return { FailedPutCount: responses.filter((r) => 'ErrorCode' in r).length, RequestResponses: responses };
  }
}

const noWait = async () => undefined;

function record(n: number): AnalyticsRecord {
  return {
    id: n.toString(16).padStart(32, '0'),
    v: 1,
    type: 'order.placed',
    time: '2026-11-02T10:00:00.000Z',
    recorded: '2026-11-02T10:00:01.000Z',
    customer: 'abcdefghijklmnopqrstuv',
    journey: null,
    message: null,
    instance: null,
    send: null,
    holdout: null,
    goal: null,
    reason: null,
    market: 'DE',
    locale: 'de-DE',
    order: 'ABCDEFGHIJKLMNOPQRSTUV',
    amount: '59.90',
    currency: 'EUR',
    score: null,
    consent: null,
    points: null,
    tier: null,
    reward: null,
  };
}

describe('encodeRecord', () => {
  it('writes one JSON line with every column in COLUMNS order', () => {
    // Act
    const line = new TextDecoder().decode(encodeRecord(record(1)));

    // Assess
    expect(line.endsWith('\n')).toBe(true);
    expect(line.indexOf('\n')).toBe(line.length - 1);
    expect(Object.keys(JSON.parse(line))).toEqual(Object.keys(COLUMNS));
  });
});

describe('batches', () => {
  it('keeps at most 500 records per call, in order', () => {
    // Prepare
    const data = Array.from({ length: 1_201 }, (_, i) => new Uint8Array([i % 256]));

    // Act
    const calls = batches(data);

    // Assess
    expect(calls.map((c) => c.length)).toEqual([MAX_RECORDS_PER_CALL, MAX_RECORDS_PER_CALL, 201]);
    expect(calls.flat()).toEqual(data);
  });

  it('starts a new call before the byte limit would be exceeded', () => {
    // Prepare
    const data = [new Uint8Array(400), new Uint8Array(400), new Uint8Array(300)];

    // Act
    const calls = batches(data, { records: 500, bytes: 1_000 });

    // Assess
    expect(calls.map((c) => c.length)).toEqual([2, 1]);
  });

  it('refuses a record above the 1,000 KiB record limit', () => {
    expect(() => batches([new Uint8Array(1_024_001)])).toThrow(
      /exceeds Firehose's 1024000-byte record limit/,
    );
  });
});

describe('FirehoseSink', () => {
  it('sends 1,001 records in three calls', async () => {
    // Prepare
    const firehose = new ScriptedFirehose();
    const sink = new FirehoseSink(firehose, 'stream', { backoff: noWait });

    // Act
    await sink.write(Array.from({ length: 1_001 }, (_, i) => record(i)));

    // Assess
    expect(firehose.calls.map((c) => c.length)).toEqual([500, 500, 1]);
  });

  it('resends only the records that failed', async () => {
    // Prepare: records 2 and 4 fail on the first call only
    const firehose = new ScriptedFirehose(
      (line, call) =>
        call === 1 &&
        ['"id":"00000000000000000000000000000002"', '"id":"00000000000000000000000000000004"'].some((id) =>
          line.includes(id),
        ),
    );
    const sink = new FirehoseSink(firehose, 'stream', { backoff: noWait });

    // Act
    await sink.write([1, 2, 3, 4, 5].map(record));

    // Assess
    expect(firehose.calls).toHaveLength(2);
    expect(firehose.calls[1]?.map((line) => JSON.parse(line).id.slice(-1))).toEqual(['2', '4']);
  });

  it('throws, naming the count and the error, when records keep failing', async () => {
    // Prepare
    const firehose = new ScriptedFirehose((line) => line.includes('00000000000000000000000000000003'));
    const sink = new FirehoseSink(firehose, 'analytics-stream', { backoff: noWait, maxAttempts: 3 });

    // Act
    const write = sink.write([1, 2, 3].map(record));

    // Assess
    await expect(write).rejects.toThrow(FirehoseDeliveryError);
    await expect(sink.write([3].map(record))).rejects.toThrow(
      /1 of 1 analytics records not accepted by Firehose stream analytics-stream after 3 attempts \(last: ServiceUnavailableException: Slow down\.\)/,
    );
    expect(firehose.calls.slice(0, 3).map((c) => c.length)).toEqual([3, 1, 1]);
  });
});
