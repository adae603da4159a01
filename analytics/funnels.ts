/** Journey funnels, holdout uplift and email health from journeys.sql, emails.sql and journey-revenue.sql. */
import { addMoney, divideMoney } from './money.ts';
import type { EmailHealth, JourneyFunnel, MessageFunnel } from './report-types.ts';
import { num, ratio, str } from './rows.ts';
import type { SqlRow } from './sql-runner.ts';
import { twoProportionUplift } from './stats.ts';

/** Label for emails whose record names no message (and breakdown rows without a market). */
export const UNKNOWN = 'unknown';

const EMAIL_COLUMNS = [
  'sent',
  'delivered',
  'opened',
  'clicked',
  'unsubscribed',
  'bounced',
  'complained',
] as const;

export function journeyFunnels(entries: SqlRow[], emails: SqlRow[], revenue: SqlRow[]): JourneyFunnel[] {
  const names = new Set<string>();
  for (const r of [...entries, ...emails, ...revenue]) if (r.journey !== null) names.add(String(r.journey));
  return [...names].sort().map((journey) => {
    const e = entries.find((r) => r.journey === journey);
    const messages: MessageFunnel[] = emails
      .filter((r) => r.journey === journey)
      .map((r) => {
        const m = { message: str(r.message) ?? UNKNOWN } as MessageFunnel;
        for (const col of EMAIL_COLUMNS) m[col] = num(r[col]);
        return m;
      })
      .sort((a, b) => a.message.localeCompare(b.message));
    const total = (col: (typeof EMAIL_COLUMNS)[number]) => messages.reduce((n, m) => n + m[col], 0);
    const entered = num(e?.entered);
    const heldOut = num(e?.held_out);
    const goalReached = num(e?.goal_reached);
    const holdoutGoalReached = num(e?.holdout_goal_reached);
    const arm = (holdout: boolean) => {
      const rows = revenue.filter((r) => r.journey === journey && Boolean(r.holdout) === holdout);
      const customers = rows.filter((r) => r.currency === null).reduce((n, r) => n + num(r.customers), 0);
      const sums = new Map<string, bigint>();
      for (const r of rows)
        if (r.currency !== null) addMoney(sums, String(r.currency), String(r.revenue ?? '0'));
      return divideMoney(sums, customers);
    };
    return {
      journey,
      entered,
      heldOut,
      sent: total('sent'),
      delivered: total('delivered'),
      opened: total('opened'),
      clicked: total('clicked'),
      unsubscribed: total('unsubscribed'),
      goalReached,
      holdoutGoalReached,
      uplift: twoProportionUplift(
        { n: entered - heldOut, x: goalReached },
        { n: heldOut, x: holdoutGoalReached },
      ),
      messages,
      revenuePerCustomer: { treated: arm(false), heldOut: arm(true) },
    };
  });
}

export function emailHealth(rows: SqlRow[]): EmailHealth {
  const sum = (col: string) => rows.reduce((n, r) => n + num(r[col]), 0);
  const sent = sum('sent');
  return {
    sent,
    delivered: sum('delivered'),
    bounceRate: ratio(sum('hard_bounced'), sent),
    complaintRate: ratio(sum('complained'), sent),
    unsubscribed: sum('unsubscribed'),
  };
}
