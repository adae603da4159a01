import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { renderSchemas } from '../../functions/catalog/schemas.ts';
import { SHOP_EVENT_TYPES } from '../../functions/core/events.ts';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const schemasDir = path.join(root, 'schemas');

async function listFiles(dir: string, prefix = ''): Promise<string[]> {
  const out: string[] = [];
  for (const e of await readdir(dir, { withFileTypes: true })) {
    if (e.isDirectory()) out.push(...(await listFiles(path.join(dir, e.name), `${prefix}${e.name}/`)));
    else out.push(`${prefix}${e.name}`);
  }
  return out.sort();
}

describe('committed schemas', () => {
  const generated = renderSchemas();

  it('are exactly what the code generates (run `npm run schemas` after changing a zod schema)', async () => {
    expect(await listFiles(schemasDir)).toEqual([...generated.keys()].sort());
    for (const [rel, content] of generated) {
      expect(await readFile(path.join(schemasDir, rel), 'utf8'), `schemas/${rel} is stale`).toBe(content);
    }
  });

  it('cover every shop event', () => {
    for (const type of SHOP_EVENT_TYPES) expect(generated.has(`events/${type}.schema.json`)).toBe(true);
  });
});

type Schema = Record<string, unknown>;

/**
 * A small structural JSON Schema validator: type, enum, required, properties, additionalProperties,
 * propertyNames, items, minItems, pattern, minimum/maximum, anyOf and local $refs. Enough to check that
 * the exported schema accepts real definitions and rejects structurally wrong ones.
 */
function validate(schema: Schema, value: unknown, rootSchema: Schema = schema, at = ''): string[] {
  if (typeof schema.$ref === 'string') {
    const target = schema.$ref
      .replace(/^#\//, '')
      .split('/')
      .reduce<unknown>((s, k) => (s as Schema)[k], rootSchema) as Schema;
    return validate(target, value, rootSchema, at);
  }
  const errors: string[] = [];
  const where = at || '(root)';
  if (Array.isArray(schema.anyOf)) {
    const ok = (schema.anyOf as Schema[]).some((s) => validate(s, value, rootSchema, at).length === 0);
    if (!ok) errors.push(`${where}: matches no alternative`);
  }
  if (schema.type !== undefined) {
    const types = Array.isArray(schema.type) ? schema.type : [schema.type];
    const actual = Array.isArray(value)
      ? 'array'
      : value === null
        ? 'null'
        : typeof value === 'number' && Number.isInteger(value) && types.includes('integer')
          ? 'integer'
          : typeof value;
    if (!types.includes(actual)) return [...errors, `${where}: expected ${types.join('|')}, got ${actual}`];
  }
  if (Array.isArray(schema.enum) && !schema.enum.includes(value)) errors.push(`${where}: not in enum`);
  if (
    typeof value === 'string' &&
    typeof schema.pattern === 'string' &&
    !new RegExp(schema.pattern).test(value)
  ) {
    errors.push(`${where}: does not match ${schema.pattern}`);
  }
  if (typeof value === 'number') {
    if (typeof schema.minimum === 'number' && value < schema.minimum) errors.push(`${where}: below minimum`);
    if (typeof schema.maximum === 'number' && value > schema.maximum) errors.push(`${where}: above maximum`);
  }
  if (Array.isArray(value)) {
    if (typeof schema.minItems === 'number' && value.length < schema.minItems)
      errors.push(`${where}: too few items`);
    const items = schema.items as Schema | undefined;
    if (items) value.forEach((v, i) => void errors.push(...validate(items, v, rootSchema, `${at}.${i}`)));
  }
  if (typeof value === 'object' && value !== null && !Array.isArray(value)) {
    const obj = value as Record<string, unknown>;
    const props = (schema.properties ?? {}) as Record<string, Schema>;
    for (const key of (schema.required ?? []) as string[]) {
      if (!(key in obj)) errors.push(`${at ? `${at}.` : ''}${key}: required`);
    }
    for (const [key, v] of Object.entries(obj)) {
      const sub = at ? `${at}.${key}` : key;
      if (schema.propertyNames)
        errors.push(...validate(schema.propertyNames as Schema, key, rootSchema, `${sub}(key)`));
      if (props[key]) errors.push(...validate(props[key], v, rootSchema, sub));
      else if (schema.additionalProperties === false) errors.push(`${sub}: not allowed`);
      else if (typeof schema.additionalProperties === 'object') {
        errors.push(...validate(schema.additionalProperties as Schema, v, rootSchema, sub));
      }
    }
  }
  return errors;
}

describe('journey.schema.json', () => {
  const load = async () =>
    JSON.parse(await readFile(path.join(schemasDir, 'journey.schema.json'), 'utf8')) as Schema;
  const onboarding = async () =>
    parse(await readFile(path.join(root, 'journeys/onboarding.yaml'), 'utf8')) as Schema;

  it('is draft 2020-12 and requires exactly the fields without defaults', async () => {
    const schema = await load();
    expect(schema.$schema).toBe('https://json-schema.org/draft/2020-12/schema');
    expect([...(schema.required as string[])].sort()).toEqual(['id', 'messages', 'name', 'steps', 'trigger']);
    expect(Object.keys(schema.$defs as Schema).sort()).toEqual(['Condition', 'Step']);
  });

  it('accepts the shipped onboarding journey and the reordered fixture', async () => {
    const schema = await load();
    expect(validate(schema, await onboarding())).toEqual([]);
    const reordered = parse(
      await readFile(path.join(root, 'test/fixtures/journeys-reordered/onboarding.yml'), 'utf8'),
    ) as Schema;
    expect(validate(schema, reordered)).toEqual([]);
  });

  it('rejects structurally wrong definitions', async () => {
    const schema = await load();
    const { steps: _, ...noSteps } = await onboarding();
    expect(validate(schema, noSteps)).toContain('steps: required');
    expect(validate(schema, { ...(await onboarding()), colour: 'red' })).toContain('colour: not allowed');
    expect(validate(schema, { ...(await onboarding()), steps: [{ branch: {} }] })).toContain(
      'steps.0: matches no alternative',
    );
    // The trigger is one of several shapes (event, anyOf, inactivity, anniversary).
    expect(validate(schema, { ...(await onboarding()), trigger: { event: 'order.shipped' } })).toContain(
      'trigger: matches no alternative',
    );
  });
});

describe('event schemas', () => {
  it('require the bold fields of DESIGN.md §5', async () => {
    const required = async (type: string) =>
      (JSON.parse(await readFile(path.join(schemasDir, `events/${type}.schema.json`), 'utf8')) as Schema)
        .required;
    expect(await required('order.placed')).toEqual(['orderId', 'customerId', 'placedAt', 'total']);
    expect(await required('customer.registered')).toEqual([
      'customerId',
      'email',
      'locale',
      'marketingConsent',
    ]);
    expect(await required('feedback.submitted')).toEqual(['customerId', 'score']);
  });
});
