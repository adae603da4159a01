/**
 * How the synthetic shop's loyalty members redeem: when the program says points became available
 * (`loyalty.points.available`) and the balance covers the cheapest reward of the shipped program, a
 * member asks to redeem it a day later with probability REDEEM_RATE, as the shop's own account page
 * would (`loyalty.redemption.requested`). The program's events come from the system: a simulation
 * without the loyalty service emits none, and the shop then redeems nothing.
 */
import type { Happening, Reaction } from '../../local/simulate/index.ts';

/** Chance that a member whose available points cover REDEEM_REWARD asks to redeem them. */
export const REDEEM_RATE = 0.4;
/** The cheapest reward of the shipped loyalty.yaml. */
export const REDEEM_REWARD = { id: 'five-off', points: 500 } as const;

const DAY = 86_400_000;

/**
 * The behaviour for one shop: `coin(key)` is the shop's seeded coin (uniform in [0, 1), the same for
 * the same key), nothing is asked for at or after `end` (ms).
 */
export function redemptions(
  coin: (key: string) => number,
  end: number,
): (happening: Happening) => Reaction[] {
  return (happening) => {
    if (happening.kind !== 'emit' || happening.detailType !== 'loyalty.points.available') return [];
    const { balance, movementId } = happening.detail;
    if (typeof balance !== 'number' || balance < REDEEM_REWARD.points) return [];
    if (coin(`redeem:${happening.customerId}:${String(movementId)}`) >= REDEEM_RATE) return [];
    const at = Date.parse(happening.at) + DAY;
    if (at >= end) return [];
    return [
      {
        at: new Date(at).toISOString(),
        detailType: 'loyalty.redemption.requested',
        // One request per release: a redelivered event asks again with the same id, which redeems once.
        detail: {
          customerId: happening.customerId,
          rewardId: REDEEM_REWARD.id,
          requestId: `shop-${String(movementId)}`.slice(0, 100),
        },
      },
    ];
  };
}
