/** The cost model's arithmetic (bench/cost/bill.ts): figures × profile × counts × prices, no I/O. */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  type Assumptions,
  bill,
  byService,
  type Counts,
  FULL_VCPU_MB,
  lambdaSeconds,
  type Measured,
  monthlyWork,
  SWEEPS_PER_MONTH,
  type Work,
} from '../../bench/cost/bill.ts';
import { PRICES } from '../../bench/cost/prices.ts';
import { DEFAULT_PROFILE, ProfileError, profileFrom, type ShopProfile } from '../../bench/cost/profile.ts';
import { countSeries } from '../../bench/cost/series.ts';

const work = (overrides: Partial<Work> = {}): Work => ({
  invocations: 4,
  readUnits: 3,
  writeUnits: 10,
  lambdaMs: 40,
  analyticsRecords: 1,
  customEvents: 1,
  customEventBytes: 300,
  ...overrides,
});

const measured: Measured = {
  source: 'test figures',
  perEvent: {
    registrations: work({ invocations: 13 }),
    orders: work({ writeUnits: 20 }),
    deliveries: work(),
    refunds: work(),
    feedback: work(),
  },
  perEmail: work({ invocations: 8, customEvents: 1.5 }),
  perSesEvent: work({ invocations: 2, readUnits: 0, writeUnits: 0, customEvents: 0 }),
  perSweep: work({ invocations: 1, readUnits: 2, writeUnits: 0, customEvents: 0, analyticsRecords: 0 }),
  analyticsRecordBytes: 460,
  analyticsCompression: 0.12,
  logBytesPerInvocation: 250,
  logCompression: 0.1,
  cpuFraction: 0.4,
  tableBytesPerCustomer: 13_000,
};

const counts: Counts = {
  lambdaMemoryMb: 256,
  platformLogs: false,
  tracedFunctions: 0,
  functions: 17,
  steadyMetricSeries: 0,
  alarmMetrics: 27,
  compositeAlarms: 0,
  dashboards: 1,
  kmsKeys: 0,
  secrets: 1,
  logRetentionDays: 30,
  archiveRetentionDays: 30,
  analyticsRetentionMonths: 25,
};

const assumptions: Assumptions = {
  platformLogBytesPerInvocation: 600,
  xrayReservoirPerSecond: 1,
  xrayFixedRate: 0.05,
  reportQueries: 10,
  s3PutsPerMonth: 2922,
};

const priced = (customers: number, profile: ShopProfile = DEFAULT_PROFILE, c: Counts = counts) =>
  bill(customers, profile, measured, c, PRICES, assumptions);
const item = (b: ReturnType<typeof priced>, service: string, name: string) => {
  const found = b.items.find((i) => i.service === service && i.item.startsWith(name));
  if (!found) throw new Error(`no ${service} ${name}`);
  return found;
};

