/**
 * Runs the synthetic shop through the simulator (real handlers, the memory table, the SES emulator)
 * with its behaviour model, writing the analytics log as JSON Lines into `dir`. Shared by the
 * recovery test, `npm run demo:report` and the bench.
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { JsonLinesSink } from '../../functions/adapters/analytics-jsonl.ts';
import type { Catalog } from '../../functions/catalog/catalog.ts';
import { MemoryTables } from '../../local/memory-table/table.ts';
import { type SimulationResult, simulate } from '../../local/simulate/index.ts';
import { type PotentialOutcome, type ShopOptions, type SyntheticShop, syntheticShop } from './shop.ts';

/**
 * The catalog with some journeys only and/or other holdout shares, e.g. win-back alone with a 50 %
 * holdout for the recovery test (a larger control group, and none of the other journeys' emails,
 * whose rendering is most of a simulation's time).
 */
export function catalogVariant(
  catalog: Catalog,
  variant: { journeys?: readonly string[]; holdout?: Readonly<Record<string, number>> },
): Catalog {
  const journeys = catalog.journeys
    .filter((j) => !variant.journeys || variant.journeys.includes(j.definition.id))
    .map((j) => {
      const holdout = variant.holdout?.[j.definition.id];
      return holdout === undefined ? j : { ...j, definition: { ...j.definition, holdout } };
    });
  return { ...catalog, journeys };
}

export interface ShopRun {
  shop: SyntheticShop;
  result: SimulationResult;
  outcomes: PotentialOutcome[];
  /** Bytes of JSON Lines written and their lines (records, counting duplicates if any). */
  log: { bytes: number; records: number; files: number };
  /** Shop events delivered: the scenario's and the behaviour model's reactions. */
  shopEvents: number;
}

export async function runSyntheticShop(
  options: ShopOptions & {
    catalog: Catalog;
    sesEndpoint: string;
    /** Where the analytics log goes (dt=YYYY-MM-DD/*.jsonl). */
    dir: string;
    onProgress?: (at: string) => void;
  },
): Promise<ShopRun> {
  const shop = syntheticShop(options);
  const simulation = {
    react: shop.react,
    analytics: new JsonLinesSink(options.dir, { writer: 'synthetic-shop' }),
    ...(options.onProgress ? { onProgress: options.onProgress } : {}),
  };
  const result = await simulate(
    shop.scenario,
    options.catalog,
    { memory: new MemoryTables(), sesEndpoint: options.sesEndpoint },
    simulation,
  );
  if (result.errors.length || result.rejected.length) {
    const first = result.errors[0]?.error ?? result.rejected[0]?.errors.join('; ');
    throw new Error(
      `the synthetic shop's simulation had ${result.errors.length} handler error(s) and ${result.rejected.length} rejected event(s); first: ${first}`,
    );
  }
  return {
    shop,
    result,
    outcomes: shop.potentialOutcomes(result.events),
    log: logSize(options.dir),
    shopEvents: shop.events().length,
  };
}

/** Size of a JSON Lines log directory. */
export function logSize(dir: string): ShopRun['log'] {
  const size = { bytes: 0, records: 0, files: 0 };
  const walk = (d: string) => {
    for (const entry of readdirSync(d, { withFileTypes: true })) {
      const p = path.join(d, entry.name);
      if (entry.isDirectory()) walk(p);
      else if (entry.name.endsWith('.jsonl')) {
        const text = readFileSync(p);
        size.files++;
        size.bytes += text.length;
        for (const byte of text) if (byte === 10) size.records++;
      }
    }
  };
  walk(dir);
  return size;
}
