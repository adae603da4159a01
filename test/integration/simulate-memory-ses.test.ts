/**
 * The in-process SES (local/simulate/memory-ses.ts) stands in for the SES v2 emulator the way the
 * memory table stands in for DynamoDB: every scenario, and the benchmark shop, must come out of a
 * simulation identical whichever of the two takes the emails. Without email bodies (`bodies: false`,
 * what `journeys backtest` runs) everything but the emails' content must be the same too.
 */
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { syntheticScenario } from '../../bench/scenario.ts';
import { buildCatalog } from '../../functions/catalog/build.ts';
import type { Catalog } from '../../functions/catalog/catalog.ts';
import { MemoryTables } from '../../local/memory-table/table.ts';
import { readScenario, type Scenario, type SimulationResult, simulate } from '../../local/simulate/index.ts';
import { comparable, scenarioFiles } from '../support/scenario.ts';
import { testEnv } from './env.ts';

const ROOT = path.resolve(import.meta.dirname, '../..');
const { dir: DIR, files } = scenarioFiles();
let catalog: Catalog;

beforeAll(async () => {
  ({ catalog } = await buildCatalog(ROOT, { defaultLocale: 'en' }));
});

/** What a run without bodies keeps: everything but the emails' content and the lines quoting subjects. */
const withoutContent = (result: SimulationResult) => {
  const { emails, timeline, ...rest } = comparable(result);
  return {
    ...rest,
    emails: emails.map(({ subject: _, text: __, html: ___, ...email }) => email),
    timeline: timeline.map((line) =>
      line.kind === 'email'
        ? {
            ...line,
            text: line.text.replace(/ “.*”$/, ''),
            ...(line.email && { email: { ...line.email, subject: '' } }),
          }
        : line,
    ),
  };
};

async function threeWays(scenario: Scenario) {
  const emulator = await simulate(scenario, catalog, {
    memory: new MemoryTables(),
    sesEndpoint: testEnv().sesEndpoint,
  });
  const inProcess = await simulate(scenario, catalog, { memory: new MemoryTables() });
  const noBodies = await simulate(scenario, catalog, { memory: new MemoryTables() }, { bodies: false });
  return { emulator, inProcess, noBodies };
}

describe('simulate with the in-process SES', () => {
  for (const file of files) {
    it(file, async () => {
      // Act
      const { emulator, inProcess, noBodies } = await threeWays(await readScenario(path.join(DIR, file)));
      // Assess
      expect(comparable(inProcess)).toEqual(comparable(emulator));
      expect(withoutContent(noBodies)).toEqual(withoutContent(emulator));
      for (const email of noBodies.emails)
        expect([email.subject, email.text, email.html]).toEqual(['', '', '']);
    });
  }

  it('the benchmark shop (every journey, 40 customers, 120 days)', { timeout: 120_000 }, async () => {
    const { emulator, inProcess, noBodies } = await threeWays(syntheticScenario(40, 120, 'memory-ses'));
    expect(emulator.emails.length).toBeGreaterThan(100);
    expect(comparable(inProcess)).toEqual(comparable(emulator));
    expect(withoutContent(noBodies)).toEqual(withoutContent(emulator));
  });

  it('refuses a run without bodies against the emulator (it would refuse empty emails)', async () => {
    await expect(
      simulate(
        syntheticScenario(1, 1),
        catalog,
        { memory: new MemoryTables(), sesEndpoint: testEnv().sesEndpoint },
        {
          bodies: false,
        },
      ),
    ).rejects.toThrow(/in-process SES/);
  });
});
