/**
 * Exactly-once at SES under faults (issue 8, "Sending"): the local runtime against DynamoDB Local and
 * the real SES v2 emulator, with a fault-injecting proxy (test/support/ses-fault-proxy.ts) between
 * them. Emails are counted in the emulator's own store, per recipient: 0 lost, 0 doubled.
 */
import { randomUUID } from 'node:crypto';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Catalog } from '../../functions/catalog/catalog.ts';
import { addDuration } from '../../functions/core/time.ts';
import { type LocalWorld, localWorld, onboardingCatalog } from '../support/local-world.ts';
import { registration } from '../support/scenario.ts';
import { type FaultDecision, type SesFaultProxy, startSesFaultProxy } from '../support/ses-fault-proxy.ts';
import { testEnv } from './env.ts';

const START = '2026-03-02T08:00:00Z'; // 09:00 in Berlin
const env = testEnv();
let catalog: Catalog;
const open: { world?: LocalWorld; proxy?: SesFaultProxy }[] = [];

beforeAll(async () => {
  catalog = await onboardingCatalog();
});
afterEach(async () => {
  for (const { world, proxy } of open.splice(0)) {
    await proxy?.stop();
    await world?.close();
  }
});

async function faultyWorld(decide: (n: number) => FaultDecision) {
  const proxy = await startSesFaultProxy({ target: env.sesEndpoint, decide });
  const entry: { world?: LocalWorld; proxy?: SesFaultProxy } = { proxy };
  open.push(entry);
  // A short request timeout keeps hung requests cheap (on a loaded machine an ordinary send may time
  // out too: it is then one more ambiguous send, settled the same way); the grace is virtual time.
  const world = await localWorld(
    catalog,
    { dynamoEndpoint: env.dynamoEndpoint, sesEndpoint: proxy.endpoint, sesStoreEndpoint: env.sesEndpoint },
    START,
    { SES_REQUEST_TIMEOUT_MS: '1500', OUTBOX_RECONCILE_AFTER: 'PT15M' },
  );
  entry.world = world;
  return { world, proxy };
}

async function registerAll(world: LocalWorld, count: number): Promise<string[]> {
  const ids = Array.from({ length: count }, () => `c-${randomUUID().slice(0, 8)}`);
  const result = await world.runtime.putEvents(
    ids.map((id) => ({
      Source: 'shop',
      DetailType: 'customer.registered',
      Detail: JSON.stringify(registration(id)),
    })),
  );
  expect(result.FailedEntryCount).toBe(0);
  return ids;
}

/** Emails the emulator holds per customer: every welcome exactly once is the goal. */
async function tally(ids: string[]) {
  const emails = await env.sesEmails();
  const perCustomer = new Map(ids.map((id) => [id, 0]));
  for (const email of emails) {
    const id = email.destination.to[0]?.replace('@example.de', '');
    if (id && perCustomer.has(id)) perCustomer.set(id, (perCustomer.get(id) ?? 0) + 1);
  }
  const counts = [...perCustomer.values()];
  return { lost: counts.filter((n) => n === 0).length, doubled: counts.filter((n) => n > 1).length };
}

/** The welcome emails' outbox entries, as stored. */
async function sendEntries(world: LocalWorld) {
  return (await world.scan()).filter(
    (item) => String(item.SK).startsWith('OUT#') && (item.effect as { kind: string }).kind === 'send',
  );
}

/** The local loop on a virtual clock: drain, then jump to the next timer (journey or outbox) and sweep. */
async function runUntil(world: LocalWorld, until: string, onTick?: (now: string) => Promise<void>) {
  const { runtime, clock } = world;
  await runtime.drainOutbox();
  for (;;) {
    const next = await runtime.nextTimer();
    if (!next || Date.parse(next) > Date.parse(until)) break;
    if (Date.parse(next) > Date.parse(clock.now())) clock.set(next);
    await onTick?.(clock.now());
    await runtime.sweep();
    await runtime.drainOutbox();
  }
}

describe('sending through SES faults', () => {
  it('an email SES accepted before answering 500 or resetting the connection goes out once', async () => {
    // Prepare: every third send is accepted by SES and then answered 500 or reset
    const { world, proxy } = await faultyWorld((n) =>
      n % 3 === 1 ? 'accept-then-500' : n % 3 === 2 ? 'accept-then-reset' : 'pass',
    );
    const ids = await registerAll(world, 12);
    // Act
    await runUntil(world, addDuration(START, 'PT1H', 'UTC'));
    // Assess
    const ambiguous = proxy.counts['accept-then-500'] + proxy.counts['accept-then-reset'];
    expect(ambiguous).toBeGreaterThan(0);
    expect(await tally(ids)).toEqual({ lost: 0, doubled: 0 });
    // Every ambiguous send was settled by SES's own event, none resent
    const entries = await sendEntries(world);
    expect(entries.filter((e) => e.settledBy === 'ses-event').length).toBeGreaterThanOrEqual(ambiguous);
    expect(entries.every((e) => e.status === 'sent' && e.resends === undefined)).toBe(true);
    expect(proxy.counts.pass).toBe(ids.length - ambiguous);
  });

  it('a send SES never answers times out: the batch carries on and the email still goes out once', async () => {
    // Prepare: the first request is swallowed, the second accepted and never answered
    const { world, proxy } = await faultyWorld((n) =>
      n === 0 ? 'hang' : n === 1 ? 'accept-then-hang' : 'pass',
    );
    const ids = await registerAll(world, 6);
    // Act
    await runUntil(world, addDuration(START, 'PT1H', 'UTC'));
    // Assess
    expect(proxy.counts.hang).toBe(1);
    expect(proxy.counts['accept-then-hang']).toBe(1);
    expect(await tally(ids)).toEqual({ lost: 0, doubled: 0 });
    // The swallowed one was resent after the grace period; the accepted one settled by its event
    const entries = await sendEntries(world);
    expect(entries.map((e) => e.status)).toEqual(ids.map(() => 'sent'));
    expect(entries.filter((e) => e.resends === 1).length).toBeGreaterThanOrEqual(1);
    expect(entries.filter((e) => e.settledBy === 'ses-event').length).toBeGreaterThanOrEqual(1);
  });

  it('a two-minute SES outage: every email goes out after recovery, none twice', async () => {
    // Prepare: SES refuses connections from the start for two minutes (virtual time)
    const { world, proxy } = await faultyWorld(() => 'pass');
    await proxy.outage(true);
    const ids = await registerAll(world, 10);
    const recovery = addDuration(START, 'PT2M', 'UTC');
    // Act
    await runUntil(world, addDuration(START, 'PT1H', 'UTC'), async (now) => {
      if (Date.parse(now) >= Date.parse(recovery)) await proxy.outage(false);
    });
    // Assess
    expect(await tally(ids)).toEqual({ lost: 0, doubled: 0 });
    const entries = await sendEntries(world);
    expect(entries.map((e) => e.status)).toEqual(ids.map(() => 'sent'));
    expect(entries.every((e) => (e.attempts as number) >= 1)).toBe(true);
  });
});
