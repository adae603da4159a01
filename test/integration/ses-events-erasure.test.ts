/**
 * SES events and erasure against DynamoDB Local and the SES emulator: events recorded once on the
 * outbox entry, hard bounces suppressing marketing (by address hash, surviving erasure), soft bounces
 * not, and `customer.deleted` leaving nothing a late event could bring back.
 */
import { randomUUID } from 'node:crypto';
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { describe, expect, it } from 'vitest';
import { keys } from '../../functions/adapters/store.ts';
import { outboxTag } from '../../functions/core/links.ts';
import { addressHash } from '../../functions/core/privacy.ts';
import { signToken } from '../../functions/core/tokens.ts';
import type { DispatchOutcome } from '../../functions/services/dispatcher.ts';
import { type LocalWorld, localWorlds } from '../support/local-world.ts';
import { orderPlaced, registration } from '../support/scenario.ts';
import { testEnv } from './env.ts';

const START = '2026-03-02T08:00:00Z';
const newWorld = localWorlds(START);
const customer = () => `c-${randomUUID().slice(0, 8)}`;

const shopEvent = (w: LocalWorld, detailType: string, detail: Record<string, unknown>, id = randomUUID()) =>
  w.runtime.deliver({ id, source: 'shop', detailType, time: w.clock.now(), detail });

type Sent = Extract<DispatchOutcome, { status: 'sent' }>;

/** An SES event as the configuration set's EventBridge destination delivers it, for a sent email. */
function sesEvent(sent: Sent, detailType: string, body: Record<string, unknown>) {
  const eventType = {
    'Email Delivered': 'Delivery',
    'Email Bounced': 'Bounce',
    'Email Complaint Received': 'Complaint',
    'Email Opened': 'Open',
  }[detailType];
  return {
    id: randomUUID(),
    source: 'aws.ses',
    detailType,
    time: '2026-03-02T08:01:00Z',
    detail: {
      eventType,
      mail: {
        timestamp: sent.sentAt,
        messageId: sent.messageId,
        destination: [sent.to],
        tags: {
          'ses:configuration-set': ['retention-journeys'],
          journey: [sent.journeyId],
          message: [sent.message],
          outbox: [outboxTag(sent.customerId, sent.outboxId)],
        },
      },
      ...body,
    },
  };
}

const bounce = (sent: Sent, bounceType: 'Permanent' | 'Transient') =>
  sesEvent(sent, 'Email Bounced', {
    bounce: {
      bounceType,
      bounceSubType: bounceType === 'Permanent' ? 'General' : 'MailboxFull',
      bouncedRecipients: [{ emailAddress: sent.to, action: 'failed', status: '5.1.1' }],
      timestamp: '2026-03-02T08:00:30.123Z',
      feedbackId: randomUUID(),
    },
  });

async function registeredWithWelcome(w: LocalWorld, id: string): Promise<Sent> {
  await shopEvent(w, 'customer.registered', registration(id));
  await w.runUntil(START);
  const welcome = w.outcomes.find(
    (o): o is Sent => o.status === 'sent' && o.customerId === id && o.message === 'welcome',
  );
  if (!welcome) throw new Error('welcome was not sent');
  return welcome;
}

