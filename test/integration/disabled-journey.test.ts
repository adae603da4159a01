/**
 * Disabling a journey (`enabled: false`) stops new entrants only: customers already inside finish,
 * exits and goals still reach them, and the watchers of inactivity and anniversary journeys enter
 * no one. End to end through JourneyService on DynamoDB Local, with the catalog as `buildCatalog`
 * writes it for deployment.
 */
import { randomUUID } from 'node:crypto';
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { VirtualClock } from '../../functions/adapters/clock.ts';
import { buildCatalog } from '../../functions/catalog/build.ts';
import type { Catalog } from '../../functions/catalog/catalog.ts';
import { configFromEnv } from '../../functions/config.ts';
import { UnknownJourneyError } from '../../functions/core/errors.ts';
import type { RawEvent } from '../../functions/core/events.ts';
import type { JourneyInstance } from '../../functions/core/model.ts';
import { createServices, type Services } from '../../functions/services/container.ts';
import { orderPlaced, registration } from '../support/scenario.ts';
import { testEnv } from './env.ts';

const ROOT = path.resolve(import.meta.dirname, '../..');
const START = '2026-03-02T08:00:00Z';
const JOURNEYS = ['onboarding', 'win-back', 'birthday'];
const env = testEnv();
const dynamo = env.dynamoClient();

let enabled: Catalog;
let disabled: Catalog;
let tableName: string;

/** The catalog of the shipped journeys, each with `enabled` set as given, built as for a deploy. */
async function catalogWith(enabledFlag: boolean): Promise<Catalog> {
  const dir = await mkdtemp(path.join(tmpdir(), 'journeys-'));
  for (const id of JOURNEYS) {
    const source = await readFile(path.join(ROOT, 'journeys', `${id}.yaml`), 'utf8');
    await writeFile(path.join(dir, `${id}.yaml`), `${source}\nenabled: ${enabledFlag}\n`);
  }
  return (await buildCatalog(ROOT, { defaultLocale: 'en', journeysDir: dir })).catalog;
}

beforeAll(async () => {
  [enabled, disabled] = await Promise.all([catalogWith(true), catalogWith(false)]);
  ({ tableName } = await env.createTestTable('disabled-journey'));
});
afterAll(() => dynamo.destroy());

/** Services on the file's table with the given catalog: a deploy of that catalog. */
function deploy(catalog: Catalog, clock: VirtualClock): Services {
  const config = configFromEnv({ TABLE_NAME: tableName, SIGNING_SECRET: 'test-signing-secret-0123456789' });
  return createServices({ ...config, signingSecret: config.signingSecret as string }, catalog, clock, {
    dynamo,
    backoff: async () => {},
  });
}

const customer = () => `c-${randomUUID().slice(0, 8)}`;
const raw = (detailType: string, detail: Record<string, unknown>, time: string): RawEvent => ({
  id: `evt-${randomUUID()}`,
  source: 'shop',
  detailType,
  time,
  detail,
});

/** The journey's instances, live or settled (an ended instance whose goal is decided is archived). */
async function instancesOf(s: Services, customerId: string, journeyId: string): Promise<JourneyInstance[]> {
  const { view } = await s.store.loadCustomer(customerId);
  const live = view.instances.filter((i) => i.journeyId === journeyId);
  return [...live, ...(await s.store.archivedInstancesOf(customerId, journeyId))];
}

const registered = (id: string) => raw('customer.registered', registration(id), START);

/** A customer `trigger` brought into the journey while it was enabled; then a deploy disables it. */
async function enteredThenDisabled(journeyId: string, trigger: (customerId: string) => RawEvent) {
  const clock = new VirtualClock(START);
  const id = customer();
  const event = trigger(id);
  const before = deploy(enabled, clock);
  await before.profiles.handleEvent(event);
  await before.journeys.handleEvent(journeyId, event);
  return { clock, id, after: deploy(disabled, clock) };
}

/** Fires the instance's timer as the sweeper would, at its due moment. */
async function fireTimer(s: Services, clock: VirtualClock, customerId: string, instance: JourneyInstance) {
  const dueAt = instance.waiting?.dueAt;
  if (!dueAt) throw new Error(`instance ${instance.instanceId} has no timer`);
  clock.set(dueAt);
  return s.journeys.handleTimer(instance.journeyId, customerId, instance.instanceId, dueAt);
}

