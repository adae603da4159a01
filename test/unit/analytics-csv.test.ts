import { describe, expect, it } from 'vitest';
import { reportCsvFiles, toCsv } from '../../analytics/csv.ts';
import type { ReportData } from '../../analytics/report-types.ts';

const data: ReportData = {
  from: '2025-01-01',
  to: '2025-02-01',
  period: 'month',
  activeWindowDays: 365,
  periods: [
    {
      start: '2025-01-01',
      end: '2025-02-01',
      market: null,
      customersAtStart: 10,
      newCustomers: 2,
      reactivatedCustomers: 1,
      lostCustomers: 3,
      customersAtEnd: 10,
      retentionRate: 0.8,
      churnRate: 0.3,
      repeatCustomerRate: null,
      purchaseFrequency: 1.5,
      orders: 6,
      revenue: { EUR: '60.00', USD: '5.00' },
      averageOrderValue: { EUR: '12.00', USD: '5.00' },
      customerLifetimeValue: {},
      nps: null,
      npsResponses: 0,
      promoters: 0,
      detractors: 0,
    },
  ],
  cohorts: [
    {
      cohort: '2025-01',
      customers: 2,
      retention: [1, 0.5],
      revenuePerCustomer: [{ EUR: '10.00' }, { EUR: '15.00' }],
    },
  ],
  journeys: [
    {
      journey: 'win-back',
      entered: 40,
      heldOut: 5,
      sent: 35,
      delivered: 34,
      opened: 20,
      clicked: 5,
      unsubscribed: 1,
      goalReached: 7,
      holdoutGoalReached: 0,
      uplift: {
        absolute: null,
        relative: null,
        ciLow: null,
        ciHigh: null,
        pValue: null,
        note: 'not enough data: 5, "few"',
      },
      messages: [
        {
          message: 'offer',
          sent: 35,
          delivered: 34,
          opened: 20,
          clicked: 5,
          unsubscribed: 1,
          bounced: 1,
          complained: 0,
        },
      ],
      revenuePerCustomer: { treated: { EUR: '3.00' }, heldOut: {} },
    },
  ],
  emailHealth: { sent: 35, delivered: 34, bounceRate: 0, complaintRate: 0, unsubscribed: 1 },
  loyalty: {
    tiers: ['member', 'silver', 'gold'],
    periods: [
      {
        start: '2025-01-01',
        end: '2025-02-01',
        market: null,
        members: 40,
        newMembers: 6,
        activeMembers: 12,
        pointsEarned: 3100,
        pointsRedeemed: 1500,
        pointsExpired: 80,
        pointsReversed: 59,
        redemptions: 3,
        redeemingMembers: 2,
        redemptionRate: 0.05,
        redemptionFrequency: 1.5,
        tiers: { member: 30, silver: 8, gold: 2 },
        tierMovements: {
          up: 3,
          down: 1,
          upInto: { member: 0, silver: 2, gold: 1 },
          downInto: { member: 1, silver: 0, gold: 0 },
        },
      },
    ],
  },
  generated: { at: '2025-02-01T00:00:00.000Z', source: 'duckdb:x', records: 100 },
};

describe('CSV tables', () => {
  it('quotes what needs quoting and leaves null empty', () => {
    expect(toCsv(['a', 'b', 'c'], [['x,y', 'say "hi"', null]])).toBe('a,b,c\r\n"x,y","say ""hi""",\r\n');
  });

  it('writes one column per currency and one row per cohort month', () => {
    const files = reportCsvFiles(data);
    expect([...files.keys()]).toEqual([
      'kpis.csv',
      'cohorts.csv',
      'journeys.csv',
      'messages.csv',
      'loyalty.csv',
    ]);
    const kpis = (files.get('kpis.csv') ?? '').split('\r\n');
    expect(kpis[0]).toContain(
      'orders,revenue_EUR,revenue_USD,averageOrderValue_EUR,averageOrderValue_USD,customerLifetimeValue_EUR,customerLifetimeValue_USD,nps',
    );
    expect(kpis[1]).toBe('2025-01-01,2025-02-01,,10,2,1,3,10,0.8,0.3,,1.5,6,60.00,5.00,12.00,5.00,,,,0,0,0');
    expect(files.get('cohorts.csv')).toBe(
      'cohort,customers,monthsSince,retention,revenuePerCustomer_EUR\r\n2025-01,2,0,1,10.00\r\n2025-01,2,1,0.5,15.00\r\n',
    );
    expect(files.get('journeys.csv')).toContain(',,,,,"not enough data: 5, ""few""",3.00,\r\n');
    expect(files.get('messages.csv')).toBe(
      'journey,message,sent,delivered,opened,clicked,unsubscribed,bounced,complained\r\nwin-back,offer,35,34,20,5,1,1,0\r\n',
    );
  });

  it("writes the loyalty program per period, with a column per tier in the program's order", () => {
    expect(reportCsvFiles(data).get('loyalty.csv')).toBe(
      [
        'start,end,market,members,newMembers,activeMembers,pointsEarned,pointsRedeemed,pointsExpired,pointsReversed,redemptions,redeemingMembers,redemptionRate,redemptionFrequency,tierUps,tierDowns,tier_member,tier_silver,tier_gold,up_member,up_silver,up_gold,down_member,down_silver,down_gold',
        '2025-01-01,2025-02-01,,40,6,12,3100,1500,80,59,3,2,0.05,1.5,3,1,30,8,2,0,2,1,1,0,0',
        '',
      ].join('\r\n'),
    );
  });
});
