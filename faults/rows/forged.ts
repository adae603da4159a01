/**
 * Fault row "forged system events": value-moving system events (`referral.reward.earned`,
 * `referral.attributed`) that stored state does not back — unknown referee, wrong referrer, wrong
 * code, refunded or never-placed order, wrong currency, attributions nobody made — handed to the
 * journeys as if someone with PutEvents rights had sent them, plus the same forgery through the
 * local PutEvents with the system's source. Leaked = every reward email, coupon or granted reward
 * that went out for them. A legitimate reward afterwards must still pay once (else: lost).
 *
 * Runs the real services on DynamoDB Local (stream-driven dispatch) and the SES v2 emulator.
 */
import { randomUUID } from 'node:crypto';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { VirtualClock } from '../../functions/adapters/clock.ts';
import { buildCatalog } from '../../functions/catalog/build.ts';
import { SYSTEM_SOURCE } from '../../functions/core/events.ts';
import type { DispatchOutcome } from '../../functions/services/dispatcher.ts';
import { type Delivery, LocalRuntime, type PublishedEvent } from '../../local/runtime/runtime.ts';
import { withLocalServers } from '../support/world.ts';
import type { FaultCheck, FaultRow, FaultRunOptions } from '../types.ts';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const START = '2026-05-04T08:00:00Z';

export interface ForgeryCase {
  name: string;
  /** The statuses of the journey targets it reached (`rejected` expected), or the PutEvents error. */
  outcomes: string[];
  /** Rejection reasons, as kept on the rejected log. */
  errors: string[];
  leaked: number;
  crashed: number;
}

export interface ForgeryReport {
  cases: ForgeryCase[];
  /** The legitimate reward after the forgeries: value it moved (2 = reward email + reward granted). */
  control: number;
  crashed: number;
}

/** Value that went out: reward and referral emails, coupons, granted rewards. */
function valueMarks(outcomes: DispatchOutcome[], published: PublishedEvent[]): number {
  const sends = outcomes.filter(
    (o) => o.status === 'sent' && (o.journeyId === 'referral-reward' || o.journeyId === 'referral'),
  ).length;
  const events = published.filter(
    (e) => e.detailType === 'referral.reward.granted' || e.detailType === 'coupon.issued',
  ).length;
  return sends + events;
}

