/**
 * A seeded synthetic shop for the demo, the recovery test and the bench: customers register over a
 * year in six markets (four currencies), each buys on a rhythm of their own (a per-customer mean gap
 * between orders, gamma-distributed gaps, a per-customer chance to stop buying after each order),
 * orders are delivered, some refunded (fully, partly, or partly twice up to the total) and some
 * answered with an NPS score (a few answers re-submitted).
 *
 * Emails are opened (45 %) and clicked (a fifth of the opened), reported as SES's own events.
 *
 * Loyalty members redeem: when the program says points became available and the balance covers the
 * cheapest reward of the shipped program (`five-off`, 500 points), a member asks to redeem it a day
 * later with some probability, as the shop's account page would (loyalty-behaviour.ts).
 *
 * The planted effect: a customer who is sent the win-back journey's first email (`we-miss-you`)
 * places an extra order a few days after entering win-back with probability `effect.probability`.
 * The coin is a hash of the seed, the customer and the journey instance, so it is the same coin
 * whether or not the customer is in the holdout: every entrant's two potential outcomes (goal reached
 * without the email / with it) are known, and so is the true uplift in the very sample simulated.
 */

import { DateTime } from 'luxon';
import { random as seededRandom } from '../../faults/support/random.ts';
import { outboxTag } from '../../functions/core/links.ts';
import type { Happening, Reaction, Scenario } from '../../local/simulate/index.ts';
import { redemptions } from './loyalty-behaviour.ts';

export const MARKETS = [
  { market: 'DE', locale: 'de-DE', timeZone: 'Europe/Berlin', currency: 'EUR', basket: 55, weight: 0.3 },
  { market: 'AT', locale: 'de-AT', timeZone: 'Europe/Vienna', currency: 'EUR', basket: 60, weight: 0.1 },
  { market: 'CH', locale: 'de-CH', timeZone: 'Europe/Zurich', currency: 'CHF', basket: 75, weight: 0.07 },
  { market: 'GB', locale: 'en-GB', timeZone: 'Europe/London', currency: 'GBP', basket: 45, weight: 0.2 },
  { market: 'US', locale: 'en-US', timeZone: 'America/New_York', currency: 'USD', basket: 62, weight: 0.18 },
  { market: 'FR', locale: 'fr-FR', timeZone: 'Europe/Paris', currency: 'EUR', basket: 50, weight: 0.15 },
] as const;

/** The market a uniform draw `u` in [0, 1) falls on, by the markets' weights. */
export function marketAt(u: number): (typeof MARKETS)[number] {
  let rest = u;
  for (const m of MARKETS) {
    rest -= m.weight;
    if (rest < 0) return m;
  }
  return MARKETS[0];
}

export interface PlantedEffect {
  /** Journey and message whose sending has the effect. */
  journey: string;
  message: string;
  /** Extra chance of an order after the email. */
  probability: number;
  /** The order comes this many days after the journey entry (uniform, whole minutes). */
  minDays: number;
  maxDays: number;
}

export interface ShopOptions {
  customers: number;
  seed?: number;
  /** First moment of the simulated year (UTC). */
  start?: string;
  days?: number;
  effect?: Partial<PlantedEffect>;
}

/** One simulated shop event, as the simulator delivers it (scenario event or reaction). */
export interface ShopEvent {
  at: string;
  detailType: string;
  detail: Record<string, unknown>;
}

export interface ShopCustomer {
  customerId: string;
  market: string;
  locale: string;
  timeZone: string;
  currency: string;
  marketingConsent: boolean;
  registeredAt: string;
  /** The orders of the customer's own rhythm (placedAt), whatever the journeys do. */
  naturalOrders: string[];
}

/** One win-back entry and what would have happened without and with the email. */
export interface PotentialOutcome {
  customerId: string;
  instanceId: string;
  enteredAt: string;
  holdout: boolean;
  /** The goal (an order within the goal window) without any email: the customer's own rhythm. */
  withoutEmail: boolean;
  /** With the emails: the own rhythm, or the planted reorder when the first email goes out. */
  withEmail: boolean;
}

export interface SyntheticShop {
  scenario: Scenario;
  customers: ShopCustomer[];
  effect: PlantedEffect;
  /** The behaviour model for `simulate(..., { react })`. */
  react: (happening: Happening) => Reaction[];
  /** Every shop event delivered so far: the scenario's, then the reactions, in time order. */
  events(): ShopEvent[];
  /** Potential outcomes of each win-back entry the simulation reported (journey.entered events). */
  potentialOutcomes(
    emitted: readonly { at: string; detailType: string; detail: Record<string, unknown> }[],
  ): PotentialOutcome[];
}

