/**
 * The email preview behind `journeys preview`: sample data per locale, customer fixtures, one render
 * of one message, and the gallery (every message of every journey × every shipped locale) as a set of
 * files. Pure apart from `writeGallery` and `readCustomerFixture`: the catalog comes in, file contents
 * come out, so tests need neither a browser nor a network.
 *
 * Links point at https://shop.example.com and a fake preferences site; tokens are signed with a fixed
 * preview secret, so every link looks like the real thing and none of them works.
 */
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { Duration } from 'luxon';
import { z } from 'zod';
import type { Catalog } from '../functions/catalog/catalog.ts';
import {
  type Condition,
  couponAmountOff,
  currencyCode,
  type JourneyDefinition,
  type Step,
} from '../functions/core/definition.ts';
import { moneySchema } from '../functions/core/events.ts';
import { feedbackLinks } from '../functions/core/links.ts';
import { canonicalLocale, resolveLocale } from '../functions/core/locale.ts';
import { addDuration, isTimeZone } from '../functions/core/time.ts';
import { signToken } from '../functions/core/tokens.ts';
import {
  createRenderer,
  type EmailRenderer,
  type MessageClass,
  type MoneyValue,
  type RenderData,
  type RenderedEmail,
} from '../functions/email/index.ts';
import { FixtureError, PreviewError } from './errors.ts';

export const PREVIEW_SECRET = 'journeys-preview-secret-not-for-production';
export const PREVIEW_SHOP = {
  name: 'Bean & Leaf',
  url: 'https://shop.example.com',
  address: 'Torstraße 110, 10119 Berlin',
} as const;
export const PREVIEW_PREFERENCES_URL = 'https://preferences.example.com/p';
/** The sample "now": coupons expire, orders were placed and links are signed relative to it. */
export const PREVIEW_NOW = '2026-03-05T09:30:00Z';

// ---------------------------------------------------------------------------------------------------
// Customers: the sample customer of each locale, and fixtures from JSON files.

