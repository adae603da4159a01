/**
 * The loyalty program's definition: the schema marketers write in `loyalty.yaml`, published as JSON
 * Schema (`schemas/loyalty.schema.json`) and checked by `journeys validate`. Pure data; the rules that
 * read it are in ledger.ts (earning, reversal, expiry, redemption) and tiers.ts.
 */
import * as z from 'zod';
import { couponAmountOff, currencyCode, isoDuration } from '../schema-fields.ts';

const points = z.number().int('must be a whole number of points').min(0, 'must be 0 or more');
const slug = z
  .string()
  .regex(/^[a-z][a-z0-9-]*$/, 'must be kebab-case: lower-case letters, digits and dashes');

const earning = z
  .object({
    pointsPerUnit: z
      .record(currencyCode, z.number().positive('must be more than 0'))
      .refine((r) => Object.keys(r).length > 0, { message: 'needs at least one currency' })
      .describe(
        'points per whole currency unit of an order total, per ISO 4217 currency; orders in other currencies earn nothing',
      ),
    rounding: z
      .enum(['down', 'nearest'])
      .default('down')
      .describe('how fractional points of an order are rounded: down (default) or to the nearest'),
    hold: z
      ._default(isoDuration, 'P14D')
      .describe('points of an order stay pending this long after placedAt and are lost if it is refunded'),
    bonuses: z
      .object({
        registration: points.default(0).describe('once, when the customer registers'),
        feedback: points
          .default(0)
          .describe('once per order (or per answer without an order) for an NPS answer'),
        birthday: points.default(0).describe("once a year on the customer's birthday, in their time zone"),
        referral: points.default(0).describe('to the referrer, once per referee whose order passed its hold'),
      })
      .strict()
      .default({ registration: 0, feedback: 0, birthday: 0, referral: 0 }),
  })
  .strict();

const tier = z
  .object({
    id: slug.describe('tier id; its name per locale is the locale key loyalty.tiers.<id>'),
    threshold: points.describe('qualifying points needed in the qualification period'),
    benefits: z
      .object({
        earnMultiplier: z.number().min(1, 'must be at least 1').default(1),
        couponPercentOff: z
          .number()
          .int()
          .min(1)
          .max(100)
          .optional()
          .describe('the tier coupon journeys may give'),
        flags: z
          .record(z.string().regex(/^[a-zA-Z][a-zA-Z0-9]*$/, 'must be camelCase'), z.boolean())
          .default({})
          .describe(
            'benefits as data the shop reads from loyalty.tier.changed (freeShipping, earlyAccess …)',
          ),
      })
      .strict()
      .default({ earnMultiplier: 1, flags: {} }),
  })
  .strict();

const tiers = z
  .object({
    period: z
      .enum(['rolling12Months', 'calendarYear'])
      .default('rolling12Months')
      .describe(
        'rolling12Months: the customer-local calendar month and the 11 before it; calendarYear: the customer-local year, status kept through the next year',
      ),
    downgradeGrace: z
      ._default(isoDuration, 'P30D')
      .describe(
        'how long a member below their tier keeps it (and gets a tier-at-risk note) before moving down',
      ),
    levels: z
      .array(tier)
      .min(1, 'needs at least one tier')
      .superRefine((levels, context) => {
        if (levels[0] && levels[0].threshold !== 0)
          context.addIssue({
            code: 'custom',
            path: [0, 'threshold'],
            message: 'the first tier must have threshold 0 (every member has a tier)',
          });
        for (let i = 1; i < levels.length; i++) {
          const before = levels[i - 1];
          const level = levels[i];
          if (before && level && level.threshold <= before.threshold)
            context.addIssue({
              code: 'custom',
              path: [i, 'threshold'],
              message: `must be above ${before.threshold}, the threshold of ${before.id} (tiers go up in order)`,
            });
        }
        const ids = new Set<string>();
        levels.forEach((level, i) => {
          if (ids.has(level.id))
            context.addIssue({ code: 'custom', path: [i, 'id'], message: `${level.id} is used twice` });
          ids.add(level.id);
        });
      })
      .describe('from the base tier (threshold 0) upwards'),
  })
  .strict();

const reward = z
  .object({
    id: slug.describe('reward id; its name per locale is the locale key loyalty.rewards.<id>'),
    points: z.number().int().positive('must be more than 0').describe('points a redemption takes'),
    amountOff: z
      .record(currencyCode, couponAmountOff)
      .optional()
      .describe("a fixed coupon per currency; the customer's currency is that of their latest order"),
    percentOff: z.number().int().min(1).max(100).optional(),
    validFor: z._default(isoDuration, 'P90D').describe('how long the coupon is valid after redemption'),
  })
  .strict()
  .refine((r) => (r.amountOff === undefined) !== (r.percentOff === undefined), {
    message: 'needs exactly one of amountOff or percentOff',
  });

export const loyaltyProgramSchema = z
  .object({
    $schema: z.string().optional(),
    enabled: z.boolean().default(true).describe('false: no points, no events, the member page says so'),
    earning,
    tiers,
    expiry: z
      .object({
        after: z
          ._default(isoDuration, 'P12M')
          .describe('available points expire after this long without activity (an order or a redemption)'),
        reminderBefore: z
          ._default(isoDuration, 'P30D')
          .describe('loyalty.points.expiring is emitted this long before'),
      })
      .strict()
      .default({ after: 'P12M', reminderBefore: 'P30D' }),
    rewards: z
      .array(reward)
      .default([])
      .superRefine((rewards, context) => {
        const ids = new Set<string>();
        rewards.forEach((r, i) => {
          if (ids.has(r.id))
            context.addIssue({ code: 'custom', path: [i, 'id'], message: `${r.id} is used twice` });
          ids.add(r.id);
        });
      }),
  })
  .strict();

export type LoyaltyProgram = z.output<typeof loyaltyProgramSchema>;
export type LoyaltyProgramInput = z.input<typeof loyaltyProgramSchema>;
export type Tier = LoyaltyProgram['tiers']['levels'][number];
export type Reward = LoyaltyProgram['rewards'][number];
