/**
 * The conditions of journey definitions (`if:` steps and trigger `if`s): one schema per kind, and the
 * recursive `Condition`. conditions.ts evaluates them; definition.ts uses them in steps and triggers.
 */
import * as z from 'zod';
import { isoDuration, perCurrency } from './schema-fields.ts';

const comparison = z
  .object({
    eq: z.number().optional(),
    gt: z.number().optional(),
    gte: z.number().optional(),
    lt: z.number().optional(),
    lte: z.number().optional(),
  })
  .strict()
  .refine((c) => Object.keys(c).length > 0, { message: 'needs at least one of eq, gt, gte, lt, lte' });

export type Comparison = z.infer<typeof comparison>;

const profileCondition = z
  .object({
    field: z
      .enum([
        'locale',
        'timeZone',
        'marketingConsent',
        'firstName',
        'birthday',
        'orderCount',
        'email',
        'referralCode',
      ])
      .describe('profile attribute to test'),
    equals: z.union([z.string(), z.number(), z.boolean()]).optional(),
    in: z.array(z.union([z.string(), z.number()])).optional(),
    startsWith: z.string().optional(),
    exists: z.boolean().optional(),
    compare: comparison.optional(),
  })
  .strict()
  .refine(
    (c) => [c.equals, c.in, c.startsWith, c.exists, c.compare].filter((v) => v !== undefined).length === 1,
    { message: 'needs exactly one test: equals, in, startsWith, exists or compare' },
  );

const ordersCondition = z
  .object({
    count: comparison.describe('number of orders that match'),
    within: z.optional(isoDuration).describe('only orders placed within this duration before now'),
    sinceEntry: z
      .boolean()
      .optional()
      .describe(
        'only orders placed since the customer entered this journey, not counting the one that started it',
      ),
    delivered: z.boolean().optional().describe('only orders that were delivered'),
  })
  .strict();

const eventCondition = z
  .object({
    field: z
      .string()
      .min(1)
      .describe('dotted path into the detail of the event that last resumed or started the instance'),
    equals: z.union([z.string(), z.number(), z.boolean()]).optional(),
    in: z.array(z.union([z.string(), z.number()])).optional(),
    exists: z.boolean().optional(),
    compare: comparison.optional(),
    moneyAtLeast: z
      .optional(perCurrency)
      .describe('the field is money {amount, currency}: at least this much'),
  })
  .strict()
  .refine(
    (c) => [c.equals, c.in, c.exists, c.compare, c.moneyAtLeast].filter((v) => v !== undefined).length === 1,
    { message: 'needs exactly one test: equals, in, exists, compare or moneyAtLeast' },
  );

const entriesCondition = z
  .object({
    count: comparison.describe('entries into this journey, the current one included'),
    period: z
      .union([z.literal('calendarYear'), isoDuration])
      .describe('calendarYear (customer-local), or a duration before now'),
  })
  .strict();

/** The fields of a member's loyalty data a journey can branch on (what `loyaltyData` computes). */
export const LOYALTY_CONDITION_FIELDS = [
  'tier',
  'balance',
  'pending',
  'qualifying',
  'pointsToNextTier',
] as const;
export type LoyaltyConditionField = (typeof LOYALTY_CONDITION_FIELDS)[number];

const loyaltyCondition = z
  .object({
    field: z
      .enum(LOYALTY_CONDITION_FIELDS)
      .describe(
        'tier (id), balance (available points), pending, qualifying (points this period) or pointsToNextTier (absent at the top tier)',
      ),
    equals: z.union([z.string(), z.number()]).optional(),
    in: z.array(z.union([z.string(), z.number()])).optional(),
    exists: z
      .boolean()
      .optional()
      .describe('false holds for a customer who is not a member (or when the program is disabled)'),
    compare: comparison.optional(),
  })
  .strict()
  .refine((c) => [c.equals, c.in, c.exists, c.compare].filter((v) => v !== undefined).length === 1, {
    message: 'needs exactly one test: equals, in, exists or compare',
  })
  // A tier is an id and the rest are numbers: a test of the other kind could never hold.
  .refine((c) => c.field !== 'tier' || c.compare === undefined, {
    message: 'tier is an id: test it with equals, in or exists',
    path: ['compare'],
  })
  .refine(
    (c) =>
      c.field === 'tier'
        ? [c.equals, ...(c.in ?? [])].every((v) => v === undefined || typeof v === 'string')
        : [c.equals, ...(c.in ?? [])].every((v) => v === undefined || typeof v === 'number'),
    { message: 'tier takes tier ids; the other fields take numbers of points' },
  );

export type LoyaltyCondition = z.infer<typeof loyaltyCondition>;

export type Condition =
  | { profile: z.infer<typeof profileCondition> }
  | { orders: z.infer<typeof ordersCondition> }
  | { event: z.infer<typeof eventCondition> }
  | { entries: z.infer<typeof entriesCondition> }
  | { loyalty: LoyaltyCondition }
  | { all: Condition[] }
  | { any: Condition[] }
  | { not: Condition };

export const condition: z.ZodType<Condition> = z.lazy(() =>
  z.union([
    z.object({ profile: profileCondition }).strict(),
    z.object({ orders: ordersCondition }).strict(),
    z.object({ event: eventCondition }).strict(),
    z.object({ entries: entriesCondition }).strict(),
    z.object({ loyalty: loyaltyCondition }).strict(),
    z.object({ all: z.array(condition).min(1) }).strict(),
    z.object({ any: z.array(condition).min(1) }).strict(),
    z.object({ not: condition }).strict(),
  ]),
);
