/**
 * The public event contract (DESIGN.md §5): what the shop sends and what the system emits.
 * These zod schemas are the one definition; `journeys schemas` exports them as JSON Schema.
 */
import { z } from 'zod';
import { isLocale } from './locale.ts';
import { isTimeZone } from './time.ts';

/** The source of every event the system itself emits. */
export const SYSTEM_SOURCE = 'retention-journeys';

const nonEmpty = z.string().trim().min(1, 'must not be empty');
const id = nonEmpty.max(200, 'must be at most 200 characters');
const timestamp = z.iso.datetime({ offset: true, message: 'must be an ISO 8601 timestamp with offset or Z' });
const locale = z
  .string()
  .refine(isLocale, { message: 'must be a BCP 47 language tag such as de-DE or en' })
  .describe('BCP 47 language tag, e.g. de-DE');
const timeZone = z
  .string()
  .refine(isTimeZone, { message: 'must be an IANA time zone such as Europe/Berlin' })
  .describe('IANA time zone, e.g. Europe/Berlin');
const currency = z
  .string()
  .regex(/^[A-Z]{3}$/, 'must be a three-letter ISO 4217 code in capitals, e.g. EUR')
  .refine((code) => Intl.supportedValuesOf('currency').includes(code), {
    message: 'must be a known ISO 4217 currency code',
  });
/** Money is a decimal string, never a float: binary floats cannot hold 0.10 exactly. */
const amount = z
  .string({ message: 'must be a decimal string such as "59.90", not a number' })
  .regex(/^\d{1,12}(\.\d{1,4})?$/, 'must be a non-negative decimal string such as "59.90"');
export const moneySchema = z.object({ amount, currency }).describe('money: decimal string amount + ISO 4217');
export type Money = z.infer<typeof moneySchema>;

export const customerRegistered = z.object({
  customerId: id,
  email: z.email({ message: 'must be an email address' }),
  firstName: z.string().max(200).optional(),
  locale,
  timeZone: timeZone.optional(),
  marketingConsent: z.boolean({ message: 'must be true or false' }),
  referredByCode: z.string().max(64).optional(),
  birthday: z
    .string()
    .regex(/^(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])$/, 'must be a month-day MM-DD such as 02-29')
    .optional(),
  registeredAt: timestamp.optional(),
});

export const customerUpdated = z
  .object({
    customerId: id,
    email: z.email({ message: 'must be an email address' }).optional(),
    firstName: z.string().max(200).optional(),
    locale: locale.optional(),
    timeZone: timeZone.optional(),
    birthday: customerRegistered.shape.birthday,
  })
  .refine((d) => Object.keys(d).length > 1, { message: 'must change at least one attribute' });

export const customerConsentChanged = z.object({
  customerId: id,
  marketingConsent: z.boolean({ message: 'must be true or false' }),
});

export const customerDeleted = z.object({ customerId: id });

export const orderPlaced = z.object({
  orderId: id,
  customerId: id,
  placedAt: timestamp,
  total: moneySchema,
  items: z
    .array(
      z.object({
        sku: nonEmpty,
        name: z.string().optional(),
        quantity: z.number().int('must be a whole number').positive('must be at least 1'),
        unitPrice: moneySchema.optional(),
      }),
    )
    .optional(),
  discountCode: z.string().optional(),
});

export const orderDelivered = z.object({ orderId: id, customerId: id, deliveredAt: timestamp.optional() });

export const orderRefunded = z.object({ orderId: id, customerId: id, amount: moneySchema.optional() });

export const feedbackSubmitted = z.object({
  customerId: id,
  orderId: id.optional(),
  score: z.number().int('must be a whole number').min(0, 'must be 0 to 10').max(10, 'must be 0 to 10'),
  comment: z.string().max(5000).optional(),
  /** Stable per feedback link (hash of its token): a resubmitted answer carries the same id. */
  feedbackId: z.string().max(64).optional(),
});

export const shopEventSchemas = {
  'customer.registered': customerRegistered,
  'customer.updated': customerUpdated,
  'customer.consent.changed': customerConsentChanged,
  'customer.deleted': customerDeleted,
  'order.placed': orderPlaced,
  'order.delivered': orderDelivered,
  'order.refunded': orderRefunded,
  'feedback.submitted': feedbackSubmitted,
} as const;

/**
 * Events the system emits that journeys may also react to (source `retention-journeys`): they carry
 * a referral from the referee's partition to the referrer's, where the reward is decided.
 */
export const systemInputSchemas = {
  'referral.attributed': z.object({ customerId: id, code: nonEmpty, referrerId: id }),
  'referral.reward.earned': z.object({
    customerId: id,
    refereeId: id,
    code: nonEmpty,
    orderId: id,
    currency,
  }),
} as const;

const inputSchemas = { ...shopEventSchemas, ...systemInputSchemas } as const;

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

export type ShopEventDetail<T extends JourneyEventType = JourneyEventType> = z.infer<
  (typeof inputSchemas)[T]
>;

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

/**
 * Validate a raw event against the contract. Errors read `path: problem`, e.g.
 * `total.currency: required (rule: order.placed requires total.currency)`.
 */
export function parseShopEvent(raw: RawEvent): ParseResult {
  // The system's own events (source retention-journeys) follow their own, smaller contract.
  const system = raw.source === SYSTEM_SOURCE;
  const schemas: Record<string, z.ZodType> = system ? systemInputSchemas : shopEventSchemas;
  const schema = schemas[raw.detailType];
  if (!schema) {
    const expected = Object.keys(schemas).join(', ');
    const kind = system ? 'system' : 'shop';
    return {
      ok: false,
      errors: [`detail-type: "${raw.detailType}" is not a ${kind} event; expected one of ${expected}`],
    };
  }
  const result = schema.safeParse(raw.detail);
  if (!result.success) return { ok: false, errors: formatIssues(result.error.issues, raw.detailType) };
  return {
    ok: true,
    event: {
      id: raw.id,
      source: raw.source,
      detailType: raw.detailType,
      time: raw.time,
      detail: result.data,
    } as ShopEvent,
  };
}

/** One line per issue: the dotted field path, the problem, and for missing fields the rule. */
export function formatIssues(issues: readonly z.core.$ZodIssue[], context: string): string[] {
  return issues.map((issue) => {
    const path = issue.path.length ? issue.path.join('.') : '(detail)';
    const missing = issue.code === 'invalid_type' && /received undefined/.test(issue.message);
    if (missing) return `${path}: required (rule: ${context} requires ${path})`;
    return `${path}: ${issue.message}`;
  });
}
