import type { EventBridgeEvent } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import type { RawEvent } from '../../functions/core/events.ts';
import { createLoyaltyHandler } from '../../functions/handlers/loyalty.ts';
import type { Outcome } from '../../functions/services/journeys.ts';
import type { LoyaltyService } from '../../functions/services/loyalty.ts';

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

const handlerWith = (handleEvent: (raw: RawEvent) => Promise<Outcome>) =>
  createLoyaltyHandler(async () => ({ loyalty: { handleEvent } as unknown as LoyaltyService }));

describe('loyalty handler', () => {
  it('hands the envelope to the loyalty service and returns its status', async () => {
    // Prepare
    const seen: RawEvent[] = [];
    const handler = handlerWith(async (raw) => {
      seen.push(raw);
      return { status: 'applied', trace: [], effects: 2 };
    });

    // Act
    const status = await handler(event);

    // Assess
    expect(status).toBe('applied');
    expect(seen).toEqual([
      { id: 'evt-1', source: 'shop', detailType: 'order.placed', time: event.time, detail: event.detail },
    ]);
  });

  it('succeeds on a rejected event (kept on the rejected log; a retry cannot help)', async () => {
    const handler = handlerWith(async () => ({ status: 'rejected', errors: ['total: required'] }));
    expect(await handler(event)).toBe('rejected');
  });

  it('lets a fault of the store throw, so Lambda retries and then keeps the event', async () => {
    const handler = handlerWith(async () => {
      throw new Error('ProvisionedThroughputExceededException');
    });
    await expect(handler(event)).rejects.toThrow('ProvisionedThroughputExceededException');
  });
});
