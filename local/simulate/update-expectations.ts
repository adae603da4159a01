/**
 * `journeys simulate FILE --check --update`: rewrites a scenario's `expect:` section from a run, keeping
 * what the marketer wrote wherever it still holds. The file is edited as text at the places that change
 * (the `yaml` Document gives each node's position), so everything else — comments, blank lines,
 * flow-style entries, the events — stays byte for byte.
 *
 * The rules, section by section:
 * - `emails` (every email of the customers named there): for each named customer the expected entries
 *   are lined up with the emails sent, in order, by message (and journey where written). An entry that
 *   still lines up keeps every field as written and only a field that no longer holds changes: `local`
 *   to the new customer-local time, `locale` to the one sent, a `subject` the subject no longer
 *   contains to the whole new subject; a `text` the plain-text part no longer contains is removed (the
 *   change is listed, to write a new one by hand). Entries for emails that are no longer sent are
 *   removed; an email now sent to a named customer gets a new entry (customer, journey, message,
 *   local) after the one before it. Customers who are not named stay unnamed.
 * - `events` (facts the scenario was written to show): an entry that still holds stays as it is. One
 *   that does not is repaired from the closest event of its type for its customer (the one matching
 *   most of its `detail`): its `local`, the `detail` fields written that differ, and its `count`. An
 *   entry whose customer no longer gets any event of that type is removed. Events are never added: the
 *   run emits many, and which are worth pinning is the author's choice.
 * - `noEmails`, `noEvents`: a customer who now gets email, or a rule now broken, is removed.
 * - `rejected`: an entry no longer met is removed; an input now rejected that no entry names gets one,
 *   naming the field of its first error.
 *
 * A scenario without an `expect:` section is refused rather than given one: which customers and facts
 * matter is the author's decision (`emails` means every email of the customers it names), and a section
 * that pinned everything the run did would be a snapshot, not an expectation. JSON scenarios are
 * refused too (JSON keeps no comments, and a rewrite would reformat the file).
 */
import {
  isMap,
  isScalar,
  isSeq,
  type Node,
  type Pair,
  parse,
  parseDocument,
  Scalar,
  type YAMLMap,
  type YAMLSeq,
} from 'yaml';
import { localStamp } from '../../functions/core/time.ts';
import { customerTimeZones, type Expectations, matchesDetail } from './expectations.ts';
import { scenarioSchema } from './scenario.ts';
import type { SimulationResult } from './timeline.ts';
import { align, unifiedDiff } from './unified-diff.ts';

export class ExpectationsUpdateError extends Error {
  override name = 'ExpectationsUpdateError';
}

export interface ExpectationsUpdate {
  /** The scenario file with its `expect:` section rewritten. */
  text: string;
  /** A unified diff of the change (empty when nothing changed). */
  diff: string;
  changed: boolean;
  /** Changes the reader should look at: removed `text:` fields, replaced subjects. */
  notes: string[];
}

interface Edit {
  start: number;
  end: number;
  text: string;
  seq: number;
}

type Email = SimulationResult['emails'][number];
type Event = SimulationResult['events'][number];

const PLAIN = /^[A-Za-z0-9][\w .@%+/-]*$/;

/** A value as YAML flow text, in the quoting style of the node it replaces where there was one. */
function render(value: unknown, style?: Scalar.Type): string {
  if (typeof value === 'string') {
    if (style === Scalar.QUOTE_SINGLE) return `'${value.replaceAll("'", "''")}'`;
    const plainOk = style !== Scalar.QUOTE_DOUBLE && PLAIN.test(value) && parse(value) === value;
    return plainOk ? value : JSON.stringify(value);
  }
  if (Array.isArray(value)) return `[${value.map((v) => render(v)).join(', ')}]`;
  if (value !== null && typeof value === 'object')
    return `{ ${Object.entries(value)
      .map(([k, v]) => `${PLAIN.test(k) ? k : JSON.stringify(k)}: ${render(v)}`)
      .join(', ')} }`;
  return JSON.stringify(value);
}

const range = (node: Node | null) => (node as Node).range as [number, number, number];

class Editor {
  private readonly edits: Edit[] = [];
  constructor(readonly source: string) {}

  private push(start: number, end: number, text: string): void {
    this.edits.push({ start, end, text, seq: this.edits.length });
  }

