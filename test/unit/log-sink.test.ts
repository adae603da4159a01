/**
 * The JSON Lines sink (partition layout, whole lines under concurrent writers) and the analytics
 * service's contract: malformed input is ignored and counted, infrastructure faults are thrown.
 */
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { JsonLinesSink } from '../../functions/adapters/analytics-jsonl.ts';
import type { CustomerSecret } from '../../functions/adapters/analytics-keys.ts';
import { type AnalyticsRecord, COLUMNS } from '../../functions/analytics/record.ts';
import { AnalyticsService } from '../../functions/services/analytics.ts';

const dirs: string[] = [];
afterEach(async () => {
  for (const dir of dirs.splice(0)) await rm(dir, { recursive: true, force: true });
});
const tempDir = async () => {
  const dir = await mkdtemp(path.join(tmpdir(), 'analytics-log-'));
  dirs.push(dir);
  return dir;
};

const record = (n: number, recorded: string): AnalyticsRecord => ({
  id: n.toString(16).padStart(32, '0'),
  v: 1,
  type: 'order.placed',
  time: recorded,
  recorded,
  customer: 'AAAAAAAAAAAAAAAAAAAAAA',
  journey: null,
  message: null,
  instance: null,
  send: null,
  holdout: null,
  goal: null,
  reason: null,
  market: 'AT',
  locale: 'de-AT',
  order: 'BBBBBBBBBBBBBBBBBBBBBB',
  amount: `${n}.00`,
  currency: 'EUR',
  score: null,
  consent: null,
  points: null,
  tier: null,
  reward: null,
});

describe('JSON Lines sink', () => {
  it('writes dt=YYYY-MM-DD/<writer>.jsonl by processing day, every column, whole lines under concurrency', async () => {
    const dir = await tempDir();
    const sink = new JsonLinesSink(dir, { writer: 'test-writer' });
    const second = new JsonLinesSink(dir, { writer: 'test-writer' });
    // 200 concurrent writes from two sink objects of one process, over two days.
    await Promise.all(
      Array.from({ length: 200 }, (_, n) =>
        (n % 2 ? sink : second).write([
          record(n, n < 100 ? '2026-03-10T23:59:59.999Z' : '2026-03-11T00:00:00.000Z'),
        ]),
      ),
    );
    expect((await readdir(dir)).sort()).toEqual(['dt=2026-03-10', 'dt=2026-03-11']);
    expect(await readdir(path.join(dir, 'dt=2026-03-10'))).toEqual(['test-writer.jsonl']);
    const lines = [
      ...(await readFile(path.join(dir, 'dt=2026-03-10', 'test-writer.jsonl'), 'utf8')).split('\n'),
      ...(await readFile(path.join(dir, 'dt=2026-03-11', 'test-writer.jsonl'), 'utf8')).split('\n'),
    ].filter(Boolean);
    expect(lines).toHaveLength(200);
    const parsed = lines.map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(Object.keys(parsed[0] as object)).toEqual(Object.keys(COLUMNS));
    expect(new Set(parsed.map((p) => p.id)).size).toBe(200);
  });

  it('refuses a writer name that is not a file name', () => {
    expect(() => new JsonLinesSink('/tmp', { writer: '../escape' })).toThrow(/writer name/);
  });
});

describe('analytics service', () => {
  const event = {
    id: 'e1',
    source: 'shop',
    detailType: 'order.placed',
    time: '2026-03-10T10:00:00Z',
    detail: {
      orderId: 'o1',
      customerId: 'c1',
      placedAt: '2026-03-10T09:00:00Z',
      total: { amount: '10.00', currency: 'EUR' },
    },
  };
  const secretOf = (answer: CustomerSecret | Error) => async (): Promise<CustomerSecret> => {
    if (answer instanceof Error) throw answer;
    return answer;
  };
  const ok: CustomerSecret = { status: 'ok', secret: new Uint8Array(32).fill(1), locale: 'en-GB' };

  it('records, ignores malformed input without throwing, and writes nothing for an erased customer', async () => {
    const written: AnalyticsRecord[] = [];
    const service = new AnalyticsService({
      keys: { secret: secretOf(ok) },
      sink: { write: async (records) => void written.push(...records) },
      now: () => '2026-03-10T12:00:00.000Z',
    });
    expect((await service.record(event)).status).toBe('recorded');
    expect(written[0]).toMatchObject({
      type: 'order.placed',
      market: 'GB',
      recorded: '2026-03-10T12:00:00.000Z',
    });
    for (const bad of [
      { ...event, detail: 'nope' },
      { ...event, detailType: '__proto__' },
      { ...event, source: 'aws.ses', detail: { mail: { tags: { outbox: [{}] } } } },
      {} as typeof event,
    ])
      expect((await service.record(bad)).status).toBe('ignored');
    expect(service.counts).toMatchObject({ recorded: 1, ignored: 4 });

    const erased = new AnalyticsService({
      keys: { secret: secretOf({ status: 'erased' }) },
      sink: { write: async () => expect.unreachable('nothing is written for an erased customer') },
      now: () => '2026-03-10T12:00:00.000Z',
    });
    expect(await erased.record(event)).toEqual({ status: 'ignored', reason: 'the customer was erased' });
  });

  it('ignores SES events of another configuration set (a second stack in the account)', async () => {
    const written: AnalyticsRecord[] = [];
    const service = new AnalyticsService({
      keys: { secret: secretOf(ok) },
      sink: { write: async (records) => void written.push(...records) },
      now: () => '2026-03-10T12:00:00.000Z',
      configurationSetName: 'shop-a',
    });
    const sent = (set: string) => ({
      id: `ses-${set}`,
      source: 'aws.ses',
      detailType: 'Email Sent',
      time: '2026-03-10T11:00:00Z',
      detail: {
        eventType: 'Send',
        mail: {
          timestamp: '2026-03-10T11:00:00Z',
          tags: {
            'ses:configuration-set': [set],
            journey: ['onboarding'],
            message: ['welcome'],
            outbox: [Buffer.from('c1\nonboarding#i1#0').toString('base64url')],
          },
        },
      },
    });
    expect(await service.record(sent('shop-b'))).toEqual({
      status: 'ignored',
      reason: 'an email of another configuration set',
    });
    expect((await service.record(sent('shop-a'))).status).toBe('recorded');
    expect(written.map((r) => r.type)).toEqual(['email.sent']);
  });

  it('throws infrastructure faults (key store, sink), so Lambda retries the event', async () => {
    const failingKeys = new AnalyticsService({
      keys: { secret: secretOf(new Error('ProvisionedThroughputExceededException')) },
      sink: { write: async () => {} },
      now: () => '2026-03-10T12:00:00.000Z',
    });
    await expect(failingKeys.record(event)).rejects.toThrow(/Throughput/);
    const failingSink = new AnalyticsService({
      keys: { secret: secretOf(ok) },
      sink: {
        write: async () => {
          throw new Error('Firehose ServiceUnavailable');
        },
      },
      now: () => '2026-03-10T12:00:00.000Z',
    });
    await expect(failingSink.record(event)).rejects.toThrow(/Firehose/);
  });
});
