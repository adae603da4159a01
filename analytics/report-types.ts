/**
 * What `journeys report --json` prints and what the HTML report and the monthly email render.
 * Rates are fractions 0–1, NPS −100…100, money decimal strings keyed by currency (never summed
 * across currencies), `null` where a figure is undefined (no customers at start, no responses …).
 * The keys the issue names are exactly these; the few additions (`messages`, `revenuePerCustomer`,
 * `emailHealth`, `previous` figures for the KPI cards) are documented in the README.
 */

/** Currency code → decimal string, e.g. `{ "EUR": "59.90", "USD": "12.00" }`. */
export type MoneyByCurrency = Record<string, string>;

export type PeriodUnit = 'week' | 'month' | 'quarter' | 'year';

export interface PeriodKpis {
  /** ISO date (YYYY-MM-DD), inclusive. */
  start: string;
  /** ISO date (YYYY-MM-DD), exclusive. */
  end: string;
  /** ISO 3166-1 alpha-2 (or the locale with `--by locale`); null for the whole shop. */
  market: string | null;
  customersAtStart: number;
  newCustomers: number;
  reactivatedCustomers: number;
  lostCustomers: number;
  customersAtEnd: number;
  retentionRate: number | null;
  churnRate: number | null;
  repeatCustomerRate: number | null;
  purchaseFrequency: number | null;
  orders: number;
  revenue: MoneyByCurrency;
  averageOrderValue: MoneyByCurrency;
  customerLifetimeValue: MoneyByCurrency;
  nps: number | null;
  npsResponses: number;
  promoters: number;
  detractors: number;
}

export interface CohortRow {
  /** First-order month, YYYY-MM. */
  cohort: string;
  /** Customers whose first counted order fell in that month. */
  customers: number;
  /** Index = months since the first order (0 = the cohort month): share of the cohort ordering then. */
  retention: (number | null)[];
  /** Index = months since: cumulative revenue per cohort customer up to and including that month. */
  revenuePerCustomer: MoneyByCurrency[];
}

export interface Uplift {
  /** Treated goal rate − held-out goal rate (fractions). */
  absolute: number | null;
  /** absolute / held-out rate. */
  relative: number | null;
  /** 95 % confidence interval of `absolute` (unpooled normal approximation). */
  ciLow: number | null;
  ciHigh: number | null;
  /** Two-sided p-value of the two-proportion z-test (pooled). */
  pValue: number | null;
}

export interface MessageFunnel {
  message: string;
  sent: number;
  delivered: number;
  opened: number;
  clicked: number;
  unsubscribed: number;
  bounced: number;
  complained: number;
}

export interface JourneyFunnel {
  journey: string;
  entered: number;
  heldOut: number;
  sent: number;
  delivered: number;
  opened: number;
  clicked: number;
  unsubscribed: number;
  /** Treated (not held-out) entries that reached the goal. */
  goalReached: number;
  holdoutGoalReached: number;
  /** All fields null, and `note` says why, below the stated minimum (see README). */
  uplift: Uplift & { note?: string | undefined };
  messages: MessageFunnel[];
  /** Revenue of goal-window orders per entered customer, treated vs held out. */
  revenuePerCustomer: { treated: MoneyByCurrency; heldOut: MoneyByCurrency };
}

export interface EmailHealth {
  sent: number;
  delivered: number;
  /** Hard (permanent) bounces / sent; SES reviews accounts above 5 % and may pause at 10 %. */
  bounceRate: number | null;
  /** Complaints / sent; SES reviews at 0.1 % and may pause at 0.5 %. */
  complaintRate: number | null;
  unsubscribed: number;
}

/** The loyalty program in one period (analytics/queries/loyalty*.sql; definitions in the README). */
export interface LoyaltyKpis {
  /** ISO date (YYYY-MM-DD), inclusive. */
  start: string;
  /** ISO date (YYYY-MM-DD), exclusive. */
  end: string;
  /** As in PeriodKpis: null for the whole shop, else the segment. */
  market: string | null;
  /** Members at the period's end, and of them those who became members in it. */
  members: number;
  newMembers: number;
  /** Members who earned or redeemed points in the period. */
  activeMembers: number;
  pointsEarned: number;
  pointsRedeemed: number;
  pointsExpired: number;
  pointsReversed: number;
  redemptions: number;
  redeemingMembers: number;
  /** Members who redeemed in the period ÷ members at its end. */
  redemptionRate: number | null;
  /** Redemptions ÷ members who redeemed, in the period. */
  redemptionFrequency: number | null;
  /** Tier id → members in it at the period's end, in `LoyaltyReport.tiers` order; `unknown` for members without a tier record. */
  tiers: Record<string, number>;
  /** Tier changes in the period: totals, and per tier moved to. */
  tierMovements: {
    up: number;
    down: number;
    upInto: Record<string, number>;
    downInto: Record<string, number>;
  };
}

export interface LoyaltyReport {
  /** Every tier in the data, lowest first (the program's order when the report was given it). */
  tiers: string[];
  /** Whole shop first (market null) per period, then the breakdown rows when `--by` is given. */
  periods: LoyaltyKpis[];
}

export interface ReportData {
  from: string;
  to: string;
  period: PeriodUnit;
  activeWindowDays: number;
  /** Whole shop first (market null) per period, then the breakdown rows when `--by` is given. */
  periods: PeriodKpis[];
  cohorts: CohortRow[];
  journeys: JourneyFunnel[];
  emailHealth: EmailHealth;
  loyalty: LoyaltyReport;
  /** When and from what it was computed: `duckdb:<dir>` or `athena:<workgroup>`, ISO time. */
  generated: { at: string; source: string; records: number };
}
