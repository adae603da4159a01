/**
 * The embedded runtime's EventBridge stand-in: PutEvents envelope handling, per-entry errors, fan-out
 * with the CDK rule patterns, and the rejected log for events no schema accepts.
 */
import { randomUUID } from 'node:crypto';
import { copyFile, mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { VirtualClock } from '../../functions/adapters/clock.ts';
import { buildCatalog } from '../../functions/catalog/build.ts';
import type { Catalog } from '../../functions/catalog/catalog.ts';
import { validatePutEventsRequest } from '../../local/runtime/put-events.ts';
import { LocalRuntime, type PublishedEvent } from '../../local/runtime/runtime.ts';
import { orderPlaced, registration } from '../support/scenario.ts';
import { testEnv } from './env.ts';

const ROOT = path.resolve(import.meta.dirname, '../..');
const START = '2026-03-02T08:00:00Z';
const env = testEnv();
let catalog: Catalog;

beforeAll(async () => {
  // Only the onboarding journey: these tests are about the plumbing, and must not change when
  // marketers add journeys.
  const journeysDir = await mkdtemp(path.join(tmpdir(), 'journeys-'));
  await copyFile(path.join(ROOT, 'journeys/onboarding.yaml'), path.join(journeysDir, 'onboarding.yaml'));
  ({ catalog } = await buildCatalog(ROOT, { defaultLocale: 'en', journeysDir }));
});

async function runtime() {
  const published: PublishedEvent[] = [];
  const rt = await LocalRuntime.create({
    catalog,
    clock: new VirtualClock(START),
    dynamoEndpoint: env.dynamoEndpoint,
    sesEndpoint: env.sesEndpoint,
    env: { TABLE_NAME: `local-runtime-${randomUUID()}` },
    onPublish: (event) => published.push(event),
  });
  return { rt, published };
}

const customer = () => `c-${randomUUID().slice(0, 8)}`;
const entry = (detailType: string, detail: unknown, extra: Record<string, string> = {}) => ({
  Source: 'shop',
  DetailType: detailType,
  Detail: typeof detail === 'string' ? detail : JSON.stringify(detail),
  EventBusName: 'retention-journeys',
  ...extra,
});

describe('LocalRuntime.putEvents', () => {
  it('gives valid entries EventIds, fails only the malformed ones, and still delivers the others', async () => {
    // Prepare
    const { rt } = await runtime();
    const id = customer();
    // Act
    const result = await rt.putEvents([
      entry('customer.registered', registration(id)),
      entry('customer.updated', '{"customerId": "x", '),
      entry('customer.updated', '[1, 2]'),
      { DetailType: 'customer.updated', Detail: '{}' },
      entry('customer.updated', { customerId: id, firstName: 'Berta' }, { Time: 'yesterday-ish' }),
      entry('customer.updated', { customerId: id, firstName: 'Carla' }, { Time: '2026-03-02T08:00:01.500Z' }),
    ]);
    // Assess: the PutEvents response shape, entry by entry
    expect(result.FailedEntryCount).toBe(4);
    expect(result.Entries).toEqual([
      { EventId: expect.any(String) },
      { ErrorCode: 'MalformedDetail', ErrorMessage: expect.stringMatching(/JSON/) },
      { ErrorCode: 'MalformedDetail', ErrorMessage: expect.stringMatching(/object/) },
      { ErrorCode: 'InvalidArgument', ErrorMessage: expect.stringMatching(/Source/) },
      { ErrorCode: 'InvalidArgument', ErrorMessage: expect.stringMatching(/Time/) },
      { EventId: expect.any(String) },
    ]);
    const ids = result.Entries.flatMap((e) => ('EventId' in e ? [e.EventId] : []));
    expect(new Set(ids).size).toBe(2);
    // Delivered: both valid entries, to the profile and onboarding (the loyalty program ships switched
    // off, and a program switched off has no route, as it has no function in AWS).
    expect(result.deliveries.map((d) => d.event.id)).toEqual(ids);
    expect(result.deliveries[0]?.targets.map((t) => [t.target, t.outcome?.status])).toEqual([
      ['profile', 'applied'],
      ['journey:onboarding', 'applied'],
    ]);
    expect(result.deliveries[1]?.event.time).toBe('2026-03-02T08:00:01Z');
    // An update may bring the address a held send waits for: every journey that sends gets it.
    expect(result.deliveries[1]?.targets.map((t) => [t.target, t.outcome?.status])).toEqual([
      ['profile', 'applied'],
      ['journey:onboarding', 'unchanged'],
    ]);
    expect(await rt.services.store.getProfile(id)).toMatchObject({
      email: `${id}@example.de`,
      firstName: 'Carla',
      marketingConsent: true,
    });
  });

  it('refuses aws.* sources, as EventBridge does: a forged SES event settles no email', async () => {
    // Prepare
    const { rt } = await runtime();
    // Act
    const result = await rt.putEvents([
      entry(
        'Email Delivered',
        { eventType: 'Delivery', mail: { tags: { outbox: ['x'] } } },
        { Source: 'aws.ses' },
      ),
    ]);
    // Assess
    expect(result.Entries).toEqual([
      { ErrorCode: 'NotAuthorizedForSourceException', ErrorMessage: expect.stringMatching(/AWS services/) },
    ]);
    expect(result.deliveries).toEqual([]);
  });

  it('stamps an entry without Time with the runtime clock', async () => {
    const { rt } = await runtime();
    const result = await rt.putEvents([entry('customer.registered', registration(customer()))]);
    expect(result.deliveries[0]?.event).toMatchObject({
      source: 'shop',
      detailType: 'customer.registered',
      time: START,
    });
  });

  it('delivers a registration end to end: the welcome lands in the SES emulator, journey.entered is published', async () => {
    const { rt, published } = await runtime();
    const id = customer();
    await rt.putEvents([entry('customer.registered', registration(id))]);
    const { outcomes, failures } = await rt.drainOutbox();
    expect(failures).toEqual([]);
    expect(outcomes.filter((o) => o.status === 'sent').map((o) => o.status === 'sent' && o.message)).toEqual([
      'welcome',
    ]);
    expect(await env.sesEmails(`${id}@example.de`)).toHaveLength(1);
    const types = published.map((e) => e.detailType);
    expect(types.filter((t) => t === 'journey.entered')).toHaveLength(1);
    expect(new Set(types).size).toBe(types.length); // each emitted event published once
  });
});

describe('LocalRuntime routing', () => {
  it('rejects an unknown detail-type from the shop source on the rejected log instead of dropping it', async () => {
    // Prepare
    const { rt } = await runtime();
    const id = customer();
    // Act
    const result = await rt.putEvents([entry('customer.registred', registration(id))]);
    // Assess
    const [delivery] = result.deliveries;
    expect(result.FailedEntryCount).toBe(0);
    expect(delivery?.targets).toEqual([
      {
        target: 'profile',
        outcome: {
          status: 'rejected',
          errors: [expect.stringMatching(/^detail-type: "customer\.registred" is not a shop event/)],
        },
      },
    ]);
    const recorded = (await rt.services.store.rejections('2026-03-02')).filter(
      (r) => r.eventId === delivery?.event.id,
    );
    expect(recorded).toEqual([
      expect.objectContaining({ detailType: 'customer.registred', source: 'shop', consumer: 'profile' }),
    ]);
    expect(await rt.services.store.getProfile(id)).toBeUndefined();
  });

  it('a known detail-type with an invalid detail is rejected by every target and recorded once', async () => {
    const { rt } = await runtime();
    const id = customer();
    const result = await rt.putEvents([
      entry('customer.registered', registration(id, { email: 'not-an-email' })),
    ]);
    const [delivery] = result.deliveries;
    expect(delivery?.targets.map((t) => [t.target, t.outcome?.status])).toEqual([
      ['profile', 'rejected'],
      ['journey:onboarding', 'rejected'],
    ]);
    const outcome = delivery?.targets[0]?.outcome;
    expect(outcome?.status === 'rejected' && outcome.errors).toEqual([expect.stringMatching(/^email: /)]);
    const recorded = (await rt.services.store.rejections('2026-03-02')).filter(
      (r) => r.eventId === delivery?.event.id,
    );
    expect(recorded).toHaveLength(1);
  });

  it('routes only the detail-types a journey listens to, and nothing from other sources', async () => {
    const { rt } = await runtime();
    const id = customer();
    const result = await rt.putEvents([
      entry('customer.consent.changed', { customerId: id, marketingConsent: false }),
      entry('customer.registered', registration(id), { Source: 'other-shop' }),
    ]);
    expect(result.deliveries.map((d) => d.targets.map((t) => t.target))).toEqual([['profile'], []]);
  });
});

/** The shipped loyalty program, switched on (it ships off). */
function switchedOn(c: Catalog) {
  if (!c.loyalty) throw new Error('the catalog has no loyalty program');
  return { ...c.loyalty, enabled: true };
}

describe('LocalRuntime and the loyalty program', () => {
  it('earns on an order, releases the points when the sweeper finds the hold over, and publishes both', async () => {
    // Prepare: a member with an order of 59.90 EUR (59 points, pending for the 14-day hold)
    const clock = new VirtualClock(START);
    const published: PublishedEvent[] = [];
    const rt = await LocalRuntime.create({
      catalog: { ...catalog, loyalty: switchedOn(catalog) },
      clock,
      dynamoEndpoint: env.dynamoEndpoint,
      sesEndpoint: env.sesEndpoint,
      env: { TABLE_NAME: `local-runtime-${randomUUID()}` },
      onPublish: (event) => published.push(event),
    });
    const id = customer();
    await rt.putEvents([entry('customer.registered', registration(id))]);
    const order = await rt.putEvents([entry('order.placed', orderPlaced(id, 'o1', START))]);
    await rt.drainOutbox();
    const loyaltyEvents = () =>
      published
        .filter((e) => e.detailType.startsWith('loyalty.'))
        .map((e) => [e.detailType, e.detail.points]);

    // Act: a minute before the hold ends, then at its end
    clock.set('2026-03-16T07:59:00Z');
    const early = await rt.sweep();
    await rt.drainOutbox();
    const before = loyaltyEvents();
    clock.set('2026-03-16T08:00:00Z');
    const due = await rt.sweep();
    await rt.drainOutbox();

    // Assess
    expect(order.deliveries[0]?.targets.find((t) => t.target === 'loyalty')?.outcome?.status).toBe('applied');
    expect(early.failed).toEqual([]);
    expect(before).toEqual([
      ['loyalty.member.joined', undefined],
      ['loyalty.points.earned', 100],
      ['loyalty.points.earned', 59],
    ]);
    expect(due.failed).toEqual([]);
    expect(loyaltyEvents().slice(before.length)).toEqual([['loyalty.points.available', 59]]);
    expect(published.find((e) => e.detailType === 'loyalty.points.available')?.detail).toMatchObject({
      customerId: id,
      orderId: 'o1',
      balance: 159,
    });
  });
});

describe('validatePutEventsRequest (the /events body shape)', () => {
  it('names the entry index and field of a malformed entry instead of failing later with a TypeError', () => {
    const reason = (body: unknown) => {
      const checked = validatePutEventsRequest(body);
      return 'error' in checked ? checked.error : undefined;
    };
    expect(reason(null)).toMatch(/JSON object/);
    expect(reason({ Entries: [] })).toMatch(/1 to 10/);
    expect(reason({ Entries: Array.from({ length: 11 }, () => ({})) })).toMatch(/1 to 10/);
    expect(reason({ Entries: [null] })).toBe('Entries[0] must be an object, not null');
    expect(reason({ Entries: [{}, [1]] })).toBe('Entries[1] must be an object, not an array');
    expect(reason({ Entries: [{ Source: 5 }] })).toBe('Entries[0].Source must be a string, not a number');
    expect(reason({ Entries: [{ DetailType: null }] })).toBe(
      'Entries[0].DetailType must be a string, not null',
    );
    expect(reason({ Entries: [{ Detail: { a: 1 } }] })).toBe(
      'Entries[0].Detail must be a string, not an object',
    );
    expect(reason({ Entries: [{ Time: true }] })).toMatch(/^Entries\[0\]\.Time must be/);
    expect(reason({ Entries: [{ Resources: [1] }] })).toMatch(/^Entries\[0\]\.Resources/);
  });

  it('passes well-formed entries on (incomplete ones get their per-entry error from putEvents) and reads SDK epoch seconds', () => {
    const checked = validatePutEventsRequest({
      Entries: [{ Source: 'shop', DetailType: 'customer.updated', Detail: '{}', Time: 1_772_438_400 }, {}],
    });
    expect(checked).toEqual({
      entries: [
        { Source: 'shop', DetailType: 'customer.updated', Detail: '{}', Time: '2026-03-02T08:00:00.000Z' },
        {},
      ],
    });
  });
});
