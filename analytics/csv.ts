/**
 * `journeys report --csv DIR`: the report as five flat tables (RFC 4180), for spreadsheets.
 * Money becomes one column per currency (`revenue_EUR`), rates stay fractions, null stays empty.
 */
import type { MoneyByCurrency, ReportData } from './report-types.ts';

type Cell = string | number | boolean | null | undefined;

const cell = (v: Cell): string => {
  if (v === null || v === undefined) return '';
  const s = String(v);
  return /[",\r\n]/.test(s) ? `"${s.replaceAll('"', '""')}"` : s;
};

export function toCsv(header: readonly string[], rows: readonly (readonly Cell[])[]): string {
  return [header, ...rows]
    .map((r) => r.map(cell).join(','))
    .join('\r\n')
    .concat('\r\n');
}

const currenciesOf = (moneys: readonly MoneyByCurrency[]) =>
  [...new Set(moneys.flatMap((m) => Object.keys(m)))].sort();

const moneyColumns = (name: string, currencies: readonly string[]) => currencies.map((c) => `${name}_${c}`);
const moneyCells = (m: MoneyByCurrency, currencies: readonly string[]) => currencies.map((c) => m[c]);

export function kpisCsv(data: ReportData): string {
  const currencies = currenciesOf(data.periods.flatMap((p) => [p.revenue, p.averageOrderValue]));
  const header = [
    'start',
    'end',
    'market',
    'customersAtStart',
    'newCustomers',
    'reactivatedCustomers',
    'lostCustomers',
    'customersAtEnd',
    'retentionRate',
    'churnRate',
    'repeatCustomerRate',
    'purchaseFrequency',
    'orders',
    ...moneyColumns('revenue', currencies),
    ...moneyColumns('averageOrderValue', currencies),
    ...moneyColumns('customerLifetimeValue', currencies),
    'nps',
    'npsResponses',
    'promoters',
    'detractors',
  ];
  const rows = data.periods.map((p) => [
    p.start,
    p.end,
    p.market,
    p.customersAtStart,
    p.newCustomers,
    p.reactivatedCustomers,
    p.lostCustomers,
    p.customersAtEnd,
    p.retentionRate,
    p.churnRate,
    p.repeatCustomerRate,
    p.purchaseFrequency,
    p.orders,
    ...moneyCells(p.revenue, currencies),
    ...moneyCells(p.averageOrderValue, currencies),
    ...moneyCells(p.customerLifetimeValue, currencies),
    p.nps,
    p.npsResponses,
    p.promoters,
    p.detractors,
  ]);
  return toCsv(header, rows);
}

/** One row per cohort and month since its first order. */
export function cohortsCsv(data: ReportData): string {
  const currencies = currenciesOf(data.cohorts.flatMap((c) => c.revenuePerCustomer));
  const rows = data.cohorts.flatMap((c) =>
    c.retention.map((share, k) => [
      c.cohort,
      c.customers,
      k,
      share,
      ...moneyCells(c.revenuePerCustomer[k] ?? {}, currencies),
    ]),
  );
  return toCsv(
    ['cohort', 'customers', 'monthsSince', 'retention', ...moneyColumns('revenuePerCustomer', currencies)],
    rows,
  );
}

export function journeysCsv(data: ReportData): string {
  const currencies = currenciesOf(
    data.journeys.flatMap((j) => [j.revenuePerCustomer.treated, j.revenuePerCustomer.heldOut]),
  );
  const rows = data.journeys.map((j) => [
    j.journey,
    j.entered,
    j.heldOut,
    j.sent,
    j.delivered,
    j.opened,
    j.clicked,
    j.unsubscribed,
    j.goalReached,
    j.holdoutGoalReached,
    j.uplift.absolute,
    j.uplift.relative,
    j.uplift.ciLow,
    j.uplift.ciHigh,
    j.uplift.pValue,
    j.uplift.note,
    ...moneyCells(j.revenuePerCustomer.treated, currencies),
    ...moneyCells(j.revenuePerCustomer.heldOut, currencies),
  ]);
  return toCsv(
    [
      'journey',
      'entered',
      'heldOut',
      'sent',
      'delivered',
      'opened',
      'clicked',
      'unsubscribed',
      'goalReached',
      'holdoutGoalReached',
      'upliftAbsolute',
      'upliftRelative',
      'upliftCiLow',
      'upliftCiHigh',
      'upliftPValue',
      'upliftNote',
      ...moneyColumns('revenuePerCustomerTreated', currencies),
      ...moneyColumns('revenuePerCustomerHeldOut', currencies),
    ],
    rows,
  );
}

export function messagesCsv(data: ReportData): string {
  const rows = data.journeys.flatMap((j) =>
    j.messages.map((m) => [
      j.journey,
      m.message,
      m.sent,
      m.delivered,
      m.opened,
      m.clicked,
      m.unsubscribed,
      m.bounced,
      m.complained,
    ]),
  );
  return toCsv(
    ['journey', 'message', 'sent', 'delivered', 'opened', 'clicked', 'unsubscribed', 'bounced', 'complained'],
    rows,
  );
}

/**
 * One row per period and breakdown, like kpis.csv; one column per tier for the members in it at the
 * period's end (`tier_gold`) and for the changes into it (`up_gold`, `down_silver`).
 */
export function loyaltyCsv(data: ReportData): string {
  const { tiers, periods } = data.loyalty;
  const perTier = (prefix: string) => tiers.map((t) => `${prefix}_${t}`);
  const rows = periods.map((p) => [
    p.start,
    p.end,
    p.market,
    p.members,
    p.newMembers,
    p.activeMembers,
    p.pointsEarned,
    p.pointsRedeemed,
    p.pointsExpired,
    p.pointsReversed,
    p.redemptions,
    p.redeemingMembers,
    p.redemptionRate,
    p.redemptionFrequency,
    p.tierMovements.up,
    p.tierMovements.down,
    ...tiers.map((t) => p.tiers[t] ?? 0),
    ...tiers.map((t) => p.tierMovements.upInto[t] ?? 0),
    ...tiers.map((t) => p.tierMovements.downInto[t] ?? 0),
  ]);
  return toCsv(
    [
      'start',
      'end',
      'market',
      'members',
      'newMembers',
      'activeMembers',
      'pointsEarned',
      'pointsRedeemed',
      'pointsExpired',
      'pointsReversed',
      'redemptions',
      'redeemingMembers',
      'redemptionRate',
      'redemptionFrequency',
      'tierUps',
      'tierDowns',
      ...perTier('tier'),
      ...perTier('up'),
      ...perTier('down'),
    ],
    rows,
  );
}

/** File name → content for `--csv DIR`. */
export function reportCsvFiles(data: ReportData): Map<string, string> {
  return new Map([
    ['kpis.csv', kpisCsv(data)],
    ['cohorts.csv', cohortsCsv(data)],
    ['journeys.csv', journeysCsv(data)],
    ['messages.csv', messagesCsv(data)],
    ['loyalty.csv', loyaltyCsv(data)],
  ]);
}