  lineStart(node: Node): number {
    const start = range(node)[0];
    const lineStart = this.source.lastIndexOf('\n', start - 1) + 1;
    if (!/^\s*-\s*$/.test(this.source.slice(lineStart, start)))
      throw new ExpectationsUpdateError(
        `line ${this.lineOf(start)}: --update edits expect: lists written one entry per line ("- { … }"); write this list that way`,
      );
    return lineStart;
  }

  lineEnd(node: Node | null): number {
    const end = this.source.indexOf('\n', range(node)[1]);
    return end === -1 ? this.source.length : end + 1;
  }

  lineOf(offset: number): number {
    return this.source.slice(0, offset).split('\n').length;
  }

  /** The text before an item of a block list: its indentation and `- `. */
  prefix(node: Node): string {
    return this.source.slice(this.lineStart(node), range(node)[0]);
  }

  replace(node: Node | null, value: unknown): void {
    const [start, end] = range(node);
    this.push(start, end, render(value, isScalar(node) ? node.type : undefined));
  }

  deleteItem(node: Node): void {
    this.push(this.lineStart(node), this.lineEnd(node), '');
  }

  replaceText(start: number, end: number, text: string): void {
    this.push(start, end, text);
  }

  insert(at: number, text: string): void {
    this.push(at, at, text);
  }

  /** Removes a key of a map written in flow style (`{ a: 1, text: x }`), with its comma. */
  deleteKey(map: YAMLMap, key: string): void {
    const index = map.items.findIndex((p) => isScalar(p.key) && p.key.value === key);
    const pair = map.items[index] as Pair<Node, Node>;
    if (!map.flow) {
      const start = this.source.lastIndexOf('\n', range(pair.key)[0] - 1) + 1;
      this.push(start, this.lineEnd(pair.value), '');
    } else if (index > 0) {
      const before = map.items[index - 1] as Pair<Node, Node>;
      this.push(range(before.value)[1], range(pair.value)[1], '');
    } else {
      const next = map.items[index + 1] as Pair<Node, Node> | undefined;
      this.push(range(pair.key)[0], next ? range(next.key)[0] : range(pair.value)[1], '');
    }
  }

  apply(): string {
    // From the end, so earlier offsets hold; at one place a removal before insertions, and insertions
    // in the order made.
    const sorted = [...this.edits].sort(
      (a, b) => b.start - a.start || Number(a.end === a.start) - Number(b.end === b.start) || b.seq - a.seq,
    );
    let text = this.source;
    for (const e of sorted) text = text.slice(0, e.start) + e.text + text.slice(e.end);
    return text;
  }
}

function pairOf(map: YAMLMap, key: string): Pair<Node, Node> | undefined {
  return map.items.find((p) => isScalar(p.key) && p.key.value === key) as Pair<Node, Node> | undefined;
}

function listOf(expectMap: YAMLMap, key: string): YAMLSeq | undefined {
  const value = pairOf(expectMap, key)?.value;
  return isSeq(value) ? value : undefined;
}

interface Context {
  editor: Editor;
  result: SimulationResult;
  local: (customer: string, at: string) => string;
  notes: string[];
}

type EmailEntry = Expectations['emails'][number];

function updateEmails(ctx: Context, seq: YAMLSeq): void {
  const { editor, result, local } = ctx;
  const items = seq.items.filter(isMap).map((node) => ({ node, entry: node.toJSON() as EmailEntry }));
  const customers = [...new Set(items.map((i) => i.entry.customer))];
  for (const customer of customers) {
    const want = items.filter((i) => i.entry.customer === customer);
    const got = result.emails.filter((e) => e.customerId === customer);
    const pairs = align(
      want,
      got,
      (w, g) => w.entry.message === g.message && (!w.entry.journey || w.entry.journey === g.journey),
    );
    const matchedWant = new Map(pairs.map(([i, j]) => [i, j]));
    const matchedGot = new Map(pairs.map(([i, j]) => [j, i]));
    want.forEach((w, i) => {
      const j = matchedWant.get(i);
      if (j === undefined) editor.deleteItem(w.node);
      else repairEmail(ctx, w.node, w.entry, got[j] as Email);
    });
    const indent = editor.prefix((want[0] as (typeof want)[number]).node);
    let anchor = editor.lineStart((want[0] as (typeof want)[number]).node);
    got.forEach((g, j) => {
      const i = matchedGot.get(j);
      if (i !== undefined) anchor = editor.lineEnd((want[i] as (typeof want)[number]).node);
      else {
        const entry = { customer, journey: g.journey, message: g.message, local: local(customer, g.sentAt) };
        editor.insert(anchor, `${indent}${render(entry)}\n`);
      }
    });
  }
}

