/**
 * Which events reach the loyalty program: the CDK stack's two rules for the loyalty function and the
 * local runtime's `loyalty` route use these patterns, so the program hears the same in AWS and in the
 * embedded runtime.
 */
import type { ShopEventType, SystemInputType } from '../events.ts';
import { SYSTEM_SOURCE } from '../events.ts';
import type { EventPattern } from '../routing.ts';

/**
 * The shop's events the program acts on: membership and the birthday (registration, updates),
 * earning and reversal (orders, refunds), the NPS bonus (feedback) and the shop's own redemptions.
 * `customer.deleted` is not among them: erasure removes the account and its ledger with the partition.
 */
export const LOYALTY_SHOP_EVENT_TYPES = [
  'customer.registered',
  'customer.updated',
  'order.placed',
  'order.refunded',
  'feedback.submitted',
  'loyalty.redemption.requested',
] as const satisfies readonly ShopEventType[];

/** The system's own events the program acts on: a referral reward earned (the referrer's bonus). */
export const LOYALTY_SYSTEM_EVENT_TYPES = [
  'referral.reward.earned',
] as const satisfies readonly SystemInputType[];

/** The loyalty function's rules: the shop's events from its source, and the system's from its own. */
export function loyaltyEventPatterns(shopSource: string): [shop: EventPattern, system: EventPattern] {
  return [
    { source: [shopSource], 'detail-type': [...LOYALTY_SHOP_EVENT_TYPES] },
    { source: [SYSTEM_SOURCE], 'detail-type': [...LOYALTY_SYSTEM_EVENT_TYPES] },
  ];
}
