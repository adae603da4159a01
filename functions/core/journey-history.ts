/**
 * A journey's entries that are no longer live, kept as one small item per journey and customer, so a
 * decision reads the same few items after hundreds of finished instances as after one. An instance
 * is settled — moved out of the decision's range, into the archive, and counted here — once nothing
 * can change it any more: it finished, and its goal was reached or its window closed (plus the margin
 * late events get, order-history.ts). Re-entry rules and `entries` conditions read this with the live
 * instances; re-entry for the same instance key reads the archived instance by key.
 */
import type { CompiledJourney } from './compile.ts';
import type { Condition } from './definition.ts';
import type { JourneyInstance } from './model.ts';
import { LATENESS_MARGIN_MS } from './order-history.ts';

export interface JourneyHistory {
  journeyId: string;
  /** Settled entries, all time. */
  entries: number;
  /** Entry moment of the newest settled entry. */
  lastEnteredAt?: string | undefined;
  /** Entry moments of the newest settled entries, newest first, at most `keep` of them. */
  recent: string[];
  /** Optimistic-lock version; 0 when not stored yet. */
  version: number;
}

export const emptyHistory = (journeyId: string): JourneyHistory => ({
  journeyId,
  entries: 0,
  recent: [],
  version: 0,
});

function entriesCounts(condition: Condition, counts: number[]): void {
  if ('all' in condition) for (const c of condition.all) entriesCounts(c, counts);
  else if ('any' in condition) for (const c of condition.any) entriesCounts(c, counts);
  else if ('not' in condition) entriesCounts(condition.not, counts);
  else if ('entries' in condition) counts.push(...Object.values(condition.entries.count));
}

/**
 * How many entry moments a journey's history keeps: past its largest `entries` comparison, so a count
 * that reaches beyond what is kept already decides every comparison the journey makes.
 */
export function entriesToKeep(journey: CompiledJourney): number {
  const counts: number[] = [];
  for (const ins of journey.program) if (ins.op === 'jumpUnless') entriesCounts(ins.condition, counts);
  const trigger = journey.definition.trigger;
  const alternatives = 'anyOf' in trigger ? trigger.anyOf : 'event' in trigger ? [trigger] : [];
  for (const alternative of alternatives) if (alternative.if) entriesCounts(alternative.if, counts);
  return Math.max(0, ...counts.map((c) => c + 2));
}

/** Whether nothing can change the instance any more (its goal included): it may leave the hot range. */
export function isSettled(instance: JourneyInstance, now: string): boolean {
  if (instance.status !== 'completed' && instance.status !== 'exited') return false;
  if (!instance.goalDeadline || instance.goalReachedAt) return true;
  return Date.parse(now) > Date.parse(instance.goalDeadline) + LATENESS_MARGIN_MS;
}

/** The history with `settled` instances counted (each once: the caller archives them in the same write). */
export function withSettled(
  history: JourneyHistory,
  settled: readonly JourneyInstance[],
  keep: number,
): JourneyHistory {
  if (settled.length === 0) return history;
  const moments = [...history.recent, ...settled.map((i) => i.enteredAt)].sort(
    (a, b) => Date.parse(b) - Date.parse(a),
  );
  return {
    ...history,
    entries: history.entries + settled.length,
    lastEnteredAt: moments[0],
    recent: moments.slice(0, keep),
  };
}

/** Settled entries whose entry moment is at or after `from` (as many as the history keeps). */
export function settledEntriesSince(history: JourneyHistory | undefined, from: number): number {
  return history ? history.recent.filter((at) => Date.parse(at) >= from).length : 0;
}

/**
 * The journey's live instances (as they are after a decision) that nothing can change any more, at
 * most `limit` of them, and the history counting them: what a decision moves out of its range in its
 * own write (services/journeys.ts), and what the engine's tests do between decisions.
 */
export function settlement(
  journey: CompiledJourney,
  live: readonly JourneyInstance[],
  history: JourneyHistory | undefined,
  now: string,
  limit: number,
): { instances: JourneyInstance[]; history: JourneyHistory } | undefined {
  const id = journey.definition.id;
  const settled = live.filter((i) => i.journeyId === id && isSettled(i, now)).slice(0, limit);
  if (settled.length === 0) return undefined;
  return {
    instances: settled,
    history: withSettled(history ?? emptyHistory(id), settled, entriesToKeep(journey)),
  };
}
