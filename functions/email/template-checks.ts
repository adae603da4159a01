/**
 * The checks the template build runs on what marketers write: strings files (YAML shape, key names,
 * every key in every locale) and every piece of Liquid (it parses; which variables it reads).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Liquid } from 'liquidjs';
import { isMap, isScalar, parseDocument, type YAMLMap } from 'yaml';
import { canonicalLocale, localeChain } from '../core/locale.ts';
import { closest } from '../core/suggest.ts';
import type { LocaleStrings, TemplateError } from './types.ts';

export interface StringsFile {
  file: string;
  locale: string;
  strings: LocaleStrings;
}

export function dedupe(list: TemplateError[]): TemplateError[] {
  const seen = new Set<string>();
  return list.filter((e) => {
    const key = `${e.file}\u0000${e.path ?? ''}\u0000${e.message}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

export function readStrings(
  rootDir: string,
  file: string,
  localeName: string,
  errors: TemplateError[],
): StringsFile | undefined {
  const locale = canonicalLocale(localeName);
  if (!locale) {
    errors.push({ file, message: `"${localeName}" is not a BCP 47 locale such as en, de or de-AT` });
    return undefined;
  }
  const source = readFileSync(join(rootDir, file), 'utf8');
  const doc = parseDocument(source, { prettyErrors: true });
  if (doc.errors.length > 0) {
    for (const e of doc.errors) {
      errors.push({
        file,
        path: `line ${e.linePos?.[0]?.line ?? '?'}`,
        message: e.message.split('\n')[0] ?? '',
      });
    }
    return undefined;
  }
  const strings: LocaleStrings = {};
  if (doc.contents === null) return { file, locale, strings };
  if (!isMap(doc.contents)) {
    errors.push({ file, message: 'must be a list of `key: text` lines' });
    return undefined;
  }
  readPairs(doc.contents, '', file, strings, errors);
  return { file, locale, strings };
}

const TOP_KEY = /^[A-Za-z][A-Za-z0-9_]*$/;
/** Below the top level, keys may also be the kebab-case ids of the loyalty program (`five-off`). */
const NESTED_KEY = /^[A-Za-z][A-Za-z0-9_-]*$/;

/**
 * `key: text` pairs; a group of them (`loyalty: { tiers: { gold: Gold } }`) becomes dotted keys
 * (`loyalty.tiers.gold`), so coverage and error messages work key by key and the catalog stays flat.
 */
function readPairs(
  map: YAMLMap,
  prefix: string,
  file: string,
  strings: LocaleStrings,
  errors: TemplateError[],
): void {
  for (const pair of map.items) {
    const name = isScalar(pair.key) ? String(pair.key.value) : String(pair.key);
    const key = `${prefix}${name}`;
    if (!(prefix ? NESTED_KEY : TOP_KEY).test(name)) {
      errors.push({
        file,
        path: key,
        message: prefix
          ? 'keys in a group are letters, digits, _ and -, starting with a letter (e.g. five-off)'
          : 'keys are letters, digits and _, starting with a letter (e.g. ctaLabel)',
      });
      continue;
    }
    if (isMap(pair.value)) {
      readPairs(pair.value, `${key}.`, file, strings, errors);
      continue;
    }
    if (!isScalar(pair.value) || pair.value.value === null || typeof pair.value.value === 'object') {
      errors.push({ file, path: key, message: 'must be text' });
      continue;
    }
    strings[key] = String(pair.value.value);
  }
}

/**
 * Each locale must have every key of the default locale, counting keys it inherits from its own parents
 * (de-AT may override just a few keys of de) but not from the default locale itself.
 */
