/**
 * Value fields the journey schema (definition.ts), its conditions (condition-schema.ts) and the loyalty
 * program (loyalty/program.ts) share: durations, currencies, decimal amounts.
 */
import { Duration } from 'luxon';
import * as z from 'zod';

export const isoDuration = z
  .string()
  .refine((value) => Duration.fromISO(value).isValid && Duration.fromISO(value).toMillis() >= 0, {
    message: 'must be a non-negative ISO 8601 duration such as PT1H, P2D or P2W',
  })
  .describe('ISO 8601 duration, for example PT1H, P2D, P2W');

/** ISO 4217 currency code, as coupons and per-currency settings name it. */
export const currencyCode = z.string().regex(/^[A-Z]{3}$/, 'must be an ISO 4217 code such as EUR');
/** A fixed coupon amount: a decimal string, never a float. */
export const couponAmountOff = z
  .string()
  .regex(/^\d+(\.\d{1,2})?$/, 'must be a decimal string such as "5.00"');

const moneyAmount = z.string().regex(/^\d+(\.\d{1,4})?$/, 'must be a decimal string such as "20.00"');
export const perCurrency = z
  .record(currencyCode, moneyAmount)
  .refine((r) => Object.keys(r).length > 0, { message: 'needs at least one currency' })
  .describe('an amount per ISO 4217 currency, e.g. { EUR: "10.00", GBP: "9.00" }');
