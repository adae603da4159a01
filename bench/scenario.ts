/**
 * A synthetic scenario for the simulator benchmark: `customers` customers register over the first
 * ten days; most order once or more, orders get delivered, some answer the NPS question. It touches
 * every journey: onboarding, post-purchase, referral, win-back, birthday.
 */
import { Duration } from 'luxon';
import type { Scenario } from '../local/simulate/index.ts';

const LOCALES = [
  ['de-DE', 'Europe/Berlin', 'EUR'],
  ['en-GB', 'Europe/London', 'GBP'],
  ['fr-FR', 'Europe/Paris', 'EUR'],
  ['es-ES', 'Europe/Madrid', 'EUR'],
  ['it-IT', 'Europe/Rome', 'EUR'],
  ['en-US', 'America/New_York', 'USD'],
] as const;

/** Deterministic pseudo-random numbers, so every run simulates the same shop. */
function rng(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state * 1664525 + 1013904223) >>> 0;
    return state / 2 ** 32;
  };
}

/** `idPrefix` keeps customers (and so SES's outbox tags) apart from another run's in a shared emulator. */
export function syntheticScenario(customers: number, days = 120, idPrefix = 'sim'): Scenario {
  const random = rng(42);
  const events: Scenario['events'] = [];
  const minutes = (m: number) => `PT${Math.round(m)}M`;
  for (let i = 0; i < customers; i++) {
    const [locale, timeZone, currency] = LOCALES[i % LOCALES.length] as (typeof LOCALES)[number];
    const customerId = `${idPrefix}-${i}`;
    const registeredAt = random() * 10 * 24 * 60;
    const month = String(1 + Math.floor(random() * 12)).padStart(2, '0');
    const day = String(1 + Math.floor(random() * 28)).padStart(2, '0');
    events.push({
      at: minutes(registeredAt),
      source: 'shop',
      detailType: 'customer.registered',
      detail: {
        customerId,
        email: `${customerId}@example.com`,
        firstName: 'Sam',
        locale,
        timeZone,
        marketingConsent: random() < 0.8,
        birthday: `${month}-${day}`,
      },
    });
    let t = registeredAt;
    const orders = random() < 0.6 ? 1 + Math.floor(random() * 3) : 0;
    for (let o = 0; o < orders; o++) {
      t += (1 + random() * 20) * 24 * 60;
      if (t > days * 24 * 60) break;
      const orderId = `${customerId}-o${o}`;
      events.push({
        at: minutes(t),
        source: 'shop',
        detailType: 'order.placed',
        detail: {
          orderId,
          customerId,
          placedAt: new Date(Date.parse('2026-01-05T08:00:00Z') + t * 60_000).toISOString(),
          total: { amount: (20 + Math.floor(random() * 8000) / 100).toFixed(2), currency },
          items: [{ sku: `SKU-${o}`, name: 'Item', quantity: 1 }],
        },
      });
      events.push({
        at: minutes(t + (2 + random() * 4) * 24 * 60),
        source: 'shop',
        detailType: 'order.delivered',
        detail: { orderId, customerId },
      });
      if (random() < 0.3) {
        events.push({
          at: minutes(t + 10 * 24 * 60),
          source: 'shop',
          detailType: 'feedback.submitted',
          detail: { customerId, orderId, score: Math.floor(random() * 11) },
        });
      }
    }
  }
  return { start: '2026-01-05T08:00:00Z', until: `P${days}D`, events };
}

/**
 * A scenario's events as a recorded history for `journeys backtest`: one EventBridge event per line,
 * as the bus delivers it (the shape of a replayed archive written to a log).
 */
export function historyLines(scenario: Scenario): string[] {
  const start = Date.parse(scenario.start);
  return scenario.events
    .map((event, index) => {
      const offset = Duration.fromISO(event.at);
      const time = new Date(offset.isValid ? start + offset.toMillis() : Date.parse(event.at));
      return { index, time, event };
    })
    .sort((a, b) => a.time.getTime() - b.time.getTime() || a.index - b.index)
    .map(({ index, time, event }) =>
      JSON.stringify({
        version: '0',
        id: event.id ?? `history-${index}`,
        'detail-type': event.detailType,
        source: event.source,
        account: '123456789012',
        time: time.toISOString().replace('.000Z', 'Z'),
        region: 'eu-central-1',
        resources: [],
        detail: event.detail,
      }),
    );
}