export function checkCoverage(
  files: StringsFile[],
  defaultFile: StringsFile,
  defaultLocale: string,
  errors: TemplateError[],
  warnings: TemplateError[],
): void {
  const byLocale = new Map(files.map((f) => [f.locale, f]));
  for (const f of files) {
    if (f === defaultFile) continue;
    const chain = localeChain(f.locale, defaultLocale).filter((l) => l !== defaultLocale);
    const has = new Set(chain.flatMap((l) => Object.keys(byLocale.get(l)?.strings ?? {})));
    const unknown = Object.keys(f.strings).filter((key) => !(key in defaultFile.strings));
    for (const key of Object.keys(defaultFile.strings)) {
      if (!has.has(key)) {
        // A key the default file does not have, a letter off, is this one misspelt (`ctaa:`).
        const typo = closest(key, unknown);
        errors.push({
          file: f.file,
          path: key,
          message: `missing key "${key}" that ${defaultFile.file} has${typo ? `; "${typo}" looks like it, misspelt` : ''}`,
        });
      }
    }
    for (const key of Object.keys(f.strings)) {
      if (!(key in defaultFile.strings)) {
        warnings.push({
          file: f.file,
          path: key,
          message: `key "${key}" is not in ${defaultFile.file}, so it is unused`,
        });
      }
    }
  }
}

export function checkStringsParse(f: StringsFile, liquid: Liquid, errors: TemplateError[]): void {
  for (const [key, value] of Object.entries(f.strings)) {
    try {
      liquid.parse(value);
    } catch (error) {
      errors.push({ file: f.file, path: key, message: `Liquid: ${firstLine(error)}` });
    }
  }
}

/**
 * Parses `source` as Liquid and says whether it parsed. An error is reported at its line and column
 * in `file`, the file the marketer edits; `after` names a stage that made the source (MJML), whose
 * lines are not the file's, so no position is given then.
 */
export function checkLiquidParse(
  liquid: Liquid,
  source: string,
  file: string,
  errors: TemplateError[],
  after?: string,
): boolean {
  try {
    liquid.parse(source);
    return true;
  } catch (error) {
    const position = (error as { token?: { getPosition?: () => [number, number] } }).token?.getPosition?.();
    const message = firstLine(error).replace(/, line:\d+, col:\d+$/, '');
    errors.push({
      file,
      ...(position && !after ? { path: `line ${position[0]}, column ${position[1]}` } : {}),
      message: `Liquid${after ? ` (${after})` : ''}: ${message}`,
    });
    return false;
  }
}

export function variableSegments(liquid: Liquid, source: string): (string | number)[][] {
  if (!source) return [];
  try {
    return liquid.globalVariableSegmentsSync(source) as (string | number)[][];
  } catch {
    return []; // a parse error, already reported
  }
}

export function firstLine(error: unknown): string {
  return (error instanceof Error ? error.message : String(error)).split('\n')[0] ?? '';
}

/**
 * Every tier and reward of the loyalty program has its name (`loyalty.tiers.<id>`,
 * `loyalty.rewards.<id>`) in every shipped locale's shared strings, counting what a regional locale
 * inherits from its language; a missing one would show the bare id. For `journeys validate` with the
 * program it loaded (catalog.loyalty).
 */
export function checkLoyaltyNames(
  program: { tiers: { levels: { id: string }[] }; rewards: { id: string }[] },
  shared: Record<string, LocaleStrings>,
  defaultLocale: string,
): TemplateError[] {
  const errors: TemplateError[] = [];
  const wanted = [
    ...program.tiers.levels.map((t) => `loyalty.tiers.${t.id}`),
    ...program.rewards.map((r) => `loyalty.rewards.${r.id}`),
  ];
  for (const locale of Object.keys(shared).sort()) {
    const chain = localeChain(locale, defaultLocale).filter((l) => l === locale || l !== defaultLocale);
    for (const key of wanted) {
      if (chain.some((l) => shared[l]?.[key] !== undefined)) continue;
      errors.push({
        file: `locales/${locale}.yaml`,
        path: key,
        message: `loyalty.yaml names "${key.split('.').at(-1)}", which has no ${key} here`,
      });
    }
  }
  return errors;
}
