/**
 * The runtime catalog: journey definitions and precompiled email templates as plain JSON. The CDK
 * app writes it into every function bundle; the local runtime builds it in memory. Reading it needs
 * neither YAML nor MJML, which keeps Lambda bundles small and cold starts short.
 */
import { readFile } from 'node:fs/promises';
import { type CompiledJourney, compileJourney } from '../core/compile.ts';
import type { JourneyDefinition } from '../core/definition.ts';
import type { TemplateCatalog } from '../email/index.ts';

export interface Catalog {
  defaultLocale: string;
  journeys: { definition: JourneyDefinition; version: string }[];
  templates: TemplateCatalog;
}

export async function readCatalog(file: string): Promise<Catalog> {
  return JSON.parse(await readFile(file, 'utf8')) as Catalog;
}

export function compiledJourneys(catalog: Catalog): Map<string, CompiledJourney> {
  return new Map(catalog.journeys.map((j) => [j.definition.id, compileJourney(j.definition, j.version)]));
}
