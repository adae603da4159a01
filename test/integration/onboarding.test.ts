/**
 * Onboarding end to end: the simulator drives the real handlers, store and dispatcher against
 * DynamoDB Local and the SES v2 emulator, and the emails are read back from the emulator.
 */
import { randomUUID } from 'node:crypto';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildCatalog } from '../../functions/catalog/build.ts';
import type { Catalog } from '../../functions/catalog/catalog.ts';
import { localStamp } from '../../functions/core/time.ts';
import { readScenario, simulate } from '../../local/simulate/index.ts';
import { orderPlaced, registration, scenario } from '../support/scenario.ts';
import { testEnv } from './env.ts';

const ROOT = path.resolve(import.meta.dirname, '../..');
let catalog: Catalog;
const servers = () => {
  const env = testEnv();
  return { dynamoEndpoint: env.dynamoEndpoint, sesEndpoint: env.sesEndpoint };
};
/** Unique ids per run: the SES emulator is shared by every test file. */
const customer = () => `c-${randomUUID().slice(0, 8)}`;

beforeAll(async () => {
  ({ catalog } = await buildCatalog(ROOT, { defaultLocale: 'en' }));
});

describe('onboarding through the simulator', () => {
  it('sends a German customer who never orders welcome, getting-started and the day-5 offer, in German', async () => {
    // Prepare
    const file = path.join(ROOT, 'test/scenarios/onboarding-german-never-orders.yaml');
    const loaded = await readScenario(file);
    // Act
    const result = await simulate(loaded, catalog, servers());
    // Assess
    expect(
      result.emails.map((e) => [e.message, e.locale, localStamp(e.sentAt, 'Europe/Berlin'), e.to]),
    ).toEqual([
      ['welcome', 'de', '2026-03-02 09:00', 'anna@example.de'],
      ['getting-started', 'de', '2026-03-04 09:00', 'anna@example.de'],
      ['first-order-offer', 'de', '2026-03-07 09:00', 'anna@example.de'],
    ]);
    const coupons = result.events.filter((e) => e.detailType === 'coupon.issued');
    expect(coupons).toHaveLength(1);
    const offer = result.emails[2];
    expect(offer?.html).toContain(String(coupons[0]?.detail.code));
    expect(offer?.text).toContain(String(coupons[0]?.detail.code));
    expect(offer?.subject).toMatch(/10\s?%/);
    // Marketing mail carries RFC 8058 one-click unsubscribe; the transactional welcome does not.
    expect(offer?.headers['List-Unsubscribe']).toMatch(/^<http.*unsubscribe\?token=.+>$/);
    expect(offer?.headers['List-Unsubscribe-Post']).toBe('List-Unsubscribe=One-Click');
    expect(result.emails[0]?.headers['List-Unsubscribe']).toBeUndefined();
    // The registration delivered twice (same event id) gave each email once.
    expect(new Set(result.emails.map((e) => e.message)).size).toBe(result.emails.length);
  });

  it('sends no offer to a customer who orders on day 3, and records the goal', async () => {
    const id = customer();
    const result = await simulate(
      scenario('2026-03-02T08:00:00Z', 'P30D', [
        ['PT0S', 'customer.registered', registration(id)],
        ['P3D', 'order.placed', orderPlaced(id, `${id}-o1`, '2026-03-05T08:00:00Z')],
      ]),
      catalog,
      servers(),
    );
    // The order also starts post-purchase (its thank-you); onboarding itself stops.
    const onboarding = result.emails.filter((e) => e.journey === 'onboarding');
    expect(onboarding.map((e) => e.message)).toEqual(['welcome', 'getting-started']);
    expect(result.events.map((e) => e.detailType)).toEqual(
      expect.arrayContaining(['journey.entered', 'journey.exited', 'journey.goal.reached']),
    );
    expect(result.events.some((e) => e.detailType === 'coupon.issued')).toBe(false);
  });

  it('sends the same registration delivered twice each email once', async () => {
    const id = customer();
    const result = await simulate(
      scenario('2026-03-02T08:00:00Z', 'P10D', [
        ['PT0S', 'customer.registered', registration(id), `evt-${id}`],
        ['PT0S', 'customer.registered', registration(id), `evt-${id}`],
        ['PT5M', 'customer.registered', registration(id), `evt-${id}`],
      ]),
      catalog,
      servers(),
    );
    expect(result.emails.map((e) => e.message)).toEqual(['welcome', 'getting-started', 'first-order-offer']);
    expect(await testEnv().sesEmails(`${id}@example.de`)).toHaveLength(3);
  });

  it('sends a customer without marketing consent only the transactional welcome', async () => {
    const id = customer();
    const result = await simulate(
      scenario('2026-03-02T08:00:00Z', 'P30D', [
        ['PT0S', 'customer.registered', registration(id, { marketingConsent: false })],
      ]),
      catalog,
      servers(),
    );
    expect(result.emails.map((e) => e.message)).toEqual(['welcome']);
  });

  it('rejects an order without total.currency, naming the field, and keeps the journey going', async () => {
    const id = customer();
    const result = await simulate(
      scenario('2026-03-02T08:00:00Z', 'P7D', [
        ['PT0S', 'customer.registered', registration(id)],
        ['P1D', 'order.placed', orderPlaced(id, `${id}-o1`, '2026-03-03T08:00:00Z', { amount: '10.00' })],
      ]),
      catalog,
      servers(),
    );
    expect(result.rejected).toEqual([
      { index: 1, detailType: 'order.placed', errors: [expect.stringContaining('total.currency')] },
    ]);
    // The rejected order changed nothing: the offer still goes out on day 5.
    expect(result.emails.map((e) => e.message)).toEqual(['welcome', 'getting-started', 'first-order-offer']);
  });

  it('falls back from an unshipped locale (pt-BR) to English and from de-AT to German', async () => {
    const br = customer();
    const at = customer();
    const result = await simulate(
      scenario('2026-03-02T08:00:00Z', 'PT1H', [
        ['PT0S', 'customer.registered', registration(br, { locale: 'pt-BR', timeZone: 'America/Sao_Paulo' })],
        ['PT0S', 'customer.registered', registration(at, { locale: 'de-AT', timeZone: 'Europe/Vienna' })],
      ]),
      catalog,
      servers(),
    );
    expect(Object.fromEntries(result.emails.map((e) => [e.customerId, e.locale]))).toEqual({
      [br]: 'en',
      [at]: 'de',
    });
  });
});
