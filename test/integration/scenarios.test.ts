/**
 * Every scenario under test/scenarios runs through the simulator — real handlers, DynamoDB Local,
 * the SES emulator — and must meet the expected timeline written in its `expect:` section. The same
 * scenario run on the memory table (`journeys simulate --store memory`) must come out identical:
 * every email, emitted event, rejection and note.
 */
import { readdirSync } from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { syntheticScenario } from '../../bench/scenario.ts';
import { buildCatalog } from '../../functions/catalog/build.ts';
import type { Catalog } from '../../functions/catalog/catalog.ts';
import { checkExpectations } from '../../local/expectations.ts';
import { MemoryTables } from '../../local/memory-table.ts';
import { readScenario, simulate } from '../../local/simulate.ts';
import { testEnv } from './env.ts';

const ROOT = path.resolve(import.meta.dirname, '../..');
const DIR = path.join(ROOT, 'test/scenarios');
const files = readdirSync(DIR)
  .filter((f) => /\.ya?ml$/.test(f))
  .sort();
let catalog: Catalog;

beforeAll(async () => {
  ({ catalog } = await buildCatalog(ROOT, { defaultLocale: 'en' }));
});

describe('scenarios', () => {
  it('exist, each with an expected timeline', async () => {
    expect(files.length).toBeGreaterThan(0);
    for (const file of files) expect((await readScenario(path.join(DIR, file))).expect, file).toBeDefined();
  });

  for (const file of files) {
    it(file, async () => {
      // Prepare
      const scenario = await readScenario(path.join(DIR, file));
      const env = testEnv();
      // Act
      const result = await simulate(scenario, catalog, {
        dynamoEndpoint: env.dynamoEndpoint,
        sesEndpoint: env.sesEndpoint,
      });
      const inMemory = await simulate(scenario, catalog, {
        memory: new MemoryTables(),
        sesEndpoint: env.sesEndpoint,
      });
      // Assess
      expect(
        checkExpectations(
          scenario,
          scenario.expect ?? { emails: [], noEmails: [], events: [], noEvents: [], rejected: [] },
          result,
        ),
      ).toEqual([]);
      const { stats: _wall, ...rest } = result;
      const { stats: _memoryWall, ...memoryRest } = inMemory;
      expect(memoryRest).toEqual(rest);
      expect(inMemory.stats.steps).toBe(result.stats.steps);
    });
  }

  it('the benchmark shop (every journey, 40 customers side by side, 120 days) comes out identical on both stores', async () => {
    // Prepare
    const scenario = syntheticScenario(40, 120);
    const env = testEnv();
    // Act
    const onDynamo = await simulate(scenario, catalog, {
      dynamoEndpoint: env.dynamoEndpoint,
      sesEndpoint: env.sesEndpoint,
    });
    const inMemory = await simulate(scenario, catalog, {
      memory: new MemoryTables(),
      sesEndpoint: env.sesEndpoint,
    });
    // Assess
    expect(onDynamo.timeline.filter((t) => t.kind === 'error')).toEqual([]);
    expect(onDynamo.emails.length).toBeGreaterThan(200);
    expect(inMemory.emails).toEqual(onDynamo.emails);
    expect(inMemory.events).toEqual(onDynamo.events);
    expect(inMemory.timeline).toEqual(onDynamo.timeline);
  });
});
