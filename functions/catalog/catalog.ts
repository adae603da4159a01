/**
 * The runtime catalog: journey definitions, precompiled email templates and the loyalty program as
 * plain JSON. The CDK app writes it into every function bundle; the local runtime builds it in memory.
 * Reading it needs neither YAML nor MJML, which keeps Lambda bundles small and cold starts short.
 */
import { readFile } from 'node:fs/promises';
import { type CompiledJourney, compileJourney } from '../core/compile.ts';
import type { JourneyDefinition } from '../core/definition.ts';
import { type LoyaltyProgram, loyaltyProgramSchema } from '../core/loyalty/program.ts';
import type { TemplateCatalog } from '../email/index.ts';

export interface Catalog {
  defaultLocale: string;
  journeys: { definition: JourneyDefinition; version: string }[];
  templates: TemplateCatalog;
  /** The loyalty program (loyalty.yaml, parsed with its defaults); absent when the project has none. */
  loyalty?: LoyaltyProgram | undefined;
}

/**
 * What runs when the project has no loyalty.yaml: a program that is switched off (no points, no events;
 * the member page says so). The rest is the smallest valid program, never used while disabled.
 */
export const NO_LOYALTY_PROGRAM: LoyaltyProgram = loyaltyProgramSchema.parse({
  enabled: false,
  earning: { pointsPerUnit: { EUR: 1 } },
  tiers: { levels: [{ id: 'member', threshold: 0 }] },
});

export async function readCatalog(file: string): Promise<Catalog> {
  return JSON.parse(await readFile(file, 'utf8')) as Catalog;
}

export function compiledJourneys(catalog: Pick<Catalog, 'journeys'>): Map<string, CompiledJourney> {
  return new Map(catalog.journeys.map((j) => [j.definition.id, compileJourney(j.definition, j.version)]));
}
