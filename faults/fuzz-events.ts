/**
 * The generators of the fuzz row (faults/rows/fuzz.ts): seeded fast-check arbitraries for events an
 * attacker, a broken shop or bad luck could put on the bus, and for requests to the preferences
 * endpoint. Kept apart from the row so the row reads as "deliver, count".
 */
import fc from 'fast-check';
import type { RawEvent } from '../functions/core/events.ts';
import { JOURNEY_EVENT_TYPES, SYSTEM_SOURCE } from '../functions/core/events.ts';
import type { HttpRequest } from '../functions/services/preferences.ts';

export const SHOP_SOURCE = 'shop';
const PROTOTYPE_KEYS = ['constructor', 'toString', '__proto__', 'hasOwnProperty', 'valueOf', 'prototype'];

/** Strings that break naive code: control characters, lone surrogates, markup, empty ones. */
const oddString: fc.Arbitrary<string> = fc.oneof(
  fc.string({ unit: 'binary', maxLength: 40 }),
  fc.constantFrom(
    '',
    ' ',
    '\u0000',
    '\uD800',
    '\uDFFF',
    '\u202E\u0645\u0631\u062D\u0628\u0627',
    '\u200B\uFEFF',
    '<script>alert(1)</script>',
    "'; DROP TABLE customers; --",
    '{{ 7*7 }}{% raw %}',
    '../../etc/passwd',
    '#',
    'C#other',
    '__proto__',
    'constructor',
    '😀'.repeat(60),
    'x@y',
    'NaN',
  ),
);

/** …and long ones: around the field limits, DynamoDB's 400 KB item and EventBridge's 256 KB entry. */
export const hostileString: fc.Arbitrary<string> = fc.oneof(
  { weight: 4, arbitrary: oddString },
  {
    weight: 1,
    arbitrary: fc
      .constantFrom(64, 65, 200, 201, 254, 255, 5001, 140_000, 200_000, 400_000)
      .map((n) => 'x'.repeat(n)),
  },
);

/** Numbers DynamoDB or JSON cannot hold exactly, or that confuse arithmetic. */
const hostileNumber: fc.Arbitrary<number> = fc.oneof(
  fc.constantFrom(
    Number.MAX_SAFE_INTEGER + 2,
    2 ** 64,
    -(2 ** 70),
    1e308,
    5e-324,
    -0,
    0.1 + 0.2,
    Number.MAX_SAFE_INTEGER,
  ),
  fc.double({ noNaN: true, noDefaultInfinity: true }),
  fc.integer(),
);

function nested(depth: number, leaf: unknown): unknown {
  let value = leaf;
  for (let i = 0; i < depth; i++) value = i % 2 ? [value] : { n: value };
  return value;
}

/** Any JSON value, with the shapes that broke the rejected log: deep, huge, unsafe, `__proto__` keys. */
const hostileJson: fc.Arbitrary<unknown> = fc.oneof(
  { weight: 4, arbitrary: fc.jsonValue({ maxDepth: 4 }) },
  { weight: 2, arbitrary: hostileString },
  { weight: 2, arbitrary: hostileNumber },
  { weight: 1, arbitrary: fc.integer({ min: 30, max: 300 }).map((d) => nested(d, 'leaf')) },
  {
    weight: 1,
    arbitrary: fc.constantFrom(
      JSON.parse('{"__proto__":{"polluted":true}}'),
      JSON.parse('{"constructor":{"prototype":{"x":1}}}'),
      { '': 'empty key' },
      Array.from({ length: 2000 }, (_, i) => i),
    ),
  },
);

const customerId = (pool: string[]) => fc.constantFrom(...pool);
const isoAround = (start: string) =>
  fc.oneof(
    fc
      .integer({ min: -3 * 86_400, max: 600 })
      .map((s) => new Date(Date.parse(start) + s * 1000).toISOString()),
    fc.constantFrom('9999-12-31T00:00:00Z', '0001-01-01T00:00:00Z', '2026-02-30T00:00:00Z', 'yesterday', ''),
  );

