/**
 * The journey catalogue: loads every journey definition in `journeys/`, validates it against the schema
 * in `functions/core/definition.ts`, and reports every problem with file, dotted path, line and reason.
 * Used by `journeys validate`, the CDK app at synth time, and the local runtime.
 */
import { createHash } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { isMap, isPair, isScalar, isSeq, LineCounter, type Node, parseDocument } from 'yaml';
import type * as z from 'zod';
import { type JourneyDefinition, journeyDefinitionSchema, undeclaredMessage } from '../core/definition.ts';
import { forEachStep, STEP_BRANCH_KEYS } from '../core/steps.ts';
import { didYouMean } from '../core/suggest.ts';

export interface LoadedJourney {
  /** Path of the YAML file, `dir` joined with the file name. */
  file: string;
  definition: JourneyDefinition;
  /** First 12 hex characters of the SHA-256 of the canonical JSON of the parsed definition. */
  version: string;
}

export interface DefinitionError {
  /** Path of the file (or directory) the error is about. */
  file: string;
  /** Dotted path inside the definition, e.g. `steps.2.wait.sinceEntry`; empty for file-level errors. */
  path: string;
  /** 1-based line in the file, when known. */
  line?: number;
  message: string;
}

export interface LoadResult {
  journeys: LoadedJourney[];
  errors: DefinitionError[];
}

const JOURNEY_FILE = /\.ya?ml$/i;

/** Load and validate every `*.yaml` / `*.yml` file in `dir`. Never throws for bad content: reports it. */
export async function loadJourneys(dir: string): Promise<LoadResult> {
  let names: string[];
  try {
    const entries = await readdir(dir, { withFileTypes: true });
    names = entries
      .filter((e) => e.isFile() && JOURNEY_FILE.test(e.name) && !e.name.startsWith('.'))
      .map((e) => e.name)
      .sort();
  } catch (err) {
    const reason = (err as NodeJS.ErrnoException).code === 'ENOENT' ? 'directory not found' : String(err);
    return { journeys: [], errors: [{ file: dir, path: '', message: reason }] };
  }
  if (names.length === 0) {
    return {
      journeys: [],
      errors: [{ file: dir, path: '', message: 'no journey definitions (*.yaml, *.yml) found' }],
    };
  }

  const journeys: ParsedJourney[] = [];
  const errors: DefinitionError[] = [];
  for (const name of names) {
    const file = path.join(dir, name);
    const result = parseJourneyFile(file, await readFile(file, 'utf8'));
    errors.push(...result.errors);
    if (result.journey) journeys.push(result.journey);
  }

  const byId = new Map<string, ParsedJourney[]>();
  for (const j of journeys) byId.set(j.definition.id, [...(byId.get(j.definition.id) ?? []), j]);
  const duplicates = new Set<ParsedJourney>();
  for (const [id, same] of byId) {
    if (same.length < 2) continue;
    for (const j of same) {
      duplicates.add(j);
      const others = same.filter((o) => o !== j).map((o) => path.basename(o.file));
      errors.push({
        file: j.file,
        path: 'id',
        line: j.idLine,
        message: `duplicate journey id "${id}", also used by ${others.join(', ')}`,
      });
    }
  }

  return {
    journeys: journeys.filter((j) => !duplicates.has(j)).map(({ idLine: _, ...j }) => j),
    errors,
  };
}

/**
 * Parse and validate one journey file. `file` is used for messages and the file-name check (the base
 * name without extension must equal the journey id).
 */
export function parseJourney(
  file: string,
  source: string,
): { journey?: LoadedJourney; errors: DefinitionError[] } {
  const { journey, errors } = parseJourneyFile(file, source);
  if (!journey) return { errors };
  const { idLine: _, ...loaded } = journey;
  return { journey: loaded, errors };
}

type ParsedJourney = LoadedJourney & { idLine?: number };

/**
 * A marketer's YAML file read for validation: its data and a way to report a problem at a dotted path
 * with the line it is on — or, when the YAML itself is broken, its syntax errors.
 */
export function readYamlFile(
  file: string,
  source: string,
):
  | {
      raw: unknown;
      errors: DefinitionError[];
      report: (p: readonly PropertyKey[], message: string) => void;
      lineAt: (p: readonly PropertyKey[]) => number | undefined;
    }
  | { syntaxErrors: DefinitionError[] } {
  const lineCounter = new LineCounter();
  const doc = parseDocument(source, { lineCounter, prettyErrors: true });
  if (doc.errors.length > 0) {
    return {
      syntaxErrors: doc.errors.map((e) => ({
        file,
        path: '',
        line: e.linePos?.[0]?.line,
        message: `YAML syntax error: ${firstLine(e.message)}`,
      })),
    };
  }
  const lineAt = (p: readonly PropertyKey[]) => lineOf(doc.contents, p, lineCounter);
  const errors: DefinitionError[] = [];
  const report = (p: readonly PropertyKey[], message: string) =>
    errors.push({ file, path: p.map(String).join('.'), line: lineAt(p), message });
  return { raw: doc.toJS(), errors, report, lineAt };
}

