/**
 * Value fields the journey schema (definition.ts), its conditions (condition-schema.ts), the loyalty
 * program (loyalty/program.ts) and the environment (config.ts) share: durations, currencies, decimal
 * amounts. zod/mini, as config.ts runs in every function's start; the classic schemas that use them
 * wrap them with functions (`z.optional(isoDuration)`, `z._default(…)`, `.check(z.describe(…))`):
 * these objects have no classic methods.
 */
import { Duration } from 'luxon';
import * as z from 'zod/mini';

export const isoDuration = z
  .string()
  .check(
    z.refine((value: string) => Duration.fromISO(value).isValid && Duration.fromISO(value).toMillis() >= 0, {
      message: 'must be a non-negative ISO 8601 duration such as PT1H, P2D or P2W',
    }),
  )
  .register(z.globalRegistry, { description: 'ISO 8601 duration, for example PT1H, P2D, P2W' });

/** ISO 4217 currency code, as coupons and per-currency settings name it. */
export const currencyCode = z.string().check(z.regex(/^[A-Z]{3}$/, 'must be an ISO 4217 code such as EUR'));
/** A fixed coupon amount: a decimal string, never a float. */
export const couponAmountOff = z
  .string()
  .check(z.regex(/^\d+(\.\d{1,2})?$/, 'must be a decimal string such as "5.00"'));

const moneyAmount = z
  .string()
  .check(z.regex(/^\d+(\.\d{1,4})?$/, 'must be a decimal string such as "20.00"'));
export const perCurrency = z
  .record(currencyCode, moneyAmount)
  .check(z.refine((r) => Object.keys(r).length > 0, { message: 'needs at least one currency' }))
  .register(z.globalRegistry, {
    description: 'an amount per ISO 4217 currency, e.g. { EUR: "10.00", GBP: "9.00" }',
  });
