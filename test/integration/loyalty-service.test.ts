/**
 * LoyaltyService against DynamoDB Local, wired by createServices with the shipped loyalty.yaml: one
 * Query + one BatchGet + one conditional transaction per decision, redelivered events, racing
 * deliveries and double clicks (version conflicts retried, never a point twice, never an overdraft),
 * the hold released by the sweeper, and value-moving events checked before they move anything.
 */
import { randomUUID } from 'node:crypto';
import { copyFile, mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { VirtualClock } from '../../functions/adapters/clock.ts';
import { JourneyStore, type SaveRequest, type SaveResult } from '../../functions/adapters/store.ts';
import { buildCatalog } from '../../functions/catalog/build.ts';
import type { Catalog } from '../../functions/catalog/catalog.ts';
import { configFromEnv } from '../../functions/config.ts';
import type { RawEvent } from '../../functions/core/events.ts';
import type { LoyaltyAccount, Movement } from '../../functions/core/loyalty/account.ts';
import { redemptionRequestId } from '../../functions/core/loyalty/ledger.ts';
import { createServices, type ServiceOverrides, type Services } from '../../functions/services/container.ts';
import { partitionItems } from '../support/partition.ts';
import { orderPlaced, registration } from '../support/scenario.ts';
import { testEnv } from './env.ts';

const ROOT = path.resolve(import.meta.dirname, '../..');
const START = '2026-03-02T08:00:00Z';
/** START + the program's hold (P14D). */
const RELEASED = '2026-03-16T08:00:00Z';
const env = testEnv();
const dynamo = env.dynamoClient();
const doc = DynamoDBDocumentClient.from(dynamo);

let catalog: Catalog;
let tableName: string;

beforeAll(async () => {
  // The shipped program, one journey: these tests are about the loyalty plumbing.
  const journeysDir = await mkdtemp(path.join(tmpdir(), 'journeys-'));
  await copyFile(path.join(ROOT, 'journeys/onboarding.yaml'), path.join(journeysDir, 'onboarding.yaml'));
  const built = await buildCatalog(ROOT, { defaultLocale: 'en', journeysDir });
  // loyalty.yaml ships switched off; these tests run it as a shop that launched it.
  if (!built.catalog.loyalty) throw new Error('no loyalty.yaml');
  catalog = { ...built.catalog, loyalty: { ...built.catalog.loyalty, enabled: true } };
  ({ tableName } = await env.createTestTable('loyalty-service'));
});
afterAll(() => dynamo.destroy());

function services(
  now = START,
  overrides: ServiceOverrides = {},
  programCatalog: Catalog = catalog,
): { services: Services; clock: VirtualClock } {
  const clock = new VirtualClock(now);
  const config = configFromEnv({ TABLE_NAME: tableName, SIGNING_SECRET: 'test-signing-secret-0123456789' });
  return {
    clock,
    services: createServices(
      { ...config, signingSecret: config.signingSecret as string },
      programCatalog,
      clock,
      {
        dynamo,
        // No sleeping between conflict retries: the race is decided by DynamoDB, not by timing.
        backoff: async () => {},
        ...overrides,
      },
    ),
  };
}

const customer = () => `c-${randomUUID().slice(0, 8)}`;
const raw = (
  detailType: string,
  detail: Record<string, unknown>,
  time = START,
  id = `evt-${randomUUID()}`,
  source = 'shop',
): RawEvent => ({ id, source, detailType, time, detail });

const partition = (customerId: string) => partitionItems(doc, tableName, customerId);

/** The account, the ledger and the emitted event types, as stored. */
async function stored(s: Services, customerId: string) {
  const items = await partition(customerId);
  const account = (await s.store.loadCustomer(customerId)).view.loyalty as LoyaltyAccount;
  const ledger = items.filter((i) => i.type === 'movement') as unknown as Movement[];
  const emitted = items
    .filter((i) => i.type === 'outbox' && i.effect?.kind === 'emit')
    .map((i) => i.effect.detailType as string);
  return { account, ledger, emitted };
}

/** The ledger's invariant: the account's balances are the sums of its movements. */
function expectBalanced(account: LoyaltyAccount, ledger: Movement[]) {
  expect(account.available).toBe(ledger.reduce((sum, m) => sum + m.available, 0));
  expect(account.pending).toBe(ledger.reduce((sum, m) => sum + m.pending, 0));
}

/** Both consumers of a shop event: the profile projection stores the orders rewards take their currency from. */
async function deliver(s: Services, event: RawEvent) {
  await s.profiles.handleEvent(event);
  return s.loyalty.handleEvent(event);
}

/** A member with 600 available points: registration (100) and a 500 EUR order whose hold passed. */
async function memberWith600(): Promise<{ s: Services; clock: VirtualClock; id: string }> {
  const { services: s, clock } = services();
  const id = customer();
  await deliver(s, raw('customer.registered', registration(id)));
  await deliver(
    s,
    raw('order.placed', orderPlaced(id, 'o-big', START, { amount: '500.00', currency: 'EUR' })),
  );
  clock.set(RELEASED);
  const report = await s.sweeper.sweep(RELEASED);
  expect(report.failed).toEqual([]);
  expect((await stored(s, id)).account).toMatchObject({ available: 600, pending: 0 });
  return { s, clock, id };
}

describe('LoyaltyService on DynamoDB Local', () => {
  it('makes a registered customer a member once, however often the registration arrives', async () => {
    const { services: s } = services();
    const id = customer();
    const event = raw('customer.registered', registration(id));
    expect(await s.loyalty.handleEvent(event)).toMatchObject({ status: 'applied' });
    // EventBridge redelivers with the same id; a shop may resend with a new one. Either way the
    // registration's movement exists, so nothing is written again.
    expect((await s.loyalty.handleEvent(event)).status).toBe('unchanged');
    expect((await s.loyalty.handleEvent(raw('customer.registered', registration(id)))).status).toBe(
      'unchanged',
    );

    const { account, ledger, emitted } = await stored(s, id);
    expect(account).toMatchObject({ customerId: id, tier: 'member', available: 100, version: 1 });
    expect(ledger.map((m) => m.id)).toEqual(['bonus:registration']);
    expect(emitted).toContain('loyalty.member.joined');
    expect(emitted.filter((t) => t === 'loyalty.member.joined')).toHaveLength(1);
    expectBalanced(account, ledger);
  });

  it('earns on racing deliveries of different orders exactly once each (version conflicts retried)', async () => {
    const { services: s } = services();
    const id = customer();
    const orders = ['o1', 'o2', 'o3', 'o4'].map((orderId) =>
      raw('order.placed', orderPlaced(id, orderId, START, { amount: '59.90', currency: 'EUR' })),
    );
    // Each order twice, all at once: the same cause must never earn twice.
    const outcomes = await Promise.all([...orders, ...orders].map((e) => s.loyalty.handleEvent(e)));
    expect(outcomes.filter((o) => o.status === 'applied')).toHaveLength(4);

    const { account, ledger } = await stored(s, id);
    expect(account.pending).toBe(4 * 59);
    expect(ledger.map((m) => m.id).sort()).toEqual([
      'earn:order:o1',
      'earn:order:o2',
      'earn:order:o3',
      'earn:order:o4',
    ]);
    expect(account.lots).toHaveLength(4);
    expectBalanced(account, ledger);
  });

  it.each([
    ['another order', 'o2', 'applied', 2 * 59],
    ['the same order, re-sent under a new event id', 'o1', 'unchanged', 59],
  ])(
    'decides again when %s was stored between its read and its write',
    async (_name, racing, status, pending) => {
      // Another delivery's decision lands between this decision's Query and its transaction.
      let interfere: (() => Promise<unknown>) | undefined;
      const results: SaveResult[] = [];
      class InterferedStore extends JourneyStore {
        override async save(request: SaveRequest): Promise<SaveResult> {
          const before = interfere;
          interfere = undefined;
          await before?.();
          const result = await super.save(request);
          if (request.loyalty) results.push(result);
          return result;
        }
      }
      const { services: s } = services(START, { createStore: (...args) => new InterferedStore(...args) });
      const { services: other } = services();
      const id = customer();
      await other.loyalty.handleEvent(raw('customer.registered', registration(id)));
      interfere = () => other.loyalty.handleEvent(raw('order.placed', orderPlaced(id, racing, START)));

      const outcome = await s.loyalty.handleEvent(raw('order.placed', orderPlaced(id, 'o1', START)));
      expect(outcome.status).toBe(status);
      // The first write lost; the second read saw the racing decision (and, for the same order, its ledger item).
      expect(results).toEqual(status === 'applied' ? ['conflict', 'saved'] : ['conflict']);
      const { account, ledger } = await stored(s, id);
      expect(account).toMatchObject({ pending, available: 100 });
      expect(ledger.filter((m) => m.id === 'earn:order:o1')).toHaveLength(1);
      expectBalanced(account, ledger);
    },
  );

  it('releases pending points when the sweeper finds the account due', async () => {
    const { services: s, clock } = services();
    const id = customer();
    await s.loyalty.handleEvent(raw('order.placed', orderPlaced(id, 'o1', START)));
    const before = await stored(s, id);
    expect(before.account).toMatchObject({ pending: 59, available: 0, dueAt: RELEASED });

    clock.set('2026-03-16T07:59:00Z');
    await s.sweeper.sweep('2026-03-16T07:59:00Z');
    expect((await stored(s, id)).account).toMatchObject({ pending: 59, available: 0 });

    clock.set(RELEASED);
    const report = await s.sweeper.sweep(RELEASED);
    expect(report.failed).toEqual([]);
    const after = await stored(s, id);
    expect(after.account).toMatchObject({ pending: 0, available: 59 });
    expect(after.account.dueAt === undefined || after.account.dueAt > RELEASED).toBe(true);
    expect(after.ledger.map((m) => m.id).sort()).toEqual(['earn:order:o1', 'release:order:o1']);
    expect(after.emitted).toContain('loyalty.points.available');
    expectBalanced(after.account, after.ledger);

    // Swept again (a timer read before the release was stored): nothing moves twice.
    await s.loyalty.handleTimer(id, RELEASED);
    expect((await stored(s, id)).account.available).toBe(59);
  });

  it('redeems a double click once and shows the same coupon', async () => {
    const { s, id } = await memberWith600();
    const requestId = redemptionRequestId((await stored(s, id)).account, 'five-off');
    const [first, second] = await Promise.all([
      s.loyalty.redeem(id, 'five-off', requestId),
      s.loyalty.redeem(id, 'five-off', requestId),
    ]);
    expect([first?.status, second?.status].sort()).toEqual(['redeemed', 'repeat']);
    const code = (o: typeof first) => (o.status === 'refused' ? undefined : o.redemption.coupon.code);
    expect(code(first)).toBeDefined();
    expect(code(first)).toBe(code(second));
    // And a later resubmission of the same form.
    const third = await s.loyalty.redeem(id, 'five-off', requestId);
    expect(third).toMatchObject({ status: 'repeat' });
    expect(code(third)).toBe(code(first));

    const { account, ledger, emitted } = await stored(s, id);
    expect(account.available).toBe(100);
    expect(ledger.filter((m) => m.kind === 'redeem')).toHaveLength(1);
    expect(emitted.filter((t) => t === 'loyalty.reward.redeemed')).toHaveLength(1);
    expect(emitted.filter((t) => t === 'coupon.issued')).toHaveLength(1);
    expectBalanced(account, ledger);
  });

  it('never overdraws: of two racing redemptions the balance covers one', async () => {
    const { s, id } = await memberWith600();
    const outcomes = await Promise.all([
      s.loyalty.redeem(id, 'five-off', 'tab-1'),
      s.loyalty.redeem(id, 'five-off', 'tab-2'),
    ]);
    expect(outcomes.map((o) => o.status).sort()).toEqual(['redeemed', 'refused']);
    expect(outcomes.find((o) => o.status === 'refused')).toEqual({
      status: 'refused',
      reason: 'not enough points',
    });
    const { account, ledger } = await stored(s, id);
    expect(account.available).toBe(100);
    expectBalanced(account, ledger);
  });

  it('redeems through the shop event loyalty.redemption.requested, idempotent on its request id', async () => {
    const { s, id } = await memberWith600();
    const detail = { customerId: id, rewardId: 'five-off', requestId: 'shop-req-1' };
    expect(await s.loyalty.handleEvent(raw('loyalty.redemption.requested', detail, RELEASED))).toMatchObject({
      status: 'applied',
    });
    expect(
      (await s.loyalty.handleEvent(raw('loyalty.redemption.requested', detail, RELEASED))).status,
    ).not.toBe('applied');
    expect((await stored(s, id)).account.available).toBe(100);
    expect(await s.loyalty.redeem(id, 'five-off', 'shop-req-1')).toMatchObject({ status: 'repeat' });
  });

  it("answers a shop's refused redemption request by event, once per event", async () => {
    const { services: s } = services();
    const id = customer();
    await deliver(s, raw('customer.registered', registration(id)));
    const request = raw('loyalty.redemption.requested', {
      customerId: id,
      rewardId: 'five-off',
      requestId: 'r-1',
    });
    expect(await s.loyalty.handleEvent(request)).toMatchObject({ status: 'applied', effects: 1 });
    expect(await s.loyalty.handleEvent(request)).toEqual({ status: 'duplicate' });
    const { account, emitted } = await stored(s, id);
    expect(emitted.filter((t) => t === 'loyalty.redemption.refused')).toHaveLength(1);
    expect(account).toMatchObject({ available: 100, version: 1 });
  });

  it('runs a switched-off program when the project has no loyalty.yaml', async () => {
    const { loyalty: _, ...withoutProgram } = catalog;
    const { services: s } = services(START, {}, withoutProgram);
    const id = customer();
    expect((await s.loyalty.handleEvent(raw('order.placed', orderPlaced(id, 'o1', START)))).status).toBe(
      'unchanged',
    );
    expect(await partition(id)).toEqual([]);
    expect(await s.loyalty.redeem(id, 'five-off', 'r-1')).toEqual({
      status: 'refused',
      reason: 'program disabled',
    });
    expect((await s.loyalty.member(id)).data).toBeUndefined();
  });

  it('shows the member page what the account holds', async () => {
    const { s, id } = await memberWith600();
    const member = await s.loyalty.member(id);
    expect(member.account?.available).toBe(600);
    expect(member.currency).toBe('EUR');
    expect(member.data).toMatchObject({ balance: 600, pending: 0 });
    expect(member.data?.rewards.find((r) => r.id === 'five-off')).toMatchObject({ affordable: true });

    const stranger = await s.loyalty.member(customer());
    expect(stranger).toMatchObject({ account: undefined, data: undefined, currency: 'EUR' });
    expect(await s.loyalty.redeem(customer(), 'five-off', 'r-1')).toEqual({
      status: 'refused',
      reason: 'not a member',
    });
  });

  it('rejects a referral reward the referee partition does not back, and changes nothing', async () => {
    const { services: s } = services();
    const referrer = customer();
    await s.loyalty.handleEvent(raw('customer.registered', registration(referrer)));
    const forged = raw(
      'referral.reward.earned',
      { customerId: referrer, refereeId: customer(), code: 'ABCD-1234', orderId: 'o-x', currency: 'EUR' },
      START,
      `evt-${randomUUID()}`,
      'retention-journeys',
    );
    const outcome = await s.loyalty.handleEvent(forged);
    expect(outcome.status).toBe('rejected');
    expect(outcome.status === 'rejected' ? outcome.errors[0] : '').toMatch(
      /^untrusted referral.reward.earned: /,
    );
    const { account, ledger } = await stored(s, referrer);
    expect(account.available).toBe(100);
    expect(ledger.map((m) => m.id)).toEqual(['bonus:registration']);
  });

  it('rejects a malformed event onto the rejected log without touching the account', async () => {
    const { services: s } = services();
    const id = customer();
    const outcome = await s.loyalty.handleEvent(raw('order.placed', { orderId: 'o1', customerId: id }));
    expect(outcome.status).toBe('rejected');
    expect(await partition(id)).toSatisfy((items: Record<string, unknown>[]) =>
      items.every((i) => i.type === 'rejected'),
    );
  });
});
