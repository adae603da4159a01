/**
 * `journeys simulate --analytics`: the simulation writes the same records as the runtime, stamped on
 * the virtual clock, and writing them changes nothing the simulation does.
 */
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { AnalyticsRecord } from '../../functions/analytics/record.ts';
import { buildCatalog } from '../../functions/catalog/build.ts';
import { MemoryTables } from '../../local/memory-table/table.ts';
import { readScenario, simulate } from '../../local/simulate/index.ts';
import { testEnv } from './env.ts';

const ROOT = path.resolve(import.meta.dirname, '../..');

describe('simulate with an analytics log', () => {
  it('records shop, system and email events at virtual time, and the emails are the same as without', async () => {
    const { catalog } = await buildCatalog(ROOT, { defaultLocale: 'en' });
    const scenario = await readScenario(path.join(ROOT, 'test/scenarios/win-back.yaml'));
    const sesEndpoint = testEnv().sesEndpoint;
    const records: AnalyticsRecord[] = [];
    const withLog = await simulate(
      scenario,
      catalog,
      { memory: new MemoryTables(), sesEndpoint },
      { analytics: { write: async (batch) => void records.push(...batch) } },
    );
    const without = await simulate(scenario, catalog, { memory: new MemoryTables(), sesEndpoint });

    expect(withLog.errors).toEqual([]);
    const strip = (r: typeof withLog) =>
      r.emails.map(({ sentAt, journey, message, customerId }) => ({ sentAt, journey, message, customerId }));
    expect(strip(withLog)).toEqual(strip(without));
    expect(withLog.timeline.map((l) => l.text)).toEqual(without.timeline.map((l) => l.text));

    const types = new Set(records.map((r) => r.type));
    for (const type of ['order.placed', 'journey.entered', 'email.sent', 'email.delivered'])
      expect(types).toContain(type);
    // Virtual time: every record is written within the scenario's span, never at the wall clock.
    const end = Date.parse(scenario.start) + 400 * 86_400_000;
    for (const r of records) {
      expect(Date.parse(r.recorded)).toBeGreaterThanOrEqual(Date.parse(scenario.start));
      expect(Date.parse(r.recorded)).toBeLessThan(end);
    }
    expect(records.filter((r) => r.type === 'email.sent')).toHaveLength(withLog.emails.length);
    for (const r of records.filter((r) => r.type.startsWith('journey.')))
      expect(typeof r.holdout).toBe('boolean');
  });
});
