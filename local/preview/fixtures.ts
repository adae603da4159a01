/**
 * The customers the preview sends to: the sample customer of each shipped language, and fixtures
 * from JSON files (`journeys preview … --customer anna.json`). A customer is who they are (name,
 * address, locale, time zone, currency, orders so far) and, optionally, the order a journey is about.
 */
import { readFile } from 'node:fs/promises';
import { z } from 'zod';
import { couponAmountOff, currencyCode } from '../../functions/core/definition.ts';
import { type Money, moneySchema } from '../../functions/core/events.ts';
import { canonicalLocale } from '../../functions/core/locale.ts';
import { isTimeZone } from '../../functions/core/time.ts';
import { FixtureError } from '../errors.ts';

export const PREVIEW_SECRET = 'journeys-preview-secret-not-for-production';
export const PREVIEW_PREFERENCES_URL = 'https://preferences.example.com/p';
/** The sample "now": each sample customer's story starts then. */
export const PREVIEW_NOW = '2026-03-05T09:30:00Z';

const isoInstant = z
  .string()
  .refine((v) => !Number.isNaN(Date.parse(v)), 'must be an ISO 8601 timestamp such as 2026-03-05T09:30:00Z');

const fixtureSchema = z
  .object({
    firstName: z.string().optional(),
    email: z.string().regex(/^[^@\s]+@[^@\s]+\.[^@\s]+$/, 'must be an email address'),
    locale: z
      .string()
      .refine((v) => canonicalLocale(v) !== undefined, 'must be a BCP 47 locale such as de-AT or en-GB'),
    timeZone: z.string().refine(isTimeZone, 'must be an IANA time zone such as Europe/Vienna').default('UTC'),
    orderCount: z.number().int('must be a whole number').min(0, 'must be 0 or more').default(1),
    currency: z.optional(currencyCode),
    order: z
      .object({
        orderId: z.string().min(1).optional(),
        placedAt: isoInstant.optional(),
        total: z.optional(moneySchema),
        items: z
          .array(
            z
              .object({
                sku: z.string().min(1),
                name: z.string().optional(),
                quantity: z.number().int('must be a whole number').min(1, 'must be 1 or more'),
                unitPrice: z.optional(moneySchema),
              })
              .strict(),
          )
          .min(1, 'needs at least one item')
          .optional(),
      })
      .strict()
      .optional(),
    /** What-if: overrides the coupon the journey's send step issues (single-message preview only). */
    coupon: z
      .object({
        code: z.string().min(1).optional(),
        percentOff: z.number().gt(0).max(100).optional(),
        amountOff: z.optional(couponAmountOff),
        currency: z.optional(currencyCode),
        expiresAt: isoInstant.optional(),
      })
      .strict()
      .refine((c) => c.percentOff === undefined || c.amountOff === undefined, {
        message: 'has both percentOff and amountOff; give one',
      })
      .optional(),
  })
  .strict();

/** A customer as a preview fixture: profile fields plus optional order and coupon overrides. */
export type CustomerFixture = z.output<typeof fixtureSchema>;

/** Checks a parsed fixture; the error names the file and every bad field. */
export function parseCustomerFixture(value: unknown, source = 'customer fixture'): CustomerFixture {
  const result = fixtureSchema.safeParse(value);
  if (result.success) return result.data;
  const problems = result.error.issues.map((issue) => {
    const where = issue.path.join('.');
    const keys = 'keys' in issue && Array.isArray(issue.keys) ? issue.keys.join(', ') : '';
    if (issue.code === 'unrecognized_keys')
      return `${where ? `${where}: ` : ''}unknown field ${keys} (fields: firstName, email, locale, timeZone, orderCount, currency, order, coupon)`;
    if (issue.code === 'invalid_type' && issue.input === undefined) return `${where}: is required`;
    return `${where || '(top level)'}: ${issue.message}`;
  });
  throw new FixtureError(`${source}: ${problems.join('; ')}`);
}

export async function readCustomerFixture(file: string): Promise<CustomerFixture> {
  let raw: string;
  try {
    raw = await readFile(file, 'utf8');
  } catch (error) {
    throw new FixtureError(`${file}: cannot read it (${(error as NodeJS.ErrnoException).code ?? error})`);
  }
  let json: unknown;
  try {
    json = JSON.parse(raw);
  } catch (error) {
    throw new FixtureError(`${file}: not valid JSON (${(error as Error).message})`);
  }
  return parseCustomerFixture(json, file);
}

const SAMPLE_CUSTOMERS: Record<string, CustomerFixture> = {
  de: customer('Lena', 'lena.schneider@example.de', 'de-DE', 'Europe/Berlin', 4),
  en: customer('Oliver', 'oliver.bennett@example.co.uk', 'en-GB', 'Europe/London', 4),
  es: customer('Lucía', 'lucia.garcia@example.es', 'es-ES', 'Europe/Madrid', 4),
  fr: customer('Camille', 'camille.martin@example.fr', 'fr-FR', 'Europe/Paris', 4),
  it: customer('Giulia', 'giulia.rossi@example.it', 'it-IT', 'Europe/Rome', 4),
};

