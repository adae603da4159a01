/**
 * Tiers: qualifying points per customer-local month, the tier they reach over the program's period,
 * and the grace a member keeps before moving down. Pure; ledger.ts applies the result to the account.
 */
import { DateTime } from 'luxon';
import { addDuration, isAtOrBefore, toIso } from '../time.ts';
import type { LoyaltyAccount } from './account.ts';
import { baseTier, nextTier, tierById, tierFor } from './levels.ts';
import type { LoyaltyProgram, Tier } from './program.ts';

/** Months of qualifying points kept on the account: a calendar year's status needs the year before. */
const MONTHS_KEPT = 24;

const local = (instant: string, zone: string) => DateTime.fromISO(instant, { zone });

/** The customer-local month `YYYY-MM` of an instant. */
export function monthOf(instant: string, zone: string): string {
  return local(instant, zone).toFormat('yyyy-LL');
}

/** The oldest month an account keeps qualifying points for, as of `now`. */
export function oldestKeptMonth(now: string, zone: string): string {
  return local(now, zone)
    .startOf('month')
    .minus({ months: MONTHS_KEPT - 1 })
    .toFormat('yyyy-LL');
}

/** `qualifying` with `points` added in `month`, months before `oldest` dropped. */
export function addQualifying(
  qualifying: Record<string, number>,
  month: string,
  points: number,
  oldest: string,
): Record<string, number> {
  const next = { ...qualifying, [month]: (qualifying[month] ?? 0) + points };
  for (const key of Object.keys(next)) if (key < oldest) delete next[key];
  return next;
}

function sumMonths(qualifying: Record<string, number>, from: string, to: string): number {
  let sum = 0;
  for (const [month, points] of Object.entries(qualifying)) if (month >= from && month <= to) sum += points;
  return sum;
}

/**
 * Qualifying points at `at`: rolling12Months sums the customer-local month of `at` and the 11 before it;
 * calendarYear takes the better of this year and the last, so status earned in a year lasts the next.
 */
export function qualifyingAt(
  program: LoyaltyProgram,
  account: Pick<LoyaltyAccount, 'qualifying'>,
  at: string,
  zone: string,
): number {
  const moment = local(at, zone);
  if (program.tiers.period === 'calendarYear') {
    const year = moment.year;
    const of = (y: number) => sumMonths(account.qualifying, `${y}-01`, `${y}-12`);
    return Math.max(of(year), of(year - 1));
  }
  const to = moment.toFormat('yyyy-LL');
  const from = moment.startOf('month').minus({ months: 11 }).toFormat('yyyy-LL');
  return sumMonths(account.qualifying, from, to);
}

/** When qualifying points can next fall without any event: the next month (or year) start. */
export function nextReview(program: LoyaltyProgram, at: string, zone: string): string {
  const unit = program.tiers.period === 'calendarYear' ? 'year' : 'month';
  return toIso(
    local(at, zone)
      .startOf(unit)
      .plus({ [`${unit}s`]: 1 }),
  );
}

export type TierChange =
  | { kind: 'up' | 'down'; from: Tier; to: Tier }
  | { kind: 'at-risk'; tier: Tier; to: Tier; downgradeAt: string; pointsNeeded: number }
  | { kind: 'requalified'; tier: Tier }
  | { kind: 'none' };

/**
 * What the tier does at `at`: up at once when the points reach a higher tier; below the tier's threshold,
 * at risk first and down only when the grace has run out still below (to the tier the points reach then).
 */
export function reviewTier(
  program: LoyaltyProgram,
  account: Pick<LoyaltyAccount, 'tier' | 'risk' | 'qualifying'>,
  at: string,
  zone: string,
): TierChange {
  const current = tierById(program, account.tier) ?? baseTier(program);
  const points = qualifyingAt(program, account, at, zone);
  const reached = tierFor(program, points);
  if (reached.threshold > current.threshold) return { kind: 'up', from: current, to: reached };
  if (reached.threshold === current.threshold)
    return account.risk ? { kind: 'requalified', tier: current } : { kind: 'none' };
  if (account.risk && isAtOrBefore(account.risk.downgradeAt, at))
    return { kind: 'down', from: current, to: reached };
  if (account.risk) return { kind: 'none' };
  return {
    kind: 'at-risk',
    tier: current,
    to: reached,
    downgradeAt: addDuration(at, program.tiers.downgradeGrace, zone),
    pointsNeeded: current.threshold - points,
  };
}

/** The next tier and how far the member is on the way to it. */
export function progressTo(
  program: LoyaltyProgram,
  account: Pick<LoyaltyAccount, 'tier' | 'qualifying'>,
  at: string,
  zone: string,
): { qualifying: number; progress: number; next?: { id: string; pointsNeeded: number; threshold: number } } {
  const qualifying = qualifyingAt(program, account, at, zone);
  const next = nextTier(program, account.tier);
  if (!next) return { qualifying, progress: 1 };
  const from = tierById(program, account.tier)?.threshold ?? 0;
  const span = next.threshold - from;
  const progress = span <= 0 ? 1 : Math.min(1, Math.max(0, (qualifying - from) / span));
  return {
    qualifying,
    progress,
    next: { id: next.id, pointsNeeded: Math.max(0, next.threshold - qualifying), threshold: next.threshold },
  };
}
