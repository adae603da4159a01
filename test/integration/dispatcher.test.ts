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
import { PublishError, RetryableSendError } from '../../functions/adapters/errors.ts';
import {
  type Mailer,
  type OutgoingEmail,
  type SendResult,
  SesMailer,
} from '../../functions/adapters/mailer.ts';
import type { EventPublisher, OutgoingEvent } from '../../functions/adapters/publisher.ts';
import { buildCatalog } from '../../functions/catalog/build.ts';
import type { Catalog } from '../../functions/catalog/catalog.ts';
import { configFromEnv } from '../../functions/config.ts';
import type { RawEvent } from '../../functions/core/events.ts';
import { outboxTag } from '../../functions/core/links.ts';
import type { SendEffect } from '../../functions/core/model.ts';
import { createServices, type Services } from '../../functions/services/container.ts';
import type { DispatchOutcome } from '../../functions/services/dispatcher.ts';
import { dispatchRecords } from '../../functions/services/stream.ts';
import { StreamPoller } from '../../local/runtime/stream-poller.ts';
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

/**
 * The real SES mailer, throttled for the first `failures` calls (or for chosen addresses,
 * permanently); `crash` makes the process "die" (an exception that is not an SES fault) right before
 * or right after SES took the email, as a `kill -9` between send and mark would.
 */
