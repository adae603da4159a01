/**
 * A realistic shop for the fault rows, generated from a seed: customers in six locales register over
 * the first days (some invited by an earlier customer's referral code), update their profile, order
 * one to three times with line items and discount codes, get deliveries, answer the NPS question with
 * a comment, get refunds, withdraw consent, and a few ask to be erased. Every journey is touched.
 *
 * Each customer's events are at least `MIN_GAP` apart, so a row may redeliver an event a few minutes
 * later without changing the order in which the customer's events happen.
 */
import { referralCode } from '../../functions/core/referral.ts';
import type { Scenario } from '../../local/simulate/index.ts';
import { random } from './random.ts';

/** The simulator's signing secret (local/runtime/runtime.ts localEnv): referral codes are HMACs with it. */
export const LOCAL_SIGNING_SECRET = 'local-signing-secret-not-for-production';

export const SHOP_START = '2026-03-02T08:00:00Z';

/** The smallest gap between two events of one customer. */
export const MIN_GAP_MS = 2 * 3600_000;

const LOCALES = [
  ['de-DE', 'Europe/Berlin', 'EUR'],
  ['de-AT', 'Europe/Vienna', 'EUR'],
  ['en-GB', 'Europe/London', 'GBP'],
  ['fr-FR', 'Europe/Paris', 'EUR'],
  ['es-ES', 'Europe/Madrid', 'EUR'],
  ['en-US', 'America/New_York', 'USD'],
  ['pt-BR', 'America/Sao_Paulo', 'BRL'],
  ['it-IT', 'Europe/Rome', 'EUR'],
] as const;

const NAMES = ['Anna', 'Ben', 'Chloé', 'Dário', 'Eva', 'Fynn', 'Gül', 'Hana', 'Ίκαρος', 'José'];
const PRODUCTS = ['Wool socks', 'Tea tin', 'Notebook A5', 'Mug „Morgen“', 'Candle', 'Linen towel'];

type Event = Scenario['events'][number];

export interface ShopOptions {
  customers: number;
  seed: number;
  /** Virtual days the scenario runs (long enough for post-purchase's 30 days after delivery). */
  days?: number;
  /** Prefix of customer ids, so two shops can share a table. */
  prefix?: string;
}

const iso = (ms: number) => new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');

/**
 * Every event has a stable `id` (`<customerId>-e<n>`), as the shop's PutEvents would have got back,
 * so a row can redeliver "the same event" or "the same payload under a new id".
 */
