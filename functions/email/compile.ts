/**
 * Build time: reads `templates/`, compiles layout + body MJML once per message into HTML that still
 * carries its Liquid tags, parse-checks every piece of Liquid and checks that every locale has every
 * string. Runs at CDK synth and local start, never per email. The result is plain JSON (catalog.json).
 *
 * Layout of `templates/` (see templates/README.md):
 *   layout.mjml, layout.txt                  shared frame; `<!-- @message-body -->` marks the body slot
 *   locales/<locale>.yaml                    shared strings per locale
 *   <journeyId>/<message>.mjml               HTML body (MJML sections)
 *   <journeyId>/<message>.txt                plain-text body
 *   <journeyId>/<message>.<locale>.yaml      subject, preheader and body strings
 *
 * With `sharedDir` (a project that embeds the construct: its own templates folder, the package's
 * shipped one as `sharedDir`), a layout file or a locale's shared strings missing from `rootDir` are
 * taken from `sharedDir` — shared strings only for the default locale and the locales the project's
 * messages are written in; the project's own file wins where both have one.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import mjml2html from 'mjml';
import { canonicalLocale, localeChain } from '../core/locale.ts';
import { didYouMean } from '../core/suggest.ts';
import { createLiquid } from './liquid.ts';
import {
  checkCoverage,
  checkLiquidParse,
  checkStringsParse,
  dedupe,
  firstLine,
  readStrings,
  type StringsFile,
  variableSegments,
} from './template-checks.ts';
import type { MessageClass, TemplateCatalog, TemplateError } from './types.ts';

export type { TemplateCatalog, TemplateError } from './types.ts';

export const BODY_SLOT = '<!-- @message-body -->';

/** Keys every message must define in its default-locale file. */
const REQUIRED_MESSAGE_KEYS = ['subject', 'preheader'] as const;

/** Scope fields that are not data: the renderer provides them. */
const PROVIDED = new Set(['t', 'message', 'locale']);
/** Data fields every render request carries (RenderData). */
const ALWAYS_PRESENT = new Set(['customer', 'shop', 'links']);

export interface CompileJourney {
  id: string;
  /** `template` names another journey's template (`referral/invite-friends`) to reuse it. */
  messages: Record<string, { class: MessageClass; template?: string | undefined }>;
}

export interface CompileResult {
  catalog: TemplateCatalog;
  /** Anything here means the catalog must not be deployed. */
  errors: TemplateError[];
  /** Worth a look, not blocking: extra keys, locales a message falls back from, unused files. */
  warnings: TemplateError[];
  /** Per template (`journey/message`): each required data field → the first file that uses it. */
  requiredBy: Record<string, Record<string, string>>;
}