/** A valid event of each type for a customer of the pool, the base the mutations start from. */
function validDetail(type: string, id: string, orderId: string, at: string): Record<string, unknown> {
  switch (type) {
    case 'customer.registered':
      return {
        customerId: id,
        email: `${id}@example.com`,
        firstName: 'Ann',
        locale: 'en',
        marketingConsent: true,
      };
    case 'customer.updated':
      return { customerId: id, firstName: 'Anne' };
    case 'customer.consent.changed':
      return { customerId: id, marketingConsent: false };
    case 'customer.deleted':
      return { customerId: id };
    case 'order.placed':
      return {
        orderId,
        customerId: id,
        placedAt: at,
        total: { amount: '59.90', currency: 'EUR' },
        items: [{ sku: 'SKU-1', name: 'Mug', quantity: 1 }],
      };
    case 'order.delivered':
      return { orderId, customerId: id, deliveredAt: at };
    case 'order.refunded':
      return { orderId, customerId: id };
    case 'feedback.submitted':
      return { customerId: id, orderId, score: 9, comment: 'fine' };
    case 'referral.attributed':
      return { customerId: id, code: 'ANN-1', referrerId: `${id}-r` };
    default:
      return { customerId: id, refereeId: `${id}-r`, code: 'ANN-1', orderId, currency: 'EUR' };
  }
}

type Mutation = (detail: Record<string, unknown>) => fc.Arbitrary<Record<string, unknown>>;

/** Changes a valid detail: a field replaced by hostile JSON, dropped, added, or a string made huge. */
const mutations: Mutation[] = [
  (d) =>
    fc.tuple(fc.constantFrom(...Object.keys(d)), hostileJson).map(([key, value]) => ({ ...d, [key]: value })),
  (d) =>
    fc
      .constantFrom(...Object.keys(d))
      .map((key) => Object.fromEntries(Object.entries(d).filter(([k]) => k !== key))),
  (d) =>
    fc
      .tuple(fc.oneof(oddString, fc.constantFrom(...PROTOTYPE_KEYS)), hostileJson)
      .map(([k, v]) => ({ ...d, [k]: v })),
  (d) =>
    fc
      .tuple(
        fc.constantFrom(
          'email',
          'firstName',
          'discountCode',
          'comment',
          'referredByCode',
          'customerId',
          'orderId',
        ),
        hostileString,
      )
      .map(([key, value]) => ({ ...d, [key]: value })),
  (d) =>
    fc
      .tuple(
        fc.constantFrom('placedAt', 'deliveredAt', 'registeredAt'),
        fc.constantFrom('9999-12-31T00:00:00Z', '2100-01-01T00:00:00+14:00'),
      )
      .map(([key, value]) => ({ ...d, [key]: value })),
  (d) =>
    fc
      .record({ sku: oddString, quantity: hostileNumber, name: oddString })
      .chain((item) =>
        fc.nat({ max: 3000 }).map((n) => ({ ...d, items: Array.from({ length: n }, () => item) })),
      ),
  (d) => fc.constant({ ...d, [`pad${Object.keys(d).length}`]: 'p'.repeat(300 * 1024) }),
];

export interface FuzzPlan {
  events: RawEvent[];
  requests: HttpRequest[];
}

/**
 * `count` events for customers `c-0 … c-(pool-1)` (so events meet stored state), about a third
 * arbitrary, two thirds valid-ish with a mutation, a tenth left valid so customers have state.
 */
