/**
 * Journey definitions: the schema marketers write in `journeys/*.yaml`, and the compiled form the
 * engine runs. The schema is the single source of truth; `journeys schemas` exports it as JSON Schema
 * for editor autocompletion.
 */
import * as z from 'zod';
import { condition } from './condition-schema.ts';
import { JOURNEY_EVENT_TYPES } from './events.ts';
import { couponAmountOff, currencyCode, isoDuration, perCurrency } from './schema-fields.ts';
import { sendsIn } from './steps.ts';
import { didYouMean } from './suggest.ts';

export {
  type Comparison,
  type Condition,
  LOYALTY_CONDITION_FIELDS,
  type LoyaltyCondition,
  type LoyaltyConditionField,
} from './condition-schema.ts';
export { couponAmountOff, currencyCode, isoDuration } from './schema-fields.ts';

const clockTime = z
  .string()
  .regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'must be a 24-hour clock time HH:MM, for example 21:00')
  .describe('24-hour local clock time HH:MM');

const messageId = z
  .string()
  .regex(/^[a-z][a-z0-9-]*$/, 'must be kebab-case: lower-case letters, digits and dashes');

const journeyEventType = z
  .enum(JOURNEY_EVENT_TYPES)
  .describe(
    'a shop event, or a system event journeys can react to (referral.attributed, referral.reward.earned, loyalty.*)',
  );

const coupon = z
  .object({
    percentOff: z.number().gt(0).max(100).optional(),
    amountOff: z.optional(couponAmountOff),
    currency: z.optional(currencyCode),
    validFor: isoDuration.check(z.describe('how long the code is valid after it is issued')),
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
        .object({
          message: messageId,
          coupon: coupon.optional(),
          reward: z
            .optional(perCurrency)
            .describe(
              'grant a referral reward in the currency of the triggering event (emits referral.reward.granted)',
            ),
        })
        .strict()
        .describe('send a message, optionally issuing a coupon or granting a reward with it'),
    ]),
  })
  .strict();

