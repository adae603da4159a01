/**
 * Every scenario under test/scenarios runs through the simulator — real handlers, DynamoDB Local,
 * the SES emulator — and must meet the expected timeline written in its `expect:` section. The same
 * scenario run on the memory table (`journeys simulate --store memory`) must come out identical:
 * every email, emitted event, rejection and note.
 */
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { syntheticScenario } from '../../bench/scenario.ts';
import { buildCatalog } from '../../functions/catalog/build.ts';
import type { Catalog } from '../../functions/catalog/catalog.ts';
import { MemoryTables } from '../../local/memory-table/table.ts';
import { checkExpectations } from '../../local/simulate/expectations.ts';
import { readScenario, type Scenario, simulate } from '../../local/simulate/index.ts';
import { comparable, scenarioFiles } from '../support/scenario.ts';
import { testEnv } from './env.ts';

const ROOT = path.resolve(import.meta.dirname, '../..');
const { dir: DIR, files } = scenarioFiles();
let catalog: Catalog;

beforeAll(async () => {
  ({ catalog } = await buildCatalog(ROOT, { defaultLocale: 'en' }));
});

/** The scenario on DynamoDB Local, then on the memory table; everything but the wall time must agree. */
async function simulateOnBothStores(scenario: Scenario) {
  const env = testEnv();
  const onDynamo = await simulate(scenario, catalog, {
    dynamoEndpoint: env.dynamoEndpoint,
    sesEndpoint: env.sesEndpoint,
  });
  const inMemory = await simulate(scenario, catalog, {
    memory: new MemoryTables(),
    sesEndpoint: env.sesEndpoint,
  });
  expect(comparable(inMemory)).toEqual(comparable(onDynamo));
  return onDynamo;
}

describe('scenarios', () => {
  it('exist, each with an expected timeline', async () => {
    expect(files.length).toBeGreaterThan(0);
    for (const file of files) expect((await readScenario(path.join(DIR, file))).expect, file).toBeDefined();
  });

  for (const file of files) {
    it(file, async () => {
      // Prepare
      const scenario = await readScenario(path.join(DIR, file));
      // Act (and: the memory table gives the identical simulation)
      const result = await simulateOnBothStores(scenario);
      // Assess
      expect(
        checkExpectations(
          scenario,
          scenario.expect ?? { emails: [], noEmails: [], events: [], noEvents: [], rejected: [] },
          result,
        ),
      ).toEqual([]);
    });
  }

  // Two full simulations, ~55 s alone on two cores: more room than the default 60 s under a loaded run.
  it('the benchmark shop (every journey, 40 customers side by side, 120 days) comes out identical on both stores', {
    timeout: 240_000,
  }, async () => {
    // Prepare
    const scenario = syntheticScenario(40, 120);
    // Act (and: the memory table gives the identical simulation)
    const result = await simulateOnBothStores(scenario);
    // Assess
    expect(result.timeline.filter((t) => t.kind === 'error')).toEqual([]);
    expect(result.emails.length).toBeGreaterThan(200);
  });
});
