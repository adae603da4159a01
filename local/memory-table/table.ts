/**
 * An in-process table that answers the DynamoDB document-client commands the stores send
 * (Get, BatchGet, Put, Update, Delete, Query, TransactWrite) with DynamoDB's semantics: conditional writes,
 * all-or-nothing transactions with per-item cancellation reasons, key-condition queries in sort-key
 * order, the sparse timer index, copies in and out.
 *
 * Why it exists: `journeys simulate --store memory` runs large what-if simulations (a thousand
 * customers over months) in seconds. On two cores DynamoDB Local plus the SDK's HTTP round trips cost
 * about 2.5 ms of CPU per request and a simulated customer needs ~90 requests; here a request costs
 * microseconds. The stores' own code (every key, condition and transaction) runs unchanged on top,
 * so only DynamoDB itself is stood in for, and `test/integration/memory-table.test.ts` holds this
 * table to DynamoDB Local's answers for every expression the stores use. Integration tests and the
 * default simulator keep running against DynamoDB Local.
 *
 * Anything outside the supported subset throws an `UnsupportedExpression` error naming it, instead of
 * guessing.
 */

import type { CreateTableCommandInput } from '@aws-sdk/client-dynamodb';
import { ConditionalCheckFailedException, TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import {
  BatchGetCommand,
  DeleteCommand,
  GetCommand,
  PutCommand,
  QueryCommand,
  TransactWriteCommand,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import { UnsupportedExpression } from '../errors.ts';

type Value = unknown;
type Item = Record<string, Value>;
type Names = Record<string, string> | undefined;
type Values = Record<string, Value> | undefined;

/** DynamoDB's own client-side error for a malformed request. */
class ValidationException extends Error {
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
type Condition =
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
function parseCondition(expression: string): Condition {
  let ast = parsed.get(`C${expression}`) as Condition | undefined;
  if (!ast) {
    const parser = new Parser(tokenize(expression), expression);
    ast = parser.condition();
    parser.done();
    parsed.set(`C${expression}`, ast);
  }
  return ast;
}
function parseUpdate(expression: string): Update {
  let ast = parsed.get(`U${expression}`) as Update | undefined;
  if (!ast) {
    ast = new Parser(tokenize(expression), expression).update();
    parsed.set(`U${expression}`, ast);
  }
  return ast;
}

interface Scope {
  names: Names;
  values: Values;
}

function segmentName(segment: string, scope: Scope): string {
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

function operandValue(item: Item, operand: Operand, scope: Scope): Value {
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
function order(a: Value, b: Value): number | undefined {
  if (typeof a === 'number' && typeof b === 'number') return a - b;
  if (typeof a === 'string' && typeof b === 'string') return compareKeys(a, b);
  return undefined;
}

// biome-ignore lint/suspicious/noControlCharactersInRegex: an ASCII test
const ASCII = /^[\u0000-\u007f]*$/;
function compareKeys(a: string, b: string): number {
  if (ASCII.test(a) && ASCII.test(b)) return a < b ? -1 : a > b ? 1 : 0;
  return Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8'));
}

function evaluate(item: Item, condition: Condition, scope: Scope): boolean {
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

function applyUpdate(item: Item, update: Update, scope: Scope, keyNames: string[]): Item {
  // Every operand reads the item as it was before the update, as in DynamoDB.
  const assignments = update.set.map(({ path, value }) => ({
    path,
    value: operandValue(item, value, scope),
  }));
  const next = copy(item) as Item;
  for (const { path, value } of assignments) {
    const names = path.segments.map((s) => segmentName(s, scope));
    if (names.length === 1 && keyNames.includes(names[0] as string))
      throw new ValidationException(`Cannot update attribute ${names[0]}: it is part of the key`);
    let parent: Item = next;
    for (const name of names.slice(0, -1)) {
      const child = parent[name];
      if (child === null || typeof child !== 'object' || Array.isArray(child))
        throw new ValidationException(
          'The document path provided in the update expression is invalid for update',
        );
      parent = child as Item;
    }
    parent[names[names.length - 1] as string] = copy(value);
  }
  for (const path of update.remove) {
    const names = path.segments.map((s) => segmentName(s, scope));
    let parent: Value = next;
    for (const name of names.slice(0, -1)) parent = (parent as Item | undefined)?.[name];
    if (parent && typeof parent === 'object') delete (parent as Item)[names[names.length - 1] as string];
  }
  return next;
}

/** A copy without `undefined` members, as the document client's `removeUndefinedValues` stores it. */
function copy(value: Value): Value {
  if (value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) return value.filter((v) => v !== undefined).map(copy);
  if (value instanceof Set) return new Set(value);
  if (value instanceof Uint8Array) return new Uint8Array(value);
  const result: Item = {};
  for (const [key, member] of Object.entries(value)) if (member !== undefined) result[key] = copy(member);
  return result;
}

// ---------------------------------------------------------------------------------------------------
// Tables
// ---------------------------------------------------------------------------------------------------

interface TableShape {
  partitionKey: string;
  sortKey: string;
  indexes: Map<string, { partitionKey: string; sortKey: string | undefined }>;
}

class Table {
  /** Partition key value → sort key value → item. */
  readonly partitions = new Map<string, Map<string, Item>>();
  constructor(readonly shape: TableShape) {}

  keyOf(key: Item): [string, string] {
    const pk = key[this.shape.partitionKey];
    const sk = key[this.shape.sortKey];
    if (typeof pk !== 'string' || typeof sk !== 'string')
      throw new ValidationException(
        `The provided key element does not match the schema (${this.shape.partitionKey}, ${this.shape.sortKey})`,
      );
    return [pk, sk];
  }
  get(key: Item): Item | undefined {
    const [pk, sk] = this.keyOf(key);
    return this.partitions.get(pk)?.get(sk);
  }
  put(item: Item): void {
    const [pk, sk] = this.keyOf(item);
    let partition = this.partitions.get(pk);
    if (!partition) {
      partition = new Map();
      this.partitions.set(pk, partition);
    }
    partition.set(sk, item);
  }
  delete(key: Item): void {
    const [pk, sk] = this.keyOf(key);
    const partition = this.partitions.get(pk);
    partition?.delete(sk);
    if (partition?.size === 0) this.partitions.delete(pk);
  }
}

/** The key condition's equality on the partition key, to go straight to one partition. */
function partitionValue(condition: Condition, attribute: string, scope: Scope): Value {
  if (condition.kind === 'and')
    return (
      partitionValue(condition.left, attribute, scope) ?? partitionValue(condition.right, attribute, scope)
    );
  if (
    condition.kind === 'compare' &&
    condition.op === '=' &&
    condition.left.kind === 'path' &&
    condition.left.path.segments.length === 1 &&
    segmentName(condition.left.path.segments[0] as string, scope) === attribute
  )
    return operandValue({}, condition.right, scope);
  return undefined;
}

type Write =
  | { kind: 'put'; table: Table; item: Item }
  | { kind: 'delete'; table: Table; key: Item }
  | { kind: 'check'; table: Table; key: Item };

function apply(write: Write): void {
  if (write.kind === 'put') write.table.put(write.item);
  else if (write.kind === 'delete') write.table.delete(write.key);
}

type TransactItem = NonNullable<TransactWriteCommand['input']['TransactItems']>[number];
type Conditional = {
  ConditionExpression?: string | undefined;
  ExpressionAttributeNames?: Names;
  ExpressionAttributeValues?: Values;
};

const conditionFailed = () =>
  new ConditionalCheckFailedException({ message: 'The conditional request failed', $metadata: {} });

/**
 * Speaks the document client's `send` for the commands above. Tables are created from the same
 * `CreateTableInput` as the deployed one (`createTable`); an unknown table is an error, as in DynamoDB.
 */
export class MemoryTables {
  private readonly tables = new Map<string, Table>();

  createTable(input: CreateTableCommandInput): void {
    const key = (schema: CreateTableCommandInput['KeySchema'], type: 'HASH' | 'RANGE') =>
      schema?.find((k) => k.KeyType === type)?.AttributeName;
    const partitionKey = key(input.KeySchema, 'HASH');
    const sortKey = key(input.KeySchema, 'RANGE');
    if (!input.TableName || !partitionKey || !sortKey)
      throw new ValidationException('a memory table needs a name, a partition key and a sort key');
    const indexes = new Map(
      (input.GlobalSecondaryIndexes ?? []).map((index) => [
        index.IndexName as string,
        {
          partitionKey: key(index.KeySchema, 'HASH') as string,
          sortKey: key(index.KeySchema, 'RANGE'),
        },
      ]),
    );
    this.tables.set(input.TableName, new Table({ partitionKey, sortKey, indexes }));
  }

  private table(name: string | undefined): Table {
    const table = name === undefined ? undefined : this.tables.get(name);
    if (!table)
      throw Object.assign(new Error(`Cannot do operations on a non-existent table: ${name}`), {
        name: 'ResourceNotFoundException',
      });
    return table;
  }

  // biome-ignore lint/suspicious/noExplicitAny: the document client's overloaded `send`, answered by command class
  async send(command: any): Promise<any> {
    // Yield once like a network call would, so concurrent work interleaves as it does against a server.
    await Promise.resolve();
    if (command instanceof GetCommand) {
      const item = this.table(command.input.TableName).get(command.input.Key as Item);
      return { Item: item ? copy(item) : undefined };
    }
    if (command instanceof BatchGetCommand) return this.batchGet(command.input);
    if (command instanceof PutCommand) return this.single({ Put: command.input });
    if (command instanceof DeleteCommand) return this.single({ Delete: command.input });
    if (command instanceof UpdateCommand) {
      const { ReturnValues, UpdateExpression, ...rest } = command.input;
      if (ReturnValues && ReturnValues !== 'NONE')
        throw new UnsupportedExpression(`ReturnValues ${ReturnValues} is not supported`);
      if (!UpdateExpression) throw new UnsupportedExpression('an update needs an UpdateExpression');
      return this.single({ Update: { ...rest, UpdateExpression } });
    }
    if (command instanceof QueryCommand) return this.query(command.input);
    if (command instanceof TransactWriteCommand) return this.transact(command.input.TransactItems ?? []);
    throw new UnsupportedExpression(`${command?.constructor?.name ?? 'this command'} is not supported`);
  }

  /** A single conditional write: a transaction of one, failing with the single-item error. */
  private single(entry: TransactItem): Record<string, never> {
    const { write, passed } = this.plan(entry);
    if (!passed) throw conditionFailed();
    apply(write);
    return {};
  }

  /** Whether the request's condition holds for the item at `key` (a missing item is `{}`). */
  private holds(table: Table, key: Item, request: Conditional): boolean {
    if (!request.ConditionExpression) return true;
    return evaluate(table.get(key) ?? {}, parseCondition(request.ConditionExpression), {
      names: request.ExpressionAttributeNames,
      values: request.ExpressionAttributeValues,
    });
  }

  /** What one write would do and whether its condition holds; nothing is changed yet. */
  private plan(entry: TransactItem): { write: Write; passed: boolean } {
    if (entry.Put) {
      const table = this.table(entry.Put.TableName);
      const item = entry.Put.Item as Item;
      return {
        write: { kind: 'put', table, item: copy(item) as Item },
        passed: this.holds(table, item, entry.Put),
      };
    }
    if (entry.Delete) {
      const table = this.table(entry.Delete.TableName);
      const key = entry.Delete.Key as Item;
      return { write: { kind: 'delete', table, key }, passed: this.holds(table, key, entry.Delete) };
    }
    if (entry.ConditionCheck) {
      const table = this.table(entry.ConditionCheck.TableName);
      const key = entry.ConditionCheck.Key as Item;
      return { write: { kind: 'check', table, key }, passed: this.holds(table, key, entry.ConditionCheck) };
    }
    if (entry.Update) {
      const table = this.table(entry.Update.TableName);
      const key = entry.Update.Key as Item;
      if (!this.holds(table, key, entry.Update))
        return { write: { kind: 'check', table, key }, passed: false };
      if (!entry.Update.UpdateExpression)
        throw new UnsupportedExpression('an update needs an UpdateExpression');
      const scope = {
        names: entry.Update.ExpressionAttributeNames,
        values: entry.Update.ExpressionAttributeValues,
      };
      const item = applyUpdate(
        table.get(key) ?? (copy(key) as Item),
        parseUpdate(entry.Update.UpdateExpression),
        scope,
        [table.shape.partitionKey, table.shape.sortKey],
      );
      return { write: { kind: 'put', table, item }, passed: true };
    }
    throw new ValidationException('a transaction item needs Put, Update, Delete or ConditionCheck');
  }

  /** Every key answered at once (nothing left unprocessed: there is no throttling here). */
  private batchGet(input: BatchGetCommand['input']): {
    Responses: Record<string, Item[]>;
    UnprocessedKeys: Record<string, never>;
  } {
    const requests = Object.entries(input.RequestItems ?? {});
    const total = requests.reduce((n, [, request]) => n + (request.Keys?.length ?? 0), 0);
    if (total === 0 || total > 100)
      throw new ValidationException('Too many items requested for the BatchGetItem call');
    const Responses: Record<string, Item[]> = {};
    for (const [name, request] of requests) {
      const table = this.table(name);
      const seen = new Set<string>();
      for (const key of request.Keys ?? []) {
        const id = JSON.stringify(table.keyOf(key as Item));
        if (seen.has(id)) throw new ValidationException('Provided list of item keys contains duplicates');
        seen.add(id);
      }
      const scope = { names: request.ExpressionAttributeNames, values: undefined };
      const project = request.ProjectionExpression
        ? request.ProjectionExpression.split(',').map((name) => segmentName(name.trim(), scope))
        : undefined;
      Responses[name] = (request.Keys ?? []).flatMap((key) => {
        const item = table.get(key as Item);
        if (!item) return [];
        if (!project) return [copy(item) as Item];
        return [
          Object.fromEntries(
            project.filter((field) => item[field] !== undefined).map((field) => [field, copy(item[field])]),
          ),
        ];
      });
    }
    return { Responses, UnprocessedKeys: {} };
  }

  private query(input: QueryCommand['input']): { Items: Item[]; Count: number; LastEvaluatedKey?: Item } {
    const table = this.table(input.TableName);
    if (!input.KeyConditionExpression) throw new ValidationException('Query needs a KeyConditionExpression');
    if (input.FilterExpression) throw new UnsupportedExpression('FilterExpression is not supported');
    const scope = { names: input.ExpressionAttributeNames, values: input.ExpressionAttributeValues };
    const condition = parseCondition(input.KeyConditionExpression);
    const index = input.IndexName ? table.shape.indexes.get(input.IndexName) : undefined;
    if (input.IndexName && !index)
      throw new ValidationException(`The table does not have the specified index: ${input.IndexName}`);
    const hashKey = index ? index.partitionKey : table.shape.partitionKey;
    const rangeKey = index ? index.sortKey : table.shape.sortKey;
    const hash = partitionValue(condition, hashKey, scope);
    if (hash === undefined)
      throw new ValidationException(`Query condition missed key schema element: ${hashKey}`);
    // The base table goes to one partition; the sparse index looks at the items that carry its key.
    const candidates = index
      ? [...table.partitions.values()].flatMap((p) => [...p.values()]).filter((i) => i[hashKey] !== undefined)
      : [...(table.partitions.get(String(hash))?.values() ?? [])];
    const matching = candidates.filter((item) => evaluate(item, condition, scope));
    // Sort key order. An index may repeat sort keys; DynamoDB leaves their order open, here it is the table's key.
    matching.sort(
      (a, b) =>
        (rangeKey ? (order(a[rangeKey], b[rangeKey]) ?? 0) : 0) ||
        compareKeys(String(a[table.shape.partitionKey]), String(b[table.shape.partitionKey])) ||
        compareKeys(String(a[table.shape.sortKey]), String(b[table.shape.sortKey])),
    );
    if (input.ScanIndexForward === false) matching.reverse();
    let start = 0;
    if (input.ExclusiveStartKey) {
      const [pk, sk] = table.keyOf(input.ExclusiveStartKey as Item);
      start =
        matching.findIndex((i) => i[table.shape.partitionKey] === pk && i[table.shape.sortKey] === sk) + 1;
    }
    const limit = input.Limit ?? Number.POSITIVE_INFINITY;
    const page = matching.slice(start, start + limit);
    // A page that fills its Limit carries LastEvaluatedKey even if nothing follows (DynamoDB cannot tell).
    const more = page.length === limit;
    const last = page[page.length - 1];
    const project = input.ProjectionExpression
      ? input.ProjectionExpression.split(',').map((name) => segmentName(name.trim(), scope))
      : undefined;
    // An index without a projection of everything returns the keys only (the timer index is KEYS_ONLY).
    const keysOnly = index
      ? [
          table.shape.partitionKey,
          table.shape.sortKey,
          index.partitionKey,
          ...(index.sortKey ? [index.sortKey] : []),
        ]
      : undefined;
    const shown = project ?? keysOnly;
    const items = page.map((item) =>
      shown
        ? Object.fromEntries(
            shown.filter((name) => item[name] !== undefined).map((name) => [name, copy(item[name])]),
          )
        : (copy(item) as Item),
    );
    return {
      Items: items,
      Count: items.length,
      ...(more && last
        ? {
            LastEvaluatedKey: Object.fromEntries(
              (keysOnly ?? [table.shape.partitionKey, table.shape.sortKey]).map((k) => [k, last[k]]),
            ),
          }
        : {}),
    };
  }

  private transact(items: TransactItem[]): Record<string, never> {
    if (items.length > 100)
      throw new ValidationException('Member must have length less than or equal to 100');
    const writes: Write[] = [];
    const reasons: { Code: string; Message?: string }[] = [];
    const seen = new Set<string>();
    for (const entry of items) {
      const { write, passed } = this.plan(entry);
      const id = JSON.stringify(write.table.keyOf(write.kind === 'put' ? write.item : write.key));
      if (seen.has(id))
        throw new ValidationException('Transaction request cannot include multiple operations on one item');
      seen.add(id);
      writes.push(write);
      reasons.push(
        passed
          ? { Code: 'None' }
          : { Code: 'ConditionalCheckFailed', Message: 'The conditional request failed' },
      );
    }
    if (reasons.some((r) => r.Code !== 'None')) {
      throw new TransactionCanceledException({
        message: `Transaction cancelled, please refer cancellation reasons for specific reasons [${reasons.map((r) => r.Code).join(', ')}]`,
        $metadata: {},
        CancellationReasons: reasons,
      });
    }
    for (const write of writes) apply(write);
    return {};
  }
}