const waitStep = z
  .object({
    wait: z.union([
      isoDuration,
      z
        .object({
          duration: z.optional(isoDuration).describe('wait this long (from now, or from `since`)'),
          sinceEntry: z.optional(isoDuration).describe('wait until this long after the customer entered'),
          since: journeyEventType
            .optional()
            .describe(
              'count `duration` from when this event resumed the instance (from entry if it never came)',
            ),
        })
        .strict()
        .refine((w) => (w.duration === undefined) !== (w.sinceEntry === undefined), {
          message: 'needs exactly one of duration or sinceEntry',
        })
        .refine((w) => w.since === undefined || w.duration !== undefined, {
          message: 'since goes with duration',
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
        include: z
          .array(z.string())
          .optional()
          .describe(
            'fields copied from the last event (or the trigger) into the detail, e.g. [orderId, score]',
          ),
        to: z
          .string()
          .optional()
          .describe(
            'instance context field holding the customerId the event is about (default: this customer)',
          ),
      })
      .strict(),
  })
  .strict();

const waitForStep = z
  .object({
    waitFor: z
      .object({
        event: journeyEventType,
        timeout: isoDuration,
        since: journeyEventType
          .optional()
          .describe(
            'count the timeout from when this event resumed the instance (from entry if it never came)',
          ),
        correlate: z
          .string()
          .optional()
          .describe('detail field that must equal the same field of the event that started the instance'),
      })
      .strict(),
  })
  .strict();

const ifStep = z.object({ if: condition }).strict();

/**
 * A step: each field is declared once, in the schemas above; only the sub-step lists are written
 * here, because a recursive schema needs its type spelt out.
 */
export type Step =
  | z.infer<typeof sendStep>
  | z.infer<typeof waitStep>
  | z.infer<typeof emitStep>
  | (z.infer<typeof waitForStep> & { onEvent?: Step[] | undefined; onTimeout?: Step[] | undefined })
  | (z.infer<typeof ifStep> & { then: Step[]; else?: Step[] | undefined });

const step: z.ZodType<Step> = z.lazy(() =>
  z.union([
    sendStep,
    waitStep,
    emitStep,
    waitForStep.extend({ onEvent: z.array(step).optional(), onTimeout: z.array(step).optional() }).strict(),
    ifStep.extend({ then: z.array(step), else: z.array(step).optional() }).strict(),
  ]),
);

const messageSpec = z
  .object({
    class: z
      .enum(['transactional', 'marketing'])
      .describe('marketing messages need consent and honour quiet hours; transactional ones do not'),
    quietHours: z.boolean().optional().describe('set false to send this message even in quiet hours'),
    frequencyCap: z
      .enum(['wait', 'skip'])
      .optional()
      .describe(
        'marketing only: when the customer is at the frequency cap, wait for a free slot (default) or skip',
      ),
    template: z
      .string()
      .regex(
        /^[a-z][a-z0-9-]*\/[a-z][a-z0-9-]*$/,
        'must be <journey>/<message>, e.g. referral/invite-friends',
      )
      .optional()
      .describe("use another journey's template for this message (default: <this journey>/<message>)"),
  })
  .strict();

export type MessageSpec = z.infer<typeof messageSpec>;

const eventTrigger = z
  .object({
    event: journeyEventType,
    if: condition.optional().describe('enter only when this holds (the event condition sees the trigger)'),
  })
  .strict();

const trigger = z
  .union([
    eventTrigger.extend({
      instanceKey: z
        .string()
        .optional()
        .describe('detail field that identifies one instance, e.g. orderId for one instance per order'),
    }),
    z
      .object({
        anyOf: z.array(eventTrigger).min(1).describe('enter on the first of these that holds'),
      })
      .strict(),
    z
      .object({
        inactivity: z
          .object({
            event: journeyEventType.describe('every such event restarts the clock, e.g. order.placed'),
            after: isoDuration.check(z.describe('enter when no such event came for this long')),
          })
          .strict(),
      })
      .strict(),
    z
      .object({
        anniversary: z
          .object({
            field: z.literal('birthday').describe('profile month-day field (MM-DD)'),
            at: clockTime.default('09:00').describe('customer-local time of day to enter'),
          })
          .strict()
          .describe(
            'enter every year on the day, in the customer time zone; 29 February → 28 February in non-leap years',
          ),
      })
      .strict(),
  ])
  .describe('what starts an instance: an event, any of several, inactivity after an event, or a yearly date');

export type Trigger = z.infer<typeof trigger>;

export const journeyDefinitionSchema = z
  .object({
    id: z.string().regex(/^[a-z][a-z0-9-]*$/, 'must be kebab-case'),
    name: z.string().min(1),
    description: z.string().optional(),
    enabled: z.boolean().default(true),
    trigger: trigger,
    exitOn: z
      .array(
        z.union([
          journeyEventType,
          z
            .object({
              event: journeyEventType,
              correlate: z.string().describe('detail field that must equal the same field of the trigger'),
            })
            .strict(),
        ]),
      )
      .default([]),
    goal: z
      .object({
        event: journeyEventType,
        within: isoDuration.check(z.describe('attribution window')),
        from: z
          .enum(['entry', 'lastMessage'])
          .optional()
          .describe('the window counts from entry (default) or from the last message sent'),
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
        ctx.addIssue({ code: 'custom', path, message: undeclaredMessage(name, Object.keys(def.messages)) });
      }
    }
  });

export type JourneyDefinition = z.infer<typeof journeyDefinitionSchema>;

/** What a `send` of a message not declared under `messages` is told, a likely typo named. */
export function undeclaredMessage(name: string, declared: readonly string[]): string {
  return `sends message "${name}", which is not declared under messages${didYouMean(name, declared)}`;
}

/** Every `send` in a step tree, with its path, so validation can point at the exact step. */
export function sentMessages(steps: Step[], path: (string | number)[]): [(string | number)[], string][] {
  return sendsIn(steps, path).map(({ path: at, send }) => [[...at, 'send'], send.message]);
}
