/**
 * Hostile input for the Shopify mapping: arbitrary JSON and mutated real samples for every topic.
 * Never a throw; every case is accepted with contract-valid events (or an ignore reason), or rejected
 * with `field: problem` reasons.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { SHOPIFY_TOPICS, type ShopifyEnvelope } from '../../../functions/connectors/shopify/index.ts';
import type { TranslationResult } from '../../../functions/connectors/translation.ts';
import { parseShopEvent } from '../../../functions/core/events.ts';
import { envelope, fixtureNames, LOOKED_UP, translate } from './shopify-helpers.ts';

const TOPICS = [...Object.keys(SHOPIFY_TOPICS), 'products/create', '__proto__', 'constructor'];
const SAMPLES = fixtureNames().map((name) => envelope(name).detail.payload);
const ERROR = /^[A-Za-z_(][\w.\-()/ ]*: \S/;

/** Paths to every value of a sample (objects and arrays included), for the mutations to aim at. */
function paths(value: unknown, prefix: (string | number)[] = [], out: (string | number)[][] = []) {
  if (prefix.length) out.push(prefix);
  if (Array.isArray(value)) {
    for (const [i, v] of value.entries()) paths(v, [...prefix, i], out);
  } else if (typeof value === 'object' && value !== null)
    for (const [k, v] of Object.entries(value)) paths(v, [...prefix, k], out);
  return out;
}
/** Keys the mapping reads: mutations aim at these half the time, or a bug in one field hides. */
const READ = new Set([
  'id',
  'admin_graphql_api_id',
  'email',
  'first_name',
  'locale',
  'country_code',
  'state',
  'created_at',
  'updated_at',
  'processed_at',
  'customer',
  'customer_id',
  'email_marketing_consent',
  'consent_updated_at',
  'buyer_accepts_marketing',
  'currency',
  'total_price',
  'line_items',
  'sku',
  'name',
  'title',
  'quantity',
  'price',
  'variant_id',
  'product_id',
  'discount_codes',
  'code',
  'order_id',
  'shipment_status',
  'transactions',
  'kind',
  'status',
  'amount',
  'currency_code',
]);
const SAMPLE_PATHS = SAMPLES.map((s) => paths(s));
/** Per sample, the read keys it has and their paths: a key is picked first, so rare keys get their turn. */
const READ_PATHS = SAMPLE_PATHS.map((all) => {
  const byKey = new Map<string, (string | number)[][]>();
  for (const p of all) {
    const key = String(p[p.length - 1]);
    if (READ.has(key)) byKey.set(key, [...(byKey.get(key) ?? []), p]);
  }
  return [...byKey.values()];
});
const SAMPLE_TOPICS = fixtureNames().map(
  (name) => envelope(name).detail.metadata['X-Shopify-Topic'] as string,
);

const DEEP = '<<2000 levels of nesting>>';
const MANY_ITEMS = '<<5000 line items>>';

function expand(value: unknown): unknown {
  if (value === DEEP) return deep(2000);
  if (value === MANY_ITEMS)
    return Array.from({ length: 5000 }, (_, i) => ({ sku: `S${i}`, quantity: 1, price: '1.00', id: i }));
  return structuredClone(value);
}

function deep(levels: number): unknown {
  let at: unknown = { leaf: 1 };
  for (let i = 0; i < levels; i++) at = { nested: at, id: 1 };
  return at;
}