const money = moneySchema;
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
    currency: currencyCode.optional(),
    order: z
      .object({
        orderId: z.string().min(1).optional(),
        placedAt: isoInstant.optional(),
        total: money.optional(),
        items: z
          .array(
            z
              .object({
                sku: z.string().min(1),
                name: z.string().optional(),
                quantity: z.number().int('must be a whole number').min(1, 'must be 1 or more'),
                unitPrice: money.optional(),
              })
              .strict(),
          )
          .min(1, 'needs at least one item')
          .optional(),
      })
      .strict()
      .optional(),
    coupon: z
      .object({
        code: z.string().min(1).optional(),
        percentOff: z.number().gt(0).max(100).optional(),
        amountOff: couponAmountOff.optional(),
        currency: currencyCode.optional(),
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

// ---------------------------------------------------------------------------------------------------
// Sample data for one message.

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
const REWARD_DEFAULT: Record<string, string> = { EUR: '10.00', USD: '10.00', GBP: '9.00', CHF: '10.00' };

interface SendSpec {
  coupon?:
    | {
        percentOff?: number | undefined;
        amountOff?: string | undefined;
        currency?: string | undefined;
        validFor: string;
      }
    | undefined;
  reward?: Record<string, string> | undefined;
}

/** The `send` step of a message in a journey (for its coupon or reward), if there is one. */
export function sendSpec(steps: Step[], message: string): SendSpec | undefined {
  for (const step of steps) {
    if ('send' in step) {
      if (step.send === message) return {};
      if (typeof step.send === 'object' && step.send.message === message)
        return { coupon: step.send.coupon, reward: step.send.reward };
    }
    const nested =
      'waitFor' in step
        ? [...(step.onEvent ?? []), ...(step.onTimeout ?? [])]
        : 'if' in step
          ? [...step.then, ...(step.else ?? [])]
          : [];
    const found = nested.length ? sendSpec(nested, message) : undefined;
    if (found) return found;
  }
  return undefined;
}

export interface SampleInput {
  /** Key of the template in the catalog, e.g. `referral/invite-friends`. */
  template: string;
  messageClass: MessageClass;
  customer: CustomerFixture;
  send?: SendSpec | undefined;
  now?: string;
}

/** Realistic data for a message: what the dispatcher would hand the renderer in production. */
export function sampleData(input: SampleInput): RenderData {
  const { customer: c, template } = input;
  const now = input.now ?? PREVIEW_NOW;
  const currency = customerCurrency(c);
  const language = (canonicalLocale(c.locale) ?? c.locale).split('-')[0] ?? 'en';
  const customerId = `preview-${slug(c.email)}`;
  const names = PRODUCTS[language] ?? PRODUCTS.en ?? ['', '', ''];
  const prices = PRICES[currency] ?? PRICES.EUR ?? ['0', '0', '0'];
  const message = template.split('/')[1] ?? template;

  const items = c.order?.items ?? [
    { sku: 'ESP-SO-250', name: names[0], quantity: 2, unitPrice: { amount: prices[0], currency } },
    { sku: 'MUG-SAGE', name: names[1], quantity: 1, unitPrice: { amount: prices[1], currency } },
    { sku: 'FLT-100', name: names[2], quantity: 1, unitPrice: { amount: prices[2], currency } },
  ];
  const total: MoneyValue = c.order?.total ?? sumItems(items, currency);
  const order = {
    orderId: c.order?.orderId ?? `${language.toUpperCase()}-10${42 + (hash(c.email) % 900)}`,
    placedAt: c.order?.placedAt ?? addDuration(now, '-P9D', 'UTC'),
    total,
    items,
    itemCount: items.reduce((n, item) => n + item.quantity, 0),
  };

  const couponSpec = input.send?.coupon;
  const validFor = couponSpec?.validFor ?? 'P14D';
  const base = c.coupon?.amountOff
    ? { amountOff: c.coupon.amountOff, currency: c.coupon.currency ?? currency }
    : c.coupon?.percentOff
      ? { percentOff: c.coupon.percentOff }
      : couponSpec?.amountOff
        ? { amountOff: couponSpec.amountOff, currency: couponSpec.currency ?? currency }
        : { percentOff: couponSpec?.percentOff ?? 10 };
  const coupon = {
    code: c.coupon?.code ?? couponCode(message, c.email),
    ...base,
    expiresAt: c.coupon?.expiresAt ?? addDuration(now, validFor, c.timeZone),
  };

  const referralCode = `${(c.firstName ?? 'FRIEND')
    .normalize('NFD')
    .replace(/[^A-Za-z]/g, '')
    .toUpperCase()
    .slice(0, 8)}-${code(c.email, 4)}`;
  const rewardAmount = input.send?.reward?.[currency] ?? REWARD_DEFAULT[currency] ?? '10.00';
  const unsubscribe =
    input.messageClass === 'marketing'
      ? `${PREVIEW_PREFERENCES_URL}/unsubscribe?token=${signToken(PREVIEW_SECRET, {
          customerId,
          purpose: 'unsubscribe',
          expiresAt: addDuration(now, 'P90D', 'UTC'),
        })}`
      : undefined;
  const shop = PREVIEW_SHOP.url;

  return {
    customer: {
      firstName: c.firstName || undefined,
      email: c.email,
      // The first order's thank-you goes to someone with exactly one order.
      orderCount: message === 'thank-you-first' ? 1 : c.orderCount,
    },
    coupon,
    order,
    feedback: { score: 4 },
    referral: { code: referralCode, shareUrl: `${shop}/?ref=${encodeURIComponent(referralCode)}` },
    // Shaped like a real referral code (XXXX-XXXX): the referrer's, which invited this customer.
    invitation: { code: `${code(`invited-by:${c.email}`, 4)}-${code(`invitation:${c.email}`, 4)}` },
    reward: { amount: rewardAmount, currency },
    shop: { ...PREVIEW_SHOP },
    links: {
      shop: `${shop}/?utm_source=email&utm_campaign=${encodeURIComponent(template)}`,
      unsubscribe,
      feedback: feedbackLinks(PREVIEW_SECRET, PREVIEW_PREFERENCES_URL, {
        customerId,
        orderId: order.orderId,
        now,
      }),
    },
  };
}

function sumItems(
  items: { quantity: number; unitPrice?: MoneyValue | undefined }[],
  currency: string,
): MoneyValue {
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

/** A stable pseudo-random code: no 0/O/1/I, like the real coupon codes. */
function code(seed: string, length: number): string {
  const alphabet = 'ABCDEFGHJKLMNPQRSTUVWXYZ23456789';
  let h = hash(seed);
  let out = '';
  for (let i = 0; i < length; i++) {
    out += alphabet[h % alphabet.length];
    h = Math.imul(h ^ (h >>> 13), 2654435761) >>> 0;
  }
  return out;
}

function couponCode(message: string, email: string): string {
  const prefix: Record<string, string> = {
    'first-order-offer': 'HELLO',
    'referral-welcome': 'FRIEND',
    'comeback-offer': 'COMEBACK',
    'last-chance': 'LASTCALL',
    'last-chance-vip': 'THANKYOU',
    birthday: 'BIRTHDAY',
  };
  return `${prefix[message] ?? 'SAVE'}-${code(`${message}:${email}`, 4)}`;
}

function slug(value: string): string {
  return value
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-|-$/g, '');
}

// ---------------------------------------------------------------------------------------------------
// Finding a message and a locale.

export interface MessageRef {
  journeyId: string;
  messageId: string;
  /** Key of the template in the catalog. */
  template: string;
  messageClass: MessageClass;
  send: SendSpec | undefined;
}

/** Every message each journey sends, in definition order. */
export function journeyMessages(journey: JourneyDefinition): MessageRef[] {
  return Object.entries(journey.messages).map(([messageId, spec]) => ({
    journeyId: journey.id,
    messageId,
    template: spec.template ?? `${journey.id}/${messageId}`,
    messageClass: spec.class,
    send: sendSpec(journey.steps, messageId),
  }));
}

/** `<journey>/<message>` as a journey sends it (`referral-invite/invite-friends`) or a template key. */
export function findMessage(catalog: Catalog, ref: string): MessageRef {
  const all = catalog.journeys.flatMap((j) => journeyMessages(j.definition));
  const [journeyId, messageId, ...rest] = ref.split('/');
  const listing = all.map((m) => `  ${m.journeyId}/${m.messageId}`).join('\n');
  if (!journeyId || !messageId || rest.length) {
    throw new PreviewError(`"${ref}" is not <journey>/<message>. Messages:\n${listing}`);
  }
  const exact = all.find((m) => m.journeyId === journeyId && m.messageId === messageId);
  if (exact) return exact;
  const byTemplate = all.find((m) => m.template === ref);
  if (byTemplate) return { ...byTemplate, journeyId, messageId };
  const journey = catalog.journeys.find((j) => j.definition.id === journeyId);
  if (journey) {
    throw new PreviewError(
      `journey "${journeyId}" has no message "${messageId}"; it sends: ${Object.keys(journey.definition.messages).join(', ')}`,
    );
  }
  throw new PreviewError(
    `unknown message "${ref}": there is no journey "${journeyId}". Messages:\n${listing}`,
  );
}

export interface LocaleCheck {
  requested: string;
  /** The locale whose strings the email uses. */
  resolved: string;
  /** True when the requested language is not shipped and the email falls back to the default. */
  fallback: boolean;
}

/** Canonicalises the requested locale and resolves it through the fallback chain; throws on nonsense. */
export function checkLocale(catalog: Catalog, template: string, requested: string): LocaleCheck {
  const shipped = catalog.templates.locales;
  const canonical = canonicalLocale(requested);
  if (!canonical) {
    throw new PreviewError(
      `"${requested}" is not a locale tag such as de-AT; shipped locales: ${shipped.join(', ')}`,
    );
  }
  const available = Object.keys(catalog.templates.messages[template]?.strings ?? {});
  const resolved = resolveLocale(available, canonical, catalog.templates.defaultLocale);
  const fallback = canonical.split('-')[0]?.toLowerCase() !== resolved.split('-')[0]?.toLowerCase();
  return { requested: canonical, resolved, fallback };
}

// ---------------------------------------------------------------------------------------------------
// Rendering.

export interface RenderOneInput {
  catalog: Catalog;
  message: MessageRef;
  locale: string;
  customer: CustomerFixture;
  renderer?: EmailRenderer;
}

export async function renderOne(input: RenderOneInput): Promise<RenderedEmail> {
  const renderer = input.renderer ?? createRenderer(input.catalog.templates);
  const [journeyId = '', message = ''] = input.message.template.split('/');
  return renderer.render({
    journeyId,
    message,
    locale: input.locale,
    timeZone: input.customer.timeZone,
    data: sampleData({
      template: input.message.template,
      messageClass: input.message.messageClass,
      customer: { ...input.customer, locale: input.locale },
      send: input.message.send,
    }),
  });
}

export type GalleryCell = {
  journeyId: string;
  messageId: string;
  locale: string;
  customer: CustomerFixture;
  /** Paths relative to the gallery directory. */
  htmlFile: string;
  textFile: string;
} & ({ ok: true; email: RenderedEmail } | { ok: false; error: string });

export interface Gallery {
  locales: string[];
  journeys: JourneyDefinition[];
  messages: MessageRef[];
  cells: GalleryCell[];
  /** Relative path -> content: index.html and two files per rendered cell. */
  files: Map<string, string>;
  counts: { journeys: number; messages: number; locales: number; renders: number; failures: number };
}

/** Renders every message of every journey in every shipped locale and lays out the gallery. */
export async function buildGallery(
  catalog: Catalog,
  options: { onProgress?: (done: number, total: number, label: string) => void } = {},
): Promise<Gallery> {
  const renderer = createRenderer(catalog.templates);
  const locales = [...catalog.templates.locales];
  const journeys = catalog.journeys.map((j) => j.definition);
  const messages = journeys.flatMap(journeyMessages);
  const cells: GalleryCell[] = [];
  const files = new Map<string, string>();
  const total = messages.length * locales.length;
  for (const m of messages) {
    for (const locale of locales) {
      const customer = sampleCustomer(locale);
      const base = `${m.journeyId}/${m.messageId}.${locale}`;
      const where = { journeyId: m.journeyId, messageId: m.messageId, locale, customer };
      const htmlFile = `${base}.html`;
      const textFile = `${base}.txt`;
      options.onProgress?.(cells.length, total, `${m.journeyId}/${m.messageId} ${locale}`);
      try {
        const email = await renderOne({ catalog, message: m, locale: customer.locale, customer, renderer });
        files.set(htmlFile, email.html);
        // A BOM so browsers opening the .txt from disk read it as UTF-8 (ä, é, ñ …).
        files.set(textFile, `\uFEFF${email.text}`);
        cells.push({ ...where, htmlFile, textFile, ok: true, email });
      } catch (error) {
        cells.push({ ...where, htmlFile, textFile, ok: false, error: (error as Error).message });
      }
    }
  }
  options.onProgress?.(total, total, 'done');
  const counts = {
    journeys: journeys.length,
    messages: messages.length,
    locales: locales.length,
    renders: cells.filter((c) => c.ok).length,
    failures: cells.filter((c) => !c.ok).length,
  };
  const gallery: Gallery = { locales, journeys, messages, cells, files, counts };
  files.set('index.html', galleryIndexHtml(gallery));
  return gallery;
}

export async function writeGallery(outDir: string, gallery: Gallery): Promise<void> {
  const dirs = new Set([...gallery.files.keys()].map((rel) => path.dirname(path.join(outDir, rel))));
  for (const dir of dirs) await mkdir(dir, { recursive: true });
  await Promise.all([...gallery.files].map(([rel, content]) => writeFile(path.join(outDir, rel), content)));
}

// ---------------------------------------------------------------------------------------------------
// Journeys in words.

/** `P2D` -> "2 days", `PT1H30M` -> "1 hour 30 minutes". */
export function durationWords(iso: string): string {
  const d = Duration.fromISO(iso);
  if (!d.isValid) return iso;
  const o = d.toObject();
  const parts: string[] = [];
  const unit = (n: number | undefined, word: string) => {
    if (n) parts.push(`${n} ${word}${n === 1 ? '' : 's'}`);
  };
  unit(o.years, 'year');
  unit(o.months, 'month');
  unit(o.weeks, 'week');
  unit(o.days, 'day');
  unit(o.hours, 'hour');
  unit(o.minutes, 'minute');
  unit(o.seconds, 'second');
  return parts.join(' ') || 'no time';
}

function comparisonWords(c: Partial<Record<'eq' | 'gt' | 'gte' | 'lt' | 'lte', number>>): string {
  const ops = { eq: '=', gt: '>', gte: '≥', lt: '<', lte: '≤' } as const;
  return (Object.keys(ops) as (keyof typeof ops)[])
    .filter((k) => c[k] !== undefined)
    .map((k) => `${ops[k]} ${c[k]}`)
    .join(' and ');
}

type Test = {
  equals?: unknown;
  in?: unknown[] | undefined;
  startsWith?: string | undefined;
  exists?: boolean | undefined;
  compare?: Parameters<typeof comparisonWords>[0] | undefined;
  moneyAtLeast?: Record<string, string> | undefined;
};

function testWords(field: string, t: Test): string {
  if (t.exists !== undefined) return t.exists ? `${field} is set` : `no ${field}`;
  if (t.equals !== undefined) return `${field} = ${String(t.equals)}`;
  if (t.in) return `${field} in ${t.in.join(', ')}`;
  if (t.startsWith !== undefined) return `${field} starts with “${t.startsWith}”`;
  if (t.compare) return `${field} ${comparisonWords(t.compare)}`;
  if (t.moneyAtLeast)
    return `${field} ≥ ${Object.entries(t.moneyAtLeast)
      .map(([cur, amount]) => `${amount} ${cur}`)
      .join(' / ')}`;
  return field;
}

export function conditionWords(c: Condition): string {
  if ('orders' in c) {
    const o = c.orders;
    const scope = [
      o.delivered ? 'delivered ' : '',
      'orders',
      o.sinceEntry ? ' since entry' : '',
      o.within ? ` in the last ${durationWords(o.within)}` : '',
    ].join('');
    return `${scope} ${comparisonWords(o.count)}`;
  }
  if ('event' in c) return testWords(c.event.field, c.event);
  if ('profile' in c) return testWords(c.profile.field, c.profile);
  if ('entries' in c)
    return `entries ${comparisonWords(c.entries.count)} ${
      c.entries.period === 'calendarYear' ? 'this calendar year' : `in ${durationWords(c.entries.period)}`
    }`;
  if ('all' in c) return c.all.map(conditionWords).join(' and ');
  if ('any' in c) return c.any.map(conditionWords).join(' or ');
  return `not (${conditionWords(c.not)})`;
}

export function triggerWords(j: JourneyDefinition): string {
  const t = j.trigger;
  if ('anyOf' in t)
    return `on ${t.anyOf.map((e) => `${e.event}${e.if ? ` (${conditionWords(e.if)})` : ''}`).join(' or ')}`;
  if ('inactivity' in t) return `no ${t.inactivity.event} for ${durationWords(t.inactivity.after)}`;
  if ('anniversary' in t) return `every year on the ${t.anniversary.field}, ${t.anniversary.at} local time`;
  return `on ${t.event}${t.if ? ` (${conditionWords(t.if)})` : ''}${t.instanceKey ? `, one per ${t.instanceKey}` : ''}`;
}

// ---------------------------------------------------------------------------------------------------
// The gallery page.

const LOCALE_NAMES: Record<string, string> = {
  de: 'Deutsch',
  en: 'English',
  es: 'Español',
  fr: 'Français',
  it: 'Italiano',
};

function esc(value: unknown): string {
  return String(value)
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;');
}

const id = (...parts: string[]) => parts.join('--').replace(/[^A-Za-z0-9_-]/g, '_');
const msgAnchor = (journeyId: string, messageId: string) => id('m', journeyId, messageId);
const cellAnchor = (journeyId: string, messageId: string, locale: string) =>
  id('c', journeyId, messageId, locale);

function badge(messageClass: MessageClass): string {
  return `<span class="badge ${messageClass}">${messageClass}</span>`;
}

function flowHtml(steps: Step[], journeyId: string): string {
  const items = steps.map((step) => {
    if ('send' in step) {
      const name = typeof step.send === 'string' ? step.send : step.send.message;
      const extra: string[] = [];
      if (typeof step.send === 'object') {
        const c = step.send.coupon;
        if (c)
          extra.push(
            `with a ${c.percentOff !== undefined ? `${c.percentOff} %` : `${c.amountOff} ${c.currency}`} coupon, valid ${durationWords(c.validFor)}`,
          );
        if (step.send.reward)
          extra.push(
            `grants a reward of ${Object.entries(step.send.reward)
              .map(([cur, amount]) => `${amount} ${cur}`)
              .join(' / ')}`,
          );
      }
      return node(
        'send',
        '✉',
        `Send <a href="#${msgAnchor(journeyId, name)}">${esc(name)}</a>`,
        extra.map(esc).join('; '),
      );
    }
    if ('wait' in step) {
      const w = step.wait;
      const text =
        typeof w === 'string'
          ? `Wait ${durationWords(w)}`
          : w.sinceEntry
            ? `Wait until ${durationWords(w.sinceEntry)} after entry`
            : `Wait ${durationWords(w.duration ?? 'PT0S')}${w.since ? ` after ${w.since}` : ''}`;
      return node('wait', '◷', esc(text));
    }
    if ('emit' in step) {
      const e = step.emit;
      const note = [e.to ? `to ${e.to}` : '', e.detail ? Object.values(e.detail).map(String).join(', ') : '']
        .filter(Boolean)
        .join(' · ');
      return node('emit', '⚡', `Emit <code>${esc(e.detailType)}</code>`, esc(note));
    }
    if ('waitFor' in step) {
      const w = step.waitFor;
      const head = node(
        'waitfor',
        '◎',
        `Wait for <code>${esc(w.event)}</code>`,
        esc(
          [
            w.correlate ? `same ${w.correlate}` : '',
            `up to ${durationWords(w.timeout)}`,
            w.since ? `counted from ${w.since}` : '',
          ]
            .filter(Boolean)
            .join(', '),
        ),
        [
          step.onEvent?.length ? branch('if it comes', step.onEvent, journeyId) : '',
          step.onTimeout?.length ? branch('if not', step.onTimeout, journeyId) : '',
        ].join(''),
      );
      return head;
    }
    return node(
      'if',
      '◇',
      `If ${esc(conditionWords(step.if))}`,
      '',
      [
        branch('then', step.then, journeyId),
        step.else?.length ? branch('else', step.else, journeyId) : '',
      ].join(''),
    );
  });
  return `<ol class="flow">${items.join('')}</ol>`;
}

function node(kind: string, icon: string, title: string, note = '', children = ''): string {
  return `<li class="step ${kind}"><span class="dot" aria-hidden="true">${icon}</span><div class="what"><div class="title">${title}</div>${
    note ? `<div class="note">${note}</div>` : ''
  }${children ? `<div class="branches">${children}</div>` : ''}</div></li>`;
}

function branch(label: string, steps: Step[], journeyId: string): string {
  return `<div class="branch"><div class="branch-label">${esc(label)}</div>${flowHtml(steps, journeyId)}</div>`;
}

function journeyMeta(j: JourneyDefinition): string {
  const chips = [
    `<span class="chip"><b>Starts</b> ${esc(triggerWords(j))}</span>`,
    j.exitOn.length
      ? `<span class="chip"><b>Exits on</b> ${esc(j.exitOn.map((e) => (typeof e === 'string' ? e : e.event)).join(', '))}</span>`
      : '',
    j.goal
      ? `<span class="chip"><b>Goal</b> ${esc(j.goal.event)} within ${esc(durationWords(j.goal.within))}</span>`
      : '',
    j.holdout ? `<span class="chip"><b>Holdout</b> ${Math.round(j.holdout * 100)} %</span>` : '',
    j.quietHours ? `<span class="chip"><b>Quiet</b> ${j.quietHours.start}–${j.quietHours.end}</span>` : '',
    `<span class="chip"><b>Re-entry</b> ${esc(
      typeof j.reentry === 'string' ? j.reentry : `after ${durationWords(j.reentry.after)}`,
    )}</span>`,
  ];
  return chips.filter(Boolean).join('');
}

function cardHtml(cell: GalleryCell, messageClass: MessageClass): string {
  const c = cell.customer;
  const who = `${esc(c.firstName ?? '—')} · ${esc(c.locale)} · ${esc(customerCurrency(c))}`;
  const head = `<div class="card-head"><span class="loc">${esc(cell.locale)}</span><span class="locname">${esc(
    LOCALE_NAMES[cell.locale] ?? cell.locale,
  )}</span>${badge(messageClass)}</div>`;
  if (!cell.ok) {
    return `<div class="card l-${esc(cell.locale)} failed" id="${cellAnchor(cell.journeyId, cell.messageId, cell.locale)}">${head}<div class="error"><b>Render failed</b><br>${esc(cell.error)}</div></div>`;
  }
  const e = cell.email;
  return `<div class="card l-${esc(cell.locale)}" id="${cellAnchor(cell.journeyId, cell.messageId, cell.locale)}">
${head}
<div class="subject" title="${esc(e.subject)}">${esc(e.subject)}</div>
<div class="preheader" title="${esc(e.preheader)}">${esc(e.preheader)}</div>
<a class="frame" href="${esc(cell.htmlFile)}" title="Open the full email"><iframe src="${esc(cell.htmlFile)}" title="${esc(`${cell.journeyId}/${cell.messageId} (${cell.locale})`)}" tabindex="-1" scrolling="no" sandbox></iframe></a>
<div class="card-foot"><span class="who">${who}</span><span class="links"><a href="${esc(cell.htmlFile)}">HTML</a><a href="${esc(cell.textFile)}">Text</a></span></div>
</div>`;
}

export function galleryIndexHtml(g: Gallery): string {
  const cellOf = new Map(g.cells.map((c) => [`${c.journeyId}/${c.messageId}/${c.locale}`, c]));
  const { counts } = g;

  const filter = `<div class="filter" role="group" aria-label="Locale">
<span class="filter-label">Locale</span>
<label><input type="radio" name="loc" id="f-all" checked><span>All</span></label>
${g.locales.map((l) => `<label><input type="radio" name="loc" id="f-${esc(l)}"><span>${esc(l)}</span></label>`).join('\n')}
</div>`;
  const filterCss = g.locales
    .map(
      (l) =>
        `body:has(#f-${l}:checked) .card:not(.l-${l}), body:has(#f-${l}:checked) .matrix .lc:not(.l-${l}) { display: none; }`,
    )
    .join('\n');

  const matrixRows = g.journeys
    .map((j) => {
      const ms = g.messages.filter((m) => m.journeyId === j.id);
      return ms
        .map((m, i) => {
          const cells = g.locales
            .map((l) => {
              const cell = cellOf.get(`${m.journeyId}/${m.messageId}/${l}`);
              const ok = cell?.ok === true;
              return `<td class="lc l-${esc(l)} ${ok ? 'ok' : 'bad'}"><a href="#${cellAnchor(m.journeyId, m.messageId, l)}" title="${esc(
                ok ? cell.email.subject : cell && !cell.ok ? cell.error : 'not rendered',
              )}">${ok ? '✓' : '✗'}</a></td>`;
            })
            .join('');
          const journeyCell =
            i === 0
              ? `<th class="mj" rowspan="${ms.length}" scope="rowgroup"><a href="#${id('j', j.id)}">${esc(j.name)}</a></th>`
              : '';
          return `<tr class="${i === 0 ? 'first' : ''}">${journeyCell}<td class="mm"><a href="#${msgAnchor(m.journeyId, m.messageId)}">${esc(m.messageId)}</a></td><td>${badge(m.messageClass)}</td>${cells}</tr>`;
        })
        .join('\n');
    })
    .join('\n');

  const customers = g.locales
    .map((l) => {
      const c = sampleCustomer(l);
      return `<li><span class="loc">${esc(l)}</span> ${esc(c.firstName ?? '')} <span class="muted">${esc(c.locale)} · ${esc(
        c.timeZone,
      )} · ${esc(customerCurrency(c))}</span></li>`;
    })
    .join('');

  const toc = g.journeys.map((j) => `<a href="#${id('j', j.id)}">${esc(j.name)}</a>`).join('');

  const sections = g.journeys
    .map((j) => {
      const ms = g.messages.filter((m) => m.journeyId === j.id);
      const messagesHtml = ms
        .map((m) => {
          const cards = g.locales
            .map((l) => cellOf.get(`${m.journeyId}/${m.messageId}/${l}`))
            .filter((c): c is GalleryCell => c !== undefined)
            .map((c) => cardHtml(c, m.messageClass))
            .join('\n');
          const borrowed =
            m.template !== `${m.journeyId}/${m.messageId}`
              ? `<span class="muted">template <code>${esc(m.template)}</code></span>`
              : '';
          return `<article class="message" id="${msgAnchor(m.journeyId, m.messageId)}">
<header class="message-head"><h3>${esc(m.messageId)}</h3>${badge(m.messageClass)}${borrowed}</header>
<div class="cards">${cards}</div>
</article>`;
        })
        .join('\n');
      return `<section class="journey" id="${id('j', j.id)}">
<div class="journey-top">
  <div class="journey-intro">
    <div class="eyebrow">Journey · <code>${esc(j.id)}</code></div>
    <h2>${esc(j.name)}</h2>
    ${j.description ? `<p class="desc">${esc(j.description.trim())}</p>` : ''}
    <div class="chips">${journeyMeta(j)}</div>
  </div>
  <div class="journey-flow"><div class="flow-title">Steps</div>${flowHtml(j.steps, j.id)}</div>
</div>
${messagesHtml}
</section>`;
    })
    .join('\n');

  const failures = g.cells.filter((c) => !c.ok);
  const failureNote = failures.length
    ? `<div class="alert">✗ ${failures.length} render(s) failed: ${failures
        .map(
          (c) =>
            `<a href="#${cellAnchor(c.journeyId, c.messageId, c.locale)}">${esc(`${c.journeyId}/${c.messageId} ${c.locale}`)}</a>`,
        )
        .join(', ')}</div>`
    : '';

  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Email preview · ${esc(PREVIEW_SHOP.name)}</title>
<style>
${GALLERY_CSS}
${filterCss}
</style>
</head>
<body>
<header class="page-head">
  <div class="wrap">
    <div class="head-row">
      <div>
        <div class="eyebrow light">retention-journeys · email preview</div>
        <h1>Every journey email, in every language</h1>
        <p class="lede">Rendered from the deployed catalog (journeys/ and templates/) with sample data for ${esc(PREVIEW_SHOP.name)} — sample date ${esc(
          new Intl.DateTimeFormat('en-GB', { dateStyle: 'long', timeZone: 'UTC' }).format(
            new Date(PREVIEW_NOW),
          ),
        )}. Links go to shop.example.com and are signed with a preview key.</p>
      </div>
      <dl class="stats">
        <div><dt>Journeys</dt><dd>${counts.journeys}</dd></div>
        <div><dt>Messages</dt><dd>${counts.messages}</dd></div>
        <div><dt>Locales</dt><dd>${counts.locales}</dd></div>
        <div><dt>Renders</dt><dd>${counts.renders}</dd></div>
      </dl>
    </div>
  </div>
</header>
<div class="toolbar"><div class="wrap">${filter}<nav class="toc">${toc}</nav></div></div>
<main class="wrap">
${failureNote}
<section class="overview">
  <div class="panel matrix-panel">
    <h2 class="panel-title">Coverage <span class="muted">messages × locales</span></h2>
    <table class="matrix">
      <thead><tr><th>Journey</th><th>Message</th><th>Class</th>${g.locales.map((l) => `<th class="lc l-${esc(l)}">${esc(l)}</th>`).join('')}</tr></thead>
      <tbody>
${matrixRows}
      </tbody>
    </table>
  </div>
  <div class="panel side-panel">
    <h2 class="panel-title">Sample customers</h2>
    <ul class="customers">${customers}</ul>
    <p class="muted small">Each gets an order of three items (four pieces), a percent coupon from the journey's send step, eleven NPS links, a referral code with share link, the code they were invited with, and a referral reward.</p>
    <h2 class="panel-title">Classes</h2>
    <p class="small">${badge('transactional')} sent regardless of consent, no unsubscribe link.<br>${badge('marketing')} needs consent, honours quiet hours, carries the one-click unsubscribe link.</p>
  </div>
</section>
${sections}
</main>
<footer class="wrap page-foot">Generated by <code>npx journeys preview</code> · one file per email: <code>&lt;journey&gt;/&lt;message&gt;.&lt;locale&gt;.html</code> and <code>.txt</code></footer>
</body>
</html>
`;
}

const GALLERY_CSS = `
:root { --ink: #18181b; --ink2: #3f3f46; --muted: #71717a; --line: #e4e4e7; --page: #f4f4f5; --accent: #0f766e; --accent-soft: #f0fdfa; --amber: #b45309; --amber-soft: #fffbeb; }
* { box-sizing: border-box; }
html { scroll-behavior: smooth; }
body { margin: 0; background: var(--page); color: var(--ink2); font: 14px/1.5 -apple-system, BlinkMacSystemFont, "Segoe UI", Roboto, Helvetica, Arial, sans-serif; }
a { color: var(--accent); text-decoration: none; }
a:hover { text-decoration: underline; }
code { font: 12px/1.4 ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; background: rgba(0,0,0,.05); padding: 1px 5px; border-radius: 4px; }
.wrap { max-width: 1360px; margin: 0 auto; padding: 0 28px; }
.muted { color: var(--muted); }
.small { font-size: 13px; }
.eyebrow { font-size: 12px; letter-spacing: .06em; text-transform: uppercase; color: var(--muted); font-weight: 600; }
.eyebrow code { text-transform: none; letter-spacing: 0; }
.eyebrow.light { color: #99f6e4; }
.page-head { background: linear-gradient(135deg, #0f766e 0%, #115e59 55%, #134e4a 100%); color: #f0fdfa; padding: 36px 0 32px; }
.head-row { display: flex; gap: 32px; align-items: flex-end; justify-content: space-between; }
.page-head h1 { margin: 6px 0 8px; font-size: 30px; line-height: 1.2; color: #fff; letter-spacing: -.01em; }
.lede { margin: 0; max-width: 760px; color: #ccfbf1; }
.stats { display: flex; gap: 10px; margin: 0; }
.stats div { background: rgba(255,255,255,.1); border: 1px solid rgba(255,255,255,.18); border-radius: 12px; padding: 10px 16px; min-width: 92px; text-align: center; }
.stats dt { font-size: 11px; text-transform: uppercase; letter-spacing: .06em; color: #99f6e4; }
.stats dd { margin: 2px 0 0; font-size: 26px; font-weight: 700; color: #fff; }
.toolbar { position: sticky; top: 0; z-index: 10; background: rgba(255,255,255,.92); backdrop-filter: blur(8px); border-bottom: 1px solid var(--line); }
.toolbar .wrap { display: flex; gap: 24px; align-items: center; justify-content: space-between; padding-top: 10px; padding-bottom: 10px; }
.filter { display: flex; gap: 6px; align-items: center; }
.filter-label { font-size: 12px; font-weight: 600; text-transform: uppercase; letter-spacing: .06em; color: var(--muted); margin-right: 4px; }
.filter input { position: absolute; opacity: 0; pointer-events: none; }
.filter span { display: inline-block; padding: 4px 12px; border-radius: 999px; border: 1px solid var(--line); background: #fff; color: var(--ink2); font-weight: 600; cursor: pointer; }
.filter label:hover span { border-color: var(--accent); }
.filter input:checked + span { background: var(--accent); border-color: var(--accent); color: #fff; }
.filter input:focus-visible + span { outline: 2px solid var(--accent); outline-offset: 2px; }
.toc { display: flex; flex-wrap: wrap; gap: 4px 16px; font-weight: 600; font-size: 13px; }
.toc a { color: var(--ink2); }
.toc a:hover { color: var(--accent); }
main.wrap { padding-top: 28px; padding-bottom: 24px; }
.alert { background: #fef2f2; border: 1px solid #fecaca; color: #991b1b; border-radius: 10px; padding: 12px 16px; margin-bottom: 16px; }
.overview { display: grid; grid-template-columns: minmax(0, 1fr) 320px; gap: 20px; align-items: start; }
.panel { background: #fff; border: 1px solid var(--line); border-radius: 14px; padding: 18px 20px; box-shadow: 0 1px 2px rgba(0,0,0,.04); }
.panel-title { font-size: 15px; margin: 0 0 12px; color: var(--ink); }
.panel-title + * { margin-top: 0; }
.side-panel .panel-title:not(:first-child) { margin-top: 18px; }
.matrix { border-collapse: collapse; width: 100%; font-size: 13px; }
.matrix th, .matrix td { padding: 5px 10px; text-align: left; border-bottom: 1px solid #f4f4f5; }
.matrix thead th { font-size: 11px; text-transform: uppercase; letter-spacing: .06em; color: var(--muted); border-bottom: 1px solid var(--line); }
.matrix tr.first > * { border-top: 1px solid var(--line); }
.matrix th.mj { vertical-align: top; font-weight: 600; white-space: nowrap; }
.matrix th.mj a { color: var(--ink); }
.matrix td.mm a { color: var(--ink2); }
.matrix .lc { text-align: center; width: 56px; }
.matrix td.ok a { display: inline-block; width: 24px; height: 24px; line-height: 24px; border-radius: 6px; background: var(--accent-soft); color: var(--accent); font-weight: 700; }
.matrix td.bad a { display: inline-block; width: 24px; height: 24px; line-height: 24px; border-radius: 6px; background: #fef2f2; color: #b91c1c; font-weight: 700; }
.matrix td.ok a:hover { background: var(--accent); color: #fff; text-decoration: none; }
.customers { list-style: none; margin: 0 0 10px; padding: 0; }
.customers li { padding: 4px 0; border-bottom: 1px solid #f4f4f5; }
.loc { display: inline-block; min-width: 28px; text-align: center; font: 700 11px/18px ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; text-transform: uppercase; color: var(--accent); background: var(--accent-soft); border: 1px solid #99f6e4; border-radius: 5px; padding: 0 5px; margin-right: 6px; }
.badge { display: inline-block; font-size: 10.5px; font-weight: 700; text-transform: uppercase; letter-spacing: .05em; border-radius: 999px; padding: 1px 8px; line-height: 18px; white-space: nowrap; }
.badge.transactional { background: #eff6ff; color: #1d4ed8; border: 1px solid #bfdbfe; }
.badge.marketing { background: var(--amber-soft); color: var(--amber); border: 1px solid #fde68a; }
.journey { margin-top: 36px; background: #fff; border: 1px solid var(--line); border-radius: 16px; padding: 26px 28px 10px; box-shadow: 0 1px 3px rgba(0,0,0,.04); scroll-margin-top: 64px; }
.journey-top { display: grid; grid-template-columns: minmax(0, 1fr) minmax(0, 460px); gap: 32px; padding-bottom: 22px; border-bottom: 1px solid var(--line); }
.journey h2 { margin: 4px 0 8px; font-size: 24px; color: var(--ink); letter-spacing: -.01em; }
.desc { margin: 0 0 14px; font-size: 15px; color: var(--ink2); max-width: 680px; }
.chips { display: flex; flex-wrap: wrap; gap: 6px; }
.chip { font-size: 12px; background: var(--page); border: 1px solid var(--line); border-radius: 999px; padding: 2px 10px; color: var(--ink2); }
.chip b { color: var(--muted); font-weight: 600; margin-right: 3px; }
.journey-flow { background: #fafafa; border: 1px solid var(--line); border-radius: 12px; padding: 14px 16px 6px; }
.flow-title { font-size: 11px; font-weight: 700; text-transform: uppercase; letter-spacing: .06em; color: var(--muted); margin-bottom: 8px; }
.flow { list-style: none; margin: 0; padding: 0; position: relative; }
.flow > .step { position: relative; display: flex; gap: 10px; padding: 0 0 10px; }
.flow > .step:not(:last-child)::before { content: ""; position: absolute; left: 12px; top: 26px; bottom: 0; width: 2px; background: #d4d4d8; }
.dot { flex: none; width: 26px; height: 26px; border-radius: 50%; display: grid; place-items: center; font-size: 13px; background: #fff; border: 2px solid #d4d4d8; color: var(--muted); position: relative; z-index: 1; }
.step.send > .dot { background: var(--accent); border-color: var(--accent); color: #fff; }
.step.wait > .dot, .step.waitfor > .dot { border-color: #a1a1aa; }
.step.if > .dot { border-color: #7c3aed; color: #7c3aed; }
.step.emit > .dot { border-color: #db2777; color: #db2777; }
.what { min-width: 0; padding-top: 3px; }
.what .title { color: var(--ink); font-weight: 600; }
.what .title a { color: var(--accent); }
.what .note { color: var(--muted); font-size: 12.5px; }
.branches { display: grid; gap: 8px; margin-top: 8px; }
.branch { border-left: 2px dashed #d4d4d8; padding: 2px 0 0 12px; }
.branch-label { font-size: 11px; font-weight: 700; text-transform: uppercase; letter-spacing: .06em; color: #7c3aed; margin-bottom: 6px; }
.message { padding: 22px 0 18px; border-bottom: 1px solid #f4f4f5; scroll-margin-top: 64px; }
.message:last-child { border-bottom: 0; }
.message-head { display: flex; align-items: center; gap: 10px; margin-bottom: 14px; }
.message-head h3 { margin: 0; font-size: 17px; color: var(--ink); font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; }
.cards { display: grid; grid-template-columns: repeat(auto-fill, 232px); gap: 16px; }
.card { width: 232px; background: #fff; border: 1px solid var(--line); border-radius: 12px; padding: 10px 10px 8px; display: flex; flex-direction: column; gap: 4px; scroll-margin-top: 72px; transition: box-shadow .15s, border-color .15s; }
.card:hover, .card:target { border-color: #5eead4; box-shadow: 0 6px 20px rgba(15,118,110,.12); }
.card-head { display: flex; align-items: center; gap: 4px; margin-bottom: 2px; }
.card-head .locname { font-size: 12px; color: var(--muted); flex: 1; }
.subject { font-weight: 700; color: var(--ink); font-size: 13.5px; line-height: 1.35; display: -webkit-box; -webkit-line-clamp: 2; -webkit-box-orient: vertical; overflow: hidden; min-height: 36px; }
.preheader { color: var(--muted); font-size: 12px; line-height: 1.4; display: -webkit-box; -webkit-line-clamp: 2; -webkit-box-orient: vertical; overflow: hidden; min-height: 34px; }
.frame { display: block; position: relative; width: 212px; height: 350px; overflow: hidden; border-radius: 8px; border: 1px solid var(--line); background: #f4f4f5; margin-top: 4px; }
.frame iframe { position: absolute; top: 0; left: 0; width: 600px; height: 991px; border: 0; transform: scale(0.35333); transform-origin: 0 0; pointer-events: none; background: #f4f4f5; }
.frame::after { content: "Open ↗"; position: absolute; right: 8px; bottom: 8px; font-size: 11px; font-weight: 700; background: rgba(24,24,27,.78); color: #fff; padding: 2px 8px; border-radius: 999px; opacity: 0; transition: opacity .15s; }
.frame:hover::after { opacity: 1; }
.card-foot { display: flex; justify-content: space-between; align-items: center; font-size: 11.5px; color: var(--muted); margin-top: 4px; }
.card-foot .links a { margin-left: 8px; font-weight: 600; }
.card.failed .error { color: #b91c1c; background: #fef2f2; border-radius: 8px; padding: 10px; font-size: 12px; overflow-wrap: anywhere; }
.page-foot { color: var(--muted); font-size: 12px; padding-bottom: 40px; }
body:has(.filter input:not(#f-all):checked) .cards { grid-template-columns: repeat(auto-fill, 400px); }
body:has(.filter input:not(#f-all):checked) .card { width: 400px; }
body:has(.filter input:not(#f-all):checked) .frame { width: 380px; height: 640px; }
body:has(.filter input:not(#f-all):checked) .frame iframe { height: 1011px; transform: scale(0.63333); }
@media (max-width: 1000px) { .overview, .journey-top { grid-template-columns: 1fr; } .head-row { flex-direction: column; align-items: flex-start; } }
`;
