/**
 * The public event contract (DESIGN.md §5): what the shop sends and what the system emits.
 * These zod schemas are the one definition; `journeys schemas` exports them as JSON Schema.
 */
import { en } from 'zod/locales';
import * as z from 'zod/mini';
import {
  atMost,
  code,
  currency,
  email,
  firstName,
  id,
  LIMITS,
  locale,
  type Money,
  moneyOrAmount,
  moneySchema,
  nonEmpty,
  timestamp,
  timeZone,
} from './event-fields.ts';
import { lazyRecord, ownValue, readersOf } from './lazy-record.ts';
import { loyaltyEventSchemas, loyaltyRedemptionRequested } from './loyalty/events.ts';

export { LIMITS, type Money, moneySchema } from './event-fields.ts';

// zod/mini (unlike classic zod) installs no error messages: the English ones, as classic does, once
// for every schema of the process. Every function that parses with zod reaches this module.
z.config(en());

/** The source of every event the system itself emits. */
export const SYSTEM_SOURCE = 'retention-journeys';

// Each event type's schema is built by a function and kept once built (shopEventSchemas below): a
// function builds only the schemas of the types it parses.

const birthday = () =>
  z.optional(
    z
      .string()
      .check(z.regex(/^(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])$/, 'must be a month-day MM-DD such as 02-29')),
  );

const customerRegistered = () =>
  z.object({
    customerId: id,
    email,
    firstName: z.optional(firstName),
    locale,
    timeZone: z.optional(timeZone),
    marketingConsent: z.boolean({ message: 'must be true or false' }),
    referredByCode: z.optional(code),
    birthday: birthday(),
    registeredAt: z.optional(timestamp),
  });

const customerUpdated = () =>
  z
    .object({
      customerId: id,
      email: z.optional(email),
      firstName: z.optional(firstName),
      locale: z.optional(locale),
      timeZone: z.optional(timeZone),
      birthday: birthday(),
    })
    .check(z.refine((d) => Object.keys(d).length > 1, { message: 'must change at least one attribute' }));

const customerConsentChanged = () =>
  z.object({
    customerId: id,
    marketingConsent: z.boolean({ message: 'must be true or false' }),
  });

const customerDeleted = () => z.object({ customerId: id });

const orderPlaced = () =>
  z.object({
    orderId: id,
    customerId: id,
    placedAt: timestamp,
    total: moneySchema,
    items: z.optional(
      z
        .array(
          z.object({
            sku: nonEmpty.check(z.maxLength(LIMITS.sku, atMost(LIMITS.sku))),
            name: z.optional(z.string().check(z.maxLength(LIMITS.itemName, atMost(LIMITS.itemName)))),
            quantity: z.number().check(z.int('must be a whole number'), z.positive('must be at least 1')),
            unitPrice: z.optional(moneyOrAmount("the order's total.currency")),
          }),
        )
        .check(z.maxLength(LIMITS.items, atMost(LIMITS.items, 'items'))),
    ),
    discountCode: z.optional(code),
  });

const orderDelivered = () => z.object({ orderId: id, customerId: id, deliveredAt: z.optional(timestamp) });

/**
 * A refund's `amount` as a decimal string needs the refund's own `currency` (the refund event does not
 * carry the order's total, and a currency is never guessed); with money, `currency` may repeat it.
 */
const orderRefunded = () =>
  z
    .object({
      orderId: id,
      customerId: id,
      amount: z.optional(moneyOrAmount("the refund's currency field")),
      currency: z.optional(currency).register(z.globalRegistry, {
        description: 'ISO 4217 code of the refund; required when amount is a decimal string',
      }),
    })
    .check(
      z.superRefine((refund, context) => {
        if (typeof refund.amount === 'string' && refund.currency === undefined)
          context.addIssue({
            code: 'custom',
            path: ['currency'],
            message: 'required (rule: order.refunded with amount as a decimal string requires currency)',
          });
        if (
          typeof refund.amount === 'object' &&
          refund.currency !== undefined &&
          refund.currency !== refund.amount.currency
        )
          context.addIssue({
            code: 'custom',
            path: ['currency'],
            message: `${quote(refund.currency)} differs from amount.currency ${quote(refund.amount.currency)} (rule: a refund has one currency)`,
          });
      }),
    );

const feedbackSubmitted = () =>
  z.object({
    customerId: id,
    orderId: z.optional(id),
    score: z
      .number()
      .check(z.int('must be a whole number'), z.gte(0, 'must be 0 to 10'), z.lte(10, 'must be 0 to 10')),
    comment: z.optional(z.string().check(z.maxLength(LIMITS.comment, atMost(LIMITS.comment)))),
    /** Stable per feedback link (hash of its token): a resubmitted answer carries the same id. */
    feedbackId: z.optional(code),
  });

export const shopEventSchemas = lazyRecord({
  'customer.registered': customerRegistered,
  'customer.updated': customerUpdated,
  'customer.consent.changed': customerConsentChanged,
  'customer.deleted': customerDeleted,
  'order.placed': orderPlaced,
  'order.delivered': orderDelivered,
  'order.refunded': orderRefunded,
  'feedback.submitted': feedbackSubmitted,
  'loyalty.redemption.requested': loyaltyRedemptionRequested,
});

