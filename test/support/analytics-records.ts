/**
 * Small builders of analytics records for the KPI known-answer tests: readable names in, records that
 * pass analyticsRecordSchema out (keys padded to the pseudonymous-key shape, ids derived from the fact
 * so the same fact twice is a duplicate, as in the real log).
 */
import { createHash } from 'node:crypto';
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import {
  type AnalyticsRecord,
  analyticsRecordSchema,
  nullColumns,
  partitionOf,
  type RecordType,
} from '../../functions/analytics/record.ts';

/** A readable name → a valid pseudonymous key ('c1' → 'k-c1____________'). */
export const key = (name: string) => `k-${name}`.padEnd(16, '_');

const EMPTY = nullColumns();

/** `time` may be a date (noon UTC) or a full ISO instant. */
const instant = (t: string) => (t.length === 10 ? `${t}T12:00:00.000Z` : t);

export function record(
  type: RecordType,
  time: string,
  fields: Partial<Omit<AnalyticsRecord, 'id' | 'v' | 'type' | 'time' | 'recorded'>> = {},
): AnalyticsRecord {
  const at = instant(time);
  const body = { ...EMPTY, ...fields };
  const id = createHash('sha256')
    .update(JSON.stringify([type, at, body]))
    .digest('hex')
    .slice(0, 32);
  return analyticsRecordSchema.parse({ id, v: 1, type, time: at, recorded: at, ...body });
}

export interface Who {
  customer: string;
  market?: string;
  locale?: string;
}

const who = (w: Who | string) => {
  const c = typeof w === 'string' ? { customer: w } : w;
  return { customer: key(c.customer), market: c.market ?? null, locale: c.locale ?? null };
};

export const order = (w: Who | string, orderName: string, time: string, amount = '50.00', currency = 'EUR') =>
  record('order.placed', time, { ...who(w), order: key(orderName), amount, currency });

/** A refund; `amount` null (the default) is a full refund. */
export const refund = (
  w: Who | string,
  orderName: string,
  time: string,
  amount: string | null = null,
  currency = 'EUR',
) =>
  record('order.refunded', time, {
    ...who(w),
    order: key(orderName),
    amount,
    currency: amount === null ? null : currency,
  });

export const feedback = (w: Who | string, time: string, score: number, orderName?: string) =>
  record('feedback.submitted', time, { ...who(w), score, order: orderName ? key(orderName) : null });

export const entered = (w: Who | string, journey: string, instance: string, time: string, holdout: boolean) =>
  record('journey.entered', time, { ...who(w), journey, instance: key(instance), holdout });

export const goalReached = (
  w: Who | string,
  journey: string,
  instance: string,
  time: string,
  holdout: boolean,
) =>
  record('journey.goal.reached', time, {
    ...who(w),
    journey,
    instance: key(instance),
    holdout,
    goal: 'order.placed',
  });

export const email = (
  type: Extract<RecordType, `email.${string}`>,
  w: Who | string,
  journey: string | null,
  message: string | null,
  send: string,
  time: string,
  reason: string | null = null,
) => record(type, time, { ...who(w), journey, message, send: key(send), reason });

/** Writes records as the log does: JSON Lines under dt=YYYY-MM-DD/ of `recorded`. */
export async function writeLog(
  dir: string,
  records: readonly AnalyticsRecord[],
  file = 'part-0.jsonl',
): Promise<void> {
  const byPartition = new Map<string, string[]>();
  for (const r of records) {
    const p = partitionOf(r);
    byPartition.set(p, [...(byPartition.get(p) ?? []), JSON.stringify(r)]);
  }
  for (const [p, lines] of byPartition) {
    await mkdir(path.join(dir, p), { recursive: true });
    await writeFile(path.join(dir, p, file), `${lines.join('\n')}\n`);
  }
}

// The loyalty program's records (functions/analytics/loyalty-records.ts).

export const joined = (w: Who | string, time: string, tier = 'member') =>
  record('loyalty.member.joined', time, { ...who(w), tier });

export const earned = (w: Who | string, time: string, points: number, reason = 'order', orderName?: string) =>
  record('loyalty.points.earned', time, {
    ...who(w),
    points,
    reason,
    order: orderName ? key(orderName) : null,
  });

export const redeemed = (w: Who | string, time: string, points: number, reward = 'five-off') =>
  record('loyalty.reward.redeemed', time, { ...who(w), points, reward });

export const expired = (w: Who | string, time: string, points: number) =>
  record('loyalty.points.expired', time, { ...who(w), points });

export const reversed = (w: Who | string, time: string, points: number, orderName: string) =>
  record('loyalty.points.reversed', time, { ...who(w), points, order: key(orderName) });

export const tierChanged = (w: Who | string, time: string, tier: string, direction: 'up' | 'down') =>
  record('loyalty.tier.changed', time, { ...who(w), tier, reason: direction });