describe('bill', () => {
  it('never falls when the shop grows', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 2_000_000 }), fc.integer({ min: 0, max: 2_000_000 }), (a, b) => {
        const [small, large] = a <= b ? [a, b] : [b, a];
        expect(priced(small).total).toBeLessThanOrEqual(priced(large).total + 1e-9);
      }),
    );
  });

  it('charges what exists whatever the size: alarms, dashboards, secrets, the idle sweeps', () => {
    // Act
    const empty = priced(0);

    // Assess: 27 alarm metrics, one dashboard, one secret, a sweep a minute
    expect(item(empty, 'CloudWatch', 'alarms').usd).toBeCloseTo(2.7, 10);
    expect(item(empty, 'CloudWatch', 'dashboards').usd).toBe(3);
    expect(item(empty, 'Secrets Manager', 'secrets').usd).toBeCloseTo(0.4, 10);
    expect(item(empty, 'Lambda', 'requests').quantity).toBeCloseTo(SWEEPS_PER_MONTH, 6);
  });

  it('prices each shop event at its measured capacity, one profile field at a time', () => {
    // Prepare
    const more = profileFrom(DEFAULT_PROFILE, { orders: DEFAULT_PROFILE.orders + 1 });

    // Act
    const delta =
      item(priced(100_000, more), 'DynamoDB', 'write').usd - item(priced(100_000), 'DynamoDB', 'write').usd;

    // Assess: one more order per customer = 100,000 orders × 20 WRU
    expect(delta).toBeCloseTo(100_000 * 20 * PRICES.dynamoWriteRequestUnit.usd, 8);
  });

  it('keeps SES per-email fee out of the total and prices it per email of the profile', () => {
    // Act
    const b = priced(100_000);

    // Assess
    expect(b.sesPerEmail).toBeCloseTo(100_000 * DEFAULT_PROFILE.emails * 0.0001, 8);
    expect(b.items.some((i) => i.service === 'SES')).toBe(false);
    expect(b.total).toBeCloseTo(
      b.items.reduce((n, i) => n + i.usd, 0),
      10,
    );
    expect(byService(b.items).reduce((n, s) => n + s.usd, 0)).toBeCloseTo(b.total, 10);
  });

  it('bills X-Ray only for traced functions, near every invocation while under the reservoir', () => {
    // Act
    const off = priced(100_000);
    const on = priced(100_000, DEFAULT_PROFILE, { ...counts, tracedFunctions: 17 });

    // Assess
    expect(item(off, 'X-Ray', 'traces').usd).toBe(0);
    const invocations = item(on, 'Lambda', 'requests').quantity;
    expect(item(on, 'X-Ray', 'traces').quantity).toBeCloseTo(invocations, 6);
  });

  it("adds Lambda's platform records to the logs only when the functions write them", () => {
    // Act
    const quiet = item(priced(100_000), 'CloudWatch', 'logs ingested');
    const loud = item(
      priced(100_000, DEFAULT_PROFILE, { ...counts, platformLogs: true }),
      'CloudWatch',
      'logs ingested',
    );

    // Assess: 250 measured bytes, 850 with 600 of platform records
    expect(loud.quantity / quiet.quantity).toBeCloseTo(850 / 250, 10);
  });

  it('bills every analytics record at least 5 KB in Firehose', () => {
    // Prepare: 460-byte records
    const records = monthlyWork(100_000, DEFAULT_PROFILE, measured).total.analyticsRecords;

    // Act
    const firehose = item(priced(100_000), 'Analytics', 'Firehose ingestion');

    // Assess
    expect(firehose.quantity).toBeCloseTo((records * 5 * 1024) / 1024 ** 3, 10);
  });
});

describe('lambdaSeconds', () => {
  it('is the measured time from a whole vCPU up, and stretches only the CPU part below it', () => {
    expect(lambdaSeconds(1000, 0.4, FULL_VCPU_MB)).toBeCloseTo(1, 10);
    expect(lambdaSeconds(1000, 0.4, 3000)).toBeCloseTo(1, 10);
    // Half a vCPU: the 400 ms of CPU take 800 ms, the 600 ms of waiting stay.
    expect(lambdaSeconds(1000, 0.4, FULL_VCPU_MB / 2)).toBeCloseTo(1.4, 10);
  });

  it('never shortens with less memory', () => {
    fc.assert(
      fc.property(
        fc.double({ min: 0, max: 1, noNaN: true }),
        fc.integer({ min: 128, max: 10_240 }),
        fc.integer({ min: 128, max: 10_240 }),
        (cpu, a, b) => {
          const [less, more] = a <= b ? [a, b] : [b, a];
          expect(lambdaSeconds(100, cpu, less)).toBeGreaterThanOrEqual(lambdaSeconds(100, cpu, more) - 1e-12);
        },
      ),
    );
  });
});

describe('profileFrom', () => {
  it('takes numbers and numeric strings, field by field', () => {
    expect(profileFrom(DEFAULT_PROFILE, { orders: '0.4', emails: 3 })).toEqual({
      ...DEFAULT_PROFILE,
      orders: 0.4,
      emails: 3,
    });
  });

  it.each([
    [{ order: 1 }, /unknown profile field "order"/],
    [{ orders: -1 }, /must be a number ≥ 0/],
    [{ orders: 'many' }, /must be a number ≥ 0/],
    [{ orders: '' }, /must be a number ≥ 0/],
  ])('refuses %j with a message, not a crash', (overrides, message) => {
    expect(() => profileFrom(DEFAULT_PROFILE, overrides)).toThrow(ProfileError);
    expect(() => profileFrom(DEFAULT_PROFILE, overrides)).toThrow(message);
  });
});

describe('countSeries', () => {
  it('counts a journey-level metric once per journey and a service-level one once', () => {
    // Act
    const series = countSeries(
      [{ id: 'a' }, { id: 'b' }, { id: 'c' }],
      [
        { name: 'events_rejected', per: 'journey', when: 'failure' },
        { name: 'outbox_sent', per: 'service', when: 'traffic' },
        { name: 'emails_sent', per: 'journey', when: 'traffic' },
      ],
    );

    // Assess
    expect(series.traffic).toBe(4);
    expect(series.failure).toBe(3);
  });
});