describe('SES events', () => {
  it('records a delivery on the outbox entry once, even when EventBridge delivers it twice', async () => {
    // Prepare
    const w = await newWorld();
    const id = customer();
    const welcome = await registeredWithWelcome(w, id);
    const delivered = sesEvent(welcome, 'Email Delivered', {
      delivery: { timestamp: '2026-03-02T08:00:05.000Z', recipients: [welcome.to] },
    });
    // Act
    const first = await w.runtime.services.sesEvents.handle(delivered);
    const second = await w.runtime.services.sesEvents.handle({ ...delivered, id: randomUUID() });
    const opened = await w.runtime.deliver(
      sesEvent(welcome, 'Email Opened', { open: { timestamp: '2026-03-02T09:00:00.000Z' } }),
    );
    // Assess: the local runtime already published SES's Send and Delivery for the email the emulator
    // took (local/runtime/ses-event-source.ts), so both deliveries from outside are duplicates
    expect(first).toMatchObject({
      status: 'duplicate',
      kind: 'delivered',
      metric: 'delivery',
      journeyId: 'onboarding',
    });
    expect(second).toMatchObject({ status: 'duplicate', kind: 'delivered' });
    expect(opened.targets).toEqual([
      { target: 'ses-events', outcome: expect.objectContaining({ status: 'applied' }) },
    ]);
    const entry = await w.runtime.services.store.getOutbox(id, welcome.outboxId);
    expect((entry as unknown as { events: unknown }).events).toEqual({
      sent: START,
      delivered: START,
      opened: '2026-03-02T09:00:00Z',
    });
  });

  it('suppresses a hard-bouncing address for marketing, by hash, and keeps only the hash after erasure', async () => {
    // Prepare
    const w = await newWorld();
    const id = customer();
    const welcome = await registeredWithWelcome(w, id);
    const address = welcome.to;
    // Act: hard bounce of the welcome, then the journey runs on
    const outcome = await w.runtime.services.sesEvents.handle(bounce(welcome, 'Permanent'));
    await w.runUntil('2026-03-10T08:00:00Z');
    // Assess: suppressed on the profile and on the list; no marketing went out
    expect(outcome).toMatchObject({ status: 'recorded', kind: 'bounced', suppressed: 1 });
    expect(await w.runtime.services.store.getProfile(id)).toMatchObject({ suppressed: true });
    expect(await w.runtime.services.compliance.isSuppressed(addressHash(address))).toBe(true);
    expect(await testEnv().sesEmails(address)).toHaveLength(1); // the welcome only

    // Act: the shop deletes the customer
    await shopEvent(w, 'customer.deleted', { customerId: id });
    // Assess: nothing of the customer is left; the suppression entry holds the hash only
    expect(await w.partition(id)).toEqual([]);
    const items = await w.scan();
    const mentions = items.filter((item) =>
      JSON.stringify(item).toLowerCase().includes(address.toLowerCase()),
    );
    expect(mentions).toEqual([]);
    expect(items.filter((item) => JSON.stringify(item).includes(id))).toEqual([]);
    const suppression = await w.doc.send(
      new GetCommand({ TableName: w.tableName, Key: keys.suppressed(addressHash(address)) }),
    );
    expect(suppression.Item).toEqual({
      ...keys.suppressed(addressHash(address)),
      type: 'suppression',
      reason: 'bounce',
      suppressedAt: '2026-03-02T08:00:30Z',
    });

    // The address stays suppressed for a new account using it: marketing is skipped by the hash check.
    const again = customer();
    await shopEvent(w, 'customer.registered', registration(again, { email: address }));
    await w.runUntil('2026-03-20T08:00:00Z');
    expect((await w.runtime.services.store.getProfile(again))?.suppressed).toBeUndefined();
    const skipped = w.outcomes.filter(
      (o) =>
        o.status === 'skipped' && o.outboxId.startsWith('onboarding#') && o.reason === 'address suppressed',
    );
    expect(skipped.length).toBeGreaterThanOrEqual(1);
    expect(await testEnv().sesEmails(address)).toHaveLength(2); // the new account's transactional welcome
  });

  it('does not suppress on a soft (transient) bounce', async () => {
    const w = await newWorld();
    const id = customer();
    const welcome = await registeredWithWelcome(w, id);
    const outcome = await w.runtime.services.sesEvents.handle(bounce(welcome, 'Transient'));
    await w.runUntil('2026-03-05T08:00:00Z');
    expect(outcome).toMatchObject({
      status: 'recorded',
      kind: 'softBounced',
      suppressed: 0,
      metric: undefined,
    });
    expect((await w.runtime.services.store.getProfile(id))?.suppressed).toBeUndefined();
    expect(await w.runtime.services.compliance.isSuppressed(addressHash(welcome.to))).toBe(false);
    expect(w.outcomes).toContainEqual(
      expect.objectContaining({ status: 'sent', message: 'getting-started' }),
    );
  });

  it('suppresses a complaining address', async () => {
    const w = await newWorld();
    const id = customer();
    const welcome = await registeredWithWelcome(w, id);
    const outcome = await w.runtime.services.sesEvents.handle(
      sesEvent(welcome, 'Email Complaint Received', {
        complaint: {
          complainedRecipients: [{ emailAddress: welcome.to }],
          timestamp: '2026-03-02T10:00:00Z',
        },
      }),
    );
    expect(outcome).toMatchObject({
      status: 'recorded',
      kind: 'complained',
      metric: 'complaint',
      suppressed: 1,
    });
    expect(await w.runtime.services.compliance.isSuppressed(addressHash(welcome.to))).toBe(true);
  });
});

describe('erasure', () => {
  it('removes every item of the partition, and late events neither recreate the customer nor send', async () => {
    // Prepare: profile, orders, journey instance, outbox entries
    const w = await newWorld();
    const id = customer();
    const welcome = await registeredWithWelcome(w, id);
    await shopEvent(w, 'order.placed', orderPlaced(id, `${id}-o1`, w.clock.now()));
    await w.runUntil(START);
    const kinds = new Set((await w.partition(id)).map((item) => item.type));
    expect([...kinds]).toEqual(
      expect.arrayContaining(['profile', 'orders', 'order', 'archived-instance', 'outbox']),
    );
    // Act
    const erased = await shopEvent(w, 'customer.deleted', { customerId: id });
    const lateOrder = await shopEvent(w, 'order.placed', orderPlaced(id, `${id}-o2`, w.clock.now()));
    const lateRegistration = await shopEvent(w, 'customer.registered', registration(id));
    const lateBounce = await w.runtime.services.sesEvents.handle(bounce(welcome, 'Transient'));
    const unsubscribe = await w.runtime.services.preferences.handle({
      method: 'POST',
      path: '/preferences/unsubscribe',
      query: {
        token: signToken(w.runtime.config.signingSecret as string, {
          customerId: id,
          purpose: 'unsubscribe',
          expiresAt: '2026-06-01T00:00:00Z',
        }),
      },
      body: 'List-Unsubscribe=One-Click',
      headers: {},
    });
    await w.runUntil('2026-03-20T08:00:00Z');
    // Assess
    expect(erased.targets).toEqual([
      { target: 'profile', outcome: expect.objectContaining({ status: 'applied' }) },
    ]);
    expect(lateOrder.targets.find((t) => t.target === 'profile')?.outcome).toEqual({ status: 'erased' });
    expect(lateRegistration.targets.map((t) => [t.target, t.outcome?.status])).toEqual([
      ['profile', 'erased'],
      ['journey:onboarding', 'erased'],
    ]);
    expect(lateBounce).toMatchObject({ status: 'missing' });
    expect(unsubscribe.response.status).toBe(200);
    console.log(JSON.stringify(await w.partition(id)));
    expect(await w.partition(id)).toEqual([]);
    expect((await w.scan()).filter((item) => JSON.stringify(item).includes(id))).toEqual([]);
    expect(await w.runtime.services.store.isErased(id)).toBe(true);
    expect(await testEnv().sesEmails(welcome.to)).toHaveLength(1);
  });
});
