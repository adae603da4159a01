/**
 * The shipped journeys, decided by the pure engine on a virtual clock. Integration scenarios under
 * test/scenarios prove the same through the real store and dispatcher.
 */
import { describe, expect, it } from 'vitest';
import { nextAnniversary } from '../../functions/core/engine.ts';
import { localStamp } from '../../functions/core/time.ts';
import { anna, definition, engineConfig, loadDefinition, World } from '../support/engine-world.ts';

const postPurchase = loadDefinition('journeys/post-purchase.yaml');
const winBack = loadDefinition('journeys/win-back.yaml');
const birthday = loadDefinition('journeys/birthday.yaml');
const referee = loadDefinition('journeys/referral.yaml');
const referrer = loadDefinition('journeys/referral-reward.yaml');
const invite = loadDefinition('journeys/referral-invite.yaml');
const onboarding = loadDefinition('journeys/onboarding.yaml');

const order = (orderId: string, placedAt: string, amount = '59.90', currency = 'EUR') => ({
  orderId,
  customerId: 'c1',
  placedAt,
  total: { amount, currency },
  items: [{ sku: 'TEE-1', name: 'T-shirt', quantity: 2, unitPrice: { amount: '29.95', currency } }],
});
const berlin = (instant: string | undefined) => localStamp(instant ?? '', 'Europe/Berlin');

describe('post-purchase', () => {
  it('thanks a first-time buyer, asks for a review 7 days after delivery and comes back 30 days after it', () => {
    // Prepare
    const world = new World(postPurchase, '2026-04-01T10:00:00Z');
    world.deliver('customer.registered', anna);
    // Act
    world.deliver('order.placed', order('o1', '2026-04-01T10:00:00Z'));
    world.runUntil('2026-04-03T09:00:00Z');
    world.deliver('order.delivered', { orderId: 'o1', customerId: 'c1' });
    world.runUntil('2026-06-01T00:00:00Z');
    // Assess
    expect(world.sends.map((s) => [s.message, berlin(s.at)])).toEqual([
      ['thank-you-first', '2026-04-01 12:00'],
      ['review-request', '2026-04-10 11:00'],
      ['you-might-like', '2026-05-03 11:00'],
    ]);
    const thanks = world.sends[0]?.effect;
    expect(thanks?.kind === 'send' && thanks.data.order).toMatchObject({ orderId: 'o1', itemCount: 2 });
  });

  it('thanks a returning customer differently and asks at day 14 when no delivery came', () => {
    const world = new World(postPurchase, '2026-04-01T10:00:00Z');
    world.deliver('customer.registered', anna);
    world.deliver('order.placed', order('o0', '2026-03-01T10:00:00Z'), 'old', '2026-03-01T10:00:00Z');
    world.deliver('order.placed', order('o1', '2026-04-01T10:00:00Z'));
    world.runUntil('2026-04-20T00:00:00Z');
    const o1 = world.sends.filter((s) => s.effect.kind === 'send' && s.effect.instanceId === 'o1');
    expect(o1.map((s) => [s.message, berlin(s.at)])).toEqual([
      ['thank-you-returning', '2026-04-01 12:00'],
      ['review-request', '2026-04-15 12:00'],
    ]);
  });

  it('answers a low NPS score with sorry and a support follow-up, and skips the follow-up mail after a newer order', () => {
    const world = new World(postPurchase, '2026-04-01T10:00:00Z');
    world.deliver('customer.registered', anna);
    world.deliver('order.placed', order('o1', '2026-04-01T10:00:00Z'));
    world.deliver('order.delivered', { orderId: 'o1', customerId: 'c1' });
    world.runUntil('2026-04-09T10:00:00Z');
    world.deliver('feedback.submitted', { customerId: 'c1', orderId: 'o1', score: 3, comment: 'late' });
    world.deliver('feedback.submitted', { customerId: 'c1', orderId: 'o1', score: 3, comment: 'late' });
    world.runUntil('2026-04-20T10:00:00Z');
    world.deliver('order.placed', order('o2', '2026-04-20T10:00:00Z'));
    world.runUntil('2026-06-01T00:00:00Z');
    const o1 = world.sends
      .filter((s) => s.effect.kind === 'send' && s.effect.instanceId === 'o1')
      .map((s) => s.message);
    expect(o1).toEqual(['thank-you-first', 'review-request', 'sorry']);
    expect(world.emitted('support.followup.requested').map((e) => e.detail)).toEqual([
      expect.objectContaining({ orderId: 'o1', score: 3, comment: 'late', customerId: 'c1' }),
    ]);
  });

  it('counts an order stamped a moment ahead of our clock as the first order', () => {
    // The shop's clock runs 0.8 s ahead (placedAt has milliseconds, our clock does not).
    const world = new World(postPurchase, '2026-04-01T10:00:00Z');
    world.deliver('customer.registered', anna);
    world.deliver('order.placed', order('o1', '2026-04-01T10:00:00.800Z'));
    expect(world.sends.map((s) => s.message)).toEqual(['thank-you-first']);
  });

  it('stops on a refund of its own order only', () => {
    const world = new World(postPurchase, '2026-04-01T10:00:00Z');
    world.deliver('customer.registered', anna);
    world.deliver('order.placed', order('o1', '2026-04-01T10:00:00Z'));
    world.deliver('order.placed', order('o2', '2026-04-01T10:00:00Z'));
    world.deliver('order.refunded', { orderId: 'o1', customerId: 'c1' });
    expect(world.instances.find((i) => i.instanceId === 'o1')?.status).toBe('exited');
    expect(world.instances.find((i) => i.instanceId === 'o2')?.status).toBe('active');
  });
});