function parseJourneyFile(
  file: string,
  source: string,
): { journey?: ParsedJourney; errors: DefinitionError[] } {
  const read = readYamlFile(file, source);
  if ('syntaxErrors' in read) return { errors: read.syntaxErrors };
  const { raw, errors, report, lineAt } = read;

  const result = journeyDefinitionSchema.safeParse(raw);
  if (!result.success) {
    for (const issue of explainIssues(result.error.issues, [], raw)) report(issue.path, issue.message);
    // The undeclared-message check is a refinement that zod skips once a step is malformed; run it on
    // the raw data so one pass reports everything.
    if (
      !result.error.issues.some((i) => i.code === 'custom' && /not declared under messages/.test(i.message))
    ) {
      for (const [p, message] of undeclaredMessages(raw)) report(p, message);
    }
  }

  const stem = path.basename(file).replace(JOURNEY_FILE, '');
  const id = isRecord(raw) ? raw.id : undefined;
  if (typeof id === 'string' && id !== stem) {
    report(['id'], `journey id "${id}" must equal the file name "${stem}" (rename the file or the id)`);
  }

  errors.sort((a, b) => (a.line ?? 0) - (b.line ?? 0));
  if (!result.success || errors.length > 0) return { errors };
  const definition = result.data;
  return {
    journey: { file, definition, version: journeyVersion(definition), idLine: lineAt(['id']) },
    errors,
  };
}

/** Stable version of a definition: independent of key order, formatting, comments and defaults. */
export function journeyVersion(definition: JourneyDefinition): string {
  return createHash('sha256').update(canonicalJson(definition)).digest('hex').slice(0, 12);
}

/** JSON with object keys sorted at every level; `undefined` members are dropped. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value))
    return `[${value.map((v) => (v === undefined ? 'null' : canonicalJson(v))).join(',')}]`;
  if (isRecord(value)) {
    const members = Object.keys(value)
      .filter((k) => value[k] !== undefined)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${canonicalJson(value[k])}`);
    return `{${members.join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}

/** `journeys/onboarding.yaml:23 steps.2.wait — must be a non-negative ISO 8601 duration …` */
export function formatDefinitionError(e: DefinitionError): string {
  const where = `${displayPath(e.file)}${e.line !== undefined ? `:${e.line}` : ''}`;
  return `${where}${e.path ? ` ${e.path}` : ''} — ${e.message}`;
}

/** Number of steps in a definition, counting nested branches. */
export function countSteps(definition: Pick<JourneyDefinition, 'steps'>): number {
  let n = 0;
  forEachStep(definition.steps, () => {
    n++;
  });
  return n;
}

function displayPath(file: string): string {
  if (!path.isAbsolute(file)) return file;
  const rel = path.relative(process.cwd(), file);
  return rel && !rel.startsWith('..') && !path.isAbsolute(rel) ? rel : file;
}

