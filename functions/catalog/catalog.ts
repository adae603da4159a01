/**
 * The runtime catalog: journey definitions, precompiled email templates and the loyalty program as
 * plain JSON. The CDK app writes it into every function bundle; the local runtime builds it in memory.
 * Reading it needs neither YAML nor MJML, which keeps Lambda bundles small and cold starts short.
 */
import { readFile } from 'node:fs/promises';
import { type CompiledJourney, compileJourney } from '../core/compile.ts';
import type { JourneyDefinition } from '../core/definition.ts';
import type { LoyaltyProgram } from '../core/loyalty/program.ts';
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
 * Written out as the schema's output (a unit test holds it to `loyaltyProgramSchema.parse`) so the
 * functions that fall back on it do not build the program schema when they start.
 */
export const NO_LOYALTY_PROGRAM: LoyaltyProgram = {
  enabled: false,
  earning: {
    pointsPerUnit: { EUR: 1 },
    rounding: 'down',
    hold: 'P14D',
    bonuses: { registration: 0, feedback: 0, birthday: 0, referral: 0 },
  },
  tiers: {
    period: 'rolling12Months',
    downgradeGrace: 'P30D',
    levels: [{ id: 'member', threshold: 0, benefits: { earnMultiplier: 1, flags: {} } }],
  },
  expiry: { after: 'P12M', reminderBefore: 'P30D' },
  rewards: [],
};

export async function readCatalog(file: string): Promise<Catalog> {
  return JSON.parse(await readFile(file, 'utf8')) as Catalog;
}

export function compiledJourneys(catalog: Pick<Catalog, 'journeys'>): Map<string, CompiledJourney> {
  return new Map(catalog.journeys.map((j) => [j.definition.id, compileJourney(j.definition, j.version)]));
}