describe('win-back', () => {
  const customer = (id: string) => ({ ...anna, customerId: id });
  const orderOf = (id: string, orderId: string, at: string) => ({ ...order(orderId, at), customerId: id });

  /** A customer who is not in the 10 % holdout (assignment is a hash of ids). */
  function activeCustomer(): World {
    for (let i = 0; i < 50; i++) {
      const world = new World(winBack, '2026-01-05T10:00:00Z');
      world.deliver('customer.registered', customer(`w${i}`));
      world.deliver('order.placed', orderOf(`w${i}`, 'o1', '2026-01-05T10:00:00Z'));
      world.runUntil('2026-03-07T10:00:00Z');
      if (world.instances.some((x) => x.status !== 'watching' && !x.holdout)) return world;
    }
    throw new Error('no non-holdout customer found');
  }

  it('enters 60 days after the last order and sends three messages two weeks apart', () => {
    const world = activeCustomer();
    world.runUntil('2026-05-01T00:00:00Z');
    expect(world.sends.map((s) => [s.message, berlin(s.at)])).toEqual([
      ['we-miss-you', '2026-03-06 11:00'],
      ['comeback-offer', '2026-03-20 11:00'],
      ['last-chance', '2026-04-03 11:00'],
    ]);
    expect(world.emitted('coupon.issued').map((c) => c.detail.percentOff)).toEqual([10, 15]);
  });

  it('resets its clock with every order and stops the moment the customer orders', () => {
    const world = new World(winBack, '2026-01-05T10:00:00Z');
    world.deliver('customer.registered', anna);
    world.deliver('order.placed', order('o1', '2026-01-05T10:00:00Z'));
    world.runUntil('2026-02-20T10:00:00Z');
    world.deliver('order.placed', order('o2', '2026-02-20T10:00:00Z'));
    world.runUntil('2026-04-10T10:00:00Z'); // 60 days after o2 is 21 April
    expect(world.sends).toHaveLength(0);
    world.runUntil('2026-04-25T10:00:00Z');
    const entered = world.instances.filter((i) => i.status !== 'watching');
    expect(entered).toHaveLength(1);
    // 60 days on the customer's calendar: 11:00 in Berlin, now summer time.
    expect(entered[0]?.enteredAt).toBe('2026-04-21T09:00:00Z');
    world.deliver('order.placed', order('o3', '2026-04-25T10:00:00Z'));
    world.runUntil('2026-06-01T00:00:00Z');
    expect(world.instances.find((i) => i.status !== 'watching')?.status).toBe('exited');
    expect(world.sends.length).toBeLessThanOrEqual(1);
  });

  it('offers 20 % (VIP) to customers with three or more orders', () => {
    const world = new World(winBack, '2026-01-01T10:00:00Z');
    world.deliver('customer.registered', { ...anna, customerId: 'vip' });
    for (const [i, at] of [
      '2026-01-01T10:00:00Z',
      '2026-01-02T10:00:00Z',
      '2026-01-03T10:00:00Z',
    ].entries()) {
      world.now = at;
      world.deliver('order.placed', { ...order(`o${i}`, at), customerId: 'vip' });
    }
    world.runUntil('2026-06-01T00:00:00Z');
    const instance = world.instances.find((i) => i.status !== 'watching');
    if (instance?.holdout) return expect(world.sends).toHaveLength(0);
    expect(world.sends.map((s) => s.message)).toEqual(['we-miss-you', 'comeback-offer', 'last-chance-vip']);
    expect(world.emitted('coupon.issued').map((c) => c.detail.percentOff)).toEqual([10, 20]);
  });

  it('counts the goal within 30 days of the last message, also for holdout members', () => {
    let holdouts = 0;
    for (let i = 0; i < 60; i++) {
      const id = `g${i}`;
      const world = new World(winBack, '2026-01-05T10:00:00Z');
      world.deliver('customer.registered', customer(id));
      world.deliver('order.placed', orderOf(id, 'o1', '2026-01-05T10:00:00Z'));
      world.runUntil('2026-04-20T10:00:00Z'); // 17 days after the last message (3 April)
      world.deliver('order.placed', orderOf(id, 'o2', '2026-04-20T10:00:00Z'));
      const instance = world.instances.find((x) => x.status !== 'watching');
      expect(instance?.goalReachedAt).toBe('2026-04-20T10:00:00Z');
      if (instance?.holdout) {
        holdouts++;
        expect(world.sends).toHaveLength(0);
      }
    }
    expect(holdouts).toBeGreaterThan(0);
    expect(holdouts).toBeLessThan(15);
  });

  it('re-enters only 180 days after the last entry — then, if the customer is still lapsed', () => {
    const world = activeCustomer();
    const customerId = world.profile?.customerId;
    world.runUntil('2026-04-10T10:00:00Z');
    world.deliver('order.placed', { ...order('o9', '2026-04-10T10:00:00Z'), customerId });
    world.runUntil('2026-06-15T10:00:00Z'); // inactive again from 9 June, but re-entry only from 2 September
    const entered = () => world.instances.filter((i) => i.status !== 'watching');
    expect(entered()).toHaveLength(1);
    world.runUntil('2026-09-10T10:00:00Z');
    // 180 days after 6 March 11:00 CET on the customer's calendar: 2 September 11:00 CEST.
    expect(entered().map((i) => i.enteredAt)).toEqual(['2026-03-06T10:00:00Z', '2026-09-02T09:00:00Z']);
  });

  it('restarts the 60 days when the customer orders while held back from re-entry', () => {
    const world = activeCustomer();
    const customerId = world.profile?.customerId;
    world.runUntil('2026-04-10T10:00:00Z');
    world.deliver('order.placed', { ...order('o9', '2026-04-10T10:00:00Z'), customerId });
    world.runUntil('2026-08-20T10:00:00Z');
    world.deliver('order.placed', { ...order('o10', '2026-08-20T10:00:00Z'), customerId });
    world.runUntil('2026-11-15T10:00:00Z');
    const entered = world.instances.filter((i) => i.status !== 'watching').map((i) => i.enteredAt);
    expect(entered).toEqual(['2026-03-06T10:00:00Z', '2026-10-19T10:00:00Z']);
  });
});

