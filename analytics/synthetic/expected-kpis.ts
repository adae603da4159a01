/**
 * The retention KPIs computed a second way: plain TypeScript over the shop events themselves (not
 * over the analytics log, not through SQL), following the definitions of issue 9 / the README. The
 * recovery test compares the report's figures with these, so a mistake in a query, in the log writer
 * or in the pseudonymisation shows up as a difference. Money is summed in integer minor units.
 */
import type { ShopEvent } from './shop.ts';

export interface ExpectedPeriod {
  start: string;
  end: string;
  /** null: the whole shop. */
  market: string | null;
  customersAtStart: number;
  newCustomers: number;
  reactivatedCustomers: number;
  lostCustomers: number;
  customersAtEnd: number;
  retentionRate: number | null;
  churnRate: number | null;
  repeatCustomerRate: number | null;
  purchaseFrequency: number | null;
  orders: number;
  /** Currency → amount (exact to the cent, as a number of whole units). */
  revenue: Record<string, number>;
  averageOrderValue: Record<string, number>;
  customerLifetimeValue: Record<string, number>;
  nps: number | null;
  npsResponses: number;
  promoters: number;
  detractors: number;
}

export interface KpiOptions {
  /** YYYY-MM-DD, inclusive. */
  from: string;
  /** YYYY-MM-DD, exclusive. */
  to: string;
  period?: 'month' | 'quarter' | 'year' | 'week';
  activeWindowDays?: number;
  /** Customer → market; with it, one row per market follows the whole-shop rows. */
  marketOf?: ReadonlyMap<string, string>;
}

interface Order {
  customerId: string;
  placedAt: number;
  /** Minor units ×10⁴, so four decimals stay exact. */
  total: number;
  /** The total less partial refunds (in its currency). */
  revenue: number;
  currency: string;
}

const SCALE = 10_000;
const units = (amount: string) => {
  const [whole = '0', fraction = ''] = amount.split('.');
  const sign = whole.startsWith('-') ? -1 : 1;
  return sign * (Math.abs(Number(whole)) * SCALE + Number(fraction.padEnd(4, '0').slice(0, 4)));
};

/** Period boundaries from `from` to `to`, UTC calendar. */
export function periodsBetween(
  from: string,
  to: string,
  unit: KpiOptions['period'] = 'month',
): [string, string][] {
  const out: [string, string][] = [];
  let start = new Date(`${from}T00:00:00.000Z`);
  const stop = Date.parse(`${to}T00:00:00.000Z`);
  while (start.getTime() < stop) {
    const next = new Date(start);
    if (unit === 'week') next.setUTCDate(next.getUTCDate() + 7);
    else next.setUTCMonth(next.getUTCMonth() + (unit === 'quarter' ? 3 : unit === 'year' ? 12 : 1));
    const end = Math.min(next.getTime(), stop);
    out.push([start.toISOString().slice(0, 10), new Date(end).toISOString().slice(0, 10)]);
    start = next;
  }
  return out;
}

/**
 * Orders that count: not fully refunded (a refund without amount, or refunds in the order's currency
 * adding up to its total); their revenue is the total less the partial refunds.
 */
export function countedOrders(events: readonly ShopEvent[]): Order[] {
  const orders = new Map<string, Order>();
  const refunded = new Map<string, { amount: number; currency: string }[]>();
  const full = new Set<string>();
  for (const e of events) {
    const d = e.detail as Record<string, unknown>;
    // Order ids are the shop's, unique per customer: the log keys an order by customer and id.
    const key = `${String(d.customerId)}|${String(d.orderId)}`;
    if (e.detailType === 'order.placed') {
      const total = d.total as { amount: string; currency: string };
      if (!orders.has(key))
        orders.set(key, {
          customerId: String(d.customerId),
          placedAt: Date.parse(String(d.placedAt)),
          total: units(total.amount),
          revenue: units(total.amount),
          currency: total.currency,
        });
    } else if (e.detailType === 'order.refunded') {
      const amount = d.amount as { amount: string; currency: string } | undefined;
      if (!amount) full.add(key);
      else
        refunded.set(key, [
          ...(refunded.get(key) ?? []),
          { amount: units(amount.amount), currency: amount.currency },
        ]);
    }
  }
  const out: Order[] = [];
  for (const [key, o] of orders) {
    const back = (refunded.get(key) ?? [])
      .filter((r) => r.currency === o.currency)
      .reduce((sum, r) => sum + r.amount, 0);
    if (!full.has(key) && back < o.total) out.push({ ...o, revenue: o.total - back });
  }
  return out;
}

