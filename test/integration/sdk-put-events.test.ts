/**
 * The AWS SDK's own `EventBridgeClient`, with `endpoint` set to the local runtime's HTTP server, puts
 * shop events as it would on EventBridge: its requests (POST /, X-Amz-Target, awsJson1_1, `Time` as
 * epoch seconds) are accepted, its events arrive at the instant it sent, and per-entry failures and
 * refused requests come back in the shapes the SDK reads.
 */
import { randomUUID } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { EventBridgeClient, ListRulesCommand, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { VirtualClock } from '../../functions/adapters/clock.ts';
import { buildCatalog } from '../../functions/catalog/build.ts';
import { eventsRoute, serveEvents } from '../../local/runtime/events-http.ts';
import { type Delivery, LocalRuntime } from '../../local/runtime/runtime.ts';
import { registration } from '../support/scenario.ts';
import { testEnv } from './env.ts';

const ROOT = path.resolve(import.meta.dirname, '../..');
const env = testEnv();

let runtime: LocalRuntime;
let server: Server;
let client: EventBridgeClient;
const deliveries: Delivery[] = [];

beforeAll(async () => {
  const { catalog } = await buildCatalog(ROOT, { defaultLocale: 'en' });
  runtime = await LocalRuntime.create({
    catalog,
    clock: new VirtualClock('2026-03-03T00:00:00Z'),
    dynamoEndpoint: env.dynamoEndpoint,
    stream: false,
    sesEndpoint: env.sesEndpoint,
    env: { TABLE_NAME: `sdk-${randomUUID()}`, SHOP_EVENT_SOURCE: 'shop' },
  });
  // The request routing of local/start/start.ts: the PutEvents routes, everything else 404.
  server = createServer(async (req, res) => {
    if (eventsRoute(req) === 'serve') {
      deliveries.push(...(await serveEvents(runtime, req, res)).deliveries);
      return;
    }
    res.writeHead(404).end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  client = new EventBridgeClient({
    region: 'eu-central-1',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    endpoint: `http://127.0.0.1:${port}`,
    maxAttempts: 1,
  });
});

afterAll(async () => {
  client?.destroy();
  await new Promise((resolve) => server?.close(resolve));
  runtime?.dynamo?.destroy();
});

const deliveryOf = (customerId: string) =>
  deliveries.find((d) => (d.event.detail as { customerId?: unknown }).customerId === customerId);

describe('EventBridgeClient against the local runtime', () => {
  it('puts an event that arrives at the instant the SDK sent as Time', async () => {
    // Prepare
    const customerId = `c-sdk-${randomUUID().slice(0, 8)}`;

    // Act
    const response = await client.send(
      new PutEventsCommand({
        Entries: [
          {
            Source: 'shop',
            DetailType: 'customer.registered',
            Detail: JSON.stringify(registration(customerId)),
            Time: new Date('2026-03-02T08:00:00Z'),
          },
        ],
      }),
    );

    // Assess
    expect(response.FailedEntryCount).toBe(0);
    expect(response.Entries).toEqual([{ EventId: expect.any(String) }]);
    const delivery = deliveryOf(customerId);
    expect(delivery?.event).toMatchObject({
      id: response.Entries?.[0]?.EventId,
      source: 'shop',
      detailType: 'customer.registered',
      time: '2026-03-02T08:00:00Z',
    });
    expect(delivery?.targets.find((t) => t.target === 'profile')?.outcome).toMatchObject({
      status: 'applied',
    });
    const profile = await runtime.services.store.getProfile(customerId);
    expect(profile?.email).toBe(`${customerId}@example.de`);
  });

  it('reads a Time with milliseconds as that second (EventBridge times have no fraction)', async () => {
    // Prepare
    const customerId = `c-sdk-${randomUUID().slice(0, 8)}`;

    // Act
    await client.send(
      new PutEventsCommand({
        Entries: [
          {
            Source: 'shop',
            DetailType: 'customer.registered',
            Detail: JSON.stringify(registration(customerId)),
            Time: new Date('2026-03-02T08:00:00.999Z'),
          },
        ],
      }),
    );

    // Assess: the fraction is dropped, not rounded up to 08:00:01
    expect(deliveryOf(customerId)?.event.time).toBe('2026-03-02T08:00:00Z');
  });

  it('answers a failed entry in the SDK response shape, next to an accepted one', async () => {
    // Prepare
    const customerId = `c-sdk-${randomUUID().slice(0, 8)}`;

    // Act
    const response = await client.send(
      new PutEventsCommand({
        Entries: [
          {
            Source: 'shop',
            DetailType: 'customer.registered',
            Detail: JSON.stringify(registration(customerId)),
          },
          { Source: 'shop', DetailType: 'customer.registered', Detail: '{not json' },
          { Source: 'aws.ses', DetailType: 'Email Delivered', Detail: '{}' },
        ],
      }),
    );

    // Assess
    expect(response.FailedEntryCount).toBe(2);
    expect(response.Entries).toEqual([
      { EventId: expect.any(String) },
      { ErrorCode: 'MalformedDetail', ErrorMessage: 'Detail is not valid JSON' },
      {
        ErrorCode: 'NotAuthorizedForSourceException',
        ErrorMessage: 'source "aws.ses" is reserved for AWS services',
      },
    ]);
  });

  it('throws the named AWS error for an operation the runtime does not implement', async () => {
    // Act
    const error = await client.send(new ListRulesCommand({})).catch((e: unknown) => e);

    // Assess
    expect(error).toMatchObject({
      name: 'UnknownOperationException',
      message:
        '"AWSEvents.ListRules" is not an operation of the local runtime: it implements only AWSEvents.PutEvents',
      $metadata: { httpStatusCode: 400 },
    });
  });

  it('throws ValidationException for a request EventBridge would refuse (11 entries)', async () => {
    // Prepare
    const entry = { Source: 'shop', DetailType: 'customer.registered', Detail: '{}' };

    // Act
    const error = await client
      .send(new PutEventsCommand({ Entries: Array.from({ length: 11 }, () => entry) }))
      .catch((e: unknown) => e);

    // Assess
    expect(error).toMatchObject({
      name: 'ValidationException',
      message: 'Entries must be an array of 1 to 10 entries (PutEvents limit)',
      $metadata: { httpStatusCode: 400 },
    });
  });
});