describe('birthday', () => {
  it('celebrates 29 February on 28 February in non-leap years, at 09:00 in the customer time zone', () => {
    expect(nextAnniversary('02-29', '09:00', 'Europe/Berlin', '2026-01-01T00:00:00Z')).toBe(
      '2026-02-28T08:00:00Z',
    );
    expect(nextAnniversary('02-29', '09:00', 'Europe/Berlin', '2027-03-01T00:00:00Z')).toBe(
      '2028-02-29T08:00:00Z',
    );
    expect(nextAnniversary('03-10', '09:00', 'Pacific/Auckland', '2026-03-10T00:00:00Z')).toBe(
      '2027-03-09T20:00:00Z',
    );
  });

  it('sends the birthday coupon every year on the day, only with consent', () => {
    const world = new World(birthday, '2026-01-10T10:00:00Z');
    world.deliver('customer.registered', { ...anna, birthday: '02-29' });
    world.runUntil('2028-03-01T00:00:00Z');
    expect(world.sends.map((s) => berlin(s.at))).toEqual([
      '2026-02-28 09:00',
      '2027-02-28 09:00',
      '2028-02-29 09:00',
    ]);
    expect(world.emitted('coupon.issued')).toHaveLength(3);

    const noConsent = new World(birthday, '2026-01-10T10:00:00Z');
    noConsent.deliver('customer.registered', { ...anna, birthday: '02-15', marketingConsent: false });
    noConsent.runUntil('2026-03-01T00:00:00Z');
    expect(noConsent.sends).toHaveLength(0);
  });

  it('moves to a changed birthday', () => {
    const world = new World(birthday, '2026-01-10T10:00:00Z');
    world.deliver('customer.registered', { ...anna, birthday: '05-01' });
    world.deliver('customer.updated', { customerId: 'c1', birthday: '03-01' });
    world.runUntil('2026-06-01T00:00:00Z');
    expect(world.sends.map((s) => berlin(s.at))).toEqual(['2026-03-01 09:00']);
  });
});