class FaultyMailer implements Mailer {
  calls = 0;
  constructor(
    private readonly inner: Mailer,
    private readonly failures = 0,
    private readonly rejected = new Set<string>(),
    private readonly crash = new Map<string, 'before' | 'after'>(),
  ) {}
  async send(email: OutgoingEmail): Promise<SendResult> {
    this.calls++;
    if (this.calls <= this.failures)
      throw new RetryableSendError('SES did not send (throttled or paused): TooManyRequestsException');
    if (this.rejected.has(email.to))
      return { ok: false, permanent: true, reason: 'MessageRejected: Email address is not verified.' };
    const crash = this.crash.get(email.to);
    if (crash) {
      this.crash.delete(email.to);
      if (crash === 'after') await this.inner.send(email);
      throw new Error('the process died');
    }
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
  options: {
    sesFailures?: number;
    publishFailures?: number;
    rejected?: string[];
    crash?: [address: string, when: 'before' | 'after'][];
  } = {},
) {
  const { tableName, streamArn } = await env.createTestTable('dispatcher');
  const clock = new VirtualClock(START);
  const config = configFromEnv({
    TABLE_NAME: tableName,
    SIGNING_SECRET: 'test-signing-secret-0123456789',
    SENDER_ADDRESS: 'hello@shop.example',
  });
  const mailer = new FaultyMailer(
    new SesMailer(ses),
    options.sesFailures,
    new Set(options.rejected),
    new Map(options.crash),
  );
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

/**
 * The one-minute schedule on the virtual clock: jump to the next timer (within the first day: the
 * journey's own next step is two days on), sweep, drain what it requeued.
 */
async function sweepAndDrain(h: Harness, rounds = 10) {
  const outcomes: DispatchOutcome[] = [];
  for (let i = 0; i < rounds; i++) {
    const next = await h.services.store.nextTimer();
    if (!next || Date.parse(next) > Date.parse(START) + 86_400_000) break;
    if (Date.parse(next) > Date.parse(h.clock.now())) h.clock.set(next);
    await h.services.sweeper.sweep(h.clock.now());
    outcomes.push(...(await drain(h)).outcomes);
  }
  return outcomes;
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
  it('defers a throttled SES send with backoff; the sweeper requeues it and it goes out exactly once', async () => {
    // Prepare
    const h = await harness({ sesFailures: 1 });
    const id = customer();
    await register(h, id);
    // Act: the first attempt is throttled
    const first = await drain(h);
    // Assess: nothing thrown (the stream shard is not blocked), the entry waits for its retry
    expect(first.errors).toEqual([]);
    const retrying = first.outcomes.find((o) => o.status === 'retrying');
    expect(retrying).toMatchObject({ reason: expect.stringContaining('TooManyRequestsException') });
    const outboxId = retrying?.outboxId as string;
    const waiting = await h.services.store.getOutbox(id, outboxId);
    expect(waiting).toMatchObject({ status: 'retry', attempts: 1, dueAt: expect.any(String) });
    expect(Date.parse(waiting?.dueAt as string)).toBeGreaterThan(Date.parse(START));
    // Act: the sweeper finds it due and puts it back; the stream brings it to the dispatcher
    const later = await sweepAndDrain(h);
    // Assess
    expect(h.mailer.calls).toBe(2);
    expect(sent(later)).toEqual(['welcome']);
    expect(await env.sesEmails(`${id}@example.de`)).toHaveLength(1);
    const item = await h.services.store.getOutbox(id, outboxId);
    expect(item).toMatchObject({
      status: 'sent',
      attempts: 1,
      lastError: expect.stringContaining('TooManyRequestsException'),
      messageId: expect.any(String),
      sentAt: waiting?.dueAt,
      locale: 'de',
    });
    expect(item?.dueAt).toBeUndefined();
  });

  it('counts every deferred attempt on the entry and backs off longer each time', async () => {
    const h = await harness({ sesFailures: 3 });
    const id = customer();
    await register(h, id);
    const first = await drain(h);
    const outboxId = first.outcomes.find((o) => o.status === 'retrying')?.outboxId as string;
    const dues: string[] = [];
    for (let i = 0; i < 3; i++) {
      const entry = await h.services.store.getOutbox(id, outboxId);
      if (entry?.status !== 'retry') break;
      dues.push(entry.dueAt as string);
      await sweepAndDrain(h, 1);
    }
    expect(sent(await sweepAndDrain(h))).toEqual([]);
    const gaps = dues.map((d, i) => Date.parse(d) - Date.parse(i === 0 ? START : (dues[i - 1] as string)));
    expect(gaps).toHaveLength(3);
    expect(gaps[1]).toBeGreaterThan(gaps[0] as number);
    expect(gaps[2]).toBeGreaterThan(gaps[1] as number);
    expect(await h.services.store.getOutbox(id, outboxId)).toMatchObject({ status: 'sent', attempts: 3 });
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

  it('heals entries a crash left in `sending`: settled by SES events when SES had the email, else resent', async () => {
    // Prepare: the process dies before SES got one email and after SES took the other
    const lost = customer();
    const gone = customer();
    const h = await harness({
      crash: [
        [`${lost}@example.de`, 'before'],
        [`${gone}@example.de`, 'after'],
      ],
    });
    await register(h, lost);
    await register(h, gone);
    const first = await drain(h);
    const welcome = (id: string) =>
      h.records
        .map((r) => r.dynamodb?.NewImage)
        .find((image) => image?.PK?.S === `C#${id}` && image?.SK?.S?.endsWith('#0'))
        ?.SK?.S?.slice('OUT#'.length) as string;
    expect(first.errors).toHaveLength(2);
    for (const id of [lost, gone])
      expect(await h.services.store.getOutbox(id, welcome(id))).toMatchObject({
        status: 'sending',
        dueAt: '2026-03-02T08:15:00Z',
      });
    // A redelivery of the batch does not send again
    await dispatchRecords(h.services.dispatcher, h.records);
    expect(await env.sesEmails(`${gone}@example.de`)).toHaveLength(1);
    // SES publishes its Send event for the email it took (tagged with the outbox id)
    const [email] = await env.sesEmails(`${gone}@example.de`);
    const settled = await h.services.sesEvents.handle({
      id: `ses-${randomUUID()}`,
      detailType: 'Email Sent',
      time: START,
      detail: {
        eventType: 'Send',
        mail: {
          timestamp: START,
          messageId: email?.messageId,
          tags: { outbox: [outboxTag(gone, welcome(gone))] },
        },
        send: {},
      },
    });
    expect(settled).toMatchObject({ status: 'recorded', kind: 'sent', settled: true });
    // Act: the grace period passes
    const later = await sweepAndDrain(h);
    // Assess: the one SES never had is sent once; the other is not sent again
    expect(sent(later)).toEqual(['welcome']);
    expect(await env.sesEmails(`${lost}@example.de`)).toHaveLength(1);
    expect(await env.sesEmails(`${gone}@example.de`)).toHaveLength(1);
    expect(await h.services.store.getOutbox(lost, welcome(lost))).toMatchObject({
      status: 'sent',
      resends: 1,
    });
    expect(await h.services.store.getOutbox(gone, welcome(gone))).toMatchObject({
      status: 'sent',
      settledBy: 'ses-event',
      messageId: email?.messageId,
    });
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