function repairEmail(ctx: Context, node: YAMLMap, want: EmailEntry, got: Email): void {
  const { editor, local } = ctx;
  const value = (key: string) => pairOf(node, key)?.value as Node;
  const at = local(want.customer, got.sentAt);
  if (want.local && want.local !== at) editor.replace(value('local'), at);
  if (want.locale && want.locale !== got.locale) editor.replace(value('locale'), got.locale);
  if (want.subject && !got.subject.includes(want.subject)) {
    editor.replace(value('subject'), got.subject);
    ctx.notes.push(`${want.customer} ${want.message}: the subject is now “${got.subject}”`);
  }
  if (want.text && !got.text.includes(want.text)) {
    editor.deleteKey(node, 'text');
    ctx.notes.push(
      `${want.customer} ${want.message}: the text part no longer contains “${want.text}”; the text: check was removed`,
    );
  }
}

type EventEntry = Expectations['events'][number];

function updateEvents(ctx: Context, seq: YAMLSeq): void {
  const { editor, result, local } = ctx;
  for (const node of seq.items.filter(isMap)) {
    const want = node.toJSON() as EventEntry;
    const base = result.events.filter(
      (e) => e.detailType === want.type && e.detail.customerId === want.customer,
    );
    const holds = (local_: string | undefined, detail: Record<string, unknown> | undefined) =>
      base.filter(
        (e) =>
          (!local_ || local(want.customer, e.at) === local_) && (!detail || matchesDetail(e.detail, detail)),
      ).length;
    const found = holds(want.local, want.detail);
    if (want.count === undefined ? found > 0 : found === want.count) continue;
    if (!base.length) {
      editor.deleteItem(node);
      continue;
    }
    // The closest event: the most of the written detail fields alike, then at the written time, then first.
    const score = (e: Event) =>
      Object.entries(want.detail ?? {}).filter(([k, v]) => matchesDetail(e.detail[k], v)).length * 2 +
      Number(want.local === local(want.customer, e.at));
    const closest = base.reduce((best, e) => (score(e) > score(best) ? e : best));
    const newLocal = want.local ? local(want.customer, closest.at) : undefined;
    if (want.local && newLocal !== want.local) editor.replace(pairOf(node, 'local')?.value as Node, newLocal);
    let detail = want.detail;
    const detailNode = pairOf(node, 'detail')?.value;
    if (want.detail && isMap(detailNode)) {
      detail = { ...want.detail };
      for (const [key, value] of Object.entries(want.detail)) {
        if (matchesDetail(closest.detail[key], value)) continue;
        const sub = pairOf(detailNode, key) as Pair<Node, Node>;
        if (closest.detail[key] === undefined) {
          editor.deleteKey(detailNode, key);
          delete detail[key];
        } else {
          editor.replace(sub.value, closest.detail[key]);
          detail[key] = closest.detail[key];
        }
      }
    }
    if (want.count !== undefined) {
      const count = holds(newLocal, detail);
      if (count !== want.count) editor.replace(pairOf(node, 'count')?.value as Node, count);
    }
  }
}

/** Removes items from a list: whole lines of a block list; a flow list (`[a, b]`) is written anew. */
function removeItems(editor: Editor, seq: YAMLSeq, remove: (item: unknown) => boolean): void {
  const gone = seq.items.filter((item) => remove((item as Node).toJSON()));
  if (!gone.length) return;
  if (!seq.flow) {
    for (const item of gone) editor.deleteItem(item as Node);
    return;
  }
  const kept = seq.items.filter((item) => !gone.includes(item));
  const [start, end] = range(seq);
  const text = kept.map((item) => editor.source.slice(range(item as Node)[0], range(item as Node)[1]));
  editor.replaceText(start, end, `[${text.join(', ')}]`);
}

