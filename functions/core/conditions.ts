/** Evaluates `if` conditions against what the engine knows of the customer at `now`. */
import type { Comparison, Condition } from './definition.ts';
import type { JourneyInstance, Order, Profile } from './model.ts';
import { placedOrders } from './profile.ts';
import { addDuration } from './time.ts';

export interface ConditionContext {
  profile: Profile | undefined;
  orders: readonly Order[];
  instance: JourneyInstance;
  now: string;
  timeZone: string;
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

export function evaluate(condition: Condition, ctx: ConditionContext): boolean {
  if ('all' in condition) return condition.all.every((c) => evaluate(c, ctx));
  if ('any' in condition) return condition.any.some((c) => evaluate(c, ctx));
  if ('not' in condition) return !evaluate(condition.not, ctx);
  if ('orders' in condition) {
    const { count, within, sinceEntry } = condition.orders;
    const now = Date.parse(ctx.now);
    const from = Math.max(
      within ? now - (Date.parse(addDuration(ctx.now, within, ctx.timeZone)) - now) : -Infinity,
      sinceEntry ? Date.parse(ctx.instance.enteredAt) : -Infinity,
    );
    const matching = placedOrders(ctx.orders).filter((o) => {
      const placed = Date.parse(o.placedAt as string);
      return placed >= from && placed <= now;
    });
    return compare(matching.length, count);
  }
  const test = condition.profile;
  const value =
    test.field === 'orderCount'
      ? placedOrders(ctx.orders).length
      : ctx.profile
        ? ctx.profile[test.field]
        : undefined;
  if (test.exists !== undefined) return (value !== undefined && value !== '') === test.exists;
  if (test.equals !== undefined) return value === test.equals;
  if (test.in !== undefined) return test.in.some((v) => v === value);
  if (test.startsWith !== undefined) return typeof value === 'string' && value.startsWith(test.startsWith);
  if (test.compare !== undefined) return typeof value === 'number' && compare(value, test.compare);
  return false;
}
