/**
 * What time does to an account: holds that pass, the birthday bonus, the tier review, the expiry
 * reminder and the expiry — each at its moment in the customer's calendar — and the account's next timer
 * (one per account, on the table's sparse timer index like a journey instance's).
 */
import { DateTime, Duration } from 'luxon';
import { addDuration, isAtOrBefore, isBefore, toIso } from '../time.ts';
import type { LoyaltyAccount } from './account.ts';
import { baseTier } from './levels.ts';
import { bonus, movementId } from './movements.ts';
import type { LoyaltyProgram } from './program.ts';
import type { Run } from './run.ts';
import { monthOf, nextReview, reviewTier } from './tiers.ts';

/** When the birthday bonus is given, customer-local (as the birthday journey sends). */
const BIRTHDAY_AT = { hour: 9, minute: 0 };

/** Everything due by now after the input, then the next timer. */
export function settle(run: Run): void {
  const account = run.account as LoyaltyAccount;
  release(run);
  birthday(run);
  tier(run);
  expire(run);
  const due = nextDue(run);
  if (due !== account.dueAt) {
    account.dueAt = due;
    run.changed = true;
  }
}

/** Pending lots whose hold has passed become available, each by its own release movement. */
export function release(run: Run): void {
  const account = run.account as LoyaltyAccount;
  const due = account.lots
    .filter((lot) => isAtOrBefore(lot.availableAt, run.args.now))
    .sort((a, b) => a.availableAt.localeCompare(b.availableAt));
  for (const lot of due) {
    const id = movementId.release(lot.orderId);
    account.lots = account.lots.filter((l) => l !== lot);
    run.move({
      id,
      kind: 'release',
      at: lot.availableAt,
      available: lot.points,
      pending: -lot.points,
      qualifying: lot.points,
      month: monthOf(lot.availableAt, run.zone),
      orderId: lot.orderId,
    });
    run.emit(`loyalty#${id}`, 'loyalty.points.available', {
      movementId: id,
      orderId: lot.orderId,
      points: lot.points,
      balance: account.available,
    });
    run.trace.push(`makes ${lot.points} points of order ${lot.orderId} available`);
  }
}

/** A year's birthday moment (customer-local 09:00; 29 February → 28 February in other years). */
function birthdayIn(year: number, birthday: string, zone: string): string | undefined {
  const [month, day] = birthday.split('-').map(Number);
  if (!month || !day) return undefined;
  const first = DateTime.fromObject({ year, month, day: 1, ...BIRTHDAY_AT }, { zone });
  const moment = first.set({ day: Math.min(day, first.daysInMonth ?? day) });
  return moment.isValid ? toIso(moment) : undefined;
}

function birthday(run: Run): void {
  const account = run.account as LoyaltyAccount;
  const points = run.program.earning.bonuses.birthday;
  const date = run.args.customer.profile?.birthday;
  if (points <= 0 || !date) return;
  const year = DateTime.fromISO(run.args.now, { zone: run.zone }).year;
  const moment = birthdayIn(year, date, run.zone);
  // Only this year's birthday, and only for a member by then: no back pay for years before joining.
  if (!moment || !isAtOrBefore(moment, run.args.now) || isBefore(moment, account.joinedAt)) return;
  if ((account.birthdayYear ?? 0) >= year) return;
  account.birthdayYear = year;
  bonus(run, 'birthday', String(year), points, moment);
}

function tier(run: Run): void {
  const account = run.account as LoyaltyAccount;
  const now = run.args.now;
  const change = reviewTier(run.program, account, now, run.zone);
  switch (change.kind) {
    case 'none':
      return;
    case 'requalified':
      account.risk = undefined;
      run.changed = true;
      run.trace.push(`requalifies for tier ${change.tier.id}`);
      return;
    case 'at-risk':
      account.risk = { since: now, downgradeAt: change.downgradeAt, to: change.to.id };
      run.changed = true;
      // Outbox ids from the account's version: one review per decision, one decision per version.
      run.emit(`loyalty#v${account.version}#at-risk`, 'loyalty.tier.at-risk', {
        tier: change.tier.id,
        to: change.to.id,
        downgradeAt: change.downgradeAt,
        pointsNeeded: change.pointsNeeded,
      });
      run.trace.push(`may move from tier ${change.tier.id} to ${change.to.id} on ${change.downgradeAt}`);
      return;
    case 'up':
    case 'down':
      account.previousTier = account.tier;
      account.tier = change.to.id;
      account.tierSince = now;
      account.risk = undefined;
      run.changed = true;
      run.emit(`loyalty#v${account.version}#tier`, 'loyalty.tier.changed', {
        from: change.from.id,
        to: change.to.id,
        direction: change.kind,
        benefits: change.to.benefits,
      });
      run.trace.push(`moves ${change.kind} from tier ${change.from.id} to ${change.to.id}`);
      return;
  }
}