/**
 * Events the system emits that journeys may also react to (source `retention-journeys`): they carry
 * a referral from the referee's partition to the referrer's, where the reward is decided.
 */
export const systemInputSchemas = lazyRecord({
  'referral.attributed': () =>
    z.object({
      customerId: id,
      code: nonEmpty.check(z.maxLength(LIMITS.code, atMost(LIMITS.code))),
      referrerId: id,
    }),
  'referral.reward.earned': () =>
    z.object({
      customerId: id,
      refereeId: id,
      code: nonEmpty.check(z.maxLength(LIMITS.code, atMost(LIMITS.code))),
      orderId: id,
      currency,
    }),
  ...readersOf(loyaltyEventSchemas),
});

type InputSchemas = typeof shopEventSchemas & typeof systemInputSchemas;

/** The schema of a shop event type or a system input type, if it is one. */
export function inputSchema(eventType: string): InputSchemas[keyof InputSchemas] | undefined {
  return ownValue(shopEventSchemas, eventType) ?? ownValue(systemInputSchemas, eventType);
}

export type ShopEventType = keyof typeof shopEventSchemas;
export const SHOP_EVENT_TYPES = Object.keys(shopEventSchemas) as [ShopEventType, ...ShopEventType[]];
export type SystemInputType = keyof typeof systemInputSchemas;
export const SYSTEM_INPUT_TYPES = Object.keys(systemInputSchemas) as [SystemInputType, ...SystemInputType[]];
/** Everything a journey can be triggered by, exit on, or wait for. */
export type JourneyEventType = ShopEventType | SystemInputType;
export const JOURNEY_EVENT_TYPES = [...SHOP_EVENT_TYPES, ...SYSTEM_INPUT_TYPES] as [
  JourneyEventType,
  ...JourneyEventType[],
];

type Parsed<T extends JourneyEventType> = z.infer<InputSchemas[T]>;
type OrderItem = NonNullable<Parsed<'order.placed'>['items']>[number];

/** The prices and refund amounts a parsed event carries: always money, never a bare amount. */
interface Normalised {
  'order.placed': Omit<Parsed<'order.placed'>, 'items'> & {
    items?: (Omit<OrderItem, 'unitPrice'> & { unitPrice?: Money | undefined })[] | undefined;
  };
  'order.refunded': Omit<Parsed<'order.refunded'>, 'amount' | 'currency'> & { amount?: Money | undefined };
}

export type ShopEventDetail<T extends JourneyEventType = JourneyEventType> = T extends keyof Normalised
  ? Normalised[T]
  : Parsed<T>;

/** A validated event, as the engine sees it: a shop event, or a system event journeys listen to. */
export type ShopEvent = {
  [T in JourneyEventType]: {
    id: string;
    source: string;
    detailType: T;
    time: string;
    detail: ShopEventDetail<T>;
  };
}[JourneyEventType];

/** What every handler receives: the EventBridge envelope fields it needs. */
export interface RawEvent {
  id: string;
  source: string;
  detailType: string;
  time: string;
  detail: unknown;
}

export type ParseResult = { ok: true; event: ShopEvent } | { ok: false; errors: string[] };

/** Business times the contract carries besides the envelope `time`. */
const BUSINESS_TIMES = ['registeredAt', 'placedAt', 'deliveredAt'] as const;
/** A flood of issues (an array of 10,000 bad items) is reported by its first few. */
const MAX_ERRORS = 20;

/**
 * Validate a raw event against the contract: the envelope, the detail's size, its schema and — when
 * `now` is given (every handler gives it) — that no timestamp lies more than `LIMITS.futureMinutes`
 * ahead of `now`, so one bad clock cannot freeze a profile. Never throws, whatever the input.
 * Errors read `field: problem (rule)`, e.g.
 * `total.currency: required (rule: order.placed requires total.currency)`.
 */
export function parseShopEvent(raw: RawEvent, options: { now?: string } = {}): ParseResult {
  const errors = envelopeErrors(raw);
  if (errors.length) return { ok: false, errors };
  // The system's own events (source retention-journeys) follow their own, smaller contract.
  const system = raw.source === SYSTEM_SOURCE;
  // Own values only: `constructor` or `__proto__` is no schema.
  const schemas: Record<string, z.ZodMiniType> = system ? systemInputSchemas : shopEventSchemas;
  const schema = ownValue(schemas, raw.detailType);
  if (!schema) {
    const expected = Object.keys(schemas).join(', ');
    const kind = system ? 'system' : 'shop';
    return {
      ok: false,
      errors: [`detail-type: ${quote(raw.detailType)} is not a ${kind} event; expected one of ${expected}`],
    };
  }
  const result = schema.safeParse(raw.detail);
  if (!result.success)
    return { ok: false, errors: capped(formatIssues(result.error.issues, raw.detailType)) };
  const event = {
    id: raw.id,
    source: raw.source,
    detailType: raw.detailType,
    time: raw.time,
    detail: normaliseDetail(raw.detailType, result.data),
  } as ShopEvent;
  const future = options.now === undefined ? [] : futureErrors(event, options.now);
  return future.length ? { ok: false, errors: future } : { ok: true, event };
}

