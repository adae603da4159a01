/**
 * A LocalRuntime on its own table with a virtual clock, the onboarding journey only, and the
 * preferences endpoint served on a real local HTTP port (its URL is the runtime's PREFERENCES_URL, so
 * the links in the emails point at it). For integration tests.
 */
import { randomUUID } from 'node:crypto';
import { copyFile, mkdtemp } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, QueryCommand, ScanCommand } from '@aws-sdk/lib-dynamodb';
import { afterEach, beforeAll } from 'vitest';
import { VirtualClock } from '../../functions/adapters/clock.ts';
import type { AnalyticsSink } from '../../functions/analytics/record.ts';
import { buildCatalog } from '../../functions/catalog/build.ts';
import type { Catalog } from '../../functions/catalog/catalog.ts';
import type { DispatchOutcome } from '../../functions/services/dispatcher.ts';
import { servePreferences } from '../../local/runtime/preferences-http.ts';
import { LocalRuntime, type PublishedEvent } from '../../local/runtime/runtime.ts';
import { testEnv } from '../integration/env.ts';

const ROOT = path.resolve(import.meta.dirname, '../..');

/** The onboarding journey alone: these tests are about the endpoint, not about every journey. */
export async function onboardingCatalog(): Promise<Catalog> {
  const dir = await mkdtemp(path.join(tmpdir(), 'journeys-'));
  await copyFile(path.join(ROOT, 'journeys/onboarding.yaml'), path.join(dir, 'onboarding.yaml'));
  return (await buildCatalog(ROOT, { defaultLocale: 'en', journeysDir: dir })).catalog;
}

export interface LocalWorld {
  runtime: LocalRuntime;
  clock: VirtualClock;
  doc: DynamoDBDocumentClient;
  tableName: string;
  preferencesUrl: string;
  published: PublishedEvent[];
  outcomes: DispatchOutcome[];
  /** Drains the outbox, then advances the clock timer by timer up to `until`. */
  runUntil(until: string): Promise<void>;
  /** Every item of the customer's partition. */
  partition(customerId: string): Promise<Record<string, unknown>[]>;
  scan(): Promise<Record<string, unknown>[]>;
  close(): Promise<void>;
}

export async function localWorld(
  catalog: Catalog,
  servers: { dynamoEndpoint: string; sesEndpoint: string; sesStoreEndpoint?: string },
  start: string,
  /** Extra environment for the runtime (e.g. SES timeouts for fault tests). */
  env: Record<string, string> = {},
  /** Where the runtime writes its analytics log (none by default). */
  options: { analyticsSink?: AnalyticsSink } = {},
): Promise<LocalWorld> {
  const clock = new VirtualClock(start);
  const published: PublishedEvent[] = [];
  const outcomes: DispatchOutcome[] = [];
  let runtime: LocalRuntime | undefined;
  const server: Server = createServer((req, res) => {
    if (!runtime) return void res.writeHead(503).end();
    servePreferences(runtime.services.preferences, req, res).catch((error: unknown) => {
      res.writeHead(500).end(String(error));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const preferencesUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/preferences`;
  const tableName = `prefs-${randomUUID()}`;
  runtime = await LocalRuntime.create({
    catalog,
    clock,
    dynamoEndpoint: servers.dynamoEndpoint,
    sesEndpoint: servers.sesEndpoint,
    ...(servers.sesStoreEndpoint ? { sesStoreEndpoint: servers.sesStoreEndpoint } : {}),
    env: { TABLE_NAME: tableName, PREFERENCES_URL: preferencesUrl, ...env },
    onPublish: (event) => published.push(event),
    ...(options.analyticsSink ? { analyticsSink: options.analyticsSink } : {}),
  });
  const rt = runtime;
  // Its own client: a document client built on the runtime's would share (and change) its middleware.
  const client = new DynamoDBClient({
    region: 'local',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    endpoint: servers.dynamoEndpoint,
  });
  const doc = DynamoDBDocumentClient.from(client);

  const drain = async () => {
    const result = await rt.drainOutbox();
    outcomes.push(...result.outcomes);
    if (result.failures.length) throw new Error(`dispatch failed: ${result.failures.join('; ')}`);
  };

  return {
    runtime: rt,
    clock,
    doc,
    tableName,
    preferencesUrl,
    published,
    outcomes,
    async runUntil(until) {
      await drain();
      for (;;) {
        const next = await rt.nextTimer();
        if (!next || Date.parse(next) > Date.parse(until)) break;
        if (Date.parse(next) > Date.parse(clock.now())) clock.set(next);
        await rt.sweep();
        await drain();
      }
      if (Date.parse(until) > Date.parse(clock.now())) clock.set(until);
    },
    async partition(customerId) {
      const result = await doc.send(
        new QueryCommand({
          TableName: tableName,
          KeyConditionExpression: 'PK = :pk',
          ExpressionAttributeValues: { ':pk': `C#${customerId}` },
          ConsistentRead: true,
        }),
      );
      return result.Items ?? [];
    },
    async scan() {
      const items: Record<string, unknown>[] = [];
      let startKey: Record<string, unknown> | undefined;
      do {
        const page = await doc.send(new ScanCommand({ TableName: tableName, ExclusiveStartKey: startKey }));
        items.push(...(page.Items ?? []));
        startKey = page.LastEvaluatedKey;
      } while (startKey);
      return items;
    },
    async close() {
      client.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/**
 * Registers the hooks an integration test file needs for local worlds (catalog once, every world
 * closed after its test) and returns the factory: `const newWorld = localWorlds(START)`.
 */
export function localWorlds(start: string): () => Promise<LocalWorld> {
  let catalog: Catalog | undefined;
  let world: LocalWorld | undefined;
  beforeAll(async () => {
    catalog = await onboardingCatalog();
  });
  afterEach(async () => {
    await world?.close();
    world = undefined;
  });
  return async () => {
    const env = testEnv();
    world = await localWorld(
      catalog as Catalog,
      { dynamoEndpoint: env.dynamoEndpoint, sesEndpoint: env.sesEndpoint },
      start,
    );
    return world;
  };
}
