/**
 * The customer projection (functions/core/profile.ts): pure, so every out-of-order and duplicate case
 * EventBridge can produce is checked here without a table.
 */
import { describe, expect, it } from 'vitest';
import { parseShopEvent, type ShopEvent } from '../../functions/core/events.ts';
import type { Order, Profile } from '../../functions/core/model.ts';
import { type CustomerFacts, placedOrders, projectEvent } from '../../functions/core/profile.ts';

let seq = 0;
function event(detailType: string, time: string, detail: Record<string, unknown>): ShopEvent {
  const parsed = parseShopEvent({ id: `evt-${++seq}`, source: 'shop', detailType, time, detail });
  if (!parsed.ok) throw new Error(parsed.errors.join('; '));
  return parsed.event;
}

const none: CustomerFacts = { profile: undefined, orders: [] };

const registration = (overrides: Record<string, unknown> = {}) => ({
  customerId: 'c1',
  email: 'anna@example.de',
  firstName: 'Anna',
  locale: 'de-DE',
  timeZone: 'Europe/Berlin',
  marketingConsent: true,
  ...overrides,
});

const placed = (orderId: string, placedAt: string, amount = '59.90') => ({
  orderId,
  customerId: 'c1',
  placedAt,
  total: { amount, currency: 'EUR' },
});

/** Applies events one after another, as the profile service does with what it stored. */
function project(events: ShopEvent[], start: CustomerFacts = none): CustomerFacts {
  return events.reduce<CustomerFacts>((facts, e) => {
    const p = projectEvent(facts, e);
    return { profile: p.profile, orders: p.orders };
  }, start);
}

describe('profile projection: registration', () => {
  it('creates the profile from a registration, stamped with the event time', () => {
    // Prepare
    const registered = event('customer.registered', '2026-03-02T08:00:00Z', registration());
    // Act
    const result = projectEvent(none, registered);
    // Assess
    expect(result.profileChanged).toBe(true);
    expect(result.erase).toBe(false);
    expect(result.changedOrders).toEqual([]);
    expect(result.profile).toEqual<Profile>({
      customerId: 'c1',
      email: 'anna@example.de',
      firstName: 'Anna',
      locale: 'de-DE',
      timeZone: 'Europe/Berlin',
      marketingConsent: true,
      consentAt: '2026-03-02T08:00:00Z',
      registeredAt: '2026-03-02T08:00:00Z',
      updatedAt: '2026-03-02T08:00:00Z',
    });
  });

  it('keeps registeredAt from the detail when the shop sends it', () => {
    const registered = event(
      'customer.registered',
      '2026-03-02T08:00:00Z',
      registration({ registeredAt: '2026-03-01T10:00:00Z', referredByCode: 'ABCD-EFGH' }),
    );
    const { profile } = projectEvent(none, registered);
    expect(profile).toMatchObject({ registeredAt: '2026-03-01T10:00:00Z', referredByCode: 'ABCD-EFGH' });
  });

  it('a duplicate registration under another event id changes no fact', () => {
    const first = project([event('customer.registered', '2026-03-02T08:00:00Z', registration())]);
    const again = projectEvent(first, event('customer.registered', '2026-03-02T08:00:00Z', registration()));
    expect(again.profile).toEqual(first.profile);
  });
});

