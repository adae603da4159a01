/**
 * A large analytics log written directly as JSON Lines, without simulating anything: for the report
 * bench (100,000 customers, a year, well over 500,000 records). Valid AnalyticsRecord rows
 * (functions/analytics/record.ts) in the `dt=YYYY-MM-DD/` layout, with the mix the simulator's log
 * has — shop events, journey lifecycle with holdout, email outcomes — at about seven records per
 * customer. Seeded, so every run reports over the same log.
 */
import { appendFileSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import {
  ANALYTICS_SCHEMA_VERSION,
  type AnalyticsRecord,
  COLUMN_NAMES,
  nullColumns,
} from '../../functions/analytics/record.ts';
import { marketAt, rng } from './shop.ts';

const DAY = 86_400_000;
const KEY_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
const EMPTY = nullColumns();

export interface BulkLogOptions {
  customers: number;
  seed?: number;
  start?: string;
  days?: number;
  /** Buffered bytes before the partitions are appended to. */
  flushBytes?: number;
}

export interface BulkLogSize {
  records: number;
  bytes: number;
  partitions: number;
}

export function writeBulkLog(dir: string, options: BulkLogOptions): BulkLogSize {
  const random = rng(options.seed ?? 1);
  const start = Date.parse(options.start ?? '2026-01-01T00:00:00.000Z');
  const end = start + (options.days ?? 365) * DAY;
  const flushBytes = options.flushBytes ?? 16_000_000;
  const buffers = new Map<string, string[]>();
  const size: BulkLogSize = { records: 0, bytes: 0, partitions: 0 };
  let buffered = 0;
  const partitions = new Set<string>();
  const flush = () => {
    for (const [dt, lines] of buffers) {
      const folder = path.join(dir, dt);
      if (!partitions.has(dt)) mkdirSync(folder, { recursive: true });
      partitions.add(dt);
      appendFileSync(path.join(folder, 'bulk.jsonl'), `${lines.join('\n')}\n`);
    }
    buffers.clear();
    buffered = 0;
  };
  const key = () => {
    let s = '';
    for (let i = 0; i < 22; i++) s += KEY_ALPHABET[Math.floor(random() * 64)];
    return s;
  };
  const hex = () => {
    let s = '';
    for (let i = 0; i < 4; i++)
      s += Math.floor(random() * 2 ** 32)
        .toString(16)
        .padStart(8, '0');
    return s;
  };
  const emit = (at: number, fields: Partial<AnalyticsRecord> & Pick<AnalyticsRecord, 'type'>) => {
    if (at >= end) return;
    const time = new Date(at).toISOString();
    const recorded = new Date(at + Math.floor(random() * 5000)).toISOString();
    const record: AnalyticsRecord = {
      ...EMPTY,
      id: hex(),
      v: ANALYTICS_SCHEMA_VERSION,
      time,
      recorded,
      ...fields,
    };
    const line = JSON.stringify(record, COLUMN_NAMES);
    const dt = `dt=${recorded.slice(0, 10)}`;
    const lines = buffers.get(dt);
    if (lines) lines.push(line);
    else buffers.set(dt, [line]);
    size.records++;
    size.bytes += line.length + 1;
    buffered += line.length + 1;
    if (buffered >= flushBytes) flush();
  };
  /** One email and its outcomes: sent, mostly delivered, some opened and clicked, a few bounce. */
  const email = (
    at: number,
    base: Partial<AnalyticsRecord>,
    journey: string,
    message: string,
    instance: string,
  ) => {
    const fields = { ...base, journey, message, instance, send: key() };
    emit(at, { ...fields, type: 'email.sent' });
    const r = random();
    if (r < 0.01) {
      emit(at + 60_000, {
        ...fields,
        type: 'email.bounced',
        reason: random() < 0.7 ? 'permanent' : 'transient',
      });
      return;
    }
    emit(at + 30_000, { ...fields, type: 'email.delivered' });
    if (r < 0.45) emit(at + 3_600_000, { ...fields, type: 'email.opened' });
    if (r < 0.09) emit(at + 3_700_000, { ...fields, type: 'email.clicked' });
    if (r > 0.998) emit(at + 3_800_000, { ...fields, type: 'email.unsubscribed', consent: false });
  };

  for (let i = 0; i < options.customers; i++) {
    const m = marketAt(random());
    const customer = key();
    const base = { customer, market: m.market, locale: m.locale };
    const registered = start + Math.sqrt(random()) * (end - start - DAY);
    const consent = random() < 0.8;
    emit(registered, { ...base, type: 'customer.registered', consent });
    if (random() < 0.5) {
      const instance = key();
      emit(registered, { ...base, type: 'journey.entered', journey: 'onboarding', instance, holdout: false });
      email(registered, base, 'onboarding', 'welcome', instance);
    }
    if (random() < 0.25) continue;
    const orders = 1 + Math.floor(-Math.log(1 - random()) * 1.2);
    let t = registered + random() * 20 * DAY;
    for (let o = 0; o < orders && t < end; o++) {
      const order = key();
      const total = (m.basket * (0.4 + random() * 1.4)).toFixed(2);
      emit(t, { ...base, type: 'order.placed', order, amount: total, currency: m.currency });
      if (o === 0 || random() < 0.3) {
        const instance = key();
        emit(t, {
          ...base,
          type: 'journey.entered',
          journey: 'post-purchase',
          instance,
          holdout: false,
          order,
        });
        if (random() < 0.6)
          email(t, base, 'post-purchase', o ? 'thank-you-returning' : 'thank-you-first', instance);
      }
      if (random() < 0.9) emit(t + (1 + random() * 4) * DAY, { ...base, type: 'order.delivered', order });
      const r = random();
      if (r < 0.04) emit(t + 10 * DAY, { ...base, type: 'order.refunded', order });
      else if (r < 0.08)
        emit(t + 10 * DAY, {
          ...base,
          type: 'order.refunded',
          order,
          amount: (Number(total) * 0.3).toFixed(2),
          currency: m.currency,
        });
      if (random() < 0.2)
        emit(t + 12 * DAY, { ...base, type: 'feedback.submitted', order, score: Math.floor(random() * 11) });
      t += (10 + -Math.log(1 - random()) * 50) * DAY;
    }
    // Lapsed: win-back, 10 % held out; the treated come back more often.
    const lapse = t + 60 * DAY;
    if (random() < 0.5 && lapse < end) {
      const instance = key();
      const holdout = random() < 0.1;
      emit(lapse, { ...base, type: 'journey.entered', journey: 'win-back', instance, holdout });
      if (!holdout && consent) email(lapse, base, 'win-back', 'we-miss-you', instance);
      if (random() < (holdout ? 0.2 : 0.3)) {
        const back = lapse + random() * 20 * DAY;
        const order = key();
        const total = (m.basket * (0.4 + random() * 1.4)).toFixed(2);
        emit(back, { ...base, type: 'order.placed', order, amount: total, currency: m.currency });
        emit(back, {
          ...base,
          type: 'journey.goal.reached',
          journey: 'win-back',
          instance,
          holdout,
          goal: 'order.placed',
        });
        emit(back, {
          ...base,
          type: 'journey.exited',
          journey: 'win-back',
          instance,
          holdout,
          reason: 'exitOn:order.placed',
        });
      } else
        emit(lapse + 28 * DAY, {
          ...base,
          type: 'journey.completed',
          journey: 'win-back',
          instance,
          holdout,
        });
    }
  }
  flush();
  size.partitions = partitions.size;
  return size;
}
