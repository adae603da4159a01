/**
 * What decisions keep of a customer's orders, so that handling an event costs the same after four
 * hundred orders as after one: all-time aggregates, and the recent orders in full — those any
 * compiled journey can still look at (its windows, its instances' lifetimes, goals) plus a margin for
 * late events, and never more than a fixed number. Older orders stay stored one item each (read by
 * id only) and are counted in the aggregates.
 *
 * What this bounds: `orderCount` and unwindowed order counts at a business moment are exact from the
 * newest order that was let go (`evictedUpTo`) on; windowed counts are exact while the window holds
 * fewer than `keep` orders, and past that they saturate — every comparison a journey makes against a
 * constant below `keep` still comes out the same.
 */
import { Duration } from 'luxon';
import type { CompiledJourney } from './compile.ts';
import type { Condition } from './definition.ts';
import type { Money } from './events.ts';
import type { Order } from './model.ts';

export interface OrderSummary {
  /** Orders placed, all time. */
  count: number;
  firstPlacedAt?: string | undefined;
  lastPlacedAt?: string | undefined;
  /** The currency of the newest placed order (loyalty rewards are given in it). */
  lastCurrency?: string | undefined;
  /** Gross value of the placed orders per currency, exact decimal strings. */
  revenue: Record<string, string>;
  /** The newest placedAt among placed orders no longer in `recent`. */
  evictedUpTo?: string | undefined;
  /** Whether an order not placed yet was let go (more than `keep` of them waited for their placement). */
  droppedUnplaced?: boolean | undefined;
  /** The orders decisions see in full: placed within the horizon, and those not placed yet. */
  recent: Order[];
}

export interface OrderRetention {
  /** How far back from the newest order `recent` reaches, in milliseconds. */
  horizonMs: number;
  /** The most orders `recent` holds. */
  keep: number;
}

const DAY_MS = 86_400_000;
/**
 * Late events are judged by business time; one later than this after the orders it should have
 * seen may count with a shorter history (stated in the README).
 */
export const LATENESS_MARGIN_MS = 30 * DAY_MS;
/** For callers without the compiled journeys at hand (a customer's first summary is cut with it). */
export const DEFAULT_RETENTION: OrderRetention = { horizonMs: 120 * DAY_MS, keep: 8 };

const ms = (iso: string) => Duration.fromISO(iso).toMillis();

/** Every duration an order condition in `condition` looks back over, and its count constants. */
function orderConditionReach(condition: Condition, reach: { ms: number; counts: number[] }): void {
  if ('all' in condition) for (const c of condition.all) orderConditionReach(c, reach);
  else if ('any' in condition) for (const c of condition.any) orderConditionReach(c, reach);
  else if ('not' in condition) orderConditionReach(condition.not, reach);
  else if ('orders' in condition) {
    if (condition.orders.within) reach.ms = Math.max(reach.ms, ms(condition.orders.within));
    reach.counts.push(...Object.values(condition.orders.count));
  }
}

const isOrderEvent = (event: string) => event.startsWith('order.');

/**
 * Whether a journey's instances read orders from their entry on: an order condition since entry, an
 * exit on any order event, a wait for an order event that is not its own, a goal on one.
 */
function readsOrdersSinceEntry({ definition, program }: CompiledJourney): boolean {
  const sinceEntry = (c: Condition): boolean =>
    'all' in c
      ? c.all.some(sinceEntry)
      : 'any' in c
        ? c.any.some(sinceEntry)
        : 'not' in c
          ? sinceEntry(c.not)
          : 'orders' in c && c.orders.sinceEntry === true;
  return (
    (definition.goal !== undefined && isOrderEvent(definition.goal.event)) ||
    definition.exitOn.some((e) => typeof e === 'string' && isOrderEvent(e)) ||
    program.some(
      (ins) =>
        (ins.op === 'waitFor' && isOrderEvent(ins.event) && !ins.correlate) ||
        (ins.op === 'jumpUnless' && sinceEntry(ins.condition)),
    )
  );
}

/**
 * How much of the order history the compiled journeys can look at: the longest `within` of an order
 * condition, and for journeys whose instances read orders from entry on, their goal window and
 * instance lifetime (every wait and timeout of the program added up); plus the lateness margin. And
 * enough orders that no count comparison saturates below its constant.
 */
export function orderRetention(journeys: Iterable<CompiledJourney>): OrderRetention {
  const reach = { ms: 0, counts: [] as number[] };
  for (const journey of journeys) {
    const { definition, program } = journey;
    let lifetime = 0;
    for (const ins of program) {
      if (ins.op === 'wait') lifetime += ms((ins.duration ?? ins.sinceEntry) as string);
      else if (ins.op === 'waitFor') lifetime += ms(ins.timeout);
      else if (ins.op === 'jumpUnless') orderConditionReach(ins.condition, reach);
    }
    if (readsOrdersSinceEntry(journey)) {
      reach.ms = Math.max(reach.ms, lifetime, definition.goal ? ms(definition.goal.within) : 0);
    }
    const trigger = definition.trigger;
    const alternatives = 'anyOf' in trigger ? trigger.anyOf : 'event' in trigger ? [trigger] : [];
    for (const alternative of alternatives) if (alternative.if) orderConditionReach(alternative.if, reach);
  }
  return {
    horizonMs: reach.ms + LATENESS_MARGIN_MS,
    keep: Math.max(DEFAULT_RETENTION.keep, ...reach.counts.map((c) => c + 2)),
  };
}

