/**
 * Fault row "erasure scan": customers with rich histories — referred by someone and referring
 * someone else (referrals in both directions, with rewards paid both ways), orders, a delivery,
 * feedback with a comment, emails sent with SES delivery and open events — are erased with
 * `customer.deleted`; then the whole table is scanned. Leaked = items that still hold an erased
 * customer's id, address or first name anywhere (keys, attributes, nested maps). The erasure
 * tombstone holds a hash only. A scan is fine here: it is the test, not the product.
 *
 * Runs the real services on DynamoDB Local (stream-driven dispatch) and the SES v2 emulator.
 */
import { randomUUID } from 'node:crypto';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, ScanCommand } from '@aws-sdk/lib-dynamodb';
import { VirtualClock } from '../../functions/adapters/clock.ts';
import { buildCatalog } from '../../functions/catalog/build.ts';
import { feedbackLinks, outboxTag } from '../../functions/core/links.ts';
import { addDuration } from '../../functions/core/time.ts';
import type { DispatchOutcome } from '../../functions/services/dispatcher.ts';
import { type Delivery, LocalRuntime } from '../../local/runtime/runtime.ts';
import { withLocalServers } from '../support/world.ts';
import type { FaultCheck, FaultRow, FaultRunOptions } from '../types.ts';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const START = '2026-05-04T08:00:00Z';
const LOCAL = { region: 'local', credentials: { accessKeyId: 'local', secretAccessKey: 'local' } };

type Sent = Extract<DispatchOutcome, { status: 'sent' }>;

export interface Person {
  id: string;
  email: string;
  firstName: string;
}

export interface ErasureScanReport {
  erased: Person[];
  /** Items that mentioned an erased customer outside their own partition before erasure. */
  crossReferencesBefore: number;
  /** Items (whole table) that still mention an erased customer afterwards, as `PK SK: what`. */
  leaks: string[];
  /** Referral rewards paid in the run (each erased customer earned one and caused one). */
  rewards: number;
  crashed: number;
  items: Record<string, unknown>[];
}

const mentions = (item: Record<string, unknown>, who: Person): string[] => {
  const text = JSON.stringify(item).toLowerCase();
  return (['id', 'email', 'firstName'] as const).filter((k) => text.includes(who[k].toLowerCase()));
};