export function firstLine(message: string): string {
  return (message.split('\n')[0] ?? message).replace(/ at line \d+, column \d+:?$/, '').trim();
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

// ---------------------------------------------------------------------------------------------------
// Line numbers: follow a dotted path through the YAML document's node ranges.

/** The 1-based line of the node at `p` (or of its nearest ancestor that exists). */
export function lineOf(root: unknown, p: readonly PropertyKey[], lc: LineCounter): number | undefined {
  const lineOfNode = (n: unknown) => {
    const start = (n as Node | null)?.range?.[0];
    return start === undefined ? undefined : lc.linePos(start).line;
  };
  let node: unknown = root;
  let line = lineOfNode(node) ?? 1;
  for (const seg of p) {
    if (isMap(node)) {
      const pair = node.items.find(
        (it) => isPair(it) && isScalar(it.key) && String(it.key.value) === String(seg),
      );
      if (!pair) return line;
      line = lineOfNode(pair.key) ?? line;
      node = pair.value;
    } else if (isSeq(node)) {
      const item = node.items[Number(seg)];
      if (item === undefined) return line;
      line = lineOfNode(item) ?? line;
      node = item;
    } else {
      return line;
    }
  }
  return line;
}

// ---------------------------------------------------------------------------------------------------
// Issues → messages a marketer can act on. Zod reports a failed union as one opaque "Invalid input" with
// the issues of every alternative; pick the alternative the author evidently meant and report its issues,
// or say which alternatives exist.

interface Explained {
  path: PropertyKey[];
  message: string;
}

type Issue = z.core.$ZodIssue;

const STEP_LISTS = new Set<string>(['steps', ...STEP_BRANCH_KEYS]);
const CONDITION_LISTS = new Set(['all', 'any']);

/** Zod issues as messages a marketer can act on, each with the path it is about. */
export function explainIssues(issues: readonly Issue[], base: PropertyKey[], root: unknown): Explained[] {
  const out: Explained[] = [];
  for (const issue of issues) {
    const at = [...base, ...issue.path];
    if (issue.code === 'invalid_union' && issue.errors.length > 0) {
      out.push(...explainUnion(issue.errors, at, root));
    } else if (issue.code === 'unrecognized_keys') {
      for (const key of issue.keys) out.push({ path: [...at, key], message: `unknown key "${key}"` });
    } else if (isMissing(issue)) {
      out.push({ path: at, message: 'required' });
    } else {
      out.push({ path: at, message: issue.message });
    }
  }
  return out;
}

function isMissing(issue: Issue): boolean {
  if (issue.code === 'invalid_type') return /received undefined/.test(issue.message);
  if (issue.code === 'invalid_union')
    return issue.errors.every((b) => b.some((i) => i.path.length === 0 && isMissing(i)));
  return false;
}

function explainUnion(
  branches: readonly (readonly Issue[])[],
  at: PropertyKey[],
  root: unknown,
): Explained[] {
  const value = valueAt(root, at);
  // Alternatives of another type (a string where an object is expected …) are not what the author meant.
  const sameType = branches.filter((b) => !b.some((i) => i.path.length === 0 && i.code === 'invalid_type'));
  if (sameType.length === 0) {
    const expected = [
      ...new Set(branches.flatMap((b) => b.filter((i) => i.code === 'invalid_type').map((i) => i.expected))),
    ];
    return [{ path: at, message: `must be ${expected.join(' or ')}, not ${describeType(value)}` }];
  }
  if (!isRecord(value)) return explainIssues(sameType[0] ?? [], at, root);

  const present = Object.keys(value);
  const unknownIn = (b: readonly Issue[]) =>
    new Set(b.flatMap((i) => (i.code === 'unrecognized_keys' && i.path.length === 0 ? i.keys : [])));
  const missingIn = (b: readonly Issue[]) =>
    b.filter((i) => i.path.length === 1 && isMissing(i)).map((i) => String(i.path[0]));
  const recognisedIn = (b: readonly Issue[]) => {
    const unknown = unknownIn(b);
    return present.filter((k) => !unknown.has(k));
  };
  const signature = (b: readonly Issue[]) => {
    const missing = missingIn(b);
    return (missing.length > 0 ? missing : recognisedIn(b)).join(' + ');
  };
  const kind = unionKind(at);
  const choices = `a ${kind} is one of: ${sameType.map(signature).join(', ')}`;

  const matched = sameType.filter((b) => recognisedIn(b).length > 0);
  if (matched.length === 1) return explainIssues(matched[0] ?? [], at, root);
  if (matched.length > 1) {
    const keys = [...new Set(matched.flatMap(recognisedIn))].map((k) => `"${k}"`).join(' and ');
    return [{ path: at, message: `combines ${keys}; ${choices}` }];
  }
  const unknown = present.length > 0 ? present.map((k) => `"${k}"`).join(', ') : '(no keys)';
  // One key a letter or two off a known one (`wiat`) is that one misspelt.
  const known = sameType.flatMap((b) => [...missingIn(b), ...recognisedIn(b)]);
  const typo = present.length === 1 ? didYouMean(present[0] as string, new Set(known)) : '';
  return [{ path: at, message: `unknown ${kind} ${unknown}${typo}; ${choices}` }];
}

function unionKind(at: readonly PropertyKey[]): string {
  const last = at[at.length - 1];
  const parent = at[at.length - 2];
  if (typeof last === 'number' && typeof parent === 'string' && STEP_LISTS.has(parent)) return 'step';
  if (last === 'if' || last === 'not') return 'condition';
  if (typeof last === 'number' && typeof parent === 'string' && CONDITION_LISTS.has(parent))
    return 'condition';
  return 'value';
}

function describeType(value: unknown): string {
  if (value === null || value === undefined) return 'empty';
  if (Array.isArray(value)) return 'a list';
  return typeof value === 'object' ? 'a mapping' : `${typeof value} ${JSON.stringify(value)}`;
}

function valueAt(root: unknown, at: readonly PropertyKey[]): unknown {
  let v: unknown = root;
  for (const seg of at) {
    if (Array.isArray(v)) v = v[Number(seg)];
    else if (isRecord(v)) v = v[String(seg)];
    else return undefined;
  }
  return v;
}

/** `send`s naming a message not declared under `messages`, found in raw (possibly invalid) data. */
function undeclaredMessages(raw: unknown): [PropertyKey[], string][] {
  if (!isRecord(raw) || !isRecord(raw.messages) || !Array.isArray(raw.steps)) return [];
  const declared = raw.messages;
  const found: [PropertyKey[], string][] = [];
  const walk = (steps: unknown, at: PropertyKey[]) => {
    if (!Array.isArray(steps)) return;
    steps.forEach((s, i) => {
      if (!isRecord(s)) return;
      const here = [...at, i];
      const send = s.send;
      const name = typeof send === 'string' ? send : isRecord(send) ? send.message : undefined;
      if (typeof name === 'string' && !Object.hasOwn(declared, name)) {
        found.push([[...here, 'send'], undeclaredMessage(name, Object.keys(declared))]);
      }
      for (const branch of STEP_BRANCH_KEYS) walk(s[branch], [...here, branch]);
    });
  };
  walk(raw.steps, ['steps']);
  return found;
}