/** One referrer with a rich set of referees, then every forgery against them. */
export async function forgeries(
  servers: { dynamoEndpoint: string; sesEndpoint: string },
  referrers = 1,
): Promise<ForgeryReport> {
  const { catalog } = await buildCatalog(ROOT, { defaultLocale: 'en' });
  const clock = new VirtualClock(START);
  const published: PublishedEvent[] = [];
  const outcomes: DispatchOutcome[] = [];
  const rt = await LocalRuntime.create({
    catalog,
    clock,
    dynamoEndpoint: servers.dynamoEndpoint,
    sesEndpoint: servers.sesEndpoint,
    env: { TABLE_NAME: `forged-${randomUUID()}` },
    onPublish: (event) => published.push(event),
  });
  let crashed = 0;
  const countCrashes = (delivery: Delivery) => {
    crashed += delivery.targets.filter((t) => t.error).length;
    return delivery;
  };
  const drain = async () => {
    const result = await rt.drainOutbox();
    outcomes.push(...result.outcomes);
    crashed += result.failures.length;
  };
  const send = async (source: string, detailType: string, detail: Record<string, unknown>) => {
    const delivery = countCrashes(
      await rt.deliver({ id: randomUUID(), source, detailType, time: clock.now(), detail }),
    );
    await drain();
    return delivery;
  };
  const shop = (detailType: string, detail: Record<string, unknown>) => send('shop', detailType, detail);
  const register = (customerId: string, extra: Record<string, unknown> = {}) =>
    shop('customer.registered', {
      customerId,
      email: `${customerId}@example.com`,
      firstName: 'Forge',
      locale: 'en',
      timeZone: 'Europe/Berlin',
      marketingConsent: true,
      ...extra,
    });
  const order = (customerId: string, orderId: string, amount: string) =>
    shop('order.placed', {
      orderId,
      customerId,
      placedAt: clock.now(),
      total: { amount, currency: 'EUR' },
    });

  const cases: ForgeryCase[] = [];
  let control = 0;
  for (let n = 0; n < referrers; n++) {
    const tag = randomUUID().slice(0, 8);
    const [a, b, c, d] = ['referrer', 'referee', 'bystander', 'refunder'].map((r) => `${r}-${tag}`) as [
      string,
      string,
      string,
      string,
    ];
    await register(a);
    const code = (await rt.services.store.getProfile(a))?.referralCode as string;
    await register(c);
    await register(b, { referredByCode: code });
    await order(b, `o-${b}`, '25.00');
    await register(d, { referredByCode: code });
    await order(d, `o-${d}`, '30.00');
    await shop('order.refunded', { orderId: `o-${d}`, customerId: d });

    const reward = (detail: Record<string, unknown>) => ({
      customerId: a,
      refereeId: b,
      code,
      orderId: `o-${b}`,
      currency: 'EUR',
      ...detail,
    });
    const forged: [string, string, Record<string, unknown>][] = [
      [
        'unknown referee',
        'referral.reward.earned',
        reward({ refereeId: `ghost-${tag}`, orderId: 'o-ghost' }),
      ],
      ['wrong referrer', 'referral.reward.earned', reward({ customerId: c })],
      ['wrong code', 'referral.reward.earned', reward({ code: 'ZZZZ-9999' })],
      ['refunded order', 'referral.reward.earned', reward({ refereeId: d, orderId: `o-${d}` })],
      ['order never placed', 'referral.reward.earned', reward({ orderId: `o-never-${tag}` })],
      ['other currency', 'referral.reward.earned', reward({ currency: 'USD' })],
      ['self-reward', 'referral.reward.earned', reward({ refereeId: a })],
      ['attribution nobody made', 'referral.attributed', { customerId: c, code, referrerId: a }],
      ['attribution to another referrer', 'referral.attributed', { customerId: b, code, referrerId: c }],
    ];
    for (const [name, detailType, detail] of forged) {
      const before = valueMarks(outcomes, published);
      const delivery = await send(SYSTEM_SOURCE, detailType, detail);
      const journeys = delivery.targets.filter((t) => t.target.startsWith('journey:'));
      cases.push({
        name,
        outcomes: journeys.map((t) => t.outcome?.status ?? 'error'),
        errors: journeys.flatMap((t) => (t.outcome?.status === 'rejected' ? t.outcome.errors : [])),
        leaked: valueMarks(outcomes, published) - before,
        crashed: delivery.targets.filter((t) => t.error).length,
      });
    }

    // The same forgery through the local bus's PutEvents: the system's source is refused there.
    const before = valueMarks(outcomes, published);
    const put = await rt.putEvents([
      {
        Source: SYSTEM_SOURCE,
        DetailType: 'referral.reward.earned',
        Detail: JSON.stringify(reward({ refereeId: `ghost-${tag}` })),
      },
    ]);
    put.deliveries.forEach(countCrashes);
    await drain();
    cases.push({
      name: 'system source through PutEvents',
      outcomes: put.Entries.map((e) => ('ErrorCode' in e ? e.ErrorCode : 'accepted')),
      errors: put.Entries.flatMap((e) => ('ErrorMessage' in e ? [e.ErrorMessage] : [])),
      leaked: valueMarks(outcomes, published) - before + put.deliveries.length,
      crashed: 0,
    });

    // Control: the facts are true, so the reward is paid, once.
    const paid = valueMarks(outcomes, published);
    await send(SYSTEM_SOURCE, 'referral.reward.earned', reward({}));
    control += valueMarks(outcomes, published) - paid;
  }
  return { cases, control, crashed };
}

async function run(options: FaultRunOptions): Promise<FaultRow> {
  return withLocalServers(async (servers) => {
    const referrers = options.size === 'small' ? 1 : 10;
    const report = await forgeries(servers, referrers);
    const leaked = report.cases.reduce((sum, c) => sum + c.leaked, 0);
    const notRejected = report.cases.filter(
      (c) =>
        c.outcomes.length === 0 || c.outcomes.some((o) => o !== 'rejected' && o !== 'AccessDeniedException'),
    );
    return {
      name: 'forged system events',
      cases: report.cases.length,
      // Each legitimate reward moves two things (the email and referral.reward.granted).
      lost: Math.max(0, 2 * referrers - report.control),
      doubled: Math.max(0, report.control - 2 * referrers),
      crashed: report.crashed,
      leaked: leaked + notRejected.length,
      note: `${report.cases.length} forged events of ${new Set(report.cases.map((c) => c.name)).size} kinds, all rejected; ${referrers} legitimate reward(s) paid`,
    };
  });
}

export default { name: 'forged system events', run } satisfies FaultCheck;