/** `groups` chains P → X → Q (P referred X, X referred Q); every X is erased. */
export async function erasureScan(
  servers: { dynamoEndpoint: string; sesEndpoint: string },
  groups = 1,
): Promise<ErasureScanReport> {
  const { catalog } = await buildCatalog(ROOT, { defaultLocale: 'en' });
  const clock = new VirtualClock(START);
  const tableName = `erasure-${randomUUID()}`;
  const outcomes: DispatchOutcome[] = [];
  const rt = await LocalRuntime.create({
    catalog,
    clock,
    dynamoEndpoint: servers.dynamoEndpoint,
    sesEndpoint: servers.sesEndpoint,
    env: { TABLE_NAME: tableName },
  });
  const client = new DynamoDBClient({ ...LOCAL, endpoint: servers.dynamoEndpoint });
  const doc = DynamoDBDocumentClient.from(client);
  try {
    let crashed = 0;
    const count = (delivery: Delivery) => {
      crashed += delivery.targets.filter((t) => t.error).length;
    };
    const drain = async () => {
      const result = await rt.drainOutbox();
      outcomes.push(...result.outcomes);
      crashed += result.failures.length;
    };
    const runUntil = async (until: string) => {
      await drain();
      for (;;) {
        const next = await rt.nextTimer();
        if (!next || Date.parse(next) > Date.parse(until)) break;
        if (Date.parse(next) > Date.parse(clock.now())) clock.set(next);
        await rt.sweep();
        await drain();
      }
      if (Date.parse(until) > Date.parse(clock.now())) clock.set(until);
    };
    const shop = async (detailType: string, detail: Record<string, unknown>) => {
      count(await rt.deliver({ id: randomUUID(), source: 'shop', detailType, time: clock.now(), detail }));
      await drain();
    };
    const person = (role: string): Person => {
      const tag = randomUUID().replace(/-/g, '').slice(0, 12);
      return { id: `${role}-${tag}`, email: `Mail.${tag}@Example.com`, firstName: `Name${tag}` };
    };
    const register = (who: Person, referredByCode?: string) =>
      shop('customer.registered', {
        customerId: who.id,
        email: who.email,
        firstName: who.firstName,
        locale: 'en',
        timeZone: 'Europe/Berlin',
        marketingConsent: true,
        ...(referredByCode ? { referredByCode } : {}),
      });
    const codeOf = async (who: Person) =>
      (await rt.services.store.getProfile(who.id))?.referralCode as string;

    const chains: { p: Person; x: Person; q: Person }[] = [];
    for (let g = 0; g < groups; g++) {
      const [p, x, q] = [person('p'), person('x'), person('q')] as [Person, Person, Person];
      await register(p);
      await register(x, await codeOf(p));
      await register(q, await codeOf(x));
      const orderX = `order-${x.id}`;
      await shop('order.placed', {
        orderId: orderX,
        customerId: x.id,
        placedAt: clock.now(),
        total: { amount: '40.00', currency: 'EUR' },
        items: [{ sku: 'TEA-1', name: `Gift for ${x.firstName}`, quantity: 1 }],
      });
      await shop('order.placed', {
        orderId: `order-${q.id}`,
        customerId: q.id,
        placedAt: clock.now(),
        total: { amount: '30.00', currency: 'EUR' },
      });
      await shop('order.delivered', { orderId: orderX, customerId: x.id, deliveredAt: clock.now() });
      // Feedback through the preferences endpoint; the comment names the customer.
      const link = feedbackLinks(rt.config.signingSecret as string, rt.config.preferencesUrl, {
        customerId: x.id,
        orderId: orderX,
        now: clock.now(),
      })[9] as string;
      await rt.services.preferences.handle({
        method: 'POST',
        path: '/feedback',
        query: { token: new URL(link).searchParams.get('token') ?? '' },
        body: new URLSearchParams({ comment: `${x.firstName} here, write to ${x.email}` }).toString(),
        headers: {},
      });
      await drain();
      // SES events for the welcome email.
      const welcome = outcomes.find(
        (o): o is Sent => o.status === 'sent' && o.customerId === x.id && o.message === 'welcome',
      );
      if (welcome) {
        for (const [detailType, eventType, body] of [
          ['Email Delivered', 'Delivery', { delivery: { timestamp: clock.now(), recipients: [welcome.to] } }],
          ['Email Opened', 'Open', { open: { timestamp: clock.now() } }],
        ] as const) {
          count(
            await rt.deliver({
              id: randomUUID(),
              source: 'aws.ses',
              detailType,
              time: clock.now(),
              detail: {
                eventType,
                mail: {
                  timestamp: welcome.sentAt,
                  messageId: welcome.messageId,
                  destination: [welcome.to],
                  tags: {
                    'ses:configuration-set': ['retention-journeys'],
                    journey: [welcome.journeyId],
                    message: [welcome.message],
                    outbox: [outboxTag(welcome.customerId, welcome.outboxId)],
                  },
                },
                ...body,
              },
            }),
          );
        }
      }
      chains.push({ p, x, q });
    }
    // Past the referral hold (14 days): rewards go to P (for X) and to X (for Q).
    await runUntil(addDuration(START, 'P16D', 'UTC'));
    const rewards = outcomes.filter((o) => o.status === 'sent' && o.journeyId === 'referral-reward').length;

    const scan = async () => {
      const items: Record<string, unknown>[] = [];
      let startKey: Record<string, unknown> | undefined;
      do {
        const page = await doc.send(new ScanCommand({ TableName: tableName, ExclusiveStartKey: startKey }));
        items.push(...(page.Items ?? []));
        startKey = page.LastEvaluatedKey;
      } while (startKey);
      return items;
    };
    const erased = chains.map((c) => c.x);
    // Malformed events of the customer land on the rejected log (day log + the customer's copy), with
    // the raw detail: erasure must take them too.
    const malformed = (x: Person) =>
      shop('customer.updated', { customerId: x.id, email: x.email, firstName: x.firstName, locale: '!!' });
    for (const x of erased) await malformed(x);
    const before = await scan();
    const crossReferencesBefore = before.filter((item) =>
      erased.some((x) => item.PK !== `C#${x.id}` && mentions(item, x).length > 0),
    ).length;

    for (const x of erased) await shop('customer.deleted', { customerId: x.id });
    // ... and one that arrives after the erasure must not bring the personal data back.
    for (const x of erased) await malformed(x);
    await runUntil(addDuration(clock.now(), 'P1D', 'UTC'));

    const items = await scan();
    const leaks = items.flatMap((item) =>
      erased.flatMap((x) => {
        const what = mentions(item, x);
        return what.length ? [`${String(item.PK)} ${String(item.SK)}: ${what.join(', ')}`] : [];
      }),
    );
    return { erased, crossReferencesBefore, leaks, rewards, crashed, items };
  } finally {
    client.destroy();
  }
}

async function run(options: FaultRunOptions): Promise<FaultRow> {
  return withLocalServers(async (servers) => {
    const groups = options.size === 'small' ? 1 : 20;
    const report = await erasureScan(servers, groups);
    return {
      name: 'erasure scan',
      cases: report.erased.length,
      // Each chain pays two rewards (P for X, X for Q); fewer means the run did not build the history.
      lost: Math.max(0, 2 * groups - report.rewards),
      doubled: Math.max(0, report.rewards - 2 * groups),
      crashed: report.crashed,
      leaked: report.leaks.length,
      note: `${report.erased.length} customers erased (referred and referring, orders, feedback, SES events); ${report.crossReferencesBefore} items in other partitions named them before, ${report.items.length} items scanned after`,
    };
  });
}

export default { name: 'erasure scan', run } satisfies FaultCheck;
