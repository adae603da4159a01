/**
 * System events that move value (DESIGN.md §11: "checked against stored state, never trusted on
 * their word"). Each names the customer whose stored partition must confirm it and the pure check
 * over that partition; the service layer does the one read and rejects what fails. A later loyalty
 * event plugs in here with its own entry.
 */
import type { ShopEvent } from './events.ts';
import type { CustomerView } from './model.ts';
import { type Verdict, verifyAttributed, verifyRewardEarned } from './referral.ts';

export interface ValueCheck {
  /** The customer whose partition holds the facts the event claims. */
  subject: string;
  verify(view: CustomerView): Verdict;
}

type Checks = {
  [T in ShopEvent['detailType']]?: (detail: Extract<ShopEvent, { detailType: T }>['detail']) => ValueCheck;
};

const CHECKS: Checks = {
  // Lives in the referee's partition: the referee's profile must carry this referrer.
  'referral.attributed': (detail) => ({
    subject: detail.customerId,
    verify: (view) => verifyAttributed(detail, view),
  }),
  // Lives in the referrer's partition; the facts (profile, order) are the referee's.
  'referral.reward.earned': (detail) => ({
    subject: detail.refereeId,
    verify: (view) => verifyRewardEarned(detail, view),
  }),
};

/** The check a value-moving event must pass; undefined for every other event. */
export function valueCheck(event: ShopEvent): ValueCheck | undefined {
  if (!Object.hasOwn(CHECKS, event.detailType)) return undefined;
  const make = CHECKS[event.detailType] as ((detail: ShopEvent['detail']) => ValueCheck) | undefined;
  return make?.(event.detail);
}

/** Whether the event type moves value (the local bus and the docs list them). */
export const VALUE_EVENT_TYPES: readonly string[] = Object.keys(CHECKS);