export async function compileTemplates(
  rootDir: string,
  journeys: readonly CompileJourney[],
  options: { defaultLocale: string; sharedDir?: string | undefined },
): Promise<CompileResult> {
  const errors: TemplateError[] = [];
  const warnings: TemplateError[] = [];
  const requiredBy: CompileResult['requiredBy'] = {};
  const defaultLocale = canonicalLocale(options.defaultLocale) ?? options.defaultLocale;
  const htmlLiquid = createLiquid({ html: true });
  const textLiquid = createLiquid({ html: false });
  const catalog: TemplateCatalog = { formatVersion: 1, defaultLocale, locales: [], shared: {}, messages: {} };

  const read = (file: string): string | undefined => {
    const full = join(rootDir, file);
    return existsSync(full) ? readFileSync(full, 'utf8') : undefined;
  };

  /** A shared file (layout, shared strings) from rootDir, else from sharedDir. */
  const sharedDirOf = (file: string): string =>
    options.sharedDir !== undefined && !existsSync(join(rootDir, file)) ? options.sharedDir : rootDir;
  const readShared = (file: string): string | undefined => {
    const full = join(sharedDirOf(file), file);
    return existsSync(full) ? readFileSync(full, 'utf8') : undefined;
  };

  // Shared frame.
  const layoutMjml = readShared('layout.mjml');
  const layoutText = readShared('layout.txt');
  const htmlSlot = layoutMjml?.includes(BODY_SLOT) === true;
  const textSlot = layoutText?.includes(BODY_SLOT) === true;
  for (const [file, layout, hasSlot] of [
    ['layout.mjml', layoutMjml, htmlSlot],
    ['layout.txt', layoutText, textSlot],
  ] as const) {
    if (layout === undefined) errors.push({ file, message: 'the shared layout is missing' });
    else if (!hasSlot) errors.push({ file, message: `has no body slot; add a line ${BODY_SLOT}` });
  }
  const layoutParses = {
    html: layoutMjml === undefined || checkLiquidParse(htmlLiquid, layoutMjml, 'layout.mjml', errors),
    text: layoutText === undefined || checkLiquidParse(textLiquid, layoutText, 'layout.txt', errors),
  };

  // Shared strings.
  // From sharedDir, only the locales the project writes messages in (and their languages) and the
  // default locale: the package's other languages are not the project's, and would each demand strings.
  const used = new Set([defaultLocale.toLowerCase()]);
  for (const dir of listDir(rootDir)) {
    if (dir === 'locales' || !isDirectory(join(rootDir, dir))) continue;
    for (const name of listDir(join(rootDir, dir))) {
      const locale = /\.([A-Za-z0-9-_]+)\.ya?ml$/.exec(name)?.[1]?.toLowerCase();
      if (locale) used.add(locale).add(locale.split(/[-_]/)[0] ?? locale);
    }
  }
  const sharedNames = [
    ...new Set([
      ...listDir(join(rootDir, 'locales')),
      ...(options.sharedDir === undefined
        ? []
        : listDir(join(options.sharedDir, 'locales')).filter((name) =>
            used.has(name.replace(/\.ya?ml$/, '').toLowerCase()),
          )),
    ]),
  ].sort();
  const sharedFiles = sharedNames
    .filter((name) => /\.ya?ml$/.test(name))
    .map((name) =>
      readStrings(sharedDirOf(`locales/${name}`), `locales/${name}`, name.replace(/\.ya?ml$/, ''), errors),
    )
    .filter((f): f is StringsFile => f !== undefined);
  for (const f of sharedFiles) catalog.shared[f.locale] = f.strings;
  catalog.locales = sharedFiles.map((f) => f.locale).sort();
  const sharedDefault = sharedFiles.find((f) => f.locale === defaultLocale);
  if (!sharedDefault) {
    errors.push({
      file: `locales/${defaultLocale}.yaml`,
      message: `shared strings for the default locale ${defaultLocale} are missing`,
    });
  } else {
    checkCoverage(sharedFiles, sharedDefault, defaultLocale, errors, warnings);
  }
  for (const f of sharedFiles) checkStringsParse(f, textLiquid, errors);

  // Messages.
  const expected = new Set<string>();
  for (const journey of journeys) {
    for (const [declaredId, spec] of Object.entries(journey.messages)) {
      // A message may borrow another journey's template; each template compiles once.
      const base = spec.template ?? `${journey.id}/${declaredId}`;
      if (expected.has(base)) continue;
      expected.add(base);
      const [templateDir, messageId] = base.split('/') as [string, string];
      const dirFiles = listDir(join(rootDir, templateDir));
      const localeFiles = dirFiles
        .map((name) => new RegExp(`^${escapeRegExp(messageId)}\\.([A-Za-z0-9-_]+)\\.ya?ml$`).exec(name))
        .filter((m): m is RegExpExecArray => m !== null);
      const body = read(`${base}.mjml`);
      const textBody = read(`${base}.txt`);
      if (body === undefined && textBody === undefined && localeFiles.length === 0) {
        errors.push({
          file: `${base}.*`,
          message: `message "${declaredId}" of journey "${journey.id}" has no template files (${base}.mjml, ${base}.txt, ${base}.${defaultLocale}.yaml)`,
        });
        continue;
      }
      if (body === undefined) errors.push({ file: `${base}.mjml`, message: 'the HTML body is missing' });
      if (textBody === undefined)
        errors.push({ file: `${base}.txt`, message: 'the plain-text body is missing' });

      const stringFiles = localeFiles
        .map((m) => readStrings(rootDir, `${templateDir}/${m[0]}`, m[1] ?? '', errors))
        .filter((f): f is StringsFile => f !== undefined);
      const defaultFile = stringFiles.find((f) => f.locale === defaultLocale);
      if (!defaultFile) {
        errors.push({
          file: `${base}.${defaultLocale}.yaml`,
          message: `strings for the default locale ${defaultLocale} are missing`,
        });
      } else {
        for (const key of REQUIRED_MESSAGE_KEYS) {
          if (!(key in defaultFile.strings))
            errors.push({ file: defaultFile.file, path: key, message: `every message needs a "${key}"` });
        }
        checkCoverage(stringFiles, defaultFile, defaultLocale, errors, warnings);
      }
      for (const f of stringFiles) checkStringsParse(f, textLiquid, errors);
      const messageLocales = new Set(stringFiles.map((f) => f.locale));
      for (const locale of catalog.locales) {
        if (locale === defaultLocale) continue;
        if (!localeChain(locale, defaultLocale).some((l) => messageLocales.has(l) && l !== defaultLocale)) {
          // A shipped locale (templates/locales/<locale>.yaml) promises every message in that language.
          errors.push({
            file: `${base}.${locale}.yaml`,
            message: `missing: ${locale} is a shipped locale, but this message has no ${locale} strings`,
          });
        }
      }

      // Liquid is checked in the files as written first, so an error points at the line the marketer
      // edited; the merged result only when those parse (what MJML made of them).
      let html = '';
      if (body !== undefined && layoutMjml !== undefined && htmlSlot) {
        const parses = checkLiquidParse(htmlLiquid, body, `${base}.mjml`, errors);
        html = await compileMjml(layoutMjml, body, base, errors);
        if (parses && layoutParses.html)
          checkLiquidParse(htmlLiquid, html, `${base}.mjml`, errors, 'in the HTML MJML made of it');
      }
      let text = '';
      if (textBody !== undefined && layoutText !== undefined && textSlot) {
        const parses = checkLiquidParse(textLiquid, textBody, `${base}.txt`, errors);
        text = layoutText.replace(BODY_SLOT, textBody.replace(/\s+$/, ''));
        if (parses && layoutParses.text)
          checkLiquidParse(textLiquid, text, `${base}.txt`, errors, 'with the layout');
      }

      // Which variables do the templates use? `t.x` must exist; other roots of the message's own
      // files become required data. The layout's are not: it shows optional data (the member strip)
      // only `{% if %}` it is there, so it cannot make every message require it.
      const known = [
        ...Object.keys(sharedDefault?.strings ?? {}),
        ...Object.keys(defaultFile?.strings ?? {}),
      ];
      const strings = stringFiles.flatMap((f) =>
        Object.values(f.strings).map((s) => [s, f.file, textLiquid] as const),
      );
      for (const [source, file, engine] of [
        [html, `${base}.mjml`, htmlLiquid],
        [text, `${base}.txt`, textLiquid],
        ...strings,
      ] as const) {
        for (const segments of variableSegments(engine, source)) {
          const [root, second] = segments;
          if (root !== 't' || typeof second !== 'string' || !(sharedDefault || defaultFile)) continue;
          const named = stringPath(segments);
          if (!known.some((k) => k === named || k.startsWith(`${named}.`)))
            errors.push({
              file,
              path: `t.${named}`,
              message: `uses {{ t.${named} }}, which neither locales/${defaultLocale}.yaml nor ${base}.${defaultLocale}.yaml defines${didYouMean(named, known, (k) => `t.${k}`)}`,
            });
        }
      }
      const requires = new Set<string>();
      for (const [source, file, engine] of [
        [body ?? '', `${base}.mjml`, htmlLiquid],
        [textBody ?? '', `${base}.txt`, textLiquid],
        ...strings,
      ] as const) {
        for (const [root] of variableSegments(engine, source)) {
          if (typeof root !== 'string' || root === 't') continue;
          if (!PROVIDED.has(root) && !ALWAYS_PRESENT.has(root)) {
            requires.add(root);
            requiredBy[base] ??= {};
            requiredBy[base][root] ??= file;
          }
        }
      }

      catalog.messages[base] = {
        journeyId: templateDir,
        message: messageId,
        class: spec.class,
        html,
        text,
        strings: Object.fromEntries(stringFiles.map((f) => [f.locale, f.strings])),
        requires: [...requires].sort(),
      };
    }
  }

  // Template files no journey sends.
  for (const dir of listDir(rootDir)) {
    if (dir === 'locales' || !isDirectory(join(rootDir, dir))) continue;
    for (const name of listDir(join(rootDir, dir))) {
      const messageId = name.split('.')[0] ?? name;
      if (!expected.has(`${dir}/${messageId}`)) {
        warnings.push({ file: `${dir}/${name}`, message: 'no journey sends this message' });
      }
    }
  }

  return { catalog, errors: dedupe(errors), warnings: dedupe(warnings), requiredBy };
}

