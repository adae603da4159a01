/** Ledger movement ids derived from their causes, and the bonus movement every bonus rule writes. */
import type { BonusReason } from './account.ts';
import type { Run } from './run.ts';
import { monthOf } from './tiers.ts';

export const movementId = {
  earn: (orderId: string) => `earn:order:${orderId}`,
  release: (orderId: string) => `release:order:${orderId}`,
  reverse: (orderId: string) => `reverse:order:${orderId}`,
  refundNoted: (orderId: string) => `refund-noted:order:${orderId}`,
  bonus: (reason: BonusReason, key?: string) => (key ? `bonus:${reason}:${key}` : `bonus:${reason}`),
  redeem: (requestId: string) => `redeem:${requestId}`,
};

/** A bonus: available at once, qualifying in its month, once per cause. */
export function bonus(
  run: Run,
  reason: BonusReason,
  key: string | undefined,
  points: number,
  at: string,
): void {
  const id = movementId.bonus(reason, key);
  if (points <= 0 || run.has(id)) return;
  const account = run.member(at);
  run.move({
    id,
    kind: 'bonus',
    at,
    available: points,
    pending: 0,
    qualifying: points,
    month: monthOf(at, run.zone),
    reason,
  });
  account.totals.earned += points;
  run.emit(`loyalty#${id}`, 'loyalty.points.earned', {
    movementId: id,
    points,
    reason,
    balance: account.available,
  });
  run.trace.push(`earns ${points} points (${reason})`);
}
