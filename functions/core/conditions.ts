/** Evaluates `if` and trigger conditions against what the engine knows of the customer at `now`. */
import { DateTime } from 'luxon';
import type { Comparison, Condition, LoyaltyConditionField } from './definition.ts';
import { type JourneyHistory, settledEntriesSince } from './journey-history.ts';
import type { LoyaltyData } from './loyalty/account.ts';
import type { JourneyInstance, Order, Profile } from './model.ts';
import { type OrderSummary, olderPlacedCount } from './order-history.ts';
import { placedOrders } from './profile.ts';
import { addDuration } from './time.ts';

export interface ConditionContext {
  profile: Profile | undefined;
  orders: readonly Order[];
  /**
   * All-time order aggregates; with them, counts come from the summary's recent orders plus the
   * older ones it counted, whatever else `orders` holds.
   */
  orderSummary?: OrderSummary | undefined;
  /** The instance being decided (absent for a trigger's `if`, evaluated before entry). */
  instance?: JourneyInstance | undefined;
  /** The live instances of this journey for the customer (for `entries`). */
  entries: readonly JourneyInstance[];
  /** This journey's settled entries (for `entries`). */
  history?: JourneyHistory | undefined;
  /** Detail of the event a condition on `event` tests: the last resuming event, or the trigger. */
  event?: Record<string, unknown> | undefined;
  now: string;
  /**
   * The decision's business moment (an order's placedAt, a delivery's deliveredAt, a wait's due
   * moment); defaults to `now`. Orders count only when placed by then, so a decision does not depend
   * on which later events happened to be stored already.
   */
  at?: string | undefined;
  timeZone: string;
  /**
   * The member's loyalty data at `at` (ledger.ts `loyaltyData`); absent for a customer who is not a
   * member, or when the program is off.
   */
  loyalty?: LoyaltyData | undefined;
}

/**
 * Orders placed at or before `at`; an order placed at the same instant as `own` counts when its id
 * sorts first, so two orders of one moment are told apart the same way whatever order they arrive in.
 */
export function ordersPlacedBy(orders: readonly Order[], at: string, own?: string): Order[] {
  const moment = Date.parse(at);
  return placedOrders(orders).filter((o) => {
    const placed = Date.parse(o.placedAt as string);
    return placed < moment || (placed === moment && (own === undefined || o.orderId <= own));
  });
}

function compare(value: number, c: Comparison): boolean {
  return (
    (c.eq === undefined || value === c.eq) &&
    (c.gt === undefined || value > c.gt) &&
    (c.gte === undefined || value >= c.gte) &&
    (c.lt === undefined || value < c.lt) &&
    (c.lte === undefined || value <= c.lte)
  );
}

/**
 * How many orders were placed by `at` (ordersPlacedBy's rule): with a summary, the orders it let go
 * (all placed before the recent ones) plus the recent ones placed by then.
 */
export function placedCountBy(
  orders: readonly Order[],
  summary: OrderSummary | undefined,
  at: string,
  own?: string,
): number {
  if (!summary) return ordersPlacedBy(orders, at, own).length;
  return olderPlacedCount(summary) + ordersPlacedBy(summary.recent, at, own).length;
}

/** Decimal strings compared exactly, as integers of ten-thousandths: money never goes through floats. */
export function decimalAtLeast(amount: string, minimum: string): boolean {
  const scaled = (d: string) => {
    const [whole = '0', fraction = ''] = d.split('.');
    return BigInt(whole) * 10_000n + BigInt(fraction.padEnd(4, '0').slice(0, 4));
  };
  return scaled(amount) >= scaled(minimum);
}

export function pathValue(source: Record<string, unknown> | undefined, path: string): unknown {
  let value: unknown = source;
  for (const part of path.split('.')) {
    if (value === null || typeof value !== 'object') return undefined;
    value = (value as Record<string, unknown>)[part];
  }
  return value;
}

interface ValueTest {
  equals?: string | number | boolean | undefined;
  in?: (string | number)[] | undefined;
  startsWith?: string | undefined;
  exists?: boolean | undefined;
  compare?: Comparison | undefined;
}

