/**
 * The loyalty program's rules (DESIGN.md §11), pure: what an event, a timer or a redemption does to a
 * member's account and ledger. The service (services/loyalty.ts) reads the account with the customer's
 * partition and the ledger items `movementIdsFor` names, calls `decideLoyalty`, and writes the result in
 * one conditional transaction.
 *
 * Every movement's id comes from its cause (account.ts), and every cause that can come twice (an event
 * re-sent under a new id, a refund before its order) reads its ids first, so nothing counts twice
 * whatever the order and duplication of deliveries. Timers act only on what the account holds (its
 * pending lots, its expiry moment), which the same transaction changes.
 */
import type { Money, ShopEvent } from '../events.ts';
import { addDuration, isBefore } from '../time.ts';
import type { LoyaltyAccount, LoyaltyDecision, LoyaltyInput, Movement } from './account.ts';
import { baseTier, tierById } from './levels.ts';
import { bonus, movementId } from './movements.ts';
import type { LoyaltyProgram } from './program.ts';
import { redeem } from './redemption.ts';
import { type LoyaltyArgs, Run } from './run.ts';
import { expire, release, settle } from './schedule.ts';

export { customerLoyaltyData, loyaltyData } from './member-data.ts';
export { movementId } from './movements.ts';
export { memberCurrency, redemptionRequestId } from './redemption.ts';
export type { LoyaltyArgs } from './run.ts';

/** The key that makes a feedback bonus once per order (or per answer without an order). */
function feedbackKey(event: Extract<ShopEvent, { detailType: 'feedback.submitted' }>): string {
  return event.detail.orderId ?? event.detail.feedbackId ?? event.id;
}

/** The ledger items a decision on `input` must see (those its cause may already have written). */
export function movementIdsFor(input: LoyaltyInput): string[] {
  if (input.kind === 'timer') return [];
  if (input.kind === 'redeem') return [movementId.redeem(input.requestId)];
  const event = input.event;
  switch (event.detailType) {
    case 'customer.registered':
      return [movementId.bonus('registration')];
    case 'order.placed':
    case 'order.refunded': {
      const id = event.detail.orderId;
      return [
        movementId.earn(id),
        movementId.release(id),
        movementId.reverse(id),
        movementId.refundNoted(id),
      ];
    }
    case 'feedback.submitted':
      return [movementId.bonus('feedback', feedbackKey(event))];
    case 'referral.reward.earned':
      return [movementId.bonus('referral', event.detail.refereeId)];
    case 'loyalty.redemption.requested':
      return [movementId.redeem(event.detail.requestId)];
    default:
      return [];
  }
}

export function decideLoyalty(args: LoyaltyArgs): LoyaltyDecision {
  const { input } = args;
  if (!args.program.enabled && input.kind === 'timer' && args.customer.loyalty)
    return paused(args.customer.loyalty, args.now, args.defaultTimeZone);
  if (!args.program.enabled)
    return {
      account: undefined,
      movements: [],
      effects: refusedByEvent(input),
      trace: ['the loyalty program is disabled'],
      redemption:
        input.kind === 'redeem' || refusedByEvent(input).length
          ? { status: 'refused', reason: 'program disabled' }
          : undefined,
    };
  const run = new Run(args);
  // What fell due before this input is settled first: a redemption can spend points released by now,
  // and an order placed after its points' expiry does not save them.
  if (run.account) {
    release(run);
    expire(run);
  }
  let redemption: LoyaltyDecision['redemption'];
  if (input.kind === 'event') redemption = applyEvent(run, input.event);
  else if (input.kind === 'redeem') redemption = redeem(run, input.rewardId, input.requestId, input.at);
  if (run.account) settle(run);
  if (!run.account || !run.changed)
    // A refusal is news without a change: its event is written alone.
    return { account: undefined, movements: [], effects: run.effects, trace: run.trace, redemption };
  return {
    account: run.account,
    movements: run.movements,
    effects: run.effects,
    trace: run.trace,
    redemption,
  };
}

/**
 * An account's timer while the program is switched off: nothing moves, and the timer looks again a
 * day later — not every minute, and without losing the account's due work should the shop switch the
 * program back on.
 */