export function fuzzPlan(options: {
  count: number;
  requests: number;
  seed: number;
  start: string;
}): FuzzPlan {
  const pool = Array.from({ length: Math.max(4, Math.ceil(options.count / 20)) }, (_, i) => `c-${i}`);
  const detailType = fc.oneof(
    { weight: 3, arbitrary: fc.constantFrom(...JOURNEY_EVENT_TYPES) },
    { weight: 1, arbitrary: fc.constantFrom(...PROTOTYPE_KEYS) },
    { weight: 1, arbitrary: hostileString },
  );
  const source = fc.constantFrom(SHOP_SOURCE, SHOP_SOURCE, SHOP_SOURCE, SYSTEM_SOURCE, 'aws.ses');
  const arbitraryEvent = fc.record({
    source,
    detailType,
    time: isoAround(options.start),
    detail: fc.oneof(
      hostileJson,
      fc.dictionary(fc.oneof(oddString, fc.constantFrom(...PROTOTYPE_KEYS)), hostileJson),
    ),
  });
  const valid = fc
    .tuple(
      fc.constantFrom(...JOURNEY_EVENT_TYPES),
      customerId(pool),
      fc.nat({ max: 3 }),
      fc.integer({ min: -86_400, max: 0 }),
    )
    .map(([type, id, order, offset]) => {
      const at = new Date(Date.parse(options.start) + offset * 1000).toISOString();
      const system = type.startsWith('referral.');
      return {
        source: system ? SYSTEM_SOURCE : SHOP_SOURCE,
        detailType: type,
        time: at,
        detail: validDetail(type, id, `${id}-o${order}`, at),
      };
    });
  const mutated = valid.chain((event) =>
    fc.oneof(...mutations.map((mutate) => mutate(event.detail))).map((detail) => ({ ...event, detail })),
  );
  const ses = fc.record({
    source: fc.constant('aws.ses'),
    detailType: fc.constantFrom(
      'Email Bounced',
      'Email Delivered',
      'Email Complaint Received',
      'constructor',
      '__proto__',
    ),
    time: isoAround(options.start),
    detail: fc.oneof(
      hostileJson,
      fc.record({
        eventType: fc.oneof(
          fc.constantFrom('Bounce', 'Complaint', 'Delivery', ...PROTOTYPE_KEYS),
          hostileString,
        ),
        mail: fc.oneof(
          hostileJson,
          fc.record({
            tags: fc.oneof(hostileJson, fc.record({ outbox: fc.oneof(hostileJson, fc.array(oddString)) })),
          }),
        ),
        bounce: fc.oneof(
          hostileJson,
          fc.record({ bounceType: fc.constant('Permanent'), bouncedRecipients: hostileJson }),
        ),
        complaint: fc.oneof(
          hostileJson,
          fc.record({
            complainedRecipients: fc.array(fc.oneof(hostileJson, fc.record({ emailAddress: hostileJson }))),
          }),
        ),
        delivery: fc.oneof(hostileJson, fc.record({ timestamp: hostileJson })),
      }),
    ),
  });
  const event = fc.oneof(
    { weight: 3, arbitrary: arbitraryEvent },
    { weight: 5, arbitrary: mutated },
    { weight: 2, arbitrary: valid },
    { weight: 1, arbitrary: ses },
  );
  const drawn = fc.sample(event, { seed: options.seed, numRuns: options.count });
  const events = drawn.map((e, i) => ({ id: `fuzz-${options.seed}-${i}`, ...e }));

  const request = fc.record({
    method: fc.constantFrom('GET', 'POST', 'HEAD', 'PUT', 'constructor'),
    path: fc.oneof(
      fc.constantFrom('/unsubscribe', '/feedback', '/preferences/feedback', '/', '//..//unsubscribe'),
      hostileString,
    ),
    token: fc.oneof(hostileString, fc.constantFrom('a.b', 'eyJ9.x', '.', 'a.b.c')),
    score: fc.oneof(fc.constantFrom('0', '10', '11', '-1'), hostileString),
    body: fc.oneof(
      hostileString,
      hostileString.map((comment) => new URLSearchParams({ comment }).toString()),
    ),
  });
  const requests = fc.sample(request, { seed: options.seed + 1, numRuns: options.requests }).map(
    (r): HttpRequest => ({
      method: r.method,
      path: r.path,
      query: { token: r.token, score: r.score },
      body: r.body,
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    }),
  );
  return { events, requests };
}