function customer(
  firstName: string,
  email: string,
  locale: string,
  timeZone: string,
  orderCount: number,
): CustomerFixture {
  return { firstName, email, locale, timeZone, orderCount };
}

/** The sample customer for a locale: one per shipped language, a neutral one for anything else. */
export function sampleCustomer(locale: string): CustomerFixture {
  const language = (canonicalLocale(locale) ?? locale).split('-')[0] ?? locale;
  const known = SAMPLE_CUSTOMERS[language];
  if (known) return { ...known };
  return customer('Alex', `alex@example.com`, canonicalLocale(locale) ?? locale, 'UTC', 4);
}

/** The currency a customer pays in: from the fixture, else by region, else by language. */
export function customerCurrency(c: CustomerFixture): string {
  if (c.currency) return c.currency;
  const tag = canonicalLocale(c.locale) ?? c.locale;
  const region = /-([A-Z]{2})\b/.exec(tag)?.[1];
  const byRegion: Record<string, string> = { US: 'USD', GB: 'GBP', CH: 'CHF', CA: 'CAD', AU: 'AUD' };
  if (region && byRegion[region]) return byRegion[region];
  return tag.startsWith('en') ? 'GBP' : 'EUR';
}

const PRODUCTS: Record<string, [string, string, string]> = {
  en: ['Single-origin espresso beans, 250 g', 'Stoneware mug, sage green', 'Pour-over filter papers (100)'],
  de: [
    'Espressobohnen Single Origin, 250 g',
    'Steinzeugbecher, Salbeigrün',
    'Filterpapier für Handfilter (100 Stück)',
  ],
  fr: [
    'Café en grains espresso pure origine, 250 g',
    'Tasse en grès, vert sauge',
    'Filtres papier (lot de 100)',
  ],
  es: [
    'Café en grano espresso de origen único, 250 g',
    'Taza de gres, verde salvia',
    'Filtros de papel (100 uds.)',
  ],
  it: [
    'Caffè in grani espresso monorigine, 250 g',
    'Tazza in gres, verde salvia',
    'Filtri di carta (confezione da 100)',
  ],
};
const PRICES: Record<string, [string, string, string]> = {
  EUR: ['12.90', '18.50', '4.20'],
  GBP: ['10.90', '15.50', '3.60'],
  USD: ['14.50', '21.00', '4.90'],
  CHF: ['13.90', '19.90', '4.50'],
};

export interface SampleOrder {
  orderId: string;
  placedAt?: string | undefined;
  total: Money;
  items: { sku: string; name?: string | undefined; quantity: number; unitPrice?: Money | undefined }[];
}

/** The order a customer's story is about: the fixture's, else three typical items of their language. */
export function sampleOrder(c: CustomerFixture): SampleOrder {
  const currency = customerCurrency(c);
  const language = (canonicalLocale(c.locale) ?? c.locale).split('-')[0] ?? 'en';
  const names = PRODUCTS[language] ?? PRODUCTS.en ?? ['', '', ''];
  const prices = PRICES[currency] ?? PRICES.EUR ?? ['0', '0', '0'];
  const items = c.order?.items ?? [
    { sku: 'ESP-SO-250', name: names[0], quantity: 2, unitPrice: { amount: prices[0], currency } },
    { sku: 'MUG-SAGE', name: names[1], quantity: 1, unitPrice: { amount: prices[1], currency } },
    { sku: 'FLT-100', name: names[2], quantity: 1, unitPrice: { amount: prices[2], currency } },
  ];
  return {
    orderId: c.order?.orderId ?? `${language.toUpperCase()}-10${42 + (hash(c.email) % 900)}`,
    placedAt: c.order?.placedAt,
    total: c.order?.total ?? sumItems(items, currency),
    items,
  };
}

function sumItems(items: SampleOrder['items'], currency: string): Money {
  let cents = 0n;
  for (const item of items) {
    if (!item.unitPrice) continue;
    const [whole = '0', frac = ''] = item.unitPrice.amount.split('.');
    cents += (BigInt(whole) * 100n + BigInt(`${frac}00`.slice(0, 2))) * BigInt(item.quantity);
  }
  const cur = items.find((i) => i.unitPrice)?.unitPrice?.currency ?? currency;
  return { amount: `${cents / 100n}.${String(cents % 100n).padStart(2, '0')}`, currency: cur };
}

function hash(value: string): number {
  let h = 2166136261;
  for (const ch of value) h = Math.imul(h ^ (ch.codePointAt(0) ?? 0), 16777619) >>> 0;
  return h;
}

/** A stable id for a customer of the preview, from their address. */
export function sampleCustomerId(c: CustomerFixture): string {
  const slug = c.email
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-|-$/g, '');
  return `preview-${slug}`;
}