describe('frequency cap across journeys', () => {
  const burst = (id: string, frequencyCap?: 'skip') =>
    definition({
      id,
      messages: { m: { class: 'marketing', ...(frequencyCap ? { frequencyCap } : {}) } },
      steps: [{ send: 'm' }],
    });

  it('holds the fourth marketing email in 7 days until a slot frees, unless the message says skip', () => {
    const world = new World(
      [burst('one'), burst('two'), burst('three'), burst('four'), burst('five', 'skip')],
      '2026-05-04T10:00:00Z',
    );
    world.deliver('customer.registered', anna);
    world.runUntil('2026-05-20T00:00:00Z');
    expect(world.sends.map((s) => [s.effect.kind === 'send' && s.effect.journeyId, s.at])).toEqual([
      ['one', '2026-05-04T10:00:00Z'],
      ['two', '2026-05-04T10:00:00Z'],
      ['three', '2026-05-04T10:00:00Z'],
      ['four', '2026-05-11T10:00:00Z'],
    ]);
    expect(world.trace.map((t) => t.note)).toContain('skips m: frequency cap reached');
  });

  it('honours the shop’s own cap (2 per 3 days here)', () => {
    const world = new World([burst('one'), burst('two'), burst('three')], '2026-05-04T10:00:00Z', {
      ...engineConfig,
      frequencyCap: { max: 2, per: 'P3D' },
    });
    world.deliver('customer.registered', anna);
    world.runUntil('2026-05-20T00:00:00Z');
    expect(world.sends.map((s) => [s.effect.kind === 'send' && s.effect.journeyId, s.at])).toEqual([
      ['one', '2026-05-04T10:00:00Z'],
      ['two', '2026-05-04T10:00:00Z'],
      ['three', '2026-05-07T10:00:00Z'],
    ]);
  });

  it('does not count transactional emails', () => {
    const transactional = (id: string) =>
      definition({ id, messages: { m: { class: 'transactional' } }, steps: [{ send: 'm' }] });
    const world = new World(
      [transactional('t1'), transactional('t2'), transactional('t3'), transactional('t4')],
      '2026-05-04T10:00:00Z',
    );
    world.deliver('customer.registered', anna);
    expect(world.sends).toHaveLength(4);
  });

  it('lets onboarding and a birthday on the same day share the week', () => {
    const world = new World([onboarding, birthday], '2026-03-02T08:00:00Z');
    world.deliver('customer.registered', { ...anna, birthday: '03-04' });
    world.runUntil('2026-03-10T00:00:00Z');
    const marketing = world.sends.filter(
      (s) => s.effect.kind === 'send' && s.effect.messageClass === 'marketing',
    );
    expect(marketing.map((s) => s.message)).toEqual(['getting-started', 'birthday', 'first-order-offer']);
  });
});