export const emptySummary = (): OrderSummary => ({ count: 0, revenue: {}, recent: [] });

/** Decimal strings added exactly, as integers of ten-thousandths (money never goes through floats). */
export function addDecimal(a: string, b: string): string {
  const scaled = (d: string) => {
    const negative = d.startsWith('-');
    const [whole = '0', fraction = ''] = d.replace('-', '').split('.');
    const value = BigInt(whole) * 10_000n + BigInt(fraction.padEnd(4, '0').slice(0, 4));
    return negative ? -value : value;
  };
  const sum = scaled(a) + scaled(b);
  const sign = sum < 0n ? '-' : '';
  const abs = sum < 0n ? -sum : sum;
  const fraction = (abs % 10_000n)
    .toString()
    .padStart(4, '0')
    .replace(/0{1,2}$/, '');
  return `${sign}${abs / 10_000n}.${fraction.padEnd(2, '0')}`;
}

const newer = (a: string | undefined, b: string | undefined) =>
  a === undefined ? b : b === undefined ? a : Date.parse(a) >= Date.parse(b) ? a : b;
const older = (a: string | undefined, b: string | undefined) =>
  a === undefined ? b : b === undefined ? a : Date.parse(a) <= Date.parse(b) ? a : b;

/** The summary with `order` newly placed (counted once: the caller knows it was not placed before). */
function withPlacement(summary: OrderSummary, placedAt: string, total: Money | undefined): OrderSummary {
  const last = newer(summary.lastPlacedAt, placedAt);
  return {
    ...summary,
    count: summary.count + 1,
    firstPlacedAt: older(summary.firstPlacedAt, placedAt),
    lastPlacedAt: last,
    lastCurrency: last === placedAt && total ? total.currency : summary.lastCurrency,
    revenue: total
      ? {
          ...summary.revenue,
          [total.currency]: addDecimal(summary.revenue[total.currency] ?? '0', total.amount),
        }
      : summary.revenue,
  };
}

/**
 * The recent orders cut to the retention: placed ones within the horizon of the newest placement and
 * at most `keep` of them (the newest); orders not placed yet (a delivery or refund told first) stay
 * until their placement, bounded too. What is let go moves `evictedUpTo` on.
 */
function prune(summary: OrderSummary, retention: OrderRetention): OrderSummary {
  const placed = summary.recent
    .filter((o) => o.placedAt !== undefined)
    .sort(
      (a, b) =>
        Date.parse(b.placedAt as string) - Date.parse(a.placedAt as string) ||
        (a.orderId < b.orderId ? 1 : -1),
    );
  const waiting = summary.recent.filter((o) => o.placedAt === undefined);
  const unplaced = waiting.slice(-retention.keep);
  const newest = placed[0]?.placedAt;
  const from = newest ? Date.parse(newest) - retention.horizonMs : Number.NEGATIVE_INFINITY;
  const kept = placed.filter((o, i) => i < retention.keep && Date.parse(o.placedAt as string) >= from);
  const evicted = placed.filter((o) => !kept.includes(o));
  if (evicted.length === 0 && unplaced.length === waiting.length) return summary;
  let evictedUpTo = summary.evictedUpTo;
  for (const o of evicted) evictedUpTo = newer(evictedUpTo, o.placedAt);
  const droppedUnplaced = summary.droppedUnplaced || unplaced.length < waiting.length || undefined;
  return { ...summary, evictedUpTo, droppedUnplaced, recent: [...kept.reverse(), ...unplaced] };
}

/**
 * The summary after `order` changed (placed, delivered or refunded). `wasPlaced`: whether the stored
 * order was already placed, so a placement counts once however often it is told.
 */
export function recordOrder(
  summary: OrderSummary,
  order: Order,
  wasPlaced: boolean,
  retention: OrderRetention,
): OrderSummary {
  const counted =
    !wasPlaced && order.placedAt ? withPlacement(summary, order.placedAt, order.total) : summary;
  const recent = [...counted.recent.filter((o) => o.orderId !== order.orderId), order];
  return prune({ ...counted, recent }, retention);
}

/** The summary of stored orders as a whole (a customer written before summaries existed). */
export function summariseOrders(orders: readonly Order[], retention: OrderRetention): OrderSummary {
  let summary = emptySummary();
  for (const order of orders) summary = recordOrder(summary, order, false, retention);
  return summary;
}

/**
 * Whether the stored item of order `orderId` may hold what `summary.recent` does not: only once
 * something was let go, and for a placement only when it is not newer than what was let go.
 */
export function mayBeBeyondRecent(summary: OrderSummary, orderId: string, placedAt?: string): boolean {
  if (summary.recent.some((o) => o.orderId === orderId)) return false;
  if (summary.droppedUnplaced) return true;
  if (!summary.evictedUpTo) return false;
  return placedAt === undefined || Date.parse(placedAt) <= Date.parse(summary.evictedUpTo);
}

/** Placed orders let go from `recent`: counted in `count`, no longer seen one by one. */
export function olderPlacedCount(summary: OrderSummary): number {
  return summary.count - summary.recent.filter((o) => o.placedAt !== undefined).length;
}
