/** A scenario file: its schema, reading it, and its times resolved against its start. */
import { readFile } from 'node:fs/promises';
import { DateTime, Duration } from 'luxon';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import type { Catalog } from '../../functions/catalog/catalog.ts';
import { formatIssues } from '../../functions/core/events.ts';
import { loyaltyProgramSchema } from '../../functions/core/loyalty/program.ts';
import { ScenarioError } from '../errors.ts';
import { expectationSchema } from './expectations.ts';

const offsetOrInstant = z
  .string()
  .refine((v) => Duration.fromISO(v).isValid || DateTime.fromISO(v, { setZone: true }).isValid, {
    message: 'must be an ISO 8601 duration from start (PT0S, P3D) or a timestamp',
  });

export const scenarioSchema = z
  .object({
    start: z.iso.datetime({
      offset: true,
      message: 'must be an ISO 8601 timestamp such as 2026-03-02T08:00:00Z',
    }),
    until: z
      .string()
      .refine((v) => Duration.fromISO(v).isValid, { message: 'must be an ISO 8601 duration such as P30D' }),
    events: z
      .array(
        z
          .object({
            at: offsetOrInstant,
            /** The envelope time the shop stamped, when the event arrives later than that (default: at). */
            time: offsetOrInstant.optional(),
            id: z.string().min(1).optional(),
            source: z.string().min(1).default('shop'),
            detailType: z.string().min(1),
            detail: z.record(z.string(), z.unknown()),
          })
          .strict(),
      )
      .default([]),
    /** The expected timeline; `journeys simulate --check` and the scenario tests compare against it. */
    expect: expectationSchema.optional(),
    /** What the scenario shows, for people reading it. */
    description: z.string().optional(),
    /**
     * The loyalty program as this scenario runs it: changes to loyalty.yaml, merged over it (objects by
     * key, lists replaced), e.g. `{ enabled: true }` or `{ tiers: { period: calendarYear } }`.
     */
    loyalty: z.record(z.string(), z.unknown()).optional(),
  })
  .strict();

export type Scenario = z.infer<typeof scenarioSchema>;

export async function readScenario(file: string): Promise<Scenario> {
  let raw: unknown;
  try {
    const text = await readFile(file, 'utf8');
    raw = file.endsWith('.json') ? JSON.parse(text) : parseYaml(text);
  } catch (error) {
    throw new ScenarioError(`${file}: cannot read the scenario: ${(error as Error).message}`);
  }
  const parsed = scenarioSchema.safeParse(raw);
  if (!parsed.success) {
    throw new ScenarioError(
      `${file} is not a valid scenario:\n  ${formatIssues(parsed.error.issues, 'a scenario').join('\n  ')}`,
    );
  }
  return parsed.data;
}

export const iso = (dt: DateTime) => dt.toUTC().toISO({ suppressMilliseconds: true }) as string;

/** Offsets of elapsed time only (PT90M: no days or months), in milliseconds; remembered per text. */
const elapsedOffsets = new Map<string, number | null>();
function elapsedOffset(at: string): number | undefined {
  let ms = elapsedOffsets.get(at);
  if (ms === undefined) {
    const offset = Duration.fromISO(at);
    const { years, quarters, months, weeks, days } = offset;
    ms =
      offset.isValid && [years, quarters, months, weeks, days].every((n) => n === 0)
        ? offset.toMillis()
        : null;
    if (elapsedOffsets.size < 10_000) elapsedOffsets.set(at, ms);
  }
  return ms ?? undefined;
}

/** A scenario time, an offset from `start` (P3D) or an instant, as a UTC instant. */
export function resolveAt(start: string, at: string): string {
  // Elapsed time needs no calendar: a year of a large shop has a few hundred thousand such offsets.
  const elapsed = elapsedOffset(at);
  const from = elapsed === undefined ? Number.NaN : Date.parse(start);
  if (elapsed !== undefined && !Number.isNaN(from))
    return new Date(from + elapsed).toISOString().replace('.000Z', 'Z');
  const offset = Duration.fromISO(at);
  return offset.isValid
    ? iso(DateTime.fromISO(start).plus(offset))
    : iso(DateTime.fromISO(at, { setZone: true }));
}

/** The simulated period as UTC instants. */
export function period(scenario: Scenario): { start: string; end: string } {
  const start = iso(DateTime.fromISO(scenario.start, { setZone: true }));
  return { start, end: iso(DateTime.fromISO(start).plus(Duration.fromISO(scenario.until))) };
}

const isPlainObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

function mergeOver(base: unknown, changes: unknown): unknown {
  if (!isPlainObject(base) || !isPlainObject(changes)) return changes;
  const merged: Record<string, unknown> = { ...base };
  for (const [key, value] of Object.entries(changes)) merged[key] = mergeOver(base[key], value);
  return merged;
}

/** The catalog a scenario runs: the project's, with the scenario's loyalty program changes applied. */
export function scenarioCatalog(scenario: Scenario, catalog: Catalog): Catalog {
  if (!scenario.loyalty) return catalog;
  const parsed = loyaltyProgramSchema.safeParse(mergeOver(catalog.loyalty ?? {}, scenario.loyalty));
  if (!parsed.success)
    throw new ScenarioError(
      `the scenario's loyalty changes make an invalid program:\n  ${formatIssues(parsed.error.issues, 'loyalty.yaml').join('\n  ')}`,
    );
  return { ...catalog, loyalty: parsed.data };
}