/** What a mutation puts at a path. */
const replacement = fc.oneof(
  fc.jsonValue({ maxDepth: 3 }),
  fc.string({ minLength: 201, maxLength: 400 }),
  fc.constantFrom(
    2 ** 53 + 2,
    Number.MAX_SAFE_INTEGER * 91,
    -1,
    1.5,
    1e308,
    -0,
    '',
    '   ',
    'x'.repeat(100_000),
    '😀'.repeat(3000),
    'gid://shopify/Customer/1',
    'gid://shopify/Order/99999999999999999999999',
    'subscribed',
    'delivered',
    '2026-03-02T08:00:00Z',
    '9999-12-31T23:59:59Z',
    'EUR',
    'XXX',
    '99999999999999.99',
    true,
    null,
    [],
    {},
  ),
  fc.constant(
    JSON.parse('{"__proto__": {"admin_graphql_api_id": "gid://shopify/Customer/1", "email": "a@b.c"}}'),
  ),
  fc.constant(JSON.parse('{"constructor": {"prototype": {"polluted": true}}, "id": 1}')),
  // Stand-ins expanded by `mutate`: fast-check's report of a counterexample could not print them.
  fc.constantFrom(DEEP, MANY_ITEMS),
);

// Unbiased positions: fast-check's small-number bias would keep hitting the first path of each key.
const mutation = fc.record({
  at: fc.noBias(fc.nat()),
  pick: fc.noBias(fc.nat()),
  read: fc.boolean(),
  op: fc.constantFrom('delete', 'replace', 'replace', 'replace', 'proto', 'constructor'),
  value: replacement,
});

function mutate(
  sample: number,
  mutations: { at: number; pick: number; read: boolean; op: string; value: unknown }[],
): unknown {
  const payload = structuredClone(SAMPLES[sample]) as Record<string, unknown>;
  for (const { at, pick, read, op, value: shared } of mutations) {
    const keyed = READ_PATHS[sample] ?? [];
    const all = (read ? keyed[at % Math.max(1, keyed.length)] : SAMPLE_PATHS[sample]) ?? [];
    // The generators' constants are shared between cases: later mutations must not edit them.
    const value = expand(shared);
    const path = all[(read ? pick : at) % Math.max(1, all.length)] ?? [];
    let parent: unknown = payload;
    for (const key of path.slice(0, -1))
      parent = (parent as Record<string | number, unknown> | undefined)?.[key];
    if (typeof parent !== 'object' || parent === null) continue;
    const key = path[path.length - 1] ?? 'id';
    const target = parent as Record<string | number, unknown>;
    if (op === 'delete') delete target[key];
    else if (op === 'replace') target[key] = value;
    // Own properties named like the prototype's, as JSON.parse makes them.
    else
      Object.defineProperty(target, op === 'proto' ? '__proto__' : 'constructor', {
        value,
        enumerable: true,
        configurable: true,
        writable: true,
      });
  }
  return payload;
}

function shopifyEnvelope(
  topic: string,
  payload: unknown,
  headerCase: 'as-is' | 'lower' | 'upper',
): ShopifyEnvelope {
  const name = (h: string) =>
    headerCase === 'lower' ? h.toLowerCase() : headerCase === 'upper' ? h.toUpperCase() : h;
  return {
    source: 'aws.partner/shopify.com/1830279/fuzz',
    detailType: 'shopifyWebhook',
    time: '2026-03-02T08:00:00Z',
    detail: {
      payload,
      metadata: {
        [name('X-Shopify-Topic')]: topic,
        [name('X-Shopify-Webhook-Id')]: 'fuzz-delivery',
        [name('X-Shopify-Triggered-At')]: '2026-03-02T08:00:00.000000Z',
      },
    },
  };
}

/** The property every case must hold. */
function check(result: TranslationResult): void {
  if (!result.ok) {
    expect(result.errors.length).toBeGreaterThan(0);
    for (const error of result.errors) {
      expect(error).toMatch(ERROR);
      // The mappings check what they emit themselves: the translator's contract net (errors named
      // after the canonical event, `order.placed.…`) catching something means a mapping missed a rule.
      expect(error).not.toMatch(/^(customer|order|feedback)\./);
    }
    expect(result.platform).toBe('shopify');
    return;
  }
  const { events, orders, ignored } = result.translation;
  if (!events.length) expect(ignored).toMatch(/\S/);
  for (const event of events) {
    const detail = event.customerOf ? { ...event.detail, customerId: LOOKED_UP } : event.detail;
    const parsed = parseShopEvent({
      id: 'fuzz',
      source: 'shopify',
      detailType: event.detailType,
      time: event.time,
      detail,
    });
    expect(parsed.ok ? [] : parsed.errors).toEqual([]);
  }
  for (const order of orders) {
    expect(order.orderId).toMatch(/^gid:\/\/shopify\/Order\/\d+$/);
    expect(order.customerId).toMatch(/^gid:\/\/shopify\/Customer\/\d+$/);
  }
  // Nothing leaks onto Object.prototype from `__proto__` / `constructor` keys.
  expect(({} as Record<string, unknown>).polluted).toBeUndefined();
}

