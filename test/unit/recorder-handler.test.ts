import type { EventBridgeEvent } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import type { RawEvent } from '../../functions/core/events.ts';
import { createAnalyticsHandler, lambdaRecorder } from '../../functions/handlers/analytics.ts';

const event: EventBridgeEvent<string, unknown> = {
  version: '0',
  id: 'evt-1',
  'detail-type': 'order.placed',
  source: 'shop',
  account: '123456789012',
  time: '2026-11-02T10:00:00Z',
  region: 'eu-central-1',
  resources: [],
  detail: { orderId: 'o-1', customerId: 'c-1' },
};

describe('analytics handler', () => {
  it('hands the envelope to the recorder and returns the records it wrote', async () => {
    // Prepare
    const seen: RawEvent[] = [];
    const handler = createAnalyticsHandler(async () => ({
      record: async (raw) => {
        seen.push(raw);
        return { records: 1 };
      },
    }));

    // Act
    const result = await handler(event);

    // Assess
    expect(result).toBe(1);
    expect(seen).toEqual([
      {
        id: 'evt-1',
        source: 'shop',
        detailType: 'order.placed',
        time: '2026-11-02T10:00:00Z',
        detail: event.detail,
      },
    ]);
  });

  it('lets a failed write throw, so Lambda retries and then keeps the event', async () => {
    // Prepare
    const handler = createAnalyticsHandler(async () => ({
      record: async () => {
        throw new Error('2 of 2 analytics records not accepted');
      },
    }));

    // Act + Assess
    await expect(handler(event)).rejects.toThrow('not accepted');
  });

  it('names the missing setting when the function has no table or stream', async () => {
    const saved = { table: process.env.TABLE_NAME, stream: process.env.DELIVERY_STREAM_NAME };
    delete process.env.TABLE_NAME;
    delete process.env.DELIVERY_STREAM_NAME;
    try {
      await expect(lambdaRecorder()).rejects.toThrow(/TABLE_NAME is not set/);
    } finally {
      if (saved.table !== undefined) process.env.TABLE_NAME = saved.table;
      if (saved.stream !== undefined) process.env.DELIVERY_STREAM_NAME = saved.stream;
    }
  });
});