/** Share of emails opened, and of opened emails clicked (SES's Open and Click events). */
const OPEN_RATE = 0.45;
const CLICK_RATE = 0.2;

export const DEFAULT_EFFECT: PlantedEffect = {
  journey: 'win-back',
  message: 'we-miss-you',
  probability: 0.25,
  minDays: 2,
  maxDays: 12,
};

/** Small, fast, seedable: the fault suite's generator (mulberry32), as a bare function. */
export function rng(seed: number): () => number {
  return seededRandom(seed).next;
}

/** A uniform number in [0, 1) from the seed and a key: a coin that does not depend on call order. */
export function coin(seed: number, key: string): number {
  let h = (2166136261 ^ seed) >>> 0;
  for (let i = 0; i < key.length; i++) h = Math.imul(h ^ key.charCodeAt(i), 16777619) >>> 0;
  return rng(h)();
}

const DAY = 86_400_000;

/** An instance id is its entry moment, `20260306T090000Z`. */
export function instanceEntry(instanceId: string): string {
  const m = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})(\d{3})?Z/.exec(instanceId);
  if (!m) throw new Error(`instance id ${instanceId} is not an entry moment`);
  return `${m[1]}-${m[2]}-${m[3]}T${m[4]}:${m[5]}:${m[6]}.${m[7] ?? '000'}Z`;
}

