/**
 * The journeys and templates of a project, ready for the construct: for a CDK app that embeds
 * `RetentionJourneys` (examples/existing-app/). Reads and validates the journey definitions, compiles the
 * templates and the loyalty program into the runtime catalog, writes it to a file and returns the props
 * the construct needs. Anything wrong fails with every problem at once (CatalogError), as
 * `journeys validate` reports it.
 */
import path from 'node:path';
import { buildCatalog, writeCatalog } from '../functions/catalog/build.ts';
import { PACKAGE_ROOT } from '../functions/catalog/package-root.ts';
import type { JourneyDefinition } from '../functions/core/definition.ts';

export { CatalogError } from '../functions/catalog/errors.ts';

/** The journey definitions this package ships (journeys/*.yaml): onboarding, post-purchase, win-back, … */
export const SHIPPED_JOURNEYS_DIR = path.join(PACKAGE_ROOT, 'journeys');
/** The templates this package ships: the shared layout, shared strings in five languages, every shipped message. */
export const SHIPPED_TEMPLATES_DIR = path.join(PACKAGE_ROOT, 'templates');

export interface JourneysCatalogOptions {
  /** The project's directory; the defaults below are relative to it. */
  readonly projectDir: string;
  /**
   * Directory of the journey definitions (`<id>.yaml`, one a journey).
   * @default '<projectDir>/journeys'
   */
  readonly journeysDir?: string;
  /**
   * Directory of the templates (`<journey>/<message>.mjml`, `.txt`, `.<locale>.yaml`). A layout
   * (`layout.mjml`, `layout.txt`) or a locale's shared strings (`locales/<locale>.yaml`) it does not
   * have are taken from SHIPPED_TEMPLATES_DIR; its own win.
   * @default '<projectDir>/templates'
   */
  readonly templatesDir?: string;
  /**
   * The loyalty program; a file that does not exist means no program (and no loyalty function).
   * @default '<projectDir>/loyalty.yaml'
   */
  readonly loyaltyFile?: string;
  /**
   * The locale at the end of every fallback chain; pass the same to the construct (the result carries it).
   * @default 'en'
   */
  readonly defaultLocale?: string;
  /**
   * Where the catalog is written; it is copied into each function's bundle at synth.
   * @default '<projectDir>/.build/catalog.json'
   */
  readonly catalogPath?: string;
}

/** The props of RetentionJourneys that come from the project's files; spread them into the construct's props. */
export interface JourneysCatalog {
  readonly journeys: readonly JourneyDefinition[];
  readonly catalogPath: string;
  readonly defaultLocale: string;
}

/** Builds, checks and writes the catalog; throws CatalogError naming file, path and reason of every problem. */
export async function loadJourneysCatalog(options: JourneysCatalogOptions): Promise<JourneysCatalog> {
  const projectDir = path.resolve(options.projectDir);
  const defaultLocale = options.defaultLocale ?? 'en';
  const catalogPath = path.resolve(projectDir, options.catalogPath ?? path.join('.build', 'catalog.json'));
  const { catalog, journeys } = await buildCatalog(projectDir, {
    defaultLocale,
    journeysDir: path.resolve(projectDir, options.journeysDir ?? 'journeys'),
    templatesDir: path.resolve(projectDir, options.templatesDir ?? 'templates'),
    loyaltyFile: path.resolve(projectDir, options.loyaltyFile ?? 'loyalty.yaml'),
    sharedTemplatesDir: SHIPPED_TEMPLATES_DIR,
  });
  await writeCatalog(catalogPath, catalog);
  return { journeys, catalogPath, defaultLocale };
}
