/**
 * Builds the runtime catalog from the marketer-owned files: journey YAML, email templates and the
 * loyalty program (loyalty.yaml).
 * Runs at CDK synth, at local start and in `journeys validate` — never inside a Lambda.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { JourneyDefinition } from '../core/definition.ts';
import { compileTemplates } from '../email/compile.ts';
import { checkLoyaltyNames } from '../email/template-checks.ts';
import type { Catalog } from './catalog.ts';
import { CatalogError } from './errors.ts';
import { loadJourneys } from './journeys.ts';
import { LOYALTY_FILE, loadLoyaltyProgram } from './loyalty.ts';

export interface BuildOptions {
  defaultLocale: string;
  journeysDir?: string;
  templatesDir?: string;
  /**
   * Where the layout and a locale's shared strings come from when `templatesDir` has none of its own
   * (functions/email/compile.ts): the package's shipped templates, for a project that embeds the construct.
   * @default - none: templatesDir holds them all
   */
  sharedTemplatesDir?: string;
  /** @default <rootDir>/loyalty.yaml; a missing file means no program */
  loyaltyFile?: string;
}

/** Throws CatalogError listing every problem: nothing half-valid is ever deployed or run. */
export async function buildCatalog(
  rootDir: string,
  options: BuildOptions,
): Promise<{ catalog: Catalog; journeys: JourneyDefinition[] }> {
  const loaded = await loadJourneys(options.journeysDir ?? path.join(rootDir, 'journeys'));
  const templates = await compileTemplates(
    options.templatesDir ?? path.join(rootDir, 'templates'),
    loaded.journeys.map((j) => j.definition),
    { defaultLocale: options.defaultLocale, sharedDir: options.sharedTemplatesDir },
  );
  const loyalty = await loadLoyaltyProgram(options.loyaltyFile ?? path.join(rootDir, LOYALTY_FILE));
  const names = loyalty.program
    ? checkLoyaltyNames(loyalty.program, templates.catalog.shared, options.defaultLocale)
    : [];
  const errors = [...loaded.errors, ...templates.errors, ...names, ...loyalty.errors];
  if (errors.length) throw new CatalogError(errors);
  // Disabled journeys stay: customers already inside must finish (timers, exits, goals); the engine
  // alone refuses new entrants.
  const journeys = loaded.journeys;
  return {
    catalog: {
      defaultLocale: options.defaultLocale,
      journeys: journeys.map((j) => ({ definition: j.definition, version: j.version })),
      templates: templates.catalog,
      ...(loyalty.program ? { loyalty: loyalty.program } : {}),
    },
    journeys: journeys.map((j) => j.definition),
  };
}

export async function writeCatalog(file: string, catalog: Catalog): Promise<void> {
  await mkdir(path.dirname(file), { recursive: true });
  await writeFile(file, JSON.stringify(catalog));
}