/** Errors as one line each, `file[: path]: message`, for command-line output. */
export function formatTemplateError(error: TemplateError): string {
  return `${error.file}${error.path ? ` [${error.path}]` : ''}: ${error.message}`;
}

/** `t.loyalty.tiers` for the segments t, loyalty, tiers[, <variable>]: the static part of the path. */
function stringPath(segments: (string | number)[]): string {
  const parts: string[] = [];
  for (const segment of segments.slice(1)) {
    if (typeof segment !== 'string') break;
    parts.push(segment);
  }
  return parts.join('.');
}

function listDir(dir: string): string[] {
  try {
    return readdirSync(dir).sort();
  } catch {
    return [];
  }
}

function isDirectory(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}

function escapeRegExp(value: string): string {
  return value.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

const LIQUID_TAG = /\{\{[\s\S]*?\}\}|\{%[\s\S]*?%\}/g;

/** Layout + body -> HTML. MJML errors point at the file and line they came from. */
async function compileMjml(
  layout: string,
  body: string,
  base: string,
  errors: TemplateError[],
): Promise<string> {
  const slotLine = layout.slice(0, layout.indexOf(BODY_SLOT)).split('\n').length;
  const bodyLines = body.split('\n').length;
  const source = layout.replace(BODY_SLOT, body);
  const where = (line: number): { file: string; line: number } => {
    if (line < slotLine) return { file: 'layout.mjml', line };
    if (line < slotLine + bodyLines) return { file: `${base}.mjml`, line: line - slotLine + 1 };
    return { file: 'layout.mjml', line: line - bodyLines + 1 };
  };
  let result: Awaited<ReturnType<typeof mjml2html>>;
  try {
    result = await mjml2html(source, {
      validationLevel: 'soft',
      keepComments: false,
      minify: false,
      beautify: false,
      // No web fonts: the system font stack renders everywhere and loads nothing from third parties.
      fonts: {},
    });
  } catch (error) {
    errors.push({ file: `${base}.mjml`, message: `MJML: ${firstLine(error)}` });
    return '';
  }
  for (const e of result.errors) {
    const at = where(e.line);
    errors.push({ file: at.file, path: `line ${at.line}`, message: `MJML (${base}): ${e.message}` });
  }
  // MJML must pass every Liquid tag through untouched; a tag it rewrote or dropped would render wrongly.
  const out = new Set(result.html.match(LIQUID_TAG) ?? []);
  for (const tag of new Set(source.match(LIQUID_TAG) ?? [])) {
    if (!out.has(tag)) {
      errors.push({
        file:
          source.indexOf(tag) >= layout.indexOf(BODY_SLOT) && body.includes(tag)
            ? `${base}.mjml`
            : 'layout.mjml',
        path: tag,
        message: 'MJML changed or dropped this Liquid tag; keep Liquid inside text or attribute values',
      });
    }
  }
  return result.html;
}