describe('profile projection: late and out-of-order updates', () => {
  it('a late (older) customer.updated does not overwrite newer facts', () => {
    // Prepare: the registration at 10:00 is the newest word on the locale and the email.
    const facts = project([
      event('customer.registered', '2026-03-02T10:00:00Z', registration({ locale: 'de-DE' })),
    ]);
    const late = event('customer.updated', '2026-03-02T09:00:00Z', {
      customerId: 'c1',
      locale: 'fr-FR',
      email: 'old@example.de',
    });
    // Act
    const result = projectEvent(facts, late);
    // Assess
    expect(result.profile).toMatchObject({
      locale: 'de-DE',
      email: 'anna@example.de',
      updatedAt: '2026-03-02T10:00:00Z',
    });
  });

  it('a late (older) customer.updated still fills in facts that are missing', () => {
    // Prepare: the registration carries no first name and no birthday.
    const facts = project([
      event('customer.registered', '2026-03-02T10:00:00Z', registration({ firstName: undefined })),
    ]);
    expect(facts.profile?.firstName).toBeUndefined();
    const late = event('customer.updated', '2026-03-02T09:00:00Z', {
      customerId: 'c1',
      firstName: 'Anna',
      birthday: '02-29',
      locale: 'fr-FR',
    });
    // Act
    const result = projectEvent(facts, late);
    // Assess
    expect(result.profileChanged).toBe(true);
    expect(result.profile).toMatchObject({
      firstName: 'Anna',
      birthday: '02-29',
      locale: 'de-DE', // newer fact kept
      updatedAt: '2026-03-02T10:00:00Z', // a fill-in does not make the profile newer
    });
  });

  it('a late customer.updated that has nothing to fill in changes nothing', () => {
    const facts = project([event('customer.registered', '2026-03-02T10:00:00Z', registration())]);
    const late = event('customer.updated', '2026-03-02T09:00:00Z', { customerId: 'c1', locale: 'fr-FR' });
    const result = projectEvent(facts, late);
    expect(result.profileChanged).toBe(false);
    expect(result.profile).toEqual(facts.profile);
  });

  it('a newer customer.updated overwrites only the fields it carries', () => {
    const facts = project([event('customer.registered', '2026-03-02T10:00:00Z', registration())]);
    const result = projectEvent(
      facts,
      event('customer.updated', '2026-03-03T10:00:00Z', { customerId: 'c1', email: 'anna@new.example' }),
    );
    expect(result.profile).toMatchObject({
      email: 'anna@new.example',
      firstName: 'Anna',
      locale: 'de-DE',
      marketingConsent: true,
      updatedAt: '2026-03-03T10:00:00Z',
    });
  });

  it('a registration arriving after a newer update fills in without overwriting it', () => {
    // Prepare: the update (10:00) overtook the registration (09:00) on the bus.
    const facts = project([
      event('customer.updated', '2026-03-02T10:00:00Z', { customerId: 'c1', locale: 'fr-FR' }),
    ]);
    // Act
    const result = projectEvent(
      facts,
      event('customer.registered', '2026-03-02T09:00:00Z', registration({ locale: 'de-DE' })),
    );
    // Assess: the newer locale stays, the rest of the registration fills in, including its consent,
    // which the update never spoke about.
    expect(result.profile).toMatchObject({
      locale: 'fr-FR',
      email: 'anna@example.de',
      firstName: 'Anna',
      marketingConsent: true,
      registeredAt: '2026-03-02T09:00:00Z',
    });
  });
});

describe('profile projection: consent', () => {
  it('a consent change withdraws marketing consent', () => {
    const facts = project([event('customer.registered', '2026-03-02T08:00:00Z', registration())]);
    const result = projectEvent(
      facts,
      event('customer.consent.changed', '2026-03-03T08:00:00Z', {
        customerId: 'c1',
        marketingConsent: false,
      }),
    );
    expect(result.profileChanged).toBe(true);
    expect(result.profile).toMatchObject({ marketingConsent: false, email: 'anna@example.de' });
  });

  it('a late consent change does not undo a newer one', () => {
    const facts = project([
      event('customer.registered', '2026-03-02T08:00:00Z', registration()),
      event('customer.consent.changed', '2026-03-04T08:00:00Z', {
        customerId: 'c1',
        marketingConsent: false,
      }),
    ]);
    const late = event('customer.consent.changed', '2026-03-03T08:00:00Z', {
      customerId: 'c1',
      marketingConsent: true,
    });
    expect(projectEvent(facts, late).profile?.marketingConsent).toBe(false);
  });

  it('a consent change is not made stale by a newer update of other fields', () => {
    // Prepare: an address change (12:00) overtook the withdrawal (11:00) on the bus.
    const facts = project([
      event('customer.registered', '2026-03-02T08:00:00Z', registration()),
      event('customer.updated', '2026-03-02T12:00:00Z', { customerId: 'c1', email: 'anna@new.example' }),
    ]);
    // Act
    const result = projectEvent(
      facts,
      event('customer.consent.changed', '2026-03-02T11:00:00Z', {
        customerId: 'c1',
        marketingConsent: false,
      }),
    );
    // Assess
    expect(result.profileChanged).toBe(true);
    expect(result.profile).toMatchObject({ marketingConsent: false, email: 'anna@new.example' });
  });

  it('a withdrawal that overtook the registration is not undone by the registration', () => {
    const facts = project([
      event('customer.consent.changed', '2026-03-02T09:00:00Z', {
        customerId: 'c1',
        marketingConsent: false,
      }),
    ]);
    const result = projectEvent(
      facts,
      event('customer.registered', '2026-03-02T08:00:00Z', registration({ marketingConsent: true })),
    );
    expect(result.profile).toMatchObject({ marketingConsent: false, email: 'anna@example.de' });
  });
});

