/** Builds scenarios in code for integration tests; the YAML files under test/scenarios use the same shape. */
import { readdirSync } from 'node:fs';
import path from 'node:path';
import type { Scenario, SimulationResult } from '../../local/simulate/index.ts';

type Detail = Record<string, unknown>;

export function scenario(
  start: string,
  until: string,
  events: [at: string, detailType: string, detail: Detail, id?: string][],
): Scenario {
  return {
    start,
    until,
    events: events.map(([at, detailType, detail, id]) => ({
      at,
      detailType,
      detail,
      source: 'shop',
      ...(id ? { id } : {}),
    })),
  };
}

export const registration = (customerId: string, overrides: Detail = {}): Detail => ({
  customerId,
  email: `${customerId}@example.de`,
  firstName: 'Anna',
  locale: 'de-DE',
  timeZone: 'Europe/Berlin',
  marketingConsent: true,
  ...overrides,
});

export const orderPlaced = (
  customerId: string,
  orderId: string,
  placedAt: string,
  total: Detail = { amount: '59.90', currency: 'EUR' },
): Detail => ({
  orderId,
  customerId,
  placedAt,
  total,
});

/** The scenario files under test/scenarios, in name order, with their directory. */
export function scenarioFiles(): { dir: string; files: string[] } {
  const dir = path.resolve(import.meta.dirname, '../scenarios');
  return {
    dir,
    files: readdirSync(dir)
      .filter((f) => /\.ya?ml$/.test(f))
      .sort(),
  };
}

/**
 * A run's result without what differs between equal runs by nature: the wall time, and the store
 * (which compared runs may differ in on purpose).
 */
export function comparable({ stats: { wallMs: _, store: __, ...stats }, ...rest }: SimulationResult) {
  return { ...rest, stats };
}