describe('referral', () => {
  it('welcomes the referee and earns the referrer a reward after a 14-day hold', () => {
    const world = new World(referee, '2026-05-01T10:00:00Z');
    world.deliver('customer.registered', { ...anna, customerId: 'ref' });
    world.deliver('referral.attributed', { customerId: 'ref', code: 'ABCD-EFGH', referrerId: 'owner' });
    world.runUntil('2026-05-03T10:00:00Z');
    world.deliver('order.placed', { ...order('o1', '2026-05-03T10:00:00Z', '25.00'), customerId: 'ref' });
    world.runUntil('2026-06-01T00:00:00Z');
    expect(world.sends.map((s) => s.message)).toEqual(['referral-welcome']);
    expect(world.emitted('coupon.issued').map((c) => c.detail.percentOff)).toEqual([10]);
    expect(world.emitted('referral.reward.earned')).toEqual([
      {
        at: '2026-05-17T10:00:00Z',
        detail: expect.objectContaining({
          customerId: 'owner',
          refereeId: 'ref',
          code: 'ABCD-EFGH',
          orderId: 'o1',
          currency: 'EUR',
        }),
      },
    ]);
  });

  it('earns nothing when the order is refunded inside the hold or is below the minimum', () => {
    const refunded = new World(referee, '2026-05-01T10:00:00Z');
    refunded.deliver('customer.registered', { ...anna, customerId: 'ref' });
    refunded.deliver('referral.attributed', { customerId: 'ref', code: 'ABCD-EFGH', referrerId: 'owner' });
    refunded.deliver('order.placed', { ...order('o1', '2026-05-01T10:00:00Z'), customerId: 'ref' });
    refunded.runUntil('2026-05-10T10:00:00Z');
    refunded.deliver('order.refunded', { orderId: 'o1', customerId: 'ref' });
    refunded.runUntil('2026-06-01T00:00:00Z');
    expect(refunded.emitted('referral.reward.earned')).toHaveLength(0);
    expect(refunded.emitted('referral.rejected').map((e) => e.detail.reason)).toEqual(['refunded']);

    const small = new World(referee, '2026-05-01T10:00:00Z');
    small.deliver('customer.registered', { ...anna, customerId: 'ref' });
    small.deliver('referral.attributed', { customerId: 'ref', code: 'ABCD-EFGH', referrerId: 'owner' });
    small.deliver('order.placed', { ...order('o1', '2026-05-01T10:00:00Z', '19.99'), customerId: 'ref' });
    small.runUntil('2026-06-01T00:00:00Z');
    expect(small.emitted('referral.rejected').map((e) => e.detail.reason)).toEqual([
      'below minimum order value',
    ]);
  });

  it('sends no reward email for a currency without a configured reward, and tells the shop why', () => {
    const world = new World(referrer, '2026-05-01T10:00:00Z');
    world.deliver('customer.registered', { ...anna, customerId: 'owner' });
    world.deliver('referral.reward.earned', {
      customerId: 'owner',
      refereeId: 'r1',
      code: 'C',
      orderId: 'o1',
      currency: 'SEK',
    });
    expect(world.sends).toEqual([]);
    expect(world.emitted('referral.reward.granted')).toEqual([]);
    expect(world.emitted('referral.rejected').map((e) => e.detail)).toEqual([
      expect.objectContaining({
        refereeId: 'r1',
        code: 'C',
        reason: 'no reward configured for currency "SEK"',
      }),
    ]);
  });

  it('grants the referrer at most 10 rewards per calendar year', () => {
    const world = new World(referrer, '2026-01-10T10:00:00Z');
    world.deliver('customer.registered', { ...anna, customerId: 'owner' });
    for (let i = 1; i <= 11; i++) {
      world.now = `2026-0${1 + Math.floor(i / 4)}-1${i % 4}T10:00:00Z`;
      world.deliver('referral.reward.earned', {
        customerId: 'owner',
        refereeId: `r${i}`,
        code: 'C',
        orderId: `o${i}`,
        currency: 'EUR',
      });
    }
    expect(world.emitted('referral.reward.granted')).toHaveLength(10);
    expect(world.emitted('referral.reward.granted')[0]?.detail).toMatchObject({
      reward: { amount: '10.00', currency: 'EUR' },
    });
    expect(world.emitted('referral.rejected').map((e) => e.detail.reason)).toEqual([
      'yearly reward cap reached',
    ]);
    world.now = '2027-01-05T10:00:00Z';
    world.deliver('referral.reward.earned', {
      customerId: 'owner',
      refereeId: 'r12',
      code: 'C',
      orderId: 'o12',
      currency: 'GBP',
    });
    expect(world.emitted('referral.reward.granted').at(-1)?.detail).toMatchObject({
      reward: { amount: '9.00', currency: 'GBP' },
    });
  });

  it('invites only customers with a referral code: not a guest who gave an address but never registered', () => {
    const guest = new World(invite, '2026-05-01T10:00:00Z');
    guest.deliver('customer.updated', { customerId: 'g1', email: 'guest@example.com', locale: 'en' });
    guest.deliver('customer.consent.changed', { customerId: 'g1', marketingConsent: true });
    guest.deliver('order.placed', { ...order('o1', '2026-05-01T10:00:00Z'), customerId: 'g1' });
    guest.deliver('order.delivered', { orderId: 'o1', customerId: 'g1' });
    guest.deliver('feedback.submitted', { customerId: 'g1', orderId: 'o1', score: 10 });
    guest.runUntil('2026-06-01T00:00:00Z');
    expect(guest.profile?.referralCode).toBeUndefined();
    expect(guest.sends).toEqual([]);
    expect(guest.instances.filter((i) => i.status !== 'watching')).toEqual([]);
  });

  it('invites friends 3 days after the first delivery, or at once on a 9–10 score, and only once', () => {
    const world = new World(invite, '2026-05-01T10:00:00Z');
    world.deliver('customer.registered', anna);
    world.deliver('order.placed', order('o1', '2026-05-01T10:00:00Z'));
    world.deliver('order.delivered', { orderId: 'o1', customerId: 'c1' });
    world.runUntil('2026-05-10T10:00:00Z');
    world.deliver('feedback.submitted', { customerId: 'c1', orderId: 'o1', score: 10 });
    world.runUntil('2026-06-01T00:00:00Z');
    expect(world.sends.map((s) => [s.message, berlin(s.at)])).toEqual([
      ['invite-friends', '2026-05-04 12:00'],
    ]);

    const promoter = new World(invite, '2026-05-01T10:00:00Z');
    promoter.deliver('customer.registered', anna);
    promoter.deliver('feedback.submitted', { customerId: 'c1', orderId: 'o1', score: 9 });
    expect(promoter.sends.map((s) => s.at)).toEqual(['2026-05-01T10:00:00Z']);
  });
});