function updateRejected(ctx: Context, expectNode: YAMLMap): void {
  const { editor, result } = ctx;
  const seq = listOf(expectNode, 'rejected');
  const wanted = (seq?.toJSON() ?? []) as Expectations['rejected'];
  const met = (w: Expectations['rejected'][number]) =>
    result.rejected.some((r) => r.index === w.index && r.errors.some((e) => e.includes(w.field)));
  const added = result.rejected
    .filter((r) => !wanted.some((w) => w.index === r.index))
    .map((r) => {
      const first = r.errors[0] ?? '';
      const field = /^[\w.[\]]+(?=: )/.exec(first)?.[0] ?? first;
      return render({ index: r.index, field });
    });
  if (seq?.flow) {
    const kept = seq.items
      .filter((item) => met((item as Node).toJSON()))
      .map((item) => editor.source.slice(range(item as Node)[0], range(item as Node)[1]));
    if (added.length || kept.length < seq.items.length) {
      const [start, end] = range(seq);
      editor.replaceText(start, end, `[${[...kept, ...added].join(', ')}]`);
    }
    return;
  }
  if (seq) removeItems(editor, seq, (item) => !met(item as Expectations['rejected'][number]));
  if (!added.length) return;
  if (seq) {
    const last = seq.items.at(-1) as Node;
    const indent = editor.prefix(last);
    editor.insert(editor.lineEnd(last), added.map((a) => `${indent}${a}\n`).join(''));
    return;
  }
  const key = (expectNode.items[0] as Pair<Node, Node>).key;
  const keyIndent = editor.source.slice(
    editor.source.lastIndexOf('\n', range(key)[0] - 1) + 1,
    range(key)[0],
  );
  editor.insert(
    editor.lineEnd(expectNode),
    `${keyIndent}rejected:\n${added.map((a) => `${keyIndent}  - ${a}\n`).join('')}`,
  );
}

/**
 * The scenario text with its `expect:` section following `result` (the rules are this module's), and
 * the diff. Throws ExpectationsUpdateError for a scenario it cannot rewrite.
 */
export function updateExpectations(
  source: string,
  result: SimulationResult,
  options: { file?: string; defaultTimeZone?: string } = {},
): ExpectationsUpdate {
  const file = options.file ?? 'scenario';
  if (file.endsWith('.json'))
    throw new ExpectationsUpdateError(
      `${file}: --update rewrites YAML scenarios only (JSON keeps no comments and would be reformatted); update its expect: section by hand, or write the scenario in YAML`,
    );
  const doc = parseDocument(source);
  if (doc.errors.length) throw new ExpectationsUpdateError(`${file}: ${doc.errors[0]?.message}`);
  const scenario = scenarioSchema.parse(doc.toJSON());
  const expectNode = isMap(doc.contents) ? pairOf(doc.contents, 'expect')?.value : undefined;
  if (!scenario.expect || !isMap(expectNode) || expectNode.flow || !expectNode.items.length)
    throw new ExpectationsUpdateError(
      `${file} has no expect: section to update. Write one naming what matters — e.g. one entry under ` +
        'expect: emails: for each customer to follow — and --update keeps it in step with the journeys from then on.',
    );
  const zones = customerTimeZones(scenario);
  const ctx: Context = {
    editor: new Editor(source),
    result,
    local: (customer, at) =>
      localStamp(at, zones.get(customer) ?? options.defaultTimeZone ?? 'Europe/Berlin'),
    notes: [],
  };
  const emails = listOf(expectNode, 'emails');
  if (emails) updateEmails(ctx, emails);
  const events = listOf(expectNode, 'events');
  if (events) updateEvents(ctx, events);
  const noEmails = listOf(expectNode, 'noEmails');
  if (noEmails) removeItems(ctx.editor, noEmails, (c) => result.emails.some((e) => e.customerId === c));
  const noEvents = listOf(expectNode, 'noEvents');
  if (noEvents)
    removeItems(ctx.editor, noEvents, (rule) => {
      const [customer, type] =
        typeof rule === 'string'
          ? [undefined, rule]
          : [(rule as { customer: string }).customer, (rule as { type: string }).type];
      return result.events.some(
        (e) => e.detailType === type && (!customer || e.detail.customerId === customer),
      );
    });
  updateRejected(ctx, expectNode);
  const text = ctx.editor.apply();
  return { text, diff: unifiedDiff(source, text, file), changed: text !== source, notes: ctx.notes };
}
