/**
 * Journey definitions: the schema marketers write in `journeys/*.yaml`, and the compiled form the
 * engine runs. The schema is the single source of truth; `journeys schemas` exports it as JSON Schema
 * for editor autocompletion.
 */
import { Duration } from 'luxon';
import { z } from 'zod';
import { SHOP_EVENT_TYPES } from './events.ts';

const isoDuration = z
  .string()
  .refine((value) => Duration.fromISO(value).isValid && Duration.fromISO(value).toMillis() >= 0, {
    message: 'must be a non-negative ISO 8601 duration such as PT1H, P2D or P2W',
  })
  .describe('ISO 8601 duration, for example PT1H, P2D, P2W');

const clockTime = z
  .string()
  .regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'must be a 24-hour clock time HH:MM, for example 21:00')
  .describe('24-hour local clock time HH:MM');

const messageId = z
  .string()
  .regex(/^[a-z][a-z0-9-]*$/, 'must be kebab-case: lower-case letters, digits and dashes');

const shopEventType = z.enum(SHOP_EVENT_TYPES);

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
      .enum(['locale', 'timeZone', 'marketingConsent', 'firstName', 'birthday', 'orderCount', 'email'])
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
    within: isoDuration.optional().describe('only orders placed within this duration before now'),
    sinceEntry: z.boolean().optional().describe('only orders placed since the customer entered this journey'),
  })
  .strict();

export type Condition =
  | { profile: z.infer<typeof profileCondition> }
  | { orders: z.infer<typeof ordersCondition> }
  | { all: Condition[] }
  | { any: Condition[] }
  | { not: Condition };

const condition: z.ZodType<Condition> = z.lazy(() =>
  z.union([
    z.object({ profile: profileCondition }).strict(),
    z.object({ orders: ordersCondition }).strict(),
    z.object({ all: z.array(condition).min(1) }).strict(),
    z.object({ any: z.array(condition).min(1) }).strict(),
    z.object({ not: condition }).strict(),
  ]),
);

const coupon = z
  .object({
    percentOff: z.number().gt(0).max(100).optional(),
    amountOff: z
      .string()
      .regex(/^\d+(\.\d{1,2})?$/, 'must be a decimal string such as "5.00"')
      .optional(),
    currency: z
      .string()
      .regex(/^[A-Z]{3}$/, 'must be an ISO 4217 code such as EUR')
      .optional(),
    validFor: isoDuration.describe('how long the code is valid after it is issued'),
  })
  .strict()
  .refine((c) => (c.percentOff === undefined) !== (c.amountOff === undefined), {
    message: 'needs exactly one of percentOff or amountOff',
  })
  .refine((c) => c.amountOff === undefined || c.currency !== undefined, {
    message: 'amountOff needs a currency',
    path: ['currency'],
  });

export type CouponSpec = z.infer<typeof coupon>;

const sendStep = z
  .object({
    send: z.union([
      messageId,
      z
        .object({ message: messageId, coupon: coupon.optional() })
        .strict()
        .describe('send a message, optionally issuing a coupon with it'),
    ]),
  })
  .strict();

const waitStep = z
  .object({
    wait: z.union([
      isoDuration,
      z
        .object({
          duration: isoDuration.optional().describe('wait this long from now'),
          sinceEntry: isoDuration.optional().describe('wait until this long after the customer entered'),
        })
        .strict()
        .refine((w) => (w.duration === undefined) !== (w.sinceEntry === undefined), {
          message: 'needs exactly one of duration or sinceEntry',
        }),
    ]),
  })
  .strict();

const emitStep = z
  .object({
    emit: z
      .object({
        detailType: z.string().regex(/^[a-z][a-z0-9.-]*$/, 'must be a dotted lower-case event name'),
        detail: z.record(z.string(), z.unknown()).optional(),
      })
      .strict(),
  })
  .strict();