export function syntheticShop(options: ShopOptions): SyntheticShop {
  const seed = options.seed ?? 1;
  const start = options.start ?? '2026-01-01T00:00:00.000Z';
  const days = options.days ?? 365;
  const end = Date.parse(start) + days * DAY;
  const effect: PlantedEffect = { ...DEFAULT_EFFECT, ...options.effect };
  const random = rng(seed);
  const events: (ShopEvent & { seq: number })[] = [];
  let seq = 0;
  const push = (at: number, detailType: string, detail: Record<string, unknown>) => {
    if (at < end) events.push({ at: new Date(at).toISOString(), detailType, detail, seq: seq++ });
  };
  const customers: ShopCustomer[] = [];
  const byId = new Map<string, ShopCustomer>();
  const pick = () => marketAt(random());
  /** A moment on day `t` (ms) moved to a local daytime minute (09:00–19:59), clear of quiet hours. */
  const daytime = (t: number, timeZone: string) => {
    const local = DateTime.fromMillis(t, { zone: timeZone }).startOf('day');
    return local.plus({ minutes: 9 * 60 + Math.floor(random() * 11 * 60) }).toMillis();
  };
  const normal = () => Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random());
  const money = (value: number) => Math.max(5, value).toFixed(2);

  for (let i = 0; i < options.customers; i++) {
    const m = pick();
    const customerId = `c${String(i).padStart(6, '0')}`;
    // A launch week, then growth: registrations thicken towards the end of the year.
    const day = random() < 0.12 ? random() * 7 : Math.sqrt(random()) * (days - 1);
    // West of UTC, the first local day begins before the year does: such a registration moves a day on.
    const firstGuess = daytime(Date.parse(start) + day * DAY, m.timeZone);
    const registeredAt = firstGuess < Date.parse(start) ? firstGuess + DAY : firstGuess;
    const customer: ShopCustomer = {
      customerId,
      market: m.market,
      locale: m.locale,
      timeZone: m.timeZone,
      currency: m.currency,
      marketingConsent: random() < 0.8,
      registeredAt: new Date(registeredAt).toISOString(),
      naturalOrders: [],
    };
    customers.push(customer);
    byId.set(customerId, customer);
    const birthday =
      random() < 0.5 ? { birthday: `0${1 + Math.floor(random() * 9)}-1${Math.floor(random() * 9)}` } : {};
    push(registeredAt, 'customer.registered', {
      customerId,
      email: `${customerId}@example.com`,
      firstName: 'Sam',
      locale: m.locale,
      timeZone: m.timeZone,
      marketingConsent: customer.marketingConsent,
      ...birthday,
    });
    if (random() < 0.2) continue; // never buys
    const meanGap = Math.min(200, Math.max(7, Math.exp(Math.log(45) + 0.6 * normal())));
    const churn = 0.08 + random() * 0.27;
    const basket = m.basket * Math.exp(0.3 * normal());
    const satisfaction = 5 + random() * 5;
    let t =
      random() < 0.4
        ? registeredAt + 5 * 60_000
        : daytime(registeredAt - Math.log(1 - random()) * 10 * DAY, m.timeZone);
    for (let o = 0; t < end; o++) {
      const orderId = `${customerId}-o${o}`;
      customer.naturalOrders.push(new Date(t).toISOString());
      const total = money(basket * Math.exp(0.35 * normal()));
      order(customerId, orderId, t, total, m.currency, m.timeZone, satisfaction);
      if (random() < churn) break;
      // Gamma(2) gaps around the customer's own mean.
      const gap = (meanGap / 2) * (-Math.log(1 - random()) - Math.log(1 - random()));
      t = daytime(t + Math.max(1, gap) * DAY, m.timeZone);
    }
  }

  /** An order's life: delivery, maybe a refund, maybe an NPS answer (sometimes given twice). */
  function order(
    customerId: string,
    orderId: string,
    at: number,
    total: string,
    currency: string,
    timeZone: string,
    satisfaction: number,
  ) {
    push(at, 'order.placed', {
      orderId,
      customerId,
      placedAt: new Date(at).toISOString(),
      total: { amount: total, currency },
      items: [{ sku: `SKU-${1 + Math.floor(random() * 40)}`, quantity: 1 + Math.floor(random() * 3) }],
    });
    if (random() > 0.96) return; // lost in the post
    const delivered = daytime(at + (1 + random() * 4) * DAY, timeZone);
    push(delivered, 'order.delivered', { orderId, customerId });
    const r = random();
    const refundAt = () => daytime(delivered + (2 + random() * 18) * DAY, timeZone);
    const cents = Math.round(Number(total) * 100);
    if (r < 0.04) push(refundAt(), 'order.refunded', { orderId, customerId });
    else if (r < 0.08) {
      const part = Math.max(1, Math.round(cents * (0.2 + random() * 0.4)));
      push(refundAt(), 'order.refunded', {
        orderId,
        customerId,
        amount: { amount: (part / 100).toFixed(2), currency },
      });
    } else if (r < 0.09) {
      // Two partial refunds that add up to the total: the order no longer counts.
      const first = Math.max(1, Math.round(cents / 2));
      const a1 = refundAt();
      push(a1, 'order.refunded', {
        orderId,
        customerId,
        amount: { amount: (first / 100).toFixed(2), currency },
      });
      push(a1 + 3 * DAY, 'order.refunded', {
        orderId,
        customerId,
        amount: { amount: ((cents - first) / 100).toFixed(2), currency },
      });
    }
    if (random() < 0.3) {
      const score = () => Math.min(10, Math.max(0, Math.round(satisfaction + 1.8 * normal())));
      const answered = daytime(delivered + (7 + random() * 14) * DAY, timeZone);
      const feedbackId = `fb-${orderId}`;
      push(answered, 'feedback.submitted', { customerId, orderId, score: score(), feedbackId });
      if (random() < 0.05)
        push(answered + (1 + random() * 2) * DAY, 'feedback.submitted', {
          customerId,
          orderId,
          score: score(),
          feedbackId,
        });
    }
  }

  events.sort((a, b) => Date.parse(a.at) - Date.parse(b.at) || a.seq - b.seq);
  const scenario: Scenario = {
    start,
    until: `P${days}D`,
    description: `synthetic shop: ${options.customers} customers, seed ${seed}, ${days} days`,
    events: events.map((e) => ({ at: e.at, source: 'shop', detailType: e.detailType, detail: e.detail })),
  };

  const reactions: ShopEvent[] = [];
  const redeem = redemptions((key) => coin(seed, key), end);
  /** The planted reorder's moment for a win-back instance, or undefined when its coin says no. */
  const plantedReorder = (customerId: string, instanceId: string): number | undefined => {
    const key = `${customerId}:${effect.journey}:${instanceId}`;
    if (coin(seed, `effect:${key}`) >= effect.probability) return undefined;
    const delay = effect.minDays + coin(seed, `delay:${key}`) * (effect.maxDays - effect.minDays);
    return Date.parse(instanceEntry(instanceId)) + Math.round(delay * 1440) * 60_000;
  };
  const react = (happening: Happening): Reaction[] => {
    if (happening.kind === 'emit') {
      const out = redeem(happening);
      reactions.push(...out.map((r) => ({ at: r.at, detailType: r.detailType, detail: r.detail })));
      return out;
    }
    if (happening.kind !== 'email') return [];
    const out = [...engagement(happening)];
    if (happening.journey === effect.journey && happening.message === effect.message)
      out.push(...reorder(happening));
    return out;
  };

  /** Opens and clicks, as SES reports them: they touch no journey, only the funnels. */
  const engagement = (email: Extract<Happening, { kind: 'email' }>): Reaction[] => {
    const key = `${email.customerId}:${email.outboxId}`;
    if (coin(seed, `open:${key}`) >= OPEN_RATE) return [];
    const opened = Date.parse(email.at) + Math.round(coin(seed, `opened:${key}`) * 48 * 60) * 60_000;
    const mail = {
      timestamp: email.at,
      messageId: email.messageId,
      destination: [email.to],
      tags: {
        journey: [email.journey],
        message: [email.message],
        outbox: [outboxTag(email.customerId, email.outboxId)],
      },
    };
    const ses = (type: 'Open' | 'Click', at: number, extra: Record<string, unknown>): Reaction => ({
      at: new Date(at).toISOString(),
      id: `ses-${email.messageId}-${type.toLowerCase()}`,
      source: 'aws.ses',
      detailType: type === 'Open' ? 'Email Opened' : 'Email Clicked',
      customerId: email.customerId,
      detail: {
        eventType: type,
        mail,
        [type.toLowerCase()]: { timestamp: new Date(at).toISOString(), ipAddress: '192.0.2.1', ...extra },
      },
    });
    const out = [ses('Open', opened, { userAgent: 'Mozilla/5.0' })];
    if (coin(seed, `click:${key}`) < CLICK_RATE)
      out.push(
        ses('Click', opened + 5 * 60_000, { userAgent: 'Mozilla/5.0', link: 'https://shop.example/' }),
      );
    return out.filter((r) => Date.parse(r.at) < end);
  };

  const reorder = (happening: Extract<Happening, { kind: 'email' }>): Reaction[] => {
    const instanceId = happening.outboxId.split('#')[1] ?? '';
    const customer = byId.get(happening.customerId);
    const at = plantedReorder(happening.customerId, instanceId);
    if (!customer || at === undefined || at >= end) return [];
    const orderId = `${happening.customerId}-wb${instanceId}`;
    const placed = Math.max(at, Date.parse(happening.at));
    const key = `${happening.customerId}:${instanceId}`;
    // Around the market's basket; the offer's coupon is the shop's business, not the log's.
    const basket = MARKETS.find((m) => m.market === customer.market)?.basket ?? 50;
    const total = (basket * (0.6 + 0.8 * coin(seed, `total:${key}`))).toFixed(2);
    const out: Reaction[] = [
      {
        at: new Date(placed).toISOString(),
        detailType: 'order.placed',
        detail: {
          orderId,
          customerId: customer.customerId,
          placedAt: new Date(placed).toISOString(),
          total: { amount: total, currency: customer.currency },
        },
      },
      {
        at: new Date(placed + 3 * DAY).toISOString(),
        detailType: 'order.delivered',
        detail: { orderId, customerId: customer.customerId },
      },
    ].filter((r) => Date.parse(r.at) < end);
    reactions.push(...out.map((r) => ({ at: r.at, detailType: r.detailType, detail: r.detail })));
    return out;
  };

  const potentialOutcomes: SyntheticShop['potentialOutcomes'] = (emitted) =>
    emitted
      .filter((e) => e.detailType === 'journey.entered' && e.detail.journey === effect.journey)
      .map((e) => {
        const customerId = String(e.detail.customerId);
        const instanceId = String(e.detail.instanceId);
        const customer = byId.get(customerId);
        if (!customer) throw new Error(`journey.entered for unknown customer ${customerId}`);
        const entered = Date.parse(e.at);
        // The goal window of a holdout member, as the engine keeps it: 30 days after the last message
        // that would have been sent (entry + 14 + 14 days on the customer's calendar).
        const deadline = Math.min(
          DateTime.fromMillis(entered, { zone: customer.timeZone }).plus({ days: 58 }).toMillis(),
          end - 1,
        );
        const withoutEmail = customer.naturalOrders.some((o) => {
          const t = Date.parse(o);
          return t > entered && t <= deadline;
        });
        const reorder = plantedReorder(customerId, instanceId);
        const withEmail =
          withoutEmail || (customer.marketingConsent && reorder !== undefined && reorder < end);
        return {
          customerId,
          instanceId,
          enteredAt: e.at,
          holdout: e.detail.holdout === true,
          withoutEmail,
          withEmail,
        };
      });

  return {
    scenario,
    customers,
    effect,
    react,
    events: () =>
      [
        ...scenario.events.map((e) => ({ at: e.at, detailType: e.detailType, detail: e.detail })),
        ...reactions,
      ].sort((a, b) => Date.parse(a.at) - Date.parse(b.at)),
    potentialOutcomes,
  };
}

/** The true sample uplift: mean over win-back entries of (goal with email − goal without). */
export function trueUplift(outcomes: readonly PotentialOutcome[]): number {
  if (!outcomes.length) return Number.NaN;
  return outcomes.reduce((s, o) => s + Number(o.withEmail) - Number(o.withoutEmail), 0) / outcomes.length;
}
