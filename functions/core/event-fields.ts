/**
 * The field types of the event contract (ids, codes, addresses, timestamps, currencies, money) and
 * its size limits, shared by the shop events (events.ts) and the loyalty events (loyalty/events.ts).
 */
import * as z from 'zod/mini';
import { isLocale } from './locale.ts';
import { isTimeZone } from './time.ts';

/**
 * The contract's size limits. Every accepted event must be storable by every handler: DynamoDB keeps
 * at most 400 KB per item and a journey instance stores its trigger's fields, so no field may be large
 * enough to fail one handler while another accepted the event. Unknown fields are dropped on parsing.
 */
export const LIMITS = {
  /** Whole detail, as JSON in UTF-8: EventBridge's limit for an entry. */
  detailBytes: 256 * 1024,
  id: 200,
  /** RFC 5321: a forward path holds at most 256 octets, so an address at most 254 characters. */
  email: 254,
  name: 200,
  code: 64,
  sku: 100,
  itemName: 200,
  items: 100,
  comment: 5000,
  /** How far a timestamp may lie ahead of the receiving clock (clock skew), in minutes. */
  futureMinutes: 5,
} as const;

export const atMost = (n: number, what = 'characters') => `must be at most ${n} ${what}`;
export const nonEmpty = z.string().check(z.trim(), z.minLength(1, 'must not be empty'));
export const id = nonEmpty.check(z.maxLength(LIMITS.id, atMost(LIMITS.id)));
export const code = z.string().check(z.maxLength(LIMITS.code, atMost(LIMITS.code)));
export const email = z
  .email({ message: 'must be an email address' })
  .check(z.maxLength(LIMITS.email, atMost(LIMITS.email, 'characters (RFC 5321)')));
export const firstName = z.string().check(z.maxLength(LIMITS.name, atMost(LIMITS.name)));
export const timestamp = z.iso.datetime({
  offset: true,
  message: 'must be an ISO 8601 timestamp with offset or Z',
});
export const locale = z
  .string()
  .check(z.refine(isLocale, { message: 'must be a BCP 47 language tag such as de-DE or en' }))
  .register(z.globalRegistry, { description: 'BCP 47 language tag, e.g. de-DE' });
export const timeZone = z
  .string()
  .check(z.refine(isTimeZone, { message: 'must be an IANA time zone such as Europe/Berlin' }))
  .register(z.globalRegistry, { description: 'IANA time zone, e.g. Europe/Berlin' });
export const currency = z.string().check(
  z.regex(/^[A-Z]{3}$/, 'must be a three-letter ISO 4217 code in capitals, e.g. EUR'),
  z.refine((code: string) => Intl.supportedValuesOf('currency').includes(code), {
    message: 'must be a known ISO 4217 currency code',
  }),
);
/** Money is a decimal string, never a float: binary floats cannot hold 0.10 exactly. */
export const amount = z
  .string({ message: 'must be a decimal string such as "59.90", not a number' })
  .check(z.regex(/^\d{1,12}(\.\d{1,4})?$/, 'must be a non-negative decimal string such as "59.90"'));
export const moneySchema = z
  .object({ amount, currency })
  .register(z.globalRegistry, { description: 'money: decimal string amount + ISO 4217' });
export type Money = z.infer<typeof moneySchema>;

/**
 * Money, or only its amount as a decimal string, as most shop systems send prices: the currency then
 * comes from the event (an order's `total.currency`, a refund's `currency`). Parsed events always carry
 * the `Money` object (`normaliseDetail`), so nothing downstream sees the string.
 */
export const moneyOrAmount = (currencyFrom: string) =>
  z
    .union([amount, moneySchema], {
      error: `must be a decimal string such as "24.95" (currency from ${currencyFrom}) or money { amount, currency }`,
    })
    .register(z.globalRegistry, {
      description: `money, or a decimal string amount such as "24.95" in the currency of ${currencyFrom}`,
    });
