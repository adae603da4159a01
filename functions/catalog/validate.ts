/**
 * `journeys validate`: every check on the marketer-owned content of a project, reported per file.
 * Checks are pluggable: the journey loader runs first; each further check (e.g. email templates) gets the
 * loaded journeys and returns more errors.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { compileJourney } from '../core/compile.ts';
import { sendSites } from '../core/template-data.ts';
import { compileTemplates } from '../email/compile.ts';
import { checkLoyaltyNames } from '../email/template-checks.ts';
import { countSteps, type DefinitionError, type LoadedJourney, loadJourneys } from './journeys.ts';
import { describeProgram, LOYALTY_FILE, loadLoyaltyProgram } from './loyalty.ts';
import { PACKAGE_ROOT } from './package-root.ts';

export interface ProjectContext {
  rootDir: string;
  journeysDir: string;
  /** Journeys that passed the definition checks. */
  journeys: LoadedJourney[];
}

/** A further check over the loaded journeys; returns its errors (file paths as it likes, ideally under rootDir). */
export type ProjectCheck = (ctx: ProjectContext) => Promise<DefinitionError[]>;

export interface FileReport {
  file: string;
  ok: boolean;
  /** `Onboarding, 3 messages, 6 steps` or `2 errors`. */
  summary: string;
  errors: DefinitionError[];
}

export interface ProjectReport {
  /** One entry per journey file, in file-name order. */
  files: FileReport[];
  /** Every error, including those not tied to a journey file (e.g. a missing template). */
  errors: DefinitionError[];
  journeys: LoadedJourney[];
  /** The loyalty program file; undefined when the project has none. */
  loyalty?: FileReport | undefined;
}

/** Every message each journey sends has templates, in every shipped locale, using only data it gets. */
export const templateCheck: ProjectCheck = async (ctx) => {
  // Templates live beside the journeys directory (journeys/ and templates/ in a project). A journeys
  // directory without a templates/ sibling (a fixture, a draft folder) is checked on its own.
  const dir = path.join(path.dirname(path.resolve(ctx.journeysDir)), 'templates');
  if (!existsSync(dir)) return [];
  const defaultLocale = process.env.DEFAULT_LOCALE ?? 'en';
  // A project without a layout or shared strings of its own (one that embeds the construct) uses the
  // package's, as synth does (lib/catalog.ts).
  const { errors, requiredBy, catalog } = await compileTemplates(
    dir,
    ctx.journeys.map((j) => j.definition),
    { defaultLocale, sharedDir: path.join(PACKAGE_ROOT, 'templates') },
  );
  // Every tier and reward of the loyalty program is named in every locale.
  const { program } = await loadLoyaltyProgram(path.join(ctx.rootDir, LOYALTY_FILE));
  const named = program ? checkLoyaltyNames(program, catalog.shared, defaultLocale) : [];
  const found = [...errors, ...named].map((e) => ({
    file: path.resolve(dir, e.file),
    path: e.path ?? '',
    message: e.message,
  }));
  // Data a template uses must come with every send of its message.
  for (const { definition, version } of ctx.journeys) {
    for (const site of sendSites(definition, compileJourney(definition, version).program)) {
      const template = definition.messages[site.message]?.template ?? `${definition.id}/${site.message}`;
      for (const [field, file] of Object.entries(requiredBy[template] ?? {})) {
        if (site.provides.has(field)) continue;
        found.push({
          file: path.resolve(dir, file),
          path: field,
          message:
            `uses {{ ${field} }}, but ${definition.id} sends ${site.message} without it at ${site.path} ` +
            `(that send carries ${[...site.provides, 'customer', 'shop', 'links'].join(', ')})`,
        });
      }
    }
  }
  return found;
};

/** Checks run after the definitions load. */
export const defaultChecks: ProjectCheck[] = [templateCheck];

export async function validateProject(
  rootDir: string,
  options: { journeysDir?: string; checks?: ProjectCheck[]; loyaltyFile?: string } = {},
): Promise<ProjectReport> {
  const journeysDir = options.journeysDir ?? path.join(rootDir, 'journeys');
  const { journeys, errors } = await loadJourneys(journeysDir);
  const ctx: ProjectContext = { rootDir, journeysDir, journeys };
  for (const check of options.checks ?? defaultChecks) errors.push(...(await check(ctx)));
  const loyaltyFile = path.resolve(options.loyaltyFile ?? path.join(rootDir, LOYALTY_FILE));
  const loyalty = await loadLoyaltyProgram(loyaltyFile);
  errors.push(...loyalty.errors);

  const files = new Set<string>([...journeys.map((j) => j.file), ...errors.map((e) => e.file)]);
  const reports: FileReport[] = [];
  for (const file of [...files].sort()) {
    if (!/\.ya?ml$/i.test(file) || path.dirname(file) !== path.normalize(journeysDir)) continue;
    const fileErrors = errors.filter((e) => e.file === file);
    const journey = journeys.find((j) => j.file === file);
    const ok = fileErrors.length === 0 && journey !== undefined;
    reports.push({
      file,
      ok,
      summary: ok && journey ? describeJourney(journey) : plural(fileErrors.length, 'error'),
      errors: fileErrors,
    });
  }
  return {
    files: reports,
    errors,
    journeys,
    loyalty: loyalty.missing
      ? undefined
      : {
          file: loyaltyFile,
          ok: loyalty.program !== undefined,
          summary: loyalty.program
            ? describeProgram(loyalty.program)
            : plural(loyalty.errors.length, 'error'),
          errors: loyalty.errors,
        },
  };
}

export function describeJourney(j: LoadedJourney): string {
  const d = j.definition;
  const parts = [
    d.name,
    plural(Object.keys(d.messages).length, 'message'),
    plural(countSteps(d), 'step'),
    ...(d.enabled ? [] : ['disabled']),
  ];
  return parts.join(', ');
}

export function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}
