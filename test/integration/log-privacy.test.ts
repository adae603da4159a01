/**
 * The analytics log's privacy, end to end on the local runtime (DynamoDB Local, the SES emulator,
 * every journey): a customer registers, orders, answers the NPS question with a comment, receives
 * emails and unsubscribes through one; then is erased. No record holds the address, the name, the
 * comment, the customer id, the order id or the referral code; every record is valid; and after
 * erasure the secret is gone from the table, so the records can no longer be tied to the customer,
 * and events that still arrive for them write nothing.
 */
import { randomUUID } from 'node:crypto';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { JsonLinesSink } from '../../functions/adapters/analytics-jsonl.ts';
import { AnalyticsKeyStore } from '../../functions/adapters/analytics-keys.ts';
import { analyticsKeys } from '../../functions/analytics/keys.ts';
import { type AnalyticsRecord, analyticsRecordSchema } from '../../functions/analytics/record.ts';
import { buildCatalog } from '../../functions/catalog/build.ts';
import { type LocalWorld, localWorld } from '../support/local-world.ts';
import { orderPlaced, registration } from '../support/scenario.ts';
import { testEnv } from './env.ts';

const ROOT = path.resolve(import.meta.dirname, '../..');
const START = '2026-03-02T08:00:00Z';

let world: LocalWorld | undefined;
let dir: string | undefined;
afterEach(async () => {
  await world?.close();
  world = undefined;
  if (dir) await rm(dir, { recursive: true, force: true });
  dir = undefined;
});

async function readLog(root: string): Promise<{ lines: string[]; records: AnalyticsRecord[] }> {
  const lines: string[] = [];
  for (const partition of await readdir(root))
    for (const file of await readdir(path.join(root, partition)))
      lines.push(...(await readFile(path.join(root, partition, file), 'utf8')).split('\n').filter(Boolean));
  return { lines, records: lines.map((line) => JSON.parse(line) as AnalyticsRecord) };
}

const header = (email: { headers?: { name: string; value: string }[] | undefined }, name: string) =>
  email.headers?.find((h) => h.name.toLowerCase() === name.toLowerCase())?.value;

describe('analytics log privacy', () => {
  it('records no personal data, and erasure shreds the link to the customer', async () => {
    const env = testEnv();
    dir = await mkdtemp(path.join(tmpdir(), 'analytics-privacy-'));
    const { catalog } = await buildCatalog(ROOT, { defaultLocale: 'en' });
    world = await localWorld(
      catalog,
      { dynamoEndpoint: env.dynamoEndpoint, sesEndpoint: env.sesEndpoint },
      START,
      {},
      { analyticsSink: new JsonLinesSink(dir, { writer: 'privacy-test' }) },
    );
    const w = world;
    const id = `c-${randomUUID().slice(0, 8)}`;
    const email = `${id}@example.de`;
    const firstName = 'Annabelle';
    const orderId = `ORDER-${randomUUID().slice(0, 8)}`;
    const comment = 'Der Becher kam zerbrochen an, bitte ruft mich an';
    const deliver = (detailType: string, detail: Record<string, unknown>) =>
      w.runtime.deliver({ id: randomUUID(), source: 'shop', detailType, time: w.clock.now(), detail });

    // A customer's life: registration, emails, an unsubscribe, an order, its delivery, an answer.
    await deliver('customer.registered', registration(id, { firstName, locale: 'de-AT' }));
    await w.runUntil('2026-03-04T12:00:00Z');
    const received = await env.sesEmails(email);
    const marketing = received.find((e) => header(e, 'List-Unsubscribe'));
    const link = /^<(.+)>$/.exec(header(marketing ?? {}, 'List-Unsubscribe') ?? '')?.[1];
    if (!link) throw new Error('no marketing email with an unsubscribe link was received');
    const response = await fetch(link, { method: 'POST', body: 'List-Unsubscribe=One-Click' });
    expect(response.status).toBe(200);
    await deliver('order.placed', orderPlaced(id, orderId, w.clock.now()));
    await w.runUntil('2026-03-06T12:00:00Z');
    await deliver('order.delivered', { customerId: id, orderId, deliveredAt: '2026-03-06T11:00:00Z' });
    await deliver('feedback.submitted', { customerId: id, orderId, score: 4, comment, feedbackId: 'fb-1' });
    await w.runUntil('2026-03-08T12:00:00Z');

    const keyStore = new AnalyticsKeyStore(w.doc, w.tableName);
    const found = await keyStore.secret(id, { create: false });
    if (found.status !== 'ok') throw new Error(`the customer has no analytics secret (${found.status})`);
    const customerKey = analyticsKeys(found.secret).customer;
    const profile = (await w.partition(id)).find((item) => item.SK === '#PROFILE');
    const referralCode = String(profile?.referralCode ?? '');
    expect(referralCode).not.toBe('');

    const before = await readLog(dir);
    // The SES emulator is shared by the test files running side by side, and the runtime derives SES
    // events from every email it holds: other tests' customers appear with keys of their own.
    const own = before.records.filter((r) => r.customer === customerKey);
    const types = new Set(own.map((r) => r.type));
    for (const type of [
      'customer.registered',
      'referral.code.created',
      'journey.entered',
      'journey.goal.reached',
      'email.sent',
      'email.delivered',
      'email.unsubscribed',
      'order.placed',
      'order.delivered',
      'feedback.submitted',
    ])
      expect(types, type).toContain(type);
    for (const record of before.records) expect(analyticsRecordSchema.safeParse(record).success).toBe(true);
    for (const record of own) expect(record.market).toBe('AT');
    const unsubscribed = own.find((r) => r.type === 'email.unsubscribed');
    expect(unsubscribed).toMatchObject({ journey: 'onboarding', consent: false });
    const sentOfIt = own.find((r) => r.type === 'email.sent' && r.send === unsubscribed?.send);
    expect(sentOfIt?.message).toBe(unsubscribed?.message);
    expect(own.find((r) => r.type === 'feedback.submitted')).toMatchObject({ score: 4 });
    const secrets = [email, firstName, comment, 'zerbrochen', id, orderId, referralCode];
    for (const line of before.lines) for (const secret of secrets) expect(line).not.toContain(secret);

    // Erasure: a keyless record, and the secret is gone with the partition.
    await deliver('customer.deleted', { customerId: id });
    await w.runUntil('2026-03-08T13:00:00Z');
    const afterErasure = await readLog(dir);
    const added = afterErasure.records.slice(before.records.length);
    expect(added.map((r) => r.type)).toContain('customer.deleted');
    expect(added.filter((r) => r.customer === customerKey)).toEqual([]);
    for (const record of added.filter((r) => !r.type.startsWith('email.')))
      expect(record.customer).toBeNull();
    expect(await w.partition(id)).toEqual([]);
    const hex = Buffer.from(found.secret).toString('hex');
    for (const item of await w.scan())
      if (item.secret instanceof Uint8Array) expect(Buffer.from(item.secret).toString('hex')).not.toBe(hex);
    // No one can derive the customer's keys again: there is no secret, and none is ever made.
    expect(await keyStore.secret(id, { create: true })).toEqual({ status: 'erased' });

    // Late events for the erased customer write nothing.
    await deliver('order.placed', orderPlaced(id, `${orderId}-late`, w.clock.now()));
    await w.runUntil('2026-03-09T12:00:00Z');
    const late = (await readLog(dir)).records.slice(afterErasure.records.length);
    expect(late.filter((r) => !r.type.startsWith('email.'))).toEqual([]);
    expect(await w.partition(id)).toEqual([]);
  });
});
