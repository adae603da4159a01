/**
 * The shop the bill is for, per customer and month. The defaults describe a small online shop with
 * repeat buyers; override any field with `npm run cost -- --profile my-shop.json` (a JSON object
 * with some of these keys) or a flag such as `--orders 0.4`.
 */

export interface ShopProfile {
  /** New customers per existing customer and month (2 % growth a month). */
  registrations: number;
  orders: number;
  deliveries: number;
  refunds: number;
  feedback: number;
  /** Emails the journeys send per customer and month (every message of every journey). */
  emails: number;
  /** SES open and click events per email sent (on top of its Send and Delivery events). */
  opensPerEmail: number;
  clicksPerEmail: number;
}

export const DEFAULT_PROFILE: ShopProfile = {
  registrations: 0.02,
  orders: 0.25,
  deliveries: 0.24,
  refunds: 0.01,
  feedback: 0.05,
  emails: 1.5,
  opensPerEmail: 0.35,
  clicksPerEmail: 0.05,
};

export const PROFILE_KEYS = Object.keys(DEFAULT_PROFILE) as (keyof ShopProfile)[];

/** A profile from `base` with `overrides` applied; every value must be a finite number ≥ 0. */
export function profileFrom(base: ShopProfile, overrides: Record<string, unknown>): ShopProfile {
  const profile = { ...base };
  for (const [key, value] of Object.entries(overrides)) {
    if (!PROFILE_KEYS.includes(key as keyof ShopProfile))
      throw new ProfileError(`unknown profile field "${key}" (known: ${PROFILE_KEYS.join(', ')})`);
    const number = typeof value === 'string' && value.trim() !== '' ? Number(value) : value;
    if (typeof number !== 'number' || !Number.isFinite(number) || number < 0)
      throw new ProfileError(`profile field "${key}" must be a number ≥ 0 (got ${JSON.stringify(value)})`);
    profile[key as keyof ShopProfile] = number;
  }
  return profile;
}

/** A mistake in the user's profile or flags: shown as a message, never as a stack trace. */
export class ProfileError extends Error {}