describe('profile projection: orders', () => {
  it('records a placed order', () => {
    const result = projectEvent(
      none,
      event('order.placed', '2026-03-05T08:00:00Z', placed('o1', '2026-03-05T08:00:00Z')),
    );
    expect(result.changedOrders).toEqual<Order[]>([
      { orderId: 'o1', placedAt: '2026-03-05T08:00:00Z', total: { amount: '59.90', currency: 'EUR' } },
    ]);
    expect(result.profileChanged).toBe(false);
    expect(placedOrders(result.orders)).toHaveLength(1);
  });

  it('counts the same order told twice once and writes nothing the second time', () => {
    // Prepare
    const facts = project([
      event('order.placed', '2026-03-05T08:00:00Z', placed('o1', '2026-03-05T08:00:00Z')),
    ]);
    // Act: the same order again, even with another event id and a changed amount
    const result = projectEvent(
      facts,
      event('order.placed', '2026-03-05T08:01:00Z', placed('o1', '2026-03-05T08:00:00Z', '99.00')),
    );
    // Assess
    expect(result.changedOrders).toEqual([]);
    expect(placedOrders(result.orders)).toHaveLength(1);
    expect(result.orders[0]?.total?.amount).toBe('59.90');
  });

  it('a delivery before its order creates a stub that is not counted, and the order completes it', () => {
    // Act 1: delivery first
    const afterDelivery = projectEvent(
      none,
      event('order.delivered', '2026-03-07T08:00:00Z', {
        orderId: 'o1',
        customerId: 'c1',
        deliveredAt: '2026-03-07T07:00:00Z',
      }),
    );
    // Assess 1
    expect(afterDelivery.changedOrders).toEqual([{ orderId: 'o1', deliveredAt: '2026-03-07T07:00:00Z' }]);
    expect(placedOrders(afterDelivery.orders)).toEqual([]);
    // Act 2: the order arrives late
    const afterOrder = projectEvent(
      { profile: afterDelivery.profile, orders: afterDelivery.orders },
      event('order.placed', '2026-03-05T08:00:00Z', placed('o1', '2026-03-05T08:00:00Z')),
    );
    // Assess 2: one order, both facts kept
    expect(afterOrder.orders).toEqual([
      {
        orderId: 'o1',
        placedAt: '2026-03-05T08:00:00Z',
        total: { amount: '59.90', currency: 'EUR' },
        deliveredAt: '2026-03-07T07:00:00Z',
      },
    ]);
    expect(afterOrder.changedOrders).toEqual(afterOrder.orders);
    expect(placedOrders(afterOrder.orders)).toHaveLength(1);
  });

  it('a delivery without deliveredAt uses the event time; a repeated delivery changes nothing', () => {
    const facts = project([
      event('order.placed', '2026-03-05T08:00:00Z', placed('o1', '2026-03-05T08:00:00Z')),
      event('order.delivered', '2026-03-07T08:00:00Z', { orderId: 'o1', customerId: 'c1' }),
    ]);
    expect(facts.orders[0]?.deliveredAt).toBe('2026-03-07T08:00:00Z');
    const again = projectEvent(
      facts,
      event('order.delivered', '2026-03-08T08:00:00Z', { orderId: 'o1', customerId: 'c1' }),
    );
    expect(again.changedOrders).toEqual([]);
    expect(again.orders[0]?.deliveredAt).toBe('2026-03-07T08:00:00Z');
  });

  it('keeps other orders when one changes', () => {
    const facts = project([
      event('order.placed', '2026-03-05T08:00:00Z', placed('o1', '2026-03-05T08:00:00Z')),
      event('order.placed', '2026-03-06T08:00:00Z', placed('o2', '2026-03-06T08:00:00Z')),
      event('order.refunded', '2026-03-08T08:00:00Z', { orderId: 'o1', customerId: 'c1' }),
    ]);
    expect(facts.orders.map((o) => [o.orderId, o.refundedAt])).toEqual(
      expect.arrayContaining([
        ['o1', '2026-03-08T08:00:00Z'],
        ['o2', undefined],
      ]),
    );
    expect(facts.orders).toHaveLength(2);
  });
});

describe('profile projection: erase', () => {
  it('customer.deleted forgets the profile and every order', () => {
    const facts = project([
      event('customer.registered', '2026-03-02T08:00:00Z', registration()),
      event('order.placed', '2026-03-05T08:00:00Z', placed('o1', '2026-03-05T08:00:00Z')),
    ]);
    const result = projectEvent(
      facts,
      event('customer.deleted', '2026-03-09T08:00:00Z', { customerId: 'c1' }),
    );
    expect(result).toEqual({
      profile: undefined,
      orders: [],
      changedOrders: [],
      profileChanged: false,
      erase: true,
    });
  });

  it('feedback changes no fact', () => {
    const facts = project([event('customer.registered', '2026-03-02T08:00:00Z', registration())]);
    const result = projectEvent(
      facts,
      event('feedback.submitted', '2026-03-09T08:00:00Z', { customerId: 'c1', score: 9 }),
    );
    expect(result).toMatchObject({
      profile: facts.profile,
      profileChanged: false,
      changedOrders: [],
      erase: false,
    });
  });
});
