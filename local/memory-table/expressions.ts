/**
 * The memory table's expressions (table.ts): DynamoDB's condition, key-condition and update
 * expressions parsed by a small recursive-descent parser and evaluated against an item. The subset
 * the stores use; anything else throws an `UnsupportedExpression` error naming it.
 */
import { UnsupportedExpression } from '../errors.ts';

export type Value = unknown;
export type Item = Record<string, Value>;
export type Names = Record<string, string> | undefined;
export type Values = Record<string, Value> | undefined;

/** DynamoDB's own client-side error for a malformed request. */
export class ValidationException extends Error {
  override name = 'ValidationException';
}

// ---------------------------------------------------------------------------------------------------
// Expressions: tokens, a small recursive-descent parser, an evaluator
// ---------------------------------------------------------------------------------------------------

type Token = { kind: 'placeholder' | 'value' | 'op' | 'punct' | 'word'; text: string };

function tokenize(expression: string): Token[] {
  const tokens: Token[] = [];
  const pattern =
    /\s*(?:(#[A-Za-z0-9_]+)|(:[A-Za-z0-9_]+)|(<>|<=|>=|=|<|>|\+|-)|([(),.[\]])|([A-Za-z_][A-Za-z0-9_]*))/y;
  let index = 0;
  while (index < expression.length) {
    if (/^\s*$/.test(expression.slice(index))) break;
    pattern.lastIndex = index;
    const match = pattern.exec(expression);
    if (!match)
      throw new UnsupportedExpression(`cannot read "${expression}" at "${expression.slice(index)}"`);
    index = pattern.lastIndex;
    if (match[1]) tokens.push({ kind: 'placeholder', text: match[1] });
    else if (match[2]) tokens.push({ kind: 'value', text: match[2] });
    else if (match[3]) tokens.push({ kind: 'op', text: match[3] });
    else if (match[4]) tokens.push({ kind: 'punct', text: match[4] });
    else tokens.push({ kind: 'word', text: match[5] as string });
  }
  return tokens;
}

/** A document path: `#events.#kind` becomes two segments, resolved through the name placeholders. */
type Path = { segments: string[] };
type Operand =
  | { kind: 'path'; path: Path }
  | { kind: 'value'; ref: string }
  | { kind: 'if_not_exists'; path: Path; fallback: Operand }
  | { kind: 'arith'; op: '+' | '-'; left: Operand; right: Operand };
export type Condition =
  | { kind: 'and' | 'or'; left: Condition; right: Condition }
  | { kind: 'not'; inner: Condition }
  | { kind: 'compare'; op: string; left: Operand; right: Operand }
  | { kind: 'between'; subject: Operand; low: Operand; high: Operand }
  | { kind: 'exists' | 'not_exists'; path: Path }
  | { kind: 'begins_with'; subject: Operand; prefix: Operand };
type Update = { set: { path: Path; value: Operand }[]; remove: Path[] };

class Parser {
  private position = 0;
  constructor(
    private readonly tokens: Token[],
    private readonly source: string,
  ) {}

  private peek(): Token | undefined {
    return this.tokens[this.position];
  }
  private next(): Token {
    const token = this.tokens[this.position++];
    if (!token) throw new UnsupportedExpression(`"${this.source}" ends too early`);
    return token;
  }
  private expect(text: string): void {
    const token = this.next();
    if (token.text !== text)
      throw new UnsupportedExpression(`"${this.source}": expected "${text}", found "${token.text}"`);
  }
  private isWord(word: string): boolean {
    const token = this.peek();
    return token?.kind === 'word' && token.text.toUpperCase() === word;
  }
  done(): void {
    const token = this.peek();
    if (token) throw new UnsupportedExpression(`"${this.source}": unexpected "${token.text}"`);
  }

  condition(): Condition {
    let left = this.conjunction();
    while (this.isWord('OR')) {
      this.next();
      left = { kind: 'or', left, right: this.conjunction() };
    }
    return left;
  }
  private conjunction(): Condition {
    let left = this.unary();
    while (this.isWord('AND')) {
      this.next();
      left = { kind: 'and', left, right: this.unary() };
    }
    return left;
  }
  private unary(): Condition {
    if (this.isWord('NOT')) {
      this.next();
      return { kind: 'not', inner: this.unary() };
    }
    if (this.peek()?.text === '(') {
      this.next();
      const inner = this.condition();
      this.expect(')');
      return inner;
    }
    const token = this.peek();
    if (token?.kind === 'word' && this.tokens[this.position + 1]?.text === '(') {
      const fn = token.text;
      this.next();
      this.expect('(');
      if (fn === 'attribute_exists' || fn === 'attribute_not_exists') {
        const path = this.path();
        this.expect(')');
        return { kind: fn === 'attribute_exists' ? 'exists' : 'not_exists', path };
      }
      if (fn === 'begins_with') {
        const subject = this.operand();
        this.expect(',');
        const prefix = this.operand();
        this.expect(')');
        return { kind: 'begins_with', subject, prefix };
      }
      throw new UnsupportedExpression(`"${this.source}": function ${fn} is not supported`);
    }
    const left = this.operand();
    if (this.isWord('BETWEEN')) {
      this.next();
      const low = this.operand();
      if (!this.isWord('AND')) throw new UnsupportedExpression(`"${this.source}": BETWEEN needs AND`);
      this.next();
      return { kind: 'between', subject: left, low, high: this.operand() };
    }
    const op = this.next();
    if (op.kind !== 'op' || op.text === '+' || op.text === '-')
      throw new UnsupportedExpression(`"${this.source}": expected a comparison, found "${op.text}"`);
    return { kind: 'compare', op: op.text, left, right: this.operand() };
  }

  operand(): Operand {
    const token = this.peek();
    if (token?.kind === 'value') {
      this.next();
      return { kind: 'value', ref: token.text };
    }
    if (token?.kind === 'word' && token.text === 'if_not_exists') {
      this.next();
      this.expect('(');
      const path = this.path();
      this.expect(',');
      const fallback = this.operand();
      this.expect(')');
      return { kind: 'if_not_exists', path, fallback };
    }
    return { kind: 'path', path: this.path() };
  }

  private path(): Path {
    const segments: string[] = [];
    for (;;) {
      const token = this.next();
      if (token.kind !== 'placeholder' && token.kind !== 'word')
        throw new UnsupportedExpression(`"${this.source}": expected an attribute, found "${token.text}"`);
      segments.push(token.text);
      if (this.peek()?.text === '[')
        throw new UnsupportedExpression(`"${this.source}": list indexes are not supported`);
      if (this.peek()?.text !== '.') return { segments };
      this.next();
    }
  }

  update(): Update {
    const update: Update = { set: [], remove: [] };
    while (this.peek()) {
      const clause = this.next();
      const keyword = clause.text.toUpperCase();
      if (clause.kind !== 'word' || (keyword !== 'SET' && keyword !== 'REMOVE'))
        throw new UnsupportedExpression(`"${this.source}": only SET and REMOVE clauses are supported`);
      do {
        if (keyword === 'SET') {
          const path = this.path();
          this.expect('=');
          let value = this.operand();
          const op = this.peek();
          if (op?.text === '+' || op?.text === '-') {
            this.next();
            value = { kind: 'arith', op: op.text, left: value, right: this.operand() };
          }
          update.set.push({ path, value });
        } else {
          update.remove.push(this.path());
        }
      } while (this.peek()?.text === ',' && this.next());
    }
    return update;
  }
}

const parsed = new Map<string, Condition | Update>();
export function parseCondition(expression: string): Condition {
  let ast = parsed.get(`C${expression}`) as Condition | undefined;
  if (!ast) {
    const parser = new Parser(tokenize(expression), expression);
    ast = parser.condition();
    parser.done();
    parsed.set(`C${expression}`, ast);
  }
  return ast;
}
export function parseUpdate(expression: string): Update {
  let ast = parsed.get(`U${expression}`) as Update | undefined;
  if (!ast) {
    ast = new Parser(tokenize(expression), expression).update();
    parsed.set(`U${expression}`, ast);
  }
  return ast;
}

export interface Scope {
  names: Names;
  values: Values;
}

export function segmentName(segment: string, scope: Scope): string {
  if (!segment.startsWith('#')) return segment;
  const name = scope.names?.[segment];
  if (name === undefined) throw new ValidationException(`ExpressionAttributeNames has no ${segment}`);
  return name;
}

function resolvePath(item: Item, path: Path, scope: Scope): Value {
  let current: Value = item;
  for (const segment of path.segments) {
    if (current === null || typeof current !== 'object' || Array.isArray(current)) return undefined;
    current = (current as Item)[segmentName(segment, scope)];
  }
  return current;
}

export function operandValue(item: Item, operand: Operand, scope: Scope): Value {
  switch (operand.kind) {
    case 'path':
      return resolvePath(item, operand.path, scope);
    case 'value': {
      if (!scope.values || !(operand.ref in scope.values))
        throw new ValidationException(`ExpressionAttributeValues has no ${operand.ref}`);
      return scope.values[operand.ref];
    }
    case 'if_not_exists': {
      const current = resolvePath(item, operand.path, scope);
      return current === undefined ? operandValue(item, operand.fallback, scope) : current;
    }
    case 'arith': {
      const left = operandValue(item, operand.left, scope);
      const right = operandValue(item, operand.right, scope);
      if (typeof left !== 'number' || typeof right !== 'number')
        throw new ValidationException('An operand in the update expression has an incorrect data type');
      return operand.op === '+' ? left + right : left - right;
    }
  }
}

/** DynamoDB's type of a document value: comparisons across types are false (`<>` true). */
function typeOf(value: Value): string {
  if (value === null) return 'NULL';
  if (Array.isArray(value)) return 'L';
  if (value instanceof Set) return 'SET';
  if (value instanceof Uint8Array) return 'B';
  return typeof value;
}

function deepEqual(a: Value, b: Value): boolean {
  if (a === b) return true;
  if (typeOf(a) !== typeOf(b) || typeof a !== 'object' || a === null || b === null) return false;
  if (Array.isArray(a)) {
    const other = b as Value[];
    return a.length === other.length && a.every((value, i) => deepEqual(value, other[i]));
  }
  if (a instanceof Set) {
    const other = b as Set<Value>;
    return a.size === other.size && [...a].every((value) => other.has(value));
  }
  const left = Object.keys(a as Item);
  const right = Object.keys(b as Item);
  return (
    left.length === right.length &&
    left.every((key) => key in (b as Item) && deepEqual((a as Item)[key], (b as Item)[key]))
  );
}

/** Orders strings by UTF-8 bytes (DynamoDB's order), numbers numerically; undefined if not comparable. */
export function order(a: Value, b: Value): number | undefined {
  if (typeof a === 'number' && typeof b === 'number') return a - b;
  if (typeof a === 'string' && typeof b === 'string') return compareKeys(a, b);
  return undefined;
}

// biome-ignore lint/suspicious/noControlCharactersInRegex: an ASCII test
const ASCII = /^[\u0000-\u007f]*$/;
export function compareKeys(a: string, b: string): number {
  if (ASCII.test(a) && ASCII.test(b)) return a < b ? -1 : a > b ? 1 : 0;
  return Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8'));
}

export function evaluate(item: Item, condition: Condition, scope: Scope): boolean {
  switch (condition.kind) {
    case 'and':
      return evaluate(item, condition.left, scope) && evaluate(item, condition.right, scope);
    case 'or':
      return evaluate(item, condition.left, scope) || evaluate(item, condition.right, scope);
    case 'not':
      return !evaluate(item, condition.inner, scope);
    case 'exists':
      return resolvePath(item, condition.path, scope) !== undefined;
    case 'not_exists':
      return resolvePath(item, condition.path, scope) === undefined;
    case 'begins_with': {
      const subject = operandValue(item, condition.subject, scope);
      const prefix = operandValue(item, condition.prefix, scope);
      return typeof subject === 'string' && typeof prefix === 'string' && subject.startsWith(prefix);
    }
    case 'between': {
      const subject = operandValue(item, condition.subject, scope);
      const low = order(subject, operandValue(item, condition.low, scope));
      const high = order(subject, operandValue(item, condition.high, scope));
      return low !== undefined && high !== undefined && low >= 0 && high <= 0;
    }
    case 'compare': {
      const left = operandValue(item, condition.left, scope);
      const right = operandValue(item, condition.right, scope);
      // A missing attribute is unequal to everything and not ordered against anything (as DynamoDB).
      if (left === undefined || right === undefined) return condition.op === '<>';
      if (condition.op === '=') return deepEqual(left, right);
      if (condition.op === '<>') return !deepEqual(left, right);
      const sign = order(left, right);
      if (sign === undefined) return false;
      switch (condition.op) {
        case '<':
          return sign < 0;
        case '<=':
          return sign <= 0;
        case '>':
          return sign > 0;
        case '>=':
          return sign >= 0;
      }
      throw new UnsupportedExpression(`comparison ${condition.op}`);
    }
  }
}

export function applyUpdate(item: Item, update: Update, scope: Scope, keyNames: string[]): Item {
  // Every operand reads the item as it was before the update, as in DynamoDB.
  const assignments = update.set.map(({ path, value }) => ({
    path,
    value: operandValue(item, value, scope),
  }));
  // The item's members are shared, never changed: the maps on an updated path are copied instead.
  const next: Item = { ...item };
  const copied: Item[] = [];
  const own = (parent: Item, name: string): Item => {
    const child = { ...(parent[name] as Item) };
    parent[name] = child;
    copied.push(child);
    return child;
  };
  for (const { path, value } of assignments) {
    const names = path.segments.map((s) => segmentName(s, scope));
    if (names.length === 1 && keyNames.includes(names[0] as string))
      throw new ValidationException(`Cannot update attribute ${names[0]}: it is part of the key`);
    let parent: Item = next;
    for (const name of names.slice(0, -1)) {
      const child = parent[name];
      if (child === null || typeof child !== 'object' || Array.isArray(child) || child instanceof Set)
        throw new ValidationException(
          'The document path provided in the update expression is invalid for update',
        );
      parent = own(parent, name);
    }
    parent[names[names.length - 1] as string] = stored(value);
  }
  for (const path of update.remove) {
    const names = path.segments.map((s) => segmentName(s, scope));
    let parent: Item | undefined = next;
    for (const name of names.slice(0, -1)) {
      const child: Value = parent?.[name];
      parent =
        child && typeof child === 'object' && !Array.isArray(child) ? own(parent as Item, name) : undefined;
    }
    if (parent) delete parent[names[names.length - 1] as string];
  }
  for (const map of copied.reverse()) seal(map);
  seal(next);
  return next;
}

/** A copy without `undefined` members, as the document client's `removeUndefinedValues` stores it. */
export function copy(value: Value): Value {
  if (value === null || typeof value !== 'object') return value;
  if (value instanceof Set) return new Set(value);
  if (value instanceof Uint8Array) return new Uint8Array(value);
  // Loops rather than entries/filter/map: this runs for every member of every item written.
  if (Array.isArray(value)) {
    const result: Value[] = [];
    for (const member of value) if (member !== undefined) result.push(copy(member));
    return result;
  }
  const result: Item = {};
  for (const key of Object.keys(value)) {
    const member = (value as Item)[key];
    if (member !== undefined) result[key] = copy(member);
  }
  return result;
}

/**
 * Values the table holds are frozen and handed to readers as they are: copying every item out of
 * every read was the memory table's largest cost, and a frozen item cannot be changed behind the
 * table's back by a reader. Sets and binary cannot be frozen, so a value holding one stays unfrozen
 * and is copied for each reader (`shared`). Only the table freezes what it stores.
 */
const isSealed = (value: Value) => value === null || typeof value !== 'object' || Object.isFrozen(value);

function seal<T extends object>(value: T): T {
  for (const key of Object.keys(value)) if (!isSealed((value as Item)[key])) return value;
  return Object.freeze(value);
}

/** A value as the table stores it: copied without `undefined` members, frozen where it can be. */
export function stored(value: Value): Value {
  if (value === null || typeof value !== 'object') return value;
  if (value instanceof Set) return new Set(value);
  if (value instanceof Uint8Array) return new Uint8Array(value);
  let sealable = true;
  if (Array.isArray(value)) {
    const result: Value[] = [];
    for (const member of value)
      if (member !== undefined) {
        const kept = stored(member);
        sealable &&= isSealed(kept);
        result.push(kept);
      }
    return sealable ? Object.freeze(result) : result;
  }
  const result: Item = {};
  for (const key of Object.keys(value)) {
    const member = (value as Item)[key];
    if (member === undefined) continue;
    const kept = stored(member);
    sealable &&= isSealed(kept);
    result[key] = kept;
  }
  return sealable ? Object.freeze(result) : result;
}

/** A stored value as a reader gets it: itself when frozen, else a copy. */
export function shared(value: Value): Value {
  return isSealed(value) ? value : copy(value);
}