function paused(account: LoyaltyAccount, now: string, zone: string): LoyaltyDecision {
  const dueAt = addDuration(now, 'P1D', zone);
  return {
    account: { ...account, dueAt },
    movements: [],
    effects: [],
    trace: [`the loyalty program is switched off: the account waits until ${dueAt}`],
  };
}

/** A shop's redemption request while the program is off is answered like any refusal. */
function refusedByEvent(input: LoyaltyInput): LoyaltyDecision['effects'] {
  if (input.kind !== 'event' || input.event.detailType !== 'loyalty.redemption.requested') return [];
  const { customerId, rewardId, requestId } = input.event.detail;
  const detail = { customerId, rewardId, requestId, reason: 'program disabled' };
  return [
    {
      kind: 'emit',
      // By event id: the same request id may be refused again later, as a new event.
      outboxId: `loyalty#refused#${input.event.id}`,
      detailType: 'loyalty.redemption.refused',
      detail,
    },
  ];
}

function applyEvent(run: Run, event: ShopEvent): LoyaltyDecision['redemption'] {
  const bonuses = run.program.earning.bonuses;
  switch (event.detailType) {
    case 'customer.registered': {
      const at = event.detail.registeredAt ?? event.time;
      run.member(at);
      bonus(run, 'registration', undefined, bonuses.registration, at);
      return undefined;
    }
    case 'customer.updated':
      // A birthday or time zone moves the account's timer; settling recomputes it.
      if (run.account) run.changed = true;
      return undefined;
    case 'order.placed':
      earn(run, event);
      return undefined;
    case 'order.refunded':
      refund(run, event);
      return undefined;
    case 'feedback.submitted':
      bonus(run, 'feedback', feedbackKey(event), bonuses.feedback, event.time);
      return undefined;
    case 'referral.reward.earned':
      bonus(run, 'referral', event.detail.refereeId, bonuses.referral, event.time);
      return undefined;
    case 'loyalty.redemption.requested': {
      const { rewardId, requestId } = event.detail;
      const outcome = redeem(run, rewardId, requestId, event.time);
      // The shop asked by event, so it is answered by event.
      if (outcome.status === 'refused') {
        run.emit(`loyalty#refused#${event.id}`, 'loyalty.redemption.refused', {
          rewardId,
          requestId,
          reason: outcome.reason,
        });
        run.trace.push(`refuses redemption ${requestId} of ${rewardId}: ${outcome.reason}`);
      }
      return outcome;
    }
    default:
      return undefined;
  }
}

/** Cents of a decimal string (at most two places count). */
function cents(amount: string): number {
  const [whole = '0', fraction = ''] = amount.split('.');
  return Number(whole) * 100 + Number(fraction.padEnd(2, '0').slice(0, 2));
}

/** An order's points: its total × the currency's rate × the tier's multiplier, rounded as the program says. */
export function orderPoints(program: LoyaltyProgram, total: Money, multiplier: number): number {
  const rate = program.earning.pointsPerUnit[total.currency];
  if (rate === undefined) return 0;
  // From integer cents, with a nudge against binary fractions: 59.90 × 1.25 must not round to 74.87499….
  const exact = (cents(total.amount) * rate * multiplier) / 100 + 1e-9;
  return Math.max(0, program.earning.rounding === 'nearest' ? Math.round(exact) : Math.floor(exact));
}

