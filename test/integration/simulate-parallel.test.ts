/**
 * A simulation split over worker threads (local/simulate/parallel.ts) must report exactly what the
 * same simulation in one thread reports: every email, emitted event, rejection, error and timeline
 * line, in the same order. Customers who may meet (a referral code and its owner, one mailbox) must
 * land in one worker.
 */
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { syntheticScenario } from '../../bench/scenario.ts';
import { buildCatalog } from '../../functions/catalog/build.ts';
import type { Catalog } from '../../functions/catalog/catalog.ts';
import { MemoryTables } from '../../local/memory-table/table.ts';
import { readScenario, type Scenario, simulate } from '../../local/simulate/index.ts';
import { partitionScenario } from '../../local/simulate/parallel.ts';
import { comparable, scenarioFiles } from '../support/scenario.ts';

const ROOT = path.resolve(import.meta.dirname, '../..');
const { dir: DIR } = scenarioFiles();
let catalog: Catalog;

beforeAll(async () => {
  ({ catalog } = await buildCatalog(ROOT, { defaultLocale: 'en' }));
});

async function serialAndParallel(scenario: Scenario, workers: number, bodies: boolean) {
  const serial = await simulate(scenario, catalog, { memory: new MemoryTables() }, { bodies });
  const parallel = await simulate(scenario, catalog, { memory: new MemoryTables() }, { bodies, workers });
  return { serial: comparable(serial), parallel: comparable(parallel) };
}

describe('simulate({ workers })', () => {
  it('reports the synthetic shop exactly as one thread does (no bodies, 3 workers)', async () => {
    // Arrange
    const scenario = syntheticScenario(90, 120);
    expect(partitionScenario(scenario, {}, { memory: new MemoryTables() }, 3)).toHaveLength(3);
    // Act
    const { serial, parallel } = await serialAndParallel(scenario, 3, false);
    // Assess
    expect(serial.emails.length).toBeGreaterThan(100);
    expect(serial.errors).toEqual([]);
    expect(parallel).toEqual(serial);
  }, 120_000);

  it('reports every email body and the referral scenario exactly as one thread does', async () => {
    // Arrange: the synthetic shop with the referral scenario's customers, who refer one another.
    const referral = await readScenario(path.join(DIR, 'referral.yaml'));
    const shop = syntheticScenario(30, 60);
    const scenario = { ...referral, events: [...referral.events, ...shop.events], expect: undefined };
    // Act
    const { serial, parallel } = await serialAndParallel(scenario, 2, true);
    // Assess
    expect(serial.emails.some((e) => e.journey.startsWith('referral'))).toBe(true);
    expect(parallel).toEqual(serial);
  }, 120_000);

  it('keeps a referral code with its owner and one mailbox with its customers', async () => {
    // Arrange
    const referral = await readScenario(path.join(DIR, 'referral.yaml'));
    // Act
    const shares = partitionScenario(referral, {}, { memory: new MemoryTables() }, 8) ?? [];
    const shareOf = (customerId: string) =>
      shares.findIndex((share) => share.some((e) => e.detail.customerId === customerId));
    // Assess: r1, r2 and r4 name r0's code, r4 shares r0's mailbox; r5's code is nobody's.
    expect(shares.length).toBeGreaterThan(1);
    expect(new Set(['r0', 'r1', 'r2', 'r4'].map(shareOf)).size).toBe(1);
    for (const share of shares)
      expect(share.map((e) => e.index)).toEqual([...share.map((e) => e.index)].sort((a, b) => a - b));
  });

  it('stays in one thread where workers cannot stand in', async () => {
    // Arrange
    const scenario = syntheticScenario(10, 30);
    const memory = { memory: new MemoryTables() };
    // Act / Assess
    expect(partitionScenario(scenario, {}, memory, 1)).toBeUndefined();
    expect(partitionScenario(scenario, { react: () => [] }, memory, 2)).toBeUndefined();
    expect(
      partitionScenario(scenario, {}, { ...memory, sesEndpoint: 'http://localhost:1' }, 2),
    ).toBeUndefined();
    expect(partitionScenario(scenario, {}, { dynamoEndpoint: 'http://localhost:1' }, 2)).toBeUndefined();
    const anonymous = { ...scenario, events: [...scenario.events, { ...scenario.events[0], detail: {} }] };
    expect(partitionScenario(anonymous as Scenario, {}, memory, 2)).toBeUndefined();
  });
});
