/**
 * `journeys backtest`: a recorded event history replayed through two sets of journey definitions —
 * the current ones and changed ones — each in its own simulation (the same handlers, engine and
 * dispatcher as `journeys simulate`, on the memory table and the in-process SES, without email
 * bodies), then what each would have done, side by side: journey entries and holdouts, emails per
 * journey and message, coupons issued, goals reached.
 */
import { DateTime, Duration } from 'luxon';
import type { Catalog } from '../../functions/catalog/catalog.ts';
import { MemoryTables } from '../memory-table/table.ts';
import { type SimulationError, type SimulationResult, simulate } from '../simulate/index.ts';
import type { EventHistory } from './events.ts';

export const SECTIONS = {
  entries: 'journey entries',
  holdout: 'of them in the holdout',
  emails: 'emails sent',
  coupons: 'coupons issued',
  goals: 'goals reached',
} as const;
export type Section = keyof typeof SECTIONS;

export interface BacktestRow {
  section: Section;
  /** `journey` or `journey/message`. */
  key: string;
  baseline: number;
  changed: number;
  delta: number;
}

export interface RunSummary {
  emails: number;
  /** Events the handlers rejected (the same in both runs: they break the contract, not a journey). */
  rejected: number;
  /** Handler errors: the run does not show what production would have done. */
  errors: SimulationError[];
  wallMs: number;
}

export interface BacktestResult {
  period: { start: string; end: string };
  events: number;
  customers: number;
  otherSources: number;
  rows: BacktestRow[];
  runs: { baseline: RunSummary; changed: RunSummary };
}

export type Run = 'baseline' | 'changed';

/** What one simulation did, counted per section and key. */
export function countOutcomes(result: SimulationResult): Map<Section, Map<string, number>> {
  const counts = new Map<Section, Map<string, number>>(
    (Object.keys(SECTIONS) as Section[]).map((section) => [section, new Map()]),
  );
  const add = (section: Section, key: string) => {
    const bucket = counts.get(section) as Map<string, number>;
    bucket.set(key, (bucket.get(key) ?? 0) + 1);
  };
  for (const email of result.emails) add('emails', `${email.journey}/${email.message}`);
  for (const { detailType, detail } of result.events) {
    const journey = String(detail.journey ?? '');
    if (detailType === 'journey.entered') {
      add('entries', journey);
      if (detail.holdout === true) add('holdout', journey);
    } else if (detailType === 'coupon.issued') add('coupons', `${journey}/${String(detail.message ?? '')}`);
    else if (detailType === 'journey.goal.reached') add('goals', journey);
  }
  return counts;
}

/** Both runs' counts as rows, every key either run has, in section order then key order. */
export function compareCounts(
  baseline: Map<Section, Map<string, number>>,
  changed: Map<Section, Map<string, number>>,
): BacktestRow[] {
  const rows: BacktestRow[] = [];
  for (const section of Object.keys(SECTIONS) as Section[]) {
    const before = baseline.get(section) ?? new Map<string, number>();
    const after = changed.get(section) ?? new Map<string, number>();
    for (const key of [...new Set([...before.keys(), ...after.keys()])].sort()) {
      const b = before.get(key) ?? 0;
      const c = after.get(key) ?? 0;
      rows.push({ section, key, baseline: b, changed: c, delta: c - b });
    }
  }
  return rows;
}

export async function backtest(
  history: EventHistory,
  catalogs: Record<Run, Catalog>,
  options: {
    /** How long after the last recorded event timers still fall due (ISO 8601). @default PT0S */
    horizon?: string;
    /** Worker threads each run splits its customers over (simulate's `workers`). @default 1 */
    workers?: number;
    onProgress?: (run: Run, at: string) => void;
  } = {},
): Promise<BacktestResult> {
  const end = DateTime.fromISO(history.last, { zone: 'utc' }).plus(
    Duration.fromISO(options.horizon ?? 'PT0S'),
  );
  const seconds = Math.ceil((end.toMillis() - Date.parse(history.first)) / 1000);
  const scenario = { start: history.first, until: `PT${seconds}S`, events: history.events };
  const run = async (which: Run) => {
    const result = await simulate(
      scenario,
      catalogs[which],
      { memory: new MemoryTables() },
      {
        bodies: false,
        workers: options.workers ?? 1,
        onProgress: options.onProgress ? (at) => options.onProgress?.(which, at) : undefined,
      },
    );
    const summary: RunSummary = {
      emails: result.emails.length,
      rejected: result.rejected.length,
      errors: result.errors,
      wallMs: result.stats.wallMs,
    };
    return { counts: countOutcomes(result), summary };
  };
  // One after the other: each is CPU-bound, side by side they would only take turns.
  const baseline = await run('baseline');
  const changed = await run('changed');
  return {
    period: { start: history.first, end: end.toUTC().toISO({ suppressMilliseconds: true }) as string },
    events: history.events.length,
    customers: history.customers,
    otherSources: history.otherSources,
    rows: compareCounts(baseline.counts, changed.counts),
    runs: { baseline: baseline.summary, changed: changed.summary },
  };
}