function earn(run: Run, event: Extract<ShopEvent, { detailType: 'order.placed' }>): void {
  const { orderId, placedAt, total } = event.detail;
  const account = run.member(placedAt);
  if (isBefore(account.lastActivityAt, placedAt)) {
    account.lastActivityAt = placedAt;
    run.changed = true;
  }
  const id = movementId.earn(orderId);
  if (run.has(id)) return;
  // The tier of the moment the order was placed: a late order does not earn at a rate reached after it.
  const tierId = isBefore(placedAt, account.tierSince)
    ? (account.previousTier ?? account.tier)
    : account.tier;
  const tier = tierById(run.program, tierId) ?? baseTier(run.program);
  const points = orderPoints(run.program, total, tier.benefits.earnMultiplier);
  const availableAt = addDuration(placedAt, run.program.earning.hold, run.zone);
  // Written even for 0 points (a currency the program does not rate): a refund then finds it.
  run.move({
    id,
    kind: 'earn',
    at: placedAt,
    available: 0,
    pending: points,
    qualifying: 0,
    orderId,
    amount: total.amount,
    currency: total.currency,
  });
  if (points > 0) {
    account.lots.push({ orderId, movementId: id, points, availableAt });
    account.totals.earned += points;
    run.emit(`loyalty#${id}`, 'loyalty.points.earned', {
      movementId: id,
      points,
      reason: 'order',
      orderId,
      availableAt,
      balance: account.available,
    });
    run.trace.push(`earns ${points} pending points for order ${orderId}, available ${availableAt}`);
  }
  // A refund that came first was noted; it takes the points back now.
  const noted = run.args.known.get(movementId.refundNoted(orderId));
  if (noted && !run.has(movementId.reverse(orderId))) reverse(run, orderId, points, total, noted, undefined);
}

function refund(run: Run, event: Extract<ShopEvent, { detailType: 'order.refunded' }>): void {
  const { orderId, amount } = event.detail;
  if (run.has(movementId.reverse(orderId))) return;
  const refunded = { at: event.time, amount: amount?.amount, currency: amount?.currency };
  const earned = run.args.known.get(movementId.earn(orderId));
  if (earned) {
    const total = { amount: earned.amount ?? '0', currency: earned.currency ?? '' };
    reverse(run, orderId, earned.pending, total, refunded, run.args.known.get(movementId.release(orderId)));
    return;
  }
  const id = movementId.refundNoted(orderId);
  if (run.has(id)) return;
  // Perhaps not a member yet: the note must be there when the order comes, so the account is made now.
  run.member(event.time);
  run.move({
    id,
    kind: 'refund-noted',
    at: event.time,
    available: 0,
    pending: 0,
    qualifying: 0,
    orderId,
    ...(refunded.amount ? { amount: refunded.amount, currency: refunded.currency } : {}),
  });
  run.trace.push(`notes the refund of order ${orderId}, which has not come yet`);
}

/**
 * Takes back what an order earned, once: all of it, or the refunded share (rounded down, in the
 * customer's favour) when the refund names an amount in the order's currency below its total. From the
 * pending lot while the hold runs, else from the available balance — which may go below zero when the
 * points were spent already (redemptions then wait until new points cover it).
 */
function reverse(
  run: Run,
  orderId: string,
  earned: number,
  total: Money,
  refunded: { at: string; amount?: string | undefined; currency?: string | undefined },
  released: Movement | undefined,
): void {
  const account = run.account as LoyaltyAccount;
  const part =
    refunded.amount !== undefined && refunded.currency === total.currency && cents(total.amount) > 0
      ? cents(refunded.amount) / cents(total.amount)
      : 1;
  const points = part >= 1 ? earned : Math.floor(earned * part);
  const id = movementId.reverse(orderId);
  const refundFields = { orderId, amount: refunded.amount, currency: refunded.currency };
  const lot = account.lots.find((l) => l.orderId === orderId);
  if (lot) {
    lot.points -= points;
    if (lot.points <= 0) account.lots = account.lots.filter((l) => l !== lot);
    run.move({
      id,
      kind: 'reverse',
      at: refunded.at,
      available: 0,
      pending: -points,
      qualifying: 0,
      ...refundFields,
    });
  } else {
    // Released already: its qualifying points go from the month they counted in.
    const month = released?.month;
    const qualifying = month ? -Math.min(points, released?.qualifying ?? 0) : 0;
    run.move({
      id,
      kind: 'reverse',
      at: refunded.at,
      available: -points,
      pending: 0,
      qualifying,
      month,
      ...refundFields,
    });
  }
  account.totals.reversed += points;
  run.emit(`loyalty#${id}`, 'loyalty.points.reversed', {
    movementId: id,
    orderId,
    points,
    balance: account.available,
  });
  run.trace.push(`takes back ${points} points of refunded order ${orderId}`);
}
