/**
 * The outbox dispatcher against DynamoDB Local, its stream and the SES v2 emulator: retries after
 * throttling, replayed stream records, consent withdrawn before dispatch, render failures, and
 * emitted events. Faults are injected by wrapping the real SES mailer, never by mocking SES.
 */
import { randomUUID } from 'node:crypto';
import { copyFile, mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { DynamoDBRecord } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { VirtualClock } from '../../functions/adapters/clock.ts';
import {
  type Mailer,
  type OutgoingEmail,
  RetryableSendError,
  type SendResult,
  SesMailer,
} from '../../functions/adapters/mailer.ts';
import type { EventPublisher, OutgoingEvent } from '../../functions/adapters/publisher.ts';
import { PublishError } from '../../functions/adapters/publisher.ts';
import { buildCatalog } from '../../functions/catalog/build.ts';
import type { Catalog } from '../../functions/catalog/catalog.ts';
import { configFromEnv } from '../../functions/config.ts';
import type { RawEvent } from '../../functions/core/events.ts';
import type { SendEffect } from '../../functions/core/model.ts';
import { createServices, type Services } from '../../functions/services/container.ts';
import type { DispatchOutcome } from '../../functions/services/dispatcher.ts';
import { dispatchRecords } from '../../functions/services/stream.ts';
import { StreamPoller } from '../../local/stream-poller.ts';
import { registration } from '../support/scenario.ts';
import { testEnv } from './env.ts';

const ROOT = path.resolve(import.meta.dirname, '../..');
const START = '2026-03-02T08:00:00Z'; // 09:00 in Berlin: outside quiet hours
const env = testEnv();
const dynamo = env.dynamoClient();
const streams = env.dynamoStreamsClient();
const ses = env.sesClient();
let catalog: Catalog;

beforeAll(async () => {
  // Only the onboarding journey: these tests are about the plumbing, and must not change when
  // marketers add journeys.
  const journeysDir = await mkdtemp(path.join(tmpdir(), 'journeys-'));
  await copyFile(path.join(ROOT, 'journeys/onboarding.yaml'), path.join(journeysDir, 'onboarding.yaml'));
  ({ catalog } = await buildCatalog(ROOT, { defaultLocale: 'en', journeysDir }));
});
afterAll(() => {
  dynamo.destroy();
  streams.destroy();
  ses.destroy();
});

/** The real SES mailer, throttled for the first `failures` calls (or for chosen addresses, permanently). */
class FaultyMailer implements Mailer {
  calls = 0;
  constructor(
    private readonly inner: Mailer,
    private readonly failures = 0,
    private readonly rejected = new Set<string>(),
  ) {}
  async send(email: OutgoingEmail): Promise<SendResult> {
    this.calls++;
    if (this.calls <= this.failures)
      throw new RetryableSendError('SES send throttled or unavailable: TooManyRequestsException');
    if (this.rejected.has(email.to))
      return { ok: false, permanent: true, reason: 'MessageRejected: Email address is not verified.' };
    return this.inner.send(email);
  }
}

/** Stands in for EventBridge: records what is published; optionally fails the first calls. */
class RecordingPublisher implements EventPublisher {
  readonly published: OutgoingEvent[] = [];
  calls = 0;
  constructor(private readonly failures = 0) {}
  async publish(event: OutgoingEvent): Promise<void> {
    this.calls++;
    if (this.calls <= this.failures) throw new PublishError('PutEvents failed: ThrottlingException');
    this.published.push(event);
  }
}

interface Harness {
  services: Services;
  clock: VirtualClock;
  mailer: FaultyMailer;
  publisher: RecordingPublisher;
  poller: StreamPoller;
  /** Every stream record read so far, for replays. */
  records: DynamoDBRecord[];
}

async function harness(
  options: { sesFailures?: number; publishFailures?: number; rejected?: string[] } = {},
) {
  const { tableName, streamArn } = await env.createTestTable('dispatcher');
  const clock = new VirtualClock(START);
  const config = configFromEnv({
    TABLE_NAME: tableName,
    SIGNING_SECRET: 'test-signing-secret-0123456789',
    SENDER_ADDRESS: 'hello@shop.example',
  });
  const mailer = new FaultyMailer(new SesMailer(ses), options.sesFailures, new Set(options.rejected));
  const publisher = new RecordingPublisher(options.publishFailures);
  const services = createServices(
    { ...config, signingSecret: config.signingSecret as string },
    catalog,
    clock,
    {
      dynamo,
      mailer,
      publisher,
      backoff: async () => {},
    },
  );
  const h: Harness = {
    services,
    clock,
    mailer,
    publisher,
    poller: new StreamPoller({ client: streams, streamArn }),
    records: [],
  };
  return h;
}

/**
 * What the Lambda event source mapping does with ReportBatchItemFailures: dispatch the batch, and
 * on a failure redeliver from the failed record on, up to `maxAttempts` times.
 */
async function drain(h: Harness, maxAttempts = 5) {
  const outcomes: DispatchOutcome[] = [];
  const errors: unknown[] = [];
  let records = await h.poller.drain();
  while (records.length) {
    h.records.push(...records);
    let pending = records;
    for (let attempt = 1; pending.length && attempt <= maxAttempts; attempt++) {
      const result = await dispatchRecords(h.services.dispatcher, pending);
      outcomes.push(...result.outcomes);
      const failedAt = result.batchItemFailures[0]?.itemIdentifier;
      if (!failedAt) break;
      errors.push(...result.errors.map((e) => e.error));
      pending = pending.slice(pending.findIndex((r) => r.dynamodb?.SequenceNumber === failedAt));
    }
    records = await h.poller.drain();
  }
  return { outcomes, errors };
}

const customer = () => `c-${randomUUID().slice(0, 8)}`;
const raw = (detailType: string, detail: Record<string, unknown>, time = START): RawEvent => ({
  id: `evt-${randomUUID()}`,
  source: 'shop',
  detailType,
  time,
  detail,
});

/** Registers a customer through both consumers, as the bus would. */
async function register(h: Harness, id: string, overrides: Record<string, unknown> = {}) {
  const event = raw('customer.registered', registration(id, overrides));
  expect((await h.services.profiles.handleEvent(event)).status).toBe('applied');
  expect((await h.services.journeys.handleEvent('onboarding', event)).status).toBe('applied');
}

const sent = (outcomes: DispatchOutcome[]) =>
  outcomes.flatMap((o) => (o.status === 'sent' ? [o.message] : []));

describe('dispatcher', () => {
  it('retries a throttled SES send and sends the email exactly once', async () => {
    // Prepare
    const h = await harness({ sesFailures: 1 });
    const id = customer();
    await register(h, id);
    // Act
    const { outcomes, errors } = await drain(h);
    // Assess
    expect(errors).toEqual([expect.any(RetryableSendError)]);
    expect(h.mailer.calls).toBe(2);
    expect(sent(outcomes)).toEqual(['welcome']);
    const emails = await env.sesEmails(`${id}@example.de`);
    expect(emails).toHaveLength(1);
    const welcome = outcomes.find((o) => o.status === 'sent');
    const item = await h.services.store.getOutbox(id, welcome?.outboxId as string);
    expect(item).toMatchObject({
      status: 'sent',
      attempts: 1,
      lastError: expect.stringContaining('TooManyRequestsException'),
      messageId: expect.any(String),
      sentAt: START,
      locale: 'de',
    });
  });

  it('counts every failed attempt on the entry, across redeliveries of the same record', async () => {
    const h = await harness({ sesFailures: 3 });
    const id = customer();
    await register(h, id);
    const { outcomes, errors } = await drain(h);
    expect(errors).toHaveLength(3);
    expect(sent(outcomes)).toEqual(['welcome']);
    const welcome = outcomes.find((o) => o.status === 'sent');
    expect(await h.services.store.getOutbox(id, welcome?.outboxId as string)).toMatchObject({
      status: 'sent',
      attempts: 3,
    });
    expect(await env.sesEmails(`${id}@example.de`)).toHaveLength(1);
  });

  it('replaying the same stream records sends and publishes nothing more', async () => {
    // Prepare
    const h = await harness();
    const id = customer();
    await register(h, id);
    await drain(h);
    const publishedBefore = h.publisher.published.length;
    const callsBefore = h.mailer.calls;
    // Act: Lambda redelivers the whole batch
    const replay = await dispatchRecords(h.services.dispatcher, h.records);
    // Assess
    expect(replay.batchItemFailures).toEqual([]);
    expect(replay.outcomes.length).toBeGreaterThan(0);
    for (const outcome of replay.outcomes) {
      expect(outcome).toMatchObject({ status: 'skipped', reason: 'already sent' });
    }
    expect(h.mailer.calls).toBe(callsBefore);
    expect(h.publisher.published).toHaveLength(publishedBefore);
    expect(await env.sesEmails(`${id}@example.de`)).toHaveLength(1);
  });

  it('skips a marketing email when consent was withdrawn after the decision; transactional still goes', async () => {
    // Prepare: the welcome (transactional) is pending; two days on, getting-started (marketing) too
    const h = await harness();
    const id = customer();
    await register(h, id);
    h.clock.set('2026-03-04T08:00:00Z');
    expect((await h.services.sweeper.sweep(h.clock.now())).advanced).toBe(1);
    // Act: consent withdrawn before the outbox is dispatched
    const withdrawal = raw(
      'customer.consent.changed',
      { customerId: id, marketingConsent: false },
      h.clock.now(),
    );
    expect((await h.services.profiles.handleEvent(withdrawal)).status).toBe('applied');
    const { outcomes, errors } = await drain(h);
    // Assess
    expect(errors).toEqual([]);
    expect(sent(outcomes)).toEqual(['welcome']);
    const skipped = outcomes.filter((o) => o.status === 'skipped');
    expect(skipped).toEqual([expect.objectContaining({ reason: 'marketing consent withdrawn' })]);
    expect(await h.services.store.getOutbox(id, skipped[0]?.outboxId as string)).toMatchObject({
      status: 'skipped',
      reason: 'marketing consent withdrawn',
      effect: expect.objectContaining({ message: 'getting-started', messageClass: 'marketing' }),
    });
    const emails = await env.sesEmails(`${id}@example.de`);
    expect(emails).toHaveLength(1);
  });

  it('sends to the address on the live profile when it changed after the decision', async () => {
    const h = await harness();
    const id = customer();
    await register(h, id);
    const moved = `${id}-new@example.de`;
    const update = raw('customer.updated', { customerId: id, email: moved }, '2026-03-02T08:00:01Z');
    expect((await h.services.profiles.handleEvent(update)).status).toBe('applied');
    const { outcomes } = await drain(h);
    expect(outcomes.filter((o) => o.status === 'sent')).toEqual([expect.objectContaining({ to: moved })]);
    expect(await env.sesEmails(moved)).toHaveLength(1);
    expect(await env.sesEmails(`${id}@example.de`)).toHaveLength(0);
  });

  it('leaves an entry claimed by a crashed attempt in `sending`: neither resent nor lost', async () => {
    // Prepare: an attempt claimed the welcome and died before marking it
    const h = await harness();
    const id = customer();
    await register(h, id);
    const records = await h.poller.drain();
    const welcome = records
      .map((r) => r.dynamodb?.NewImage?.SK?.S ?? '')
      .find((sk) => sk.startsWith('OUT#') && sk.endsWith('#0'))
      ?.slice('OUT#'.length) as string;
    expect(
      await h.services.store.transitionOutbox(id, welcome, 'pending', 'sending', { claimedAt: START }),
    ).toBe(true);
    // Act: the batch is redelivered
    const result = await dispatchRecords(h.services.dispatcher, records);
    // Assess
    expect(result.outcomes).toContainEqual({
      status: 'skipped',
      outboxId: welcome,
      reason: 'already sending',
    });
    expect(h.mailer.calls).toBe(0);
    expect(await env.sesEmails(`${id}@example.de`)).toHaveLength(0);
    expect((await h.services.store.getOutbox(id, welcome))?.status).toBe('sending');
  });

  it('marks an entry that cannot be rendered failed with its reason, and does not block the batch', async () => {
    // Prepare: an outbox entry for a message no template exists for, then a good one
    const h = await harness();
    const id = customer();
    const effect = (outboxId: string, message: string): SendEffect => ({
      kind: 'send',
      outboxId,
      journeyId: 'onboarding',
      instanceId: 'manual',
      message,
      messageClass: 'transactional',
      recipient: { email: `${id}@example.de`, firstName: 'Anna', locale: 'en', timeZone: 'Europe/Berlin' },
      data: {},
    });
    await h.services.store.save({
      customerId: id,
      effects: [effect('bad#1', 'no-such-message')],
      now: START,
    });
    await h.services.store.save({ customerId: id, effects: [effect('good#1', 'welcome')], now: START });
    // Act
    const { outcomes, errors } = await drain(h);
    // Assess
    expect(errors).toEqual([]);
    expect(outcomes.map((o) => [o.outboxId, o.status])).toEqual([
      ['bad#1', 'failed'],
      ['good#1', 'sent'],
    ]);
    const bad = await h.services.store.getOutbox(id, 'bad#1');
    expect(bad).toMatchObject({
      status: 'failed',
      reason: expect.stringMatching(/^render failed: .*no-such-message/),
    });
    expect(h.mailer.calls).toBe(1);
    expect(await env.sesEmails(`${id}@example.de`)).toHaveLength(1);
  });

  it('marks an email SES rejects permanently failed with the reason, and carries on', async () => {
    const rejectedId = customer();
    const h = await harness({ rejected: [`${rejectedId}@example.de`] });
    const okId = customer();
    await register(h, rejectedId);
    await register(h, okId);
    const { outcomes, errors } = await drain(h);
    expect(errors).toEqual([]);
    const failed = outcomes.filter((o) => o.status === 'failed');
    expect(failed).toEqual([expect.objectContaining({ reason: expect.stringContaining('MessageRejected') })]);
    expect(await h.services.store.getOutbox(rejectedId, failed[0]?.outboxId as string)).toMatchObject({
      status: 'failed',
    });
    expect(await env.sesEmails(`${okId}@example.de`)).toHaveLength(1);
    expect(await env.sesEmails(`${rejectedId}@example.de`)).toHaveLength(0);
  });

  it('publishes each emitted event once per outbox entry, also after a failed publish and a replay', async () => {
    // Prepare
    const h = await harness({ publishFailures: 1 });
    const id = customer();
    await register(h, id);
    // Act
    const { errors } = await drain(h);
    await dispatchRecords(h.services.dispatcher, h.records);
    // Assess
    expect(errors).toEqual([expect.any(PublishError)]);
    const entered = h.publisher.published.filter((e) => e.detailType === 'journey.entered');
    expect(entered).toHaveLength(1);
    expect(entered[0]).toMatchObject({
      source: 'retention-journeys',
      detail: { customerId: id, journey: 'onboarding', outboxId: expect.any(String) },
    });
    const byOutboxId = new Map<unknown, number>();
    for (const e of h.publisher.published)
      byOutboxId.set(e.detail.outboxId, (byOutboxId.get(e.detail.outboxId) ?? 0) + 1);
    expect([...byOutboxId.values()].every((n) => n === 1)).toBe(true);
    const item = await h.services.store.getOutbox(id, entered[0]?.detail.outboxId as string);
    expect(item?.status).toBe('sent');
  });
});