export function expectedKpis(events: readonly ShopEvent[], options: KpiOptions): ExpectedPeriod[] {
  const windowMs = (options.activeWindowDays ?? 365) * 86_400_000;
  const orders = countedOrders(events);
  const byCustomer = new Map<string, number[]>();
  for (const o of orders) byCustomer.set(o.customerId, [...(byCustomer.get(o.customerId) ?? []), o.placedAt]);
  const firstOrder = new Map([...byCustomer].map(([c, ts]) => [c, Math.min(...ts)]));
  const answers = events
    .filter((e) => e.detailType === 'feedback.submitted')
    .map((e) => ({
      customerId: String(e.detail.customerId),
      orderId: String(e.detail.orderId ?? ''),
      at: Date.parse(e.at),
      score: Number(e.detail.score),
    }));
  const latest = new Map<string, (typeof answers)[number]>();
  for (const a of answers) {
    const key = `${a.customerId}|${a.orderId}`;
    const seen = latest.get(key);
    if (!seen || a.at >= seen.at) latest.set(key, a);
  }
  const latestAnswers = [...latest.values()];
  const markets: (string | null)[] = [null, ...new Set([...(options.marketOf?.values() ?? [])].sort())];
  const rows: ExpectedPeriod[] = [];
  for (const market of markets) {
    const inMarket = (customerId: string) => market === null || options.marketOf?.get(customerId) === market;
    const customers = [...byCustomer.keys()].filter(inMarket);
    for (const [startDay, endDay] of periodsBetween(options.from, options.to, options.period)) {
      const start = Date.parse(`${startDay}T00:00:00.000Z`);
      const end = Date.parse(`${endDay}T00:00:00.000Z`);
      const activeAt = (c: string, t: number) =>
        (byCustomer.get(c) ?? []).some((p) => p >= t - windowMs && p < t);
      let S = 0;
      let E = 0;
      let N = 0;
      let lost = 0;
      let reactivated = 0;
      for (const c of customers) {
        const atStart = activeAt(c, start);
        const atEnd = activeAt(c, end);
        const first = firstOrder.get(c) as number;
        if (atStart) S++;
        if (atEnd) E++;
        if (first >= start && first < end) N++;
        if (atStart && !atEnd) lost++;
        if (atEnd && !atStart && first < start) reactivated++;
      }
      const inPeriod = orders.filter(
        (o) => o.placedAt >= start && o.placedAt < end && inMarket(o.customerId),
      );
      const perCustomer = new Map<string, number>();
      for (const o of inPeriod) perCustomer.set(o.customerId, (perCustomer.get(o.customerId) ?? 0) + 1);
      const buyers = perCustomer.size;
      const repeaters = [...perCustomer.values()].filter((n) => n >= 2).length;
      const revenueUnits = new Map<string, number>();
      const ordersByCurrency = new Map<string, number>();
      for (const o of inPeriod) {
        revenueUnits.set(o.currency, (revenueUnits.get(o.currency) ?? 0) + o.revenue);
        ordersByCurrency.set(o.currency, (ordersByCurrency.get(o.currency) ?? 0) + 1);
      }
      const purchaseFrequency = buyers ? inPeriod.length / buyers : null;
      const churnRate = S ? lost / S : null;
      const revenue: Record<string, number> = {};
      const averageOrderValue: Record<string, number> = {};
      const customerLifetimeValue: Record<string, number> = {};
      for (const [currency, total] of [...revenueUnits].sort(([a], [b]) => a.localeCompare(b))) {
        revenue[currency] = total / SCALE;
        const aov = total / SCALE / (ordersByCurrency.get(currency) as number);
        averageOrderValue[currency] = aov;
        if (churnRate && purchaseFrequency !== null)
          customerLifetimeValue[currency] = (aov * purchaseFrequency) / churnRate;
      }
      // NPS: a re-submitted answer (same customer and order) counts once, the latest, in the period
      // it was submitted in.
      const scoresInPeriod = latestAnswers.filter(
        (a) => a.at >= start && a.at < end && inMarket(a.customerId),
      );
      const scores = scoresInPeriod.map((a) => a.score);
      const promoters = scores.filter((s) => s >= 9).length;
      const detractors = scores.filter((s) => s <= 6).length;
      rows.push({
        start: startDay,
        end: endDay,
        market,
        customersAtStart: S,
        newCustomers: N,
        reactivatedCustomers: reactivated,
        lostCustomers: lost,
        customersAtEnd: E,
        retentionRate: S ? (E - N) / S : null,
        churnRate,
        repeatCustomerRate: buyers ? repeaters / buyers : null,
        purchaseFrequency,
        orders: inPeriod.length,
        revenue,
        averageOrderValue,
        customerLifetimeValue,
        nps: scores.length ? ((promoters - detractors) / scores.length) * 100 : null,
        npsResponses: scores.length,
        promoters,
        detractors,
      });
    }
  }
  return rows;
}