describe('the catalog of a deploy', () => {
  it('keeps a disabled journey, marked disabled', () => {
    expect(disabled.journeys.map((j) => [j.definition.id, j.definition.enabled]).sort()).toEqual([
      ['birthday', false],
      ['onboarding', false],
      ['win-back', false],
    ]);
  });
});

describe('a customer inside a journey that is then disabled', () => {
  it('runs on: its wait timers fire, it sends the rest and completes', async () => {
    // Prepare: entered while the journey was enabled, now waiting two days for getting-started
    const { clock, id, after } = await enteredThenDisabled('onboarding', registered);
    // Act: the first timer under the disabled deploy
    const [waiting] = await instancesOf(after, id, 'onboarding');
    const first = await fireTimer(after, clock, id, waiting as JourneyInstance);
    // Assess
    expect(first.status).toBe('applied');
    const [resumed] = await instancesOf(after, id, 'onboarding');
    expect(resumed).toMatchObject({ status: 'active', sent: ['welcome', 'getting-started'] });
    // Act: the second timer ends the journey
    const second = await fireTimer(after, clock, id, resumed as JourneyInstance);
    // Assess
    expect(second.status).toBe('applied');
    const [ended] = await instancesOf(after, id, 'onboarding');
    expect(ended).toMatchObject({
      status: 'completed',
      endReason: 'completed',
      sent: ['welcome', 'getting-started', 'first-order-offer'],
    });
    expect(ended?.waiting).toBeUndefined();
  });

  it('still exits on its exit event and reaches its goal', async () => {
    // Prepare
    const { clock, id, after } = await enteredThenDisabled('onboarding', registered);
    const orderAt = '2026-03-03T10:00:00Z';
    clock.set(orderAt);
    // Act
    const outcome = await after.journeys.handleEvent(
      'onboarding',
      raw('order.placed', orderPlaced(id, `${id}-o1`, orderAt), orderAt),
    );
    // Assess
    expect(outcome.status).toBe('applied');
    const [instance] = await instancesOf(after, id, 'onboarding');
    expect(instance).toMatchObject({
      status: 'exited',
      endReason: 'exitOn:order.placed',
      goalReachedAt: orderAt,
    });
  });
});

describe('a disabled journey enters no one', () => {
  it('a new trigger event starts no instance', async () => {
    const clock = new VirtualClock(START);
    const id = customer();
    const s = deploy(disabled, clock);
    await s.profiles.handleEvent(registered(id));
    const outcome = await s.journeys.handleEvent('onboarding', registered(id));
    expect(outcome.status).toBe('unchanged');
    expect(await instancesOf(s, id, 'onboarding')).toEqual([]);
  });

  it.each([
    {
      kind: 'inactivity',
      journeyId: 'win-back',
      // An order starts the 60-day watch.
      trigger: (id: string) => raw('order.placed', orderPlaced(id, `${id}-o1`, START), START),
    },
    {
      kind: 'anniversary',
      journeyId: 'birthday',
      // A registration with a birthday starts the yearly watch.
      trigger: (id: string) => raw('customer.registered', registration(id, { birthday: '03-10' }), START),
    },
  ])(
    "an $kind watcher's timer enters no one once the journey is disabled",
    async ({ journeyId, trigger }) => {
      // Prepare: the watcher started while the journey was enabled
      const { clock, id, after } = await enteredThenDisabled(journeyId, trigger);
      const [watcher] = await instancesOf(after, id, journeyId);
      expect(watcher).toMatchObject({ status: 'watching', waiting: { reason: 'trigger' } });
      // Act
      const outcome = await fireTimer(after, clock, id, watcher as JourneyInstance);
      // Assess: no instance entered, and the watcher stops (no timer left to fire again)
      expect(outcome.status).toBe('applied');
      const instances = await instancesOf(after, id, journeyId);
      expect(instances.map((i) => i.status)).toEqual(['watching']);
      expect(instances[0]?.waiting).toBeUndefined();
    },
  );
});

describe('a journey missing from the catalog altogether', () => {
  it('fails its timers with UnknownJourneyError, naming the journey', async () => {
    const clock = new VirtualClock(START);
    const s = deploy({ ...enabled, journeys: [] }, clock);
    await expect(s.journeys.handleTimer('onboarding', customer(), 'i-1', START)).rejects.toThrow(
      UnknownJourneyError,
    );
  });
});
