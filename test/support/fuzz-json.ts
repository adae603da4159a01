/**
 * What the connector fuzz tests share: walking and replacing values in a JSON sample, and the one
 * verdict every case must reach — contract-valid events (customer filled where the order names it),
 * or a rejection whose every reason reads `field: problem`.
 */
import { expect } from 'vitest';
import type { TranslationResult } from '../../functions/connectors/translation.ts';
import { parseShopEvent } from '../../functions/core/events.ts';

/** Every path into a JSON value (objects and arrays), for replacing one value. */
export function paths(value: unknown, prefix: (string | number)[] = []): (string | number)[][] {
  if (typeof value !== 'object' || value === null) return [prefix];
  const keys = Array.isArray(value) ? value.map((_, i) => i) : Object.keys(value);
  return [
    prefix,
    ...keys.flatMap((key) => paths((value as Record<string | number, unknown>)[key], [...prefix, key])),
  ];
}

export function replaced(value: unknown, path: (string | number)[], replacement: unknown): unknown {
  if (path.length === 0) return replacement;
  const [head, ...rest] = path as [string | number, ...(string | number)[]];
  const copy = (Array.isArray(value) ? [...value] : { ...(value as object) }) as Record<
    string | number,
    unknown
  >;
  Object.defineProperty(copy, head, {
    value: replaced(copy[head], rest, replacement),
    enumerable: true,
    writable: true,
    configurable: true,
  });
  return copy;
}

export const nested = (depth: number) => '['.repeat(depth) + ']'.repeat(depth);

export function expectMappedOrRejected(result: TranslationResult): void {
  if (result.ok) {
    for (const [index, event] of result.translation.events.entries()) {
      const detail = event.customerOf ? { ...event.detail, customerId: 'looked-up' } : event.detail;
      const parsed = parseShopEvent({
        id: `e${index}`,
        source: 'shop',
        detailType: event.detailType,
        time: event.time,
        detail,
      });
      expect(parsed.ok ? [] : parsed.errors).toEqual([]);
    }
    expect(result.translation.deliveryId.length).toBeGreaterThan(0);
  } else {
    expect(result.errors.length).toBeGreaterThan(0);
    for (const error of result.errors) expect(error).toMatch(/^\S[^:]*: \S/);
  }
}
