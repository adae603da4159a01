/**
 * From the loyalty program's own decisions to the report: members driven through the real core
 * (test/support/loyalty-world.ts, the shipped loyalty.yaml) emit their events; each is published as
 * the dispatcher does (outbox id in the detail, dispatch time as the event's time, every event
 * delivered twice under new envelope ids), recorded by the analytics mapping, written as the log and
 * reported on DuckDB. The report must agree with the events themselves, counted a second way here,
 * and with each account's tier and lifetime totals.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { DuckDbRunner } from '../../analytics/duckdb.ts';
import { periodsBetween } from '../../analytics/periods.ts';
import { computeReport } from '../../analytics/report.ts';
import { analyticsKeys } from '../../functions/analytics/keys.ts';
import type { AnalyticsRecord } from '../../functions/analytics/record.ts';
import { analyticsRecords } from '../../functions/analytics/records.ts';
import type { LoyaltyDecision } from '../../functions/core/loyalty/account.ts';
import type { EmitEffect } from '../../functions/core/model.ts';
import { writeLog } from '../support/analytics-records.ts';
import { LoyaltyWorld, shippedProgram } from '../support/loyalty-world.ts';

const PROGRAM = shippedProgram();
const TIERS = PROGRAM.tiers.levels.map((l) => l.id);
const FROM = '2025-01-01';
const TO = '2026-07-01';

let dir: string | undefined;
afterAll(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});

/** One member: the world, and every event it emitted with the moment it was decided (= published). */
class Member {
  readonly world: LoyaltyWorld;
  readonly published: { at: string; effect: EmitEffect }[] = [];
  constructor(readonly customerId: string) {
    this.world = new LoyaltyWorld(PROGRAM, customerId);
  }
  private keep(decision: LoyaltyDecision, at: string) {
    for (const effect of decision.effects) this.published.push({ at, effect });
  }
  /** Runs the account's timers up to `at`, then the event. */
  event(detailType: string, detail: Record<string, unknown>, at: string) {
    this.until(at);
    this.keep(this.world.event(detailType, detail, at), at);
  }
  redeem(rewardId: string, requestId: string, at: string) {
    this.until(at);
    this.keep(this.world.redeem(rewardId, requestId, at), at);
  }
  until(at: string) {
    for (let i = 0; i < 1000; i++) {
      const due = this.world.account?.dueAt;
      if (!due || Date.parse(due) > Date.parse(at)) return;
      this.keep(this.world.timer(due), due);
    }
    throw new Error('timer loop');
  }
}

const registered = (locale: string, at: string) => ({
  email: 'someone@example.com',
  locale,
  marketingConsent: true,
  registeredAt: at,
});
const placed = (orderId: string, amount: string, placedAt: string) => ({
  orderId,
  placedAt,
  total: { amount, currency: 'EUR' },
});

function members(): Member[] {
  // Climbs to gold, redeems with a double click, then another reward; stays active.
  const anna = new Member('anna');
  anna.event('customer.registered', registered('de-DE', '2025-01-05T09:00:00Z'), '2025-01-05T09:00:00Z');
  anna.event(
    'order.placed',
    placed('order-anna-1', '700.00', '2025-01-10T10:00:00Z'),
    '2025-01-10T10:00:00Z',
  );
  anna.event(
    'order.placed',
    placed('order-anna-2', '900.00', '2025-02-10T10:00:00Z'),
    '2025-02-10T10:00:00Z',
  );
  anna.redeem('five-off', 'page-five-off-1', '2025-03-01T10:00:00Z');
  anna.redeem('five-off', 'page-five-off-1', '2025-03-01T10:00:02Z'); // the second click
  anna.redeem('fifteen-off', 'page-fifteen-off-2', '2025-04-02T10:00:00Z');
  anna.event(
    'feedback.submitted',
    { score: 9, orderId: 'order-anna-2', feedbackId: 'f1' },
    '2025-04-03T10:00:00Z',
  );
  anna.event('order.placed', placed('order-anna-3', '80.00', '2025-09-10T10:00:00Z'), '2025-09-10T10:00:00Z');
  anna.event('order.placed', placed('order-anna-4', '60.00', '2026-05-10T10:00:00Z'), '2026-05-10T10:00:00Z');
  // A guest whose only order is refunded before its points are available.
  const ben = new Member('ben');
  ben.event('order.placed', placed('order-ben-1', '59.90', '2025-03-01T10:00:00Z'), '2025-03-01T10:00:00Z');
  ben.event('order.refunded', { orderId: 'order-ben-1' }, '2025-03-05T10:00:00Z');
  // Silver with one big order, then silent: reminded, expired, at risk and down in 2026.
  const cara = new Member('cara');
  cara.event('customer.registered', registered('fr-FR', '2025-02-01T09:00:00Z'), '2025-02-01T09:00:00Z');
  cara.event(
    'order.placed',
    placed('order-cara-1', '600.00', '2025-02-02T10:00:00Z'),
    '2025-02-02T10:00:00Z',
  );
  const all = [anna, ben, cara];
  for (const m of all) m.until(TO);
  return all;
}

