/** A small ReportData for the monthly-report tests: two months, one market-less row each. */
import type { PeriodKpis, ReportData } from '../../analytics/report-types.ts';

function period(start: string, end: string, overrides: Partial<PeriodKpis> = {}): PeriodKpis {
  return {
    start,
    end,
    market: null,
    customersAtStart: 1000,
    newCustomers: 300,
    reactivatedCustomers: 20,
    lostCustomers: 220,
    customersAtEnd: 1100,
    retentionRate: 0.8,
    churnRate: 0.22,
    repeatCustomerRate: 0.31,
    purchaseFrequency: 1.4,
    orders: 412,
    revenue: { EUR: '12345.60' },
    averageOrderValue: { EUR: '29.96' },
    customerLifetimeValue: { EUR: '190.65' },
    nps: 42.4,
    npsResponses: 57,
    promoters: 30,
    detractors: 6,
    ...overrides,
  };
}

export function reportData(): ReportData {
  return {
    from: '2026-10-01',
    to: '2026-12-01',
    period: 'month',
    activeWindowDays: 365,
    periods: [period('2026-10-01', '2026-11-01', { orders: 1 }), period('2026-11-01', '2026-12-01')],
    cohorts: [],
    journeys: [],
    loyalty: { tiers: [], periods: [] },
    emailHealth: { sent: 3210, delivered: 3190, bounceRate: 0.004, complaintRate: 0.0002, unsubscribed: 12 },
    generated: { at: '2026-12-01T06:00:00.000Z', source: 'athena:test', records: 123_456 },
  };
}
