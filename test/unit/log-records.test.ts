/**
 * The analytics log's mapping (functions/analytics/records.ts), without I/O: every record type from
 * the event that makes it, deterministic and keyed ids, and hostile payloads that must neither throw
 * nor leak text into a record.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { analyticsKeys } from '../../functions/analytics/keys.ts';
import {
  type AnalyticsRecord,
  analyticsRecordSchema,
  RECORD_TYPES,
} from '../../functions/analytics/record.ts';
import { instanceOf, type RecordContext, where } from '../../functions/analytics/record-fields.ts';
import { analyticsRecords, analyticsSubject } from '../../functions/analytics/records.ts';
import { analyticsEventPatterns } from '../../functions/analytics/routing.ts';
import type { RawEvent } from '../../functions/core/events.ts';
import { outboxTag } from '../../functions/core/links.ts';
import { matchesPattern } from '../../functions/core/routing.ts';

const NOW = '2026-03-10T12:00:00.000Z';
const SECRET = new Uint8Array(32).fill(7);
const keys = analyticsKeys(SECRET);
const context: RecordContext = { keys, locale: 'de-AT', now: NOW };

const shop = (detailType: string, detail: Record<string, unknown>, id = `e-${detailType}`): RawEvent => ({
  id,
  source: 'shop',
  detailType,
  time: '2026-03-10T10:00:00Z',
  detail,
});
const system = (detailType: string, detail: Record<string, unknown>, id = 'envelope-1'): RawEvent => ({
  id,
  source: 'retention-journeys',
  detailType,
  time: '2026-03-10T11:00:00Z',
  detail,
});
const SES_DETAIL_TYPES: Record<string, string> = {
  Send: 'Email Sent',
  Delivery: 'Email Delivered',
  Open: 'Email Opened',
  Click: 'Email Clicked',
  Bounce: 'Email Bounced',
  Complaint: 'Email Complaint Received',
  Reject: 'Email Rejected',
  'Rendering Failure': 'Email Rendering Failed',
};
const ses = (
  eventType: string,
  extra: Record<string, unknown>,
  tags?: Record<string, string[]>,
): RawEvent => ({
  id: `ses-${eventType}`,
  source: 'aws.ses',
  detailType: SES_DETAIL_TYPES[eventType] ?? `Email ${eventType}`,
  time: '2026-03-10T11:30:00Z',
  detail: {
    eventType,
    mail: {
      timestamp: '2026-03-10T11:29:00.000Z',
      messageId: 'm-1',
      destination: ['anna@example.com'],
      tags: tags ?? {
        journey: ['post-purchase'],
        message: ['thank-you'],
        outbox: [outboxTag('cust-1', 'post-purchase#order-42#3')],
      },
    },
    ...extra,
  },
});

const one = (event: RawEvent, ctx: RecordContext = context): AnalyticsRecord => {
  const records = analyticsRecords(event, ctx);
  expect(records).toHaveLength(1);
  return records[0] as AnalyticsRecord;
};

describe('analytics records', () => {
  it('shop events: registration, update, consent, orders, refunds, feedback — keys, money, times', () => {
    const registered = one(
      shop('customer.registered', {
        customerId: 'cust-1',
        email: 'anna@example.com',
        firstName: 'Anna',
        locale: 'de-CH',
        marketingConsent: true,
        registeredAt: '2026-03-10T09:00:00+01:00',
      }),
    );
    expect(registered).toMatchObject({
      type: 'customer.registered',
      customer: keys.customer,
      consent: true,
      // The registration's own locale: the profile may not hold it yet.
      locale: 'de-CH',
      market: 'CH',
      time: '2026-03-10T08:00:00.000Z',
      recorded: NOW,
    });
    expect(one(shop('customer.updated', { customerId: 'cust-1', timeZone: 'Europe/Vienna' }))).toMatchObject({
      type: 'customer.updated',
      locale: 'de-AT',
      market: 'AT',
    });
    expect(
      one(shop('customer.consent.changed', { customerId: 'cust-1', marketingConsent: false })),
    ).toMatchObject({ type: 'customer.consent.changed', consent: false });

    const placed = one(
      shop('order.placed', {
        orderId: 'order-42',
        customerId: 'cust-1',
        placedAt: '2026-03-09T18:30:00Z',
        total: { amount: '59.90', currency: 'EUR' },
        items: [{ sku: 'A', name: 'Blue mug', quantity: 1 }],
        discountCode: 'SECRET-CODE',
      }),
    );
    expect(placed).toMatchObject({
      type: 'order.placed',
      order: keys.order('order-42'),
      amount: '59.90',
      currency: 'EUR',
      time: '2026-03-09T18:30:00.000Z',
    });
    expect(
      one(
        shop('order.delivered', {
          orderId: 'order-42',
          customerId: 'cust-1',
          deliveredAt: '2026-03-10T08:00:00Z',
        }),
      ),
    ).toMatchObject({ type: 'order.delivered', order: placed.order, time: '2026-03-10T08:00:00.000Z' });
    const partial = one(
      shop('order.refunded', {
        orderId: 'order-42',
        customerId: 'cust-1',
        amount: { amount: '10.00', currency: 'EUR' },
      }),
    );
    expect(partial).toMatchObject({
      type: 'order.refunded',
      order: placed.order,
      amount: '10.00',
      currency: 'EUR',
    });
    // A full refund has no amount; a second partial refund (another event) is another fact.
    const full = one(shop('order.refunded', { orderId: 'order-42', customerId: 'cust-1' }, 'e-refund-2'));
    expect(full).toMatchObject({ amount: null, currency: null });
    expect(full.id).not.toBe(partial.id);

    const feedback = one(
      shop('feedback.submitted', {
        customerId: 'cust-1',
        orderId: 'order-42',
        score: 9,
        comment: 'Anna here, call me at +43 1 234',
        feedbackId: 'fb-1',
      }),
    );
    expect(feedback).toMatchObject({ type: 'feedback.submitted', score: 9, order: placed.order });
    expect(JSON.stringify(feedback)).not.toMatch(/Anna|\+43/);
  });

  it('customer.deleted is recorded without any key, and its id names nobody', () => {
    const event = shop('customer.deleted', { customerId: 'cust-1' });
    expect(analyticsSubject(event, NOW)).toEqual({ kind: 'keyless' });
    const deleted = one(event, { keys: undefined, locale: undefined, now: NOW });
    expect(deleted).toMatchObject({ type: 'customer.deleted', customer: null, locale: null, market: null });
    expect(JSON.stringify(deleted)).not.toContain('cust-1');
  });

  it('a rejected shop event, or one of no customer, yields nothing', () => {
    const bad = shop('order.placed', {
      orderId: 'o',
      customerId: 'cust-1',
      placedAt: 'yesterday',
      total: {},
    });
    expect(analyticsSubject(bad, NOW)).toMatchObject({ kind: 'none' });
    expect(analyticsRecords(bad, context)).toEqual([]);
    // Too far in the future for the receiving clock: rejected by the handlers, so not recorded either.
    const future = shop('customer.consent.changed', { customerId: 'cust-1', marketingConsent: true });
    expect(analyticsRecords({ ...future, time: '2026-03-11T00:00:00Z' }, context)).toEqual([]);
    expect(analyticsRecords(shop('order.shipped', { customerId: 'cust-1' }), context)).toEqual([]);
    // An erased referee's pseudonym in another customer's event gets no secret.
    expect(analyticsSubject(system('coupon.issued', { customerId: 'erased-abc' }), NOW)).toMatchObject({
      kind: 'none',
    });
  });

  it('journey lifecycle: journey, instance, holdout on every journey.* record, goal, exit reason', () => {
    const lifecycle = (type: string, extra: Record<string, unknown> = {}) =>
      one(
        system(type, {
          customerId: 'cust-1',
          journey: 'win-back',
          instanceId: '20260310T110000Z',
          version: 'v1',
          holdout: true,
          outboxId: `win-back#20260310T110000Z#${type}`,
          ...extra,
        }),
      );
    const instance = keys.instance('win-back', '20260310T110000Z');
    expect(lifecycle('journey.entered')).toMatchObject({
      type: 'journey.entered',
      journey: 'win-back',
      instance,
      holdout: true,
      time: '2026-03-10T11:00:00.000Z',
    });
    expect(lifecycle('journey.exited', { reason: 'exitOn:order.placed' })).toMatchObject({
      reason: 'exitOn:order.placed',
      holdout: true,
    });
    expect(lifecycle('journey.exited', { reason: 'because Anna said so' }).reason).toBeNull();
    expect(lifecycle('journey.completed')).toMatchObject({ type: 'journey.completed', instance });
    expect(
      lifecycle('journey.goal.reached', { goal: 'order.placed', reachedAt: '2026-03-12T08:00:00Z' }),
    ).toMatchObject({ goal: 'order.placed', time: '2026-03-12T08:00:00.000Z', holdout: true });
  });

  it('system events are identified by their outbox id, not the envelope id (which differs on redelivery)', () => {
    const detail = {
      customerId: 'cust-1',
      journey: 'onboarding',
      instanceId: 'i1',
      holdout: false,
      outboxId: 'onboarding#i1#journey.entered',
    };
    const first = one(system('journey.entered', detail, 'envelope-1'));
    const again = one(system('journey.entered', detail, 'envelope-2'));
    expect(again).toEqual(first);
    // Another customer (another secret), the same fact: unrelated ids and keys.
    const other = one(system('journey.entered', detail), {
      ...context,
      keys: analyticsKeys(new Uint8Array(32).fill(8)),
    });
    expect(other.id).not.toBe(first.id);
    expect(other.customer).not.toBe(first.customer);
    expect(other.instance).not.toBe(first.instance);
  });

  it('coupon, referral and support events: money and closed-set reasons, never codes or comments', () => {
    const coupon = one(
      system('coupon.issued', {
        customerId: 'cust-1',
        code: 'ABCD-EFGH',
        amountOff: '5.00',
        currency: 'EUR',
        expiresAt: '2026-04-10T11:00:00Z',
        journey: 'win-back',
        message: 'we-miss-you',
        outboxId: 'win-back#20260310T110000Z#2#coupon',
      }),
    );
    expect(coupon).toMatchObject({
      type: 'coupon.issued',
      journey: 'win-back',
      message: 'we-miss-you',
      amount: '5.00',
      currency: 'EUR',
      instance: keys.instance('win-back', '20260310T110000Z'),
    });
    expect(JSON.stringify(coupon)).not.toContain('ABCD');
    const percent = one(
      system('coupon.issued', { customerId: 'cust-1', code: 'X', percentOff: 10, journey: 'win-back' }),
    );
    expect(percent).toMatchObject({ amount: null, currency: null });

    const created = one(
      system('referral.code.created', {
        customerId: 'cust-1',
        code: 'ANNA-1234',
        outboxId: 'profile#referral.code.created',
      }),
    );
    expect(created).toMatchObject({ type: 'referral.code.created', journey: null });
    expect(JSON.stringify(created)).not.toContain('ANNA');

    const reasons = [
      ['unknown code', 'unknown-code'],
      ['self-referral', 'self-referral'],
      ['alias of the referrer', 'alias-of-referrer'],
      ['not a new customer', 'not-a-new-customer'],
      ['no reward configured for currency "CHF"', 'no-reward-for-currency'],
      ['Anna <anna@example.com> tried twice', 'other'],
    ];
    for (const [reason, recorded] of reasons)
      expect(
        one(system('referral.rejected', { customerId: 'cust-1', code: 'ANNA-1234', reason })).reason,
      ).toBe(recorded);

    expect(
      one(
        system('referral.reward.granted', {
          customerId: 'cust-1',
          refereeId: 'cust-2',
          code: 'ANNA-1234',
          reward: { amount: '10.00', currency: 'EUR' },
          journey: 'referral-reward',
          outboxId: 'referral-reward#cust-2#0#reward',
        }),
      ),
    ).toMatchObject({
      type: 'referral.reward.granted',
      amount: '10.00',
      currency: 'EUR',
      instance: keys.instance('referral-reward', 'cust-2'),
    });

    const support = one(
      system('support.followup.requested', {
        customerId: 'cust-1',
        orderId: 'order-42',
        score: 3,
        comment: 'The mug arrived broken, Anna',
        journey: 'post-purchase',
        outboxId: 'post-purchase#order-42#7',
      }),
    );
    expect(support).toMatchObject({
      type: 'support.followup.requested',
      score: 3,
      order: keys.order('order-42'),
      instance: keys.instance('post-purchase', 'order-42'),
    });
    expect(JSON.stringify(support)).not.toMatch(/broken|Anna/);
    // Internal hand-overs are not recorded.
    expect(analyticsSubject(system('referral.attributed', { customerId: 'cust-1' }), NOW).kind).toBe('none');
  });

  it('SES outcomes: email.* with journey, message, send and instance; bounce reasons from SES types', () => {
    const send = keys.send('post-purchase#order-42#3');
    const instance = keys.instance('post-purchase', 'order-42');
    const sent = one(ses('Send', { send: {} }));
    expect(sent).toMatchObject({
      type: 'email.sent',
      journey: 'post-purchase',
      message: 'thank-you',
      send,
      instance,
      time: '2026-03-10T11:29:00.000Z',
    });
    expect(analyticsSubject(ses('Send', {}), NOW)).toEqual({ kind: 'customer', customerId: 'cust-1' });
    expect(one(ses('Delivery', { delivery: { timestamp: '2026-03-10T11:29:05Z' } })).type).toBe(
      'email.delivered',
    );
    const opened = one(ses('Open', { open: { timestamp: '2026-03-10T12:00:00Z', userAgent: 'x' } }));
    const openedLater = one(ses('Open', { open: { timestamp: '2026-03-11T12:00:00Z' } }));
    expect(opened.type).toBe('email.opened');
    // Every open is a fact of its own; a redelivered one is the same.
    expect(openedLater.id).not.toBe(opened.id);
    expect(one(ses('Open', { open: { timestamp: '2026-03-10T12:00:00Z' } })).id).toBe(opened.id);
    expect(
      one(ses('Click', { click: { link: 'https://shop.example/?email=anna@example.com' } })),
    ).toMatchObject({
      type: 'email.clicked',
    });
    for (const [bounceType, reason] of [
      ['Permanent', 'permanent'],
      ['Transient', 'transient'],
      ['Undetermined', 'undetermined'],
      ['Weird', 'undetermined'],
    ])
      expect(
        one(
          ses('Bounce', {
            bounce: { bounceType, bouncedRecipients: [{ emailAddress: 'anna@example.com' }] },
          }),
        ),
      ).toMatchObject({ type: 'email.bounced', reason });
    expect(one(ses('Complaint', { complaint: {} })).type).toBe('email.complained');
    expect(one(ses('Reject', { reject: { reason: 'Bad content' } }))).toMatchObject({
      type: 'email.rejected',
      reason: null,
    });
    expect(analyticsRecords(ses('Rendering Failure', {}), context)).toEqual([]);
    // An email this system did not tag is nobody's.
    expect(analyticsSubject(ses('Send', {}, {}), NOW).kind).toBe('none');
  });

  it('email.unsubscribed: the email whose link was used, consent false', () => {
    const record = one(
      system('customer.consent.changed', {
        customerId: 'cust-1',
        marketingConsent: false,
        reason: 'unsubscribe link',
        unsubscribedFrom: { journey: 'win-back', message: 'we-miss-you', outboxId: 'win-back#i7#1' },
        outboxId: 'consent#2026-03-10T11:00:00Z#abc',
      }),
    );
    expect(record).toMatchObject({
      type: 'email.unsubscribed',
      journey: 'win-back',
      message: 'we-miss-you',
      send: keys.send('win-back#i7#1'),
      instance: keys.instance('win-back', 'i7'),
      consent: false,
    });
    // A link from before emails named themselves: still an unsubscribe, of no known email.
    expect(
      one(
        system('customer.consent.changed', {
          customerId: 'cust-1',
          marketingConsent: false,
          reason: 'unsubscribe link',
        }),
      ),
    ).toMatchObject({ type: 'email.unsubscribed', journey: null, send: null });
  });

  it('instance ids from outbox ids, and market from the locale', () => {
    expect(instanceOf('post-purchase', 'post-purchase#order#42#3')).toBe('order#42');
    expect(instanceOf('win-back', 'win-back#i1#2#coupon')).toBe('i1');
    expect(instanceOf('win-back', 'win-back#i1#journey.entered')).toBe('i1');
    expect(instanceOf('win-back', 'onboarding#i1#2')).toBeUndefined();
    expect(instanceOf('win-back', 'win-back#nostep')).toBeUndefined();
    expect(where('de-at')).toEqual({ locale: 'de-AT', market: 'AT' });
    expect(where('es-419')).toEqual({ locale: 'es-419', market: null });
    expect(where('de')).toEqual({ locale: 'de', market: null });
    expect(where('not a locale!')).toEqual({ locale: null, market: null });
    expect(where(undefined)).toEqual({ locale: null, market: null });
  });

  it('every record type has a producer, and the routes hear exactly what produces records', () => {
    const patterns = analyticsEventPatterns('shop', 'retention-journeys');
    const heard = (e: RawEvent) => patterns.some((p) => matchesPattern(p, e));
    expect(heard(shop('order.placed', {}))).toBe(true);
    expect(heard(shop('order.shipped', {}))).toBe(false);
    expect(heard(system('journey.entered', {}))).toBe(true);
    expect(heard(system('referral.attributed', {}))).toBe(false);
    const tagged = (set: string) =>
      ses(
        'Send',
        {},
        { outbox: [outboxTag('cust-1', 'post-purchase#order-42#3')], 'ses:configuration-set': [set] },
      );
    expect(heard(tagged('retention-journeys'))).toBe(true);
    // Another configuration set's events are not heard (a second stack in the account).
    expect(heard(tagged('other-stack'))).toBe(false);
    expect(RECORD_TYPES).toHaveLength(35);
  });

  it('hostile payloads: never throws, every record valid, no text of the payload in any record', () => {
    const marker = 'LEAK@example.com';
    let produced = 0;
    const hostile = fc.oneof(
      fc.constant(marker),
      fc.string(),
      fc.integer(),
      fc.constant(null),
      fc.constant({ toString: marker }),
      fc.array(fc.constant(marker)),
      fc.dictionary(fc.constantFrom('amount', 'currency', 'timestamp', '__proto__'), fc.constant(marker)),
    );
    const detailTypes = fc.constantFrom(
      ...RECORD_TYPES,
      'customer.consent.changed',
      'Email Bounced',
      'constructor',
      '__proto__',
    );
    const fields = fc.dictionary(
      fc.constantFrom(
        'customerId',
        'orderId',
        'journey',
        'message',
        'instanceId',
        'outboxId',
        'reason',
        'goal',
        'comment',
        'code',
        'score',
        'amountOff',
        'currency',
        'reward',
        'holdout',
        'marketingConsent',
        'unsubscribedFrom',
        'eventType',
        'mail',
        'bounce',
        'reachedAt',
        'locale',
        'points',
        'pointsNeeded',
        'tier',
        'to',
        'direction',
        'rewardId',
        'movementId',
        'joinedAt',
      ),
      hostile,
    );
    fc.assert(
      fc.property(
        fc.constantFrom('shop', 'retention-journeys', 'aws.ses'),
        detailTypes,
        fields,
        fc.oneof(fc.constant('2026-03-10T10:00:00Z'), fc.string()),
        (source, detailType, detail, time) => {
          // A real customer id, so that records are built at all, plus hostile everything else.
          const event: RawEvent = {
            id: marker,
            source,
            detailType,
            time,
            detail: { customerId: 'c', ...detail },
          };
          expect(() => analyticsSubject(event, NOW)).not.toThrow();
          const records = analyticsRecords(event, context);
          produced += records.length;
          for (const record of records) {
            expect(analyticsRecordSchema.safeParse(record).success).toBe(true);
            expect(JSON.stringify(record)).not.toContain('LEAK');
          }
        },
      ),
      { numRuns: 500, seed: 9 },
    );
    // Not vacuous: hostile events around valid fields still make records, and none leaks.
    expect(produced).toBeGreaterThan(20);
    // Not even an object as detail, or no envelope at all.
    for (const detail of [null, 'text', [marker], 42])
      expect(
        analyticsRecords(
          { id: 'x', source: 'aws.ses', detailType: 'Email Sent', time: NOW, detail },
          context,
        ),
      ).toEqual([]);
    expect(analyticsRecords({} as RawEvent, context)).toEqual([]);
    expect(analyticsSubject({} as RawEvent, NOW).kind).toBe('none');
  });
});