const headerCase = fc.constantFrom('as-is' as const, 'lower' as const, 'upper' as const);

describe('Shopify mapping under hostile input', () => {
  it('arbitrary JSON payloads, every topic: never throws; accepted and contract-valid, or rejected with reasons', () => {
    const payload = fc.oneof(
      fc.jsonValue(),
      fc.dictionary(
        fc.constantFrom(
          'id',
          'admin_graphql_api_id',
          'email',
          'customer',
          'line_items',
          'order_id',
          'transactions',
          'shipment_status',
          'customer_id',
          'email_marketing_consent',
          'currency',
          'total_price',
          'created_at',
          '__proto__',
          'constructor',
        ),
        fc.jsonValue({ maxDepth: 3 }),
      ),
    );
    fc.assert(
      fc.property(fc.constantFrom(...TOPICS), payload, headerCase, (topic, body, hc) => {
        check(translate(shopifyEnvelope(topic, body, hc)));
      }),
      { seed: 42, numRuns: 1000 },
    );
  });

  it('mutated real samples (fields deleted, wrong types, huge numbers, prototype keys, long strings, deep nesting), every topic', () => {
    let accepted = 0;
    let rejected = 0;
    fc.assert(
      fc.property(
        fc.nat({ max: SAMPLES.length - 1 }),
        // Mostly the sample's own topic (so mutations reach the mapping), sometimes any topic.
        fc.oneof(
          { arbitrary: fc.constant(null), weight: 4 },
          { arbitrary: fc.constantFrom(...TOPICS), weight: 1 },
        ),
        fc.array(mutation, { minLength: 0, maxLength: 4 }),
        headerCase,
        (sample, other, mutations, hc) => {
          const topic = other ?? SAMPLE_TOPICS[sample] ?? 'customers/create';
          const result = translate(shopifyEnvelope(topic, mutate(sample, mutations), hc));
          if (result.ok && result.translation.events.length) accepted++;
          if (!result.ok) rejected++;
          check(result);
        },
      ),
      { seed: 42, numRuns: 1000 },
    );
    // The generator reaches both sides: a fuzz run that only ever rejects tests nothing.
    expect(accepted).toBeGreaterThan(50);
    expect(rejected).toBeGreaterThan(50);
  });

  it('mutated envelopes: never throws, rejected naming the envelope field', () => {
    fc.assert(
      fc.property(
        fc.record({
          // Typed as strings, but a replayed or hand-made event may carry anything JSON can.
          detailType: fc.oneof(
            fc.constant('shopifyWebhook'),
            fc.string(),
            fc.jsonValue({ maxDepth: 1 }),
            fc.constant(JSON.parse('{"toString": 1, "valueOf": 2}')),
          ),
          time: fc.oneof(fc.constant('2026-03-02T08:00:00Z'), fc.string(), fc.jsonValue({ maxDepth: 1 })),
          detail: fc.oneof(
            fc.jsonValue(),
            fc.record({
              payload: fc.jsonValue({ maxDepth: 2 }),
              metadata: fc.dictionary(fc.string(), fc.jsonValue({ maxDepth: 1 })),
            }),
          ),
        }),
        (input) => check(translate({ source: 'fuzz', ...input } as ShopifyEnvelope)),
      ),
      { seed: 42, numRuns: 1000 },
    );
  });
});