export type Step =
  | z.infer<typeof sendStep>
  | z.infer<typeof waitStep>
  | z.infer<typeof emitStep>
  | {
      waitFor: {
        event: z.infer<typeof shopEventType>;
        timeout: string;
        correlate?: string | undefined;
      };
      onEvent?: Step[] | undefined;
      onTimeout?: Step[] | undefined;
    }
  | { if: Condition; then: Step[]; else?: Step[] | undefined };

const step: z.ZodType<Step> = z.lazy(() =>
  z.union([
    sendStep,
    waitStep,
    emitStep,
    z
      .object({
        waitFor: z
          .object({
            event: shopEventType,
            timeout: isoDuration,
            correlate: z
              .string()
              .optional()
              .describe('detail field that must equal the same field of the event that started the instance'),
          })
          .strict(),
        onEvent: z.array(step).optional(),
        onTimeout: z.array(step).optional(),
      })
      .strict(),
    z.object({ if: condition, then: z.array(step), else: z.array(step).optional() }).strict(),
  ]),
);

const messageSpec = z
  .object({
    class: z
      .enum(['transactional', 'marketing'])
      .describe('marketing messages need consent and honour quiet hours; transactional ones do not'),
    quietHours: z.boolean().optional().describe('set false to send this message even in quiet hours'),
  })
  .strict();

export type MessageSpec = z.infer<typeof messageSpec>;

export const journeyDefinitionSchema = z
  .object({
    id: z.string().regex(/^[a-z][a-z0-9-]*$/, 'must be kebab-case'),
    name: z.string().min(1),
    description: z.string().optional(),
    enabled: z.boolean().default(true),
    trigger: z
      .object({
        event: shopEventType,
        instanceKey: z
          .string()
          .optional()
          .describe('detail field that identifies one instance, e.g. orderId for one instance per order'),
      })
      .strict(),
    exitOn: z.array(shopEventType).default([]),
    goal: z
      .object({
        event: shopEventType,
        within: isoDuration.describe('attribution window, counted from entry'),
      })
      .strict()
      .optional(),
    reentry: z
      .union([z.enum(['never', 'always']), z.object({ after: isoDuration }).strict()])
      .default('never')
      .describe('whether a customer may enter again: never, always, or after a duration since last entry'),
    holdout: z
      .number()
      .min(0)
      .max(0.5)
      .default(0)
      .describe('share of entrants who receive nothing but are tracked for the goal (0.1 = 10 %)'),
    quietHours: z
      .object({ start: clockTime, end: clockTime })
      .strict()
      .optional()
      .describe('customer-local hours in which no message is sent; sends wait for the end'),
    messages: z.record(messageId, messageSpec),
    steps: z.array(step).min(1),
  })
  .strict()
  .superRefine((def, ctx) => {
    for (const [path, name] of sentMessages(def.steps, ['steps'])) {
      if (!def.messages[name]) {
        ctx.addIssue({
          code: 'custom',
          path,
          message: `sends message "${name}", which is not declared under messages`,
        });
      }
    }
  });

export type JourneyDefinition = z.infer<typeof journeyDefinitionSchema>;

/** Every `send` in a step tree, with its path, so validation can point at the exact step. */
export function sentMessages(steps: Step[], path: (string | number)[]): [(string | number)[], string][] {
  const found: [(string | number)[], string][] = [];
  steps.forEach((s, i) => {
    const here = [...path, i];
    if ('send' in s) found.push([[...here, 'send'], typeof s.send === 'string' ? s.send : s.send.message]);
    if ('waitFor' in s) {
      found.push(...sentMessages(s.onEvent ?? [], [...here, 'onEvent']));
      found.push(...sentMessages(s.onTimeout ?? [], [...here, 'onTimeout']));
    }
    if ('if' in s) {
      found.push(...sentMessages(s.then, [...here, 'then']));
      found.push(...sentMessages(s.else ?? [], [...here, 'else']));
    }
  });
  return found;
}
