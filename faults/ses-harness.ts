/**
 * What the SES fault rows share: real DynamoDB Local and the real SES v2 emulator started for the
 * row and stopped after it (even on failure), a local runtime on a virtual clock, and the count of
 * emails per customer in the emulator's own store — the only honest measure of "sent once".
 */

import { copyFile, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { VirtualClock } from '../functions/adapters/clock.ts';
import { buildCatalog } from '../functions/catalog/build.ts';
import type { Catalog } from '../functions/catalog/catalog.ts';
import { LocalRuntime } from '../local/runtime/runtime.ts';
import { type DynamoDbLocal, startDynamoDbLocal } from '../local/servers/dynamodb-local.ts';
import { type SesEmulator, startSesEmulator } from '../local/servers/ses-emulator.ts';
import { random } from './support/random.ts';

const ROOT = path.resolve(import.meta.dirname, '..');
export const START = '2026-03-02T08:00:00Z'; // 09:00 in Berlin: outside quiet hours

/** The onboarding journey alone: one transactional welcome per registration, at once. */
export async function onboardingOnly(): Promise<Catalog> {
  const dir = await mkdtemp(path.join(tmpdir(), 'faults-journeys-'));
  try {
    await copyFile(path.join(ROOT, 'journeys/onboarding.yaml'), path.join(dir, 'onboarding.yaml'));
    return (await buildCatalog(ROOT, { defaultLocale: 'en', journeysDir: dir })).catalog;
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

export async function withServers<T>(
  work: (servers: { dynamo: DynamoDbLocal; ses: SesEmulator }) => Promise<T>,
): Promise<T> {
  const [dynamo, ses] = await Promise.allSettled([startDynamoDbLocal(), startSesEmulator()]);
  try {
    if (dynamo.status === 'rejected') throw dynamo.reason;
    if (ses.status === 'rejected') throw ses.reason;
    return await work({ dynamo: dynamo.value, ses: ses.value });
  } finally {
    await Promise.allSettled([
      dynamo.status === 'fulfilled' ? dynamo.value.stop() : undefined,
      ses.status === 'fulfilled' ? ses.value.stop() : undefined,
    ]);
  }
}

export interface RuntimeOptions {
  catalog: Catalog;
  clock: VirtualClock;
  dynamoEndpoint: string;
  sesEndpoint: string;
  sesStoreEndpoint: string;
  tableName: string;
  env?: Record<string, string>;
  sesEventsSince?: number;
}

export function runtime(options: RuntimeOptions): Promise<LocalRuntime> {
  return LocalRuntime.create({
    catalog: options.catalog,
    clock: options.clock,
    dynamoEndpoint: options.dynamoEndpoint,
    sesEndpoint: options.sesEndpoint,
    sesStoreEndpoint: options.sesStoreEndpoint,
    ...(options.sesEventsSince === undefined ? {} : { sesEventsSince: options.sesEventsSince }),
    env: { TABLE_NAME: options.tableName, ...options.env },
  });
}

export const registration = (customerId: string) => ({
  Source: 'shop',
  DetailType: 'customer.registered',
  Detail: JSON.stringify({
    customerId,
    email: `${customerId}@example.de`,
    firstName: 'Anna',
    locale: 'de-DE',
    timeZone: 'Europe/Berlin',
    marketingConsent: true,
  }),
});

/** Lost: customers whose welcome the emulator never got; doubled: customers who got it more than once. */
export async function tally(
  ses: SesEmulator,
  ids: string[],
): Promise<{ lost: number; doubled: number; lostIds: string[] }> {
  const perCustomer = new Map(ids.map((id) => [`${id}@example.de`, 0]));
  for (const email of await ses.emails()) {
    const to = email.destination.to[0] ?? '';
    const n = perCustomer.get(to);
    if (n !== undefined) perCustomer.set(to, n + 1);
  }
  const counts = [...perCustomer.values()];
  return {
    lost: counts.filter((n) => n === 0).length,
    doubled: counts.filter((n) => n > 1).length,
    lostIds: [...perCustomer].filter(([, n]) => n === 0).map(([to]) => to.replace('@example.de', '')),
  };
}

/**
 * The local loop on the virtual clock, as `npm start` runs it on the real one: drain the outbox, then
 * jump to the next timer (journey or outbox), run the one-minute schedule (SES events, sweeper), drain.
 * Returns how many dispatch records failed for good (a crash of the loop would throw).
 */
export async function runUntil(
  rt: LocalRuntime,
  clock: VirtualClock,
  until: string,
  onTick?: (now: string) => Promise<void>,
): Promise<{ failures: number; sweepFailures: number }> {
  let failures = (await rt.drainOutbox()).failures.length;
  let sweepFailures = 0;
  for (;;) {
    const next = await rt.nextTimer();
    if (!next || Date.parse(next) > Date.parse(until)) break;
    if (Date.parse(next) > Date.parse(clock.now())) clock.set(next);
    await onTick?.(clock.now());
    sweepFailures += (await rt.sweep()).failed.length;
    failures += (await rt.drainOutbox()).failures.length;
  }
  return { failures, sweepFailures };
}

/** A small seeded generator (mulberry32): the same seed, the same faults. */
export function seeded(seed: number): () => number {
  return random(seed).next;
}