function testValue(value: unknown, test: ValueTest): boolean {
  if (test.exists !== undefined)
    return (value !== undefined && value !== null && value !== '') === test.exists;
  if (test.equals !== undefined) return value === test.equals;
  if (test.in !== undefined) return test.in.some((v) => v === value);
  if (test.startsWith !== undefined) return typeof value === 'string' && value.startsWith(test.startsWith);
  if (test.compare !== undefined) return typeof value === 'number' && compare(value, test.compare);
  return false;
}

/** The value a `loyalty` condition tests; undefined when there is none (no member, top tier). */
export function loyaltyField(data: LoyaltyData | undefined, field: LoyaltyConditionField): unknown {
  if (!data) return undefined;
  if (field === 'pointsToNextTier') return data.nextTier?.pointsNeeded;
  return data[field];
}

export function evaluate(condition: Condition, ctx: ConditionContext): boolean {
  if ('all' in condition) return condition.all.every((c) => evaluate(c, ctx));
  if ('any' in condition) return condition.any.some((c) => evaluate(c, ctx));
  if ('not' in condition) return !evaluate(condition.not, ctx);
  if ('orders' in condition) {
    const { count, within, sinceEntry, delivered } = condition.orders;
    const at = ctx.at ?? ctx.now;
    const now = Date.parse(at);
    const from = Math.max(
      within ? now - (Date.parse(addDuration(at, within, ctx.timeZone)) - now) : Number.NEGATIVE_INFINITY,
      sinceEntry && ctx.instance ? Date.parse(ctx.instance.enteredAt) : Number.NEGATIVE_INFINITY,
    );
    if (!within && !sinceEntry && !delivered)
      return compare(placedCountBy(ctx.orders, ctx.orderSummary, at, ctx.instance?.context.orderId), count);
    // "Since entry" means newer orders: never the one that started the instance.
    const own = sinceEntry ? ctx.instance?.context.orderId : undefined;
    // The summary's recent orders reach back as far as any window (order-history.ts).
    const recent = ctx.orderSummary?.recent ?? ctx.orders;
    const matching = ordersPlacedBy(recent, at, ctx.instance?.context.orderId).filter((o) => {
      const placed = Date.parse(o.placedAt as string);
      return (
        placed >= from &&
        o.orderId !== own &&
        (!delivered || (o.deliveredAt !== undefined && Date.parse(o.deliveredAt) <= now))
      );
    });
    return compare(matching.length, count);
  }
  if ('entries' in condition) {
    const { count, period } = condition.entries;
    const at = ctx.at ?? ctx.now;
    const now = DateTime.fromISO(at, { zone: ctx.timeZone });
    const from =
      period === 'calendarYear'
        ? now.startOf('year').toMillis()
        : 2 * now.toMillis() - Date.parse(addDuration(at, period, ctx.timeZone));
    const entered = ctx.entries.filter((i) => i.status !== 'watching' && Date.parse(i.enteredAt) >= from);
    return compare(entered.length + settledEntriesSince(ctx.history, from), count);
  }
  if ('loyalty' in condition)
    return testValue(loyaltyField(ctx.loyalty, condition.loyalty.field), condition.loyalty);
  if ('event' in condition) {
    const test = condition.event;
    const value = pathValue(ctx.event, test.field);
    if (test.moneyAtLeast) {
      const money = value as { amount?: unknown; currency?: unknown } | undefined;
      const minimum = typeof money?.currency === 'string' ? test.moneyAtLeast[money.currency] : undefined;
      return (
        typeof money?.amount === 'string' && minimum !== undefined && decimalAtLeast(money.amount, minimum)
      );
    }
    return testValue(value, test);
  }
  const test = condition.profile;
  const value =
    test.field === 'orderCount'
      ? placedCountBy(ctx.orders, ctx.orderSummary, ctx.at ?? ctx.now, ctx.instance?.context.orderId)
      : ctx.profile
        ? ctx.profile[test.field]
        : undefined;
  return testValue(value, test);
}