export function shopScenario(options: ShopOptions): Scenario {
  const rng = random(options.seed);
  const days = options.days ?? 60;
  const prefix = options.prefix ?? 'c';
  const start = Date.parse(SHOP_START);
  const day = 86_400_000;
  const events: (Event & { ms: number })[] = [];
  const registered: { customerId: string; at: number }[] = [];

  for (let i = 0; i < options.customers; i++) {
    const customerId = `${prefix}${i}`;
    const [locale, timeZone, currency] = rng.pick(LOCALES);
    const own: { ms: number; detailType: string; detail: Record<string, unknown> }[] = [];
    const registeredAt = start + rng.int(0, 4 * 24 * 60) * 60_000;
    // A referral needs the referrer's code to exist: only customers registered a day or more before.
    const referrers = registered.filter((r) => r.at < registeredAt - 1.1 * day);
    const referrer = referrers.length && rng.chance(0.3) ? rng.pick(referrers) : undefined;
    const email = `${customerId}.${rng.int(100, 999)}@example.com`;
    own.push({
      ms: registeredAt,
      detailType: 'customer.registered',
      detail: {
        customerId,
        email,
        ...(rng.chance(0.9) ? { firstName: rng.pick(NAMES) } : {}),
        locale,
        timeZone,
        marketingConsent: rng.chance(0.85),
        ...(rng.chance(0.5)
          ? {
              birthday: `${String(rng.int(1, 12)).padStart(2, '0')}-${String(rng.int(1, 28)).padStart(2, '0')}`,
            }
          : {}),
        ...(referrer ? { referredByCode: referralCode(LOCAL_SIGNING_SECRET, referrer.customerId) } : {}),
      },
    });
    registered.push({ customerId, at: registeredAt });
    if (rng.chance(0.2)) {
      own.push({
        ms: registeredAt + rng.int(6, 30) * 3600_000,
        detailType: 'customer.updated',
        detail: { customerId, firstName: rng.pick(NAMES) },
      });
    }
    let t = registeredAt;
    const orders = rng.chance(0.7) ? rng.int(1, 3) : 0;
    for (let o = 0; o < orders; o++) {
      t += rng.int(1, 12) * day + rng.int(0, 600) * 60_000;
      if (t > start + (days - 35) * day) break;
      const orderId = `${customerId}-o${o}`;
      const items = Array.from({ length: rng.int(1, 3) }, (_, k) => ({
        sku: `SKU-${k}`,
        name: rng.pick(PRODUCTS),
        quantity: rng.int(1, 3),
        unitPrice: { amount: `${rng.int(3, 60)}.${rng.int(10, 99)}`, currency },
      }));
      own.push({
        ms: t,
        detailType: 'order.placed',
        detail: {
          orderId,
          customerId,
          placedAt: '',
          total: { amount: `${rng.int(20, 140)}.${rng.int(10, 99)}`, currency },
          items,
          ...(rng.chance(0.3) ? { discountCode: `SPRING-${rng.int(10, 99)}` } : {}),
        },
      });
      if (rng.chance(0.1)) {
        own.push({
          ms: t + rng.int(1, 3) * day,
          detailType: 'order.refunded',
          detail: { orderId, customerId },
        });
        continue;
      }
      if (!rng.chance(0.85)) continue;
      const deliveredAt = t + rng.int(2, 5) * day;
      own.push({
        ms: deliveredAt,
        detailType: 'order.delivered',
        detail: { orderId, customerId, deliveredAt: '' },
      });
      if (rng.chance(0.4)) {
        own.push({
          ms: deliveredAt + rng.int(8, 12) * day,
          detailType: 'feedback.submitted',
          detail: {
            customerId,
            orderId,
            score: rng.int(0, 10),
            ...(rng.chance(0.5) ? { comment: 'The parcel was late, but the tea is lovely.' } : {}),
          },
        });
      }
    }
    if (rng.chance(0.1)) {
      own.push({
        ms: registeredAt + rng.int(3, 20) * day,
        detailType: 'customer.consent.changed',
        detail: { customerId, marketingConsent: false },
      });
    }
    if (rng.chance(0.05)) {
      own.push({ ms: start + (days - 5) * day, detailType: 'customer.deleted', detail: { customerId } });
    }
    // In time order, at least MIN_GAP apart; business times follow the (possibly moved) event time.
    own.sort((a, b) => a.ms - b.ms);
    for (let k = 1; k < own.length; k++) {
      const prev = own[k - 1] as (typeof own)[number];
      const cur = own[k] as (typeof own)[number];
      if (cur.ms - prev.ms < MIN_GAP_MS) cur.ms = prev.ms + MIN_GAP_MS;
    }
    own.forEach((e, k) => {
      if ('placedAt' in e.detail) e.detail.placedAt = iso(e.ms);
      if ('deliveredAt' in e.detail) e.detail.deliveredAt = iso(e.ms);
      events.push({
        ms: e.ms,
        at: iso(e.ms),
        id: `${customerId}-e${k}`,
        source: 'shop',
        detailType: e.detailType,
        detail: e.detail,
      });
    });
  }
  events.sort((a, b) => a.ms - b.ms);
  return {
    start: SHOP_START,
    until: `P${days}D`,
    events: events.map(({ ms: _ms, ...e }) => e),
  };
}