/**
 * Calendar arithmetic of one (instant, duration, zone) remembered: every decision asks for the same
 * expiry and reminder moments several times, and time-zone offsets are the core's main cost.
 */
const moments = new Map<string, string>();
function remembered(key: string, compute: () => string): string {
  let value = moments.get(key);
  if (value === undefined) {
    if (moments.size > 10_000) moments.clear();
    value = compute();
    moments.set(key, value);
  }
  return value;
}

/** Available points expire `expiry.after` after the last order or redemption. */
export function expiresAt(program: LoyaltyProgram, account: LoyaltyAccount, zone: string): string {
  const { after } = program.expiry;
  return remembered(`+${account.lastActivityAt} ${after} ${zone}`, () =>
    addDuration(account.lastActivityAt, after, zone),
  );
}

function reminderMoment(expires: string, program: LoyaltyProgram, zone: string): string {
  const { reminderBefore } = program.expiry;
  return remembered(`-${expires} ${reminderBefore} ${zone}`, () =>
    toIso(DateTime.fromISO(expires, { zone }).minus(Duration.fromISO(reminderBefore))),
  );
}

/** The expiry when its moment has come, else the reminder when its moment has come (once per expiry). */
export function expire(run: Run): void {
  const account = run.account as LoyaltyAccount;
  if (account.available <= 0) return;
  const now = run.args.now;
  const at = expiresAt(run.program, account, run.zone);
  if (isAtOrBefore(at, now)) {
    const points = account.available;
    // The lifetime total makes the id unique should points expire again at the same moment.
    const id = `expire:${at}:${account.totals.expired}`;
    run.move({ id, kind: 'expire', at, available: -points, pending: 0, qualifying: 0 });
    account.totals.expired += points;
    run.emit(`loyalty#${id}`, 'loyalty.points.expired', {
      movementId: id,
      points,
      balance: account.available,
    });
    run.trace.push(`lets ${points} points expire`);
    return;
  }
  if (account.remindedFor !== at && isAtOrBefore(reminderMoment(at, run.program, run.zone), now)) {
    account.remindedFor = at;
    run.changed = true;
    run.emit(`loyalty#expiring#${at}`, 'loyalty.points.expiring', {
      points: account.available,
      expiresAt: at,
    });
    run.trace.push(`reminds that ${account.available} points expire on ${at}`);
  }
}

/** The account's next timer: a lot's release, the birthday, the tier review, the reminder or the expiry. */
function nextDue(run: Run): string | undefined {
  const account = run.account as LoyaltyAccount;
  const { now } = run.args;
  const program = run.program;
  const candidates = account.lots.map((l) => l.availableAt);
  const date = run.args.customer.profile?.birthday;
  if (program.earning.bonuses.birthday > 0 && date) {
    const year = DateTime.fromISO(now, { zone: run.zone }).year;
    const given = (account.birthdayYear ?? 0) >= year;
    const moment = birthdayIn(given ? year + 1 : year, date, run.zone);
    if (moment) candidates.push(moment);
  }
  if (account.tier !== baseTier(program).id || account.risk) {
    candidates.push(nextReview(program, now, run.zone));
    if (account.risk) candidates.push(account.risk.downgradeAt);
  }
  if (account.available > 0) {
    const at = expiresAt(program, account, run.zone);
    candidates.push(account.remindedFor === at ? at : reminderMoment(at, program, run.zone), at);
  }
  return candidates.filter((c) => isBefore(now, c)).sort()[0];
}
