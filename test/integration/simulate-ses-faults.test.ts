/**
 * A simulation's emails do not depend on how the local SES emulator answered. CI once saw the
 * benchmark shop send one email fewer on DynamoDB Local than on the memory table: on a loaded machine
 * a send the emulator answered late came back `retrying` or `unknown`, and the simulator — which has
 * no sweeper between its steps — dropped it without a word. Here a fault proxy throttles, fails
 * after accepting, resets and hangs sends; the simulation must send exactly the emails of a clean
 * run, at the same virtual moments, each exactly once in the emulator, and report no error.
 */
import { randomUUID } from 'node:crypto';
import path from 'node:path';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { syntheticScenario } from '../../bench/scenario.ts';
import { buildCatalog } from '../../functions/catalog/build.ts';
import type { Catalog } from '../../functions/catalog/catalog.ts';
import { outboxTag } from '../../functions/core/links.ts';
import { MemoryTables } from '../../local/memory-table/table.ts';
import { parseTags } from '../../local/runtime/ses-event-source.ts';
import { sesEmulatorStore } from '../../local/servers/ses-emulator.ts';
import { type SimulationResult, simulate } from '../../local/simulate/index.ts';
import { type FaultDecision, type SesFaultProxy, startSesFaultProxy } from '../support/ses-fault-proxy.ts';
import { testEnv } from './env.ts';

const ROOT = path.resolve(import.meta.dirname, '../..');
let catalog: Catalog;
let proxy: SesFaultProxy | undefined;

beforeAll(async () => {
  ({ catalog } = await buildCatalog(ROOT, { defaultLocale: 'en' }));
});
afterEach(async () => {
  await proxy?.stop();
  proxy = undefined;
});

/** Every email as the marketer reads it: who, what, when (message ids and bodies vary by run). */
const sent = (result: SimulationResult) =>
  result.emails.map(
    (e) => `${e.sentAt} ${e.customerId} ${e.journey}/${e.message} [${e.locale}] ${e.subject}`,
  );

describe('simulate through a faulty SES', () => {
  it('sends the emails of a clean run, once each, when sends are throttled, fail after accepting, reset or hang', async () => {
    // Prepare
    const { sesEndpoint } = testEnv();
    const scenario = syntheticScenario(12, 60, `sesf-${randomUUID().slice(0, 8)}`);
    const clean = await simulate(scenario, catalog, { memory: new MemoryTables(), sesEndpoint });
    const faults: FaultDecision[] = [
      'throttle',
      'accept-then-500',
      'pass',
      'accept-then-reset',
      'hang',
      'pass',
    ];
    proxy = await startSesFaultProxy({
      target: sesEndpoint,
      decide: (n) => faults[n % faults.length] ?? 'pass',
    });
    // The emulator's timestamps are whole seconds: count only what the faulty run sent.
    await new Promise((resolve) => setTimeout(resolve, 1100));
    const since = Math.floor(Date.now() / 1000);

    // Act
    const faulty = await simulate(
      scenario,
      catalog,
      { memory: new MemoryTables(), sesEndpoint: proxy.endpoint },
      { sesRequestTimeoutMs: 300 },
    );

    // Assess
    expect(faulty.errors).toEqual([]);
    expect(clean.emails.length).toBeGreaterThan(30);
    expect(sent(faulty)).toEqual(sent(clean));
    expect(faulty.timeline.map((t) => t.text.replace(/→ .*/, ''))).toEqual(
      clean.timeline.map((t) => t.text.replace(/→ .*/, '')),
    );
    for (const decision of faults) expect(proxy.counts[decision], decision).toBeGreaterThan(0);
    const held = await sesEmulatorStore(sesEndpoint).emails(since);
    const copies = new Map<string, number>();
    for (const email of held) {
      const tag = parseTags(email)?.outbox?.[0];
      if (tag) copies.set(tag, (copies.get(tag) ?? 0) + 1);
    }
    for (const email of faulty.emails)
      expect(copies.get(outboxTag(email.customerId, email.outboxId)), email.outboxId).toBe(1);
  });
});