/** The dispatcher's publication of an effect: detail plus outbox id, the dispatch time, a fresh envelope. */
function published(m: Member, envelope: string) {
  return m.published.map(({ at, effect }, i) => ({
    id: `${envelope}-${m.customerId}-${i}`,
    source: 'retention-journeys',
    detailType: effect.detailType,
    time: at,
    detail: { ...effect.detail, outboxId: effect.outboxId },
  }));
}

describe('loyalty analytics from the real ledger', () => {
  it('records every loyalty event once, and the report agrees with the events and the accounts', async () => {
    const all = members();
    const records: AnalyticsRecord[] = [];
    for (const [i, m] of all.entries()) {
      const keys = analyticsKeys(new Uint8Array(32).fill(i + 1));
      for (const envelope of ['first', 'redelivered'])
        for (const event of published(m, envelope)) {
          const made = analyticsRecords(event, { keys, locale: undefined, now: event.time });
          // Every event the program emits is one record (its coupon too).
          expect(made, `${event.detailType} ${JSON.stringify(event.detail)}`).toHaveLength(1);
          records.push(...made);
        }
    }
    // Nothing a person or the shop wrote, and no coupon code, in any record.
    const codes = all.flatMap((m) => m.world.events('loyalty.reward.redeemed').map((d) => String(d.code)));
    expect(codes.length).toBe(2);
    const log = JSON.stringify(records);
    for (const secret of [
      ...codes,
      'anna',
      'someone@example.com',
      'page-five-off',
      'order-anna',
      'order-ben',
      'order-cara',
    ])
      expect(log).not.toContain(secret);

    dir = await mkdtemp(path.join(os.tmpdir(), 'kpis-loyalty-ledger-'));
    await writeLog(dir, records);
    const runner = await DuckDbRunner.open(dir, { materialize: true });
    let data: Awaited<ReturnType<typeof computeReport>>;
    try {
      data = await computeReport(runner, { from: FROM, to: TO, period: 'month', loyaltyTiers: TIERS });
    } finally {
      runner.close();
    }
    const shop = data.loyalty.periods.filter((p) => p.market === null);

    // The second way: straight from the emitted events, by the moment each was published.
    const events = all.flatMap((m) => m.published.map((p) => ({ ...p, customer: m.customerId })));
    for (const [i, p] of periodsBetween(FROM, TO, 'month', 365).entries()) {
      const inPeriod = events.filter((e) => e.at >= p.start && e.at < p.end);
      const points = (type: string) =>
        inPeriod
          .filter((e) => e.effect.detailType === type)
          .reduce((n, e) => n + Number(e.effect.detail.points), 0);
      const of = (type: string) => inPeriod.filter((e) => e.effect.detailType === type);
      const joinedBy = all.filter((m) =>
        m.published.some(
          (e) => e.effect.detailType === 'loyalty.member.joined' && String(e.effect.detail.joinedAt) < p.end,
        ),
      );
      const redeemers = new Set(of('loyalty.reward.redeemed').map((e) => e.customer));
      const row = shop[i];
      expect(row, p.start).toMatchObject({
        start: p.start,
        members: joinedBy.length,
        activeMembers: new Set(
          inPeriod
            .filter((e) => ['loyalty.points.earned', 'loyalty.reward.redeemed'].includes(e.effect.detailType))
            .map((e) => e.customer),
        ).size,
        pointsEarned: points('loyalty.points.earned'),
        pointsRedeemed: points('loyalty.reward.redeemed'),
        pointsExpired: points('loyalty.points.expired'),
        pointsReversed: points('loyalty.points.reversed'),
        redemptions: of('loyalty.reward.redeemed').length,
        redeemingMembers: redeemers.size,
        tierMovements: {
          up: of('loyalty.tier.changed').filter((e) => e.effect.detail.direction === 'up').length,
          down: of('loyalty.tier.changed').filter((e) => e.effect.detail.direction === 'down').length,
        },
      });
    }
    // Over the whole range: each account's lifetime totals, and its tier at the end.
    const sum = (k: 'pointsEarned' | 'pointsRedeemed' | 'pointsExpired' | 'pointsReversed') =>
      shop.reduce((n, p) => n + p[k], 0);
    const totals = (k: 'earned' | 'redeemed' | 'expired' | 'reversed') =>
      all.reduce((n, m) => n + (m.world.account?.totals[k] ?? 0), 0);
    expect([sum('pointsEarned'), sum('pointsRedeemed'), sum('pointsExpired'), sum('pointsReversed')]).toEqual(
      [totals('earned'), totals('redeemed'), totals('expired'), totals('reversed')],
    );
    const tiersAtEnd = Object.fromEntries(
      TIERS.map((t) => [t, all.filter((m) => m.world.account?.tier === t).length]),
    );
    expect(shop.at(-1)?.tiers).toEqual({ ...tiersAtEnd });
    // Not vacuous: the story has every kind of movement.
    expect(totals('redeemed')).toBe(1700); // five-off once despite the double click, fifteen-off
    expect(totals('expired')).toBeGreaterThan(0);
    expect(totals('reversed')).toBe(59);
    expect(shop.some((p) => p.tierMovements.up > 0) && shop.some((p) => p.tierMovements.down > 0)).toBe(true);
    expect(shop.some((p) => (p.tiers.gold ?? 0) > 0)).toBe(true);
  });
});