/** Decimal-string prices and refund amounts, as the money they are in the event's currency. */
function normaliseDetail(detailType: string, detail: unknown): unknown {
  if (detailType === 'order.placed') {
    const order = detail as Parsed<'order.placed'>;
    if (!order.items) return order;
    const items = order.items.map(({ unitPrice, ...item }) =>
      typeof unitPrice === 'string'
        ? { ...item, unitPrice: { amount: unitPrice, currency: order.total.currency } }
        : { ...item, ...(unitPrice === undefined ? {} : { unitPrice }) },
    );
    return { ...order, items };
  }
  if (detailType === 'order.refunded') {
    const { amount: refunded, currency: code, ...refund } = detail as Parsed<'order.refunded'>;
    if (refunded === undefined) return refund;
    // superRefine guarantees the currency of a string amount.
    const money = typeof refunded === 'string' ? { amount: refunded, currency: code as string } : refunded;
    return { ...refund, amount: money };
  }
  return detail;
}

/** What EventBridge guarantees in AWS but a local caller or a replay might not: checked, not trusted. */
function envelopeErrors(raw: RawEvent): string[] {
  const errors: string[] = [];
  if (typeof raw.id !== 'string' || raw.id.length === 0 || raw.id.length > LIMITS.id)
    errors.push(`id: must be an event id of 1 to ${LIMITS.id} characters`);
  if (typeof raw.source !== 'string' || raw.source.length === 0 || raw.source.length > 256)
    errors.push('source: must be 1 to 256 characters (rule: EventBridge source)');
  if (typeof raw.detailType !== 'string') errors.push('detail-type: must be a string');
  if (typeof raw.time !== 'string' || !timestamp.safeParse(raw.time).success)
    errors.push('time: must be an ISO 8601 timestamp with offset or Z');
  if (typeof raw.detail !== 'object' || raw.detail === null || Array.isArray(raw.detail)) {
    errors.push('(detail): must be a JSON object');
    return errors;
  }
  const bytes = jsonBytes(raw.detail);
  if (bytes === undefined) errors.push('(detail): must be JSON (rule: EventBridge details are JSON)');
  else if (bytes > LIMITS.detailBytes)
    errors.push(
      `(detail): is ${bytes} bytes; at most ${LIMITS.detailBytes} bytes (256 KB, EventBridge's limit for an entry)`,
    );
  return errors;
}

function jsonBytes(value: unknown): number | undefined {
  try {
    return Buffer.byteLength(JSON.stringify(value), 'utf8');
  } catch {
    return undefined; // cycles or BigInt: not from JSON
  }
}

/** Envelope `time` and the business times, each against `now` plus the clock-skew tolerance. */
function futureErrors(event: ShopEvent, now: string): string[] {
  const latest = Date.parse(now) + LIMITS.futureMinutes * 60_000;
  const detail = event.detail as Record<string, unknown>;
  const stamps: [string, unknown][] = [
    ['time', event.time],
    ...BUSINESS_TIMES.map((field): [string, unknown] => [field, detail[field]]),
  ];
  return stamps
    .filter(([, value]) => typeof value === 'string' && Date.parse(value) > latest)
    .map(
      ([field, value]) =>
        `${field}: ${value} is more than ${LIMITS.futureMinutes} minutes in the future (rule: timestamps may lie at most ${LIMITS.futureMinutes} minutes ahead of the receiving clock, ${now})`,
    );
}

function quote(value: string): string {
  return JSON.stringify(value.length > 100 ? `${value.slice(0, 100)}…` : value);
}

function capped(errors: string[]): string[] {
  if (errors.length <= MAX_ERRORS) return errors;
  return [...errors.slice(0, MAX_ERRORS), `… and ${errors.length - MAX_ERRORS} more errors`];
}

/**
 * A union's failure, told by the one alternative of the value's type (a string amount's format, a
 * money object's missing currency); the union's own message when none or several are of its type.
 */
function unionBranch(issue: z.core.$ZodIssue): z.core.$ZodIssue[] {
  if (issue.code !== 'invalid_union') return [issue];
  const ofType = issue.errors.filter(
    (branch) => !branch.some((i) => i.code === 'invalid_type' && i.path.length === 0),
  );
  const [branch] = ofType;
  if (ofType.length !== 1 || !branch) return [issue];
  return branch.flatMap((i) => unionBranch({ ...i, path: [...issue.path, ...i.path] }));
}

/** One line per issue: the dotted field path, the problem, and for missing fields the rule. */
export function formatIssues(issues: readonly z.core.$ZodIssue[], context: string): string[] {
  return issues.flatMap(unionBranch).map((issue) => {
    const path = issue.path.length ? issue.path.map(String).join('.') : '(detail)';
    const missing = issue.code === 'invalid_type' && /received undefined/.test(issue.message);
    if (missing) return `${path}: required (rule: ${context} requires ${path})`;
    return `${path}: ${issue.message}`;
  });
}
