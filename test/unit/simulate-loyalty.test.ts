/**
 * The loyalty program in the local runtime and the simulator: the `loyalty` route hears what the CDK
 * rules send the loyalty function (the shared patterns of core/loyalty/routing.ts), after the profile
 * and before the journeys; the simulator's agenda follows the account's one timer from the decisions
 * written, as it follows instances' timers.
 */
import { describe, expect, it } from 'vitest';
import type { SaveRequest } from '../../functions/adapters/store.ts';
import type { Catalog } from '../../functions/catalog/catalog.ts';
import type { AppConfig } from '../../functions/config.ts';
import type { RawEvent } from '../../functions/core/events.ts';
import type { Services } from '../../functions/services/container.ts';
import type { Outcome } from '../../functions/services/journeys.ts';
import type { LoyaltyService } from '../../functions/services/loyalty.ts';
import { eventRoutes } from '../../local/runtime/routes.ts';
import { Agendas, dropTimer } from '../../local/simulate/agenda.ts';
import { loadDefinition } from '../support/engine-world.ts';

const START = '2026-05-01T08:00:00Z';
const applied: Outcome = { status: 'applied', trace: [], effects: 0 };

type LoyaltyHandler = Pick<LoyaltyService, 'handleEvent' | 'handleTimer'>;

/** The loyalty service's part the runtime uses, recording what it was handed. */
function loyaltyHandler(): LoyaltyHandler & { heard: string[] } {
  const heard: string[] = [];
  return {
    heard,
    handleEvent: async (e) => {
      heard.push(`${e.source}/${e.detailType}`);
      return applied;
    },
    handleTimer: async () => applied,
  };
}

/** The routes of a runtime whose services only answer (no table behind them); the program on or off. */
function routes(loyalty: LoyaltyHandler, enabled = true) {
  const answer = { handleEvent: async () => applied };
  const services = {
    profiles: answer,
    journeys: { handleEvent: async () => applied },
    sesEvents: { handle: async () => ({ status: 'recorded' }) },
    connectors: {},
    analytics: undefined,
    loyalty,
  } as unknown as Services;
  const config = {
    shopEventSource: 'shop',
    configurationSetName: 'retention-journeys',
    defaultLocale: 'en',
    defaultTimeZone: 'Europe/Berlin',
  } as AppConfig;
  const catalog = {
    defaultLocale: 'en',
    journeys: [{ definition: loadDefinition('journeys/onboarding.yaml'), version: 'v1' }],
    templates: {},
    loyalty: { enabled },
  } as unknown as Catalog;
  return eventRoutes(services, config, catalog);
}

const raw = (source: string, detailType: string): RawEvent => ({
  id: `${source}-${detailType}`,
  source,
  detailType,
  time: START,
  detail: { customerId: 'c1' },
});

describe('the local loyalty route', () => {
  it('hears the shop events the program acts on and the system referral rewards, nothing else', async () => {
    // Prepare
    const loyalty = loyaltyHandler();
    const route = routes(loyalty).find((r) => r.target === 'loyalty');
    const offered = [
      raw('shop', 'customer.registered'),
      raw('shop', 'customer.updated'),
      raw('shop', 'order.placed'),
      raw('shop', 'order.refunded'),
      raw('shop', 'feedback.submitted'),
      raw('shop', 'loyalty.redemption.requested'),
      raw('retention-journeys', 'referral.reward.earned'),
      // Not for the program: erasure takes the ledger with the partition; its own events; a forged
      // referral reward from the shop's source; a redemption from the system's.
      raw('shop', 'customer.deleted'),
      raw('shop', 'order.delivered'),
      raw('retention-journeys', 'loyalty.points.earned'),
      raw('retention-journeys', 'coupon.issued'),
      raw('shop', 'referral.reward.earned'),
      raw('retention-journeys', 'loyalty.redemption.requested'),
    ];

    // Act
    for (const e of offered) if (route?.matches(e)) await route.run(e);

    // Assess
    expect(loyalty.heard).toEqual([
      'shop/customer.registered',
      'shop/customer.updated',
      'shop/order.placed',
      'shop/order.refunded',
      'shop/feedback.submitted',
      'shop/loyalty.redemption.requested',
      'retention-journeys/referral.reward.earned',
    ]);
  });

  it('comes after the profile and before the journeys, so a journey reads the account the event left', () => {
    // Act
    const targets = routes(loyaltyHandler())
      .filter((r) => r.matches(raw('shop', 'order.placed')))
      .map((r) => r.target);

    // Assess
    expect(targets).toEqual(['profile', 'loyalty', 'journey:onboarding']);
  });

  it('is absent while the program is switched off, as the stack then deploys no loyalty function', () => {
    expect(routes(loyaltyHandler(), false).map((r) => r.target)).not.toContain('loyalty');
  });
});

/** A decision on `customerId` that leaves its account waiting until `dueAt` (none: nothing due). */
const account = (customerId: string, dueAt: string | undefined) =>
  ({
    customerId,
    loyalty: { next: { customerId, dueAt }, expectedVersion: 0, movements: [] },
    now: START,
  }) as unknown as SaveRequest;

/** A journey decision leaving instance `i1` of `journeyId` waiting until `dueAt`. */
const instance = (customerId: string, journeyId: string, dueAt: string) =>
  ({
    customerId,
    instances: [{ journeyId, instanceId: 'i1', status: 'active', waiting: { dueAt } }],
    now: START,
  }) as unknown as SaveRequest;

const origin = { customerId: 'c1', generation: 0 };

describe("the simulator's agenda and the loyalty account's timer", () => {
  it('learns it from the decision written, moves it with the next and drops it when nothing is due', () => {
    // Prepare
    const agendas = new Agendas(new Set());
    const a = agendas.of('c1');

    // Act + Assess
    agendas.follow(account('c1', '2026-05-15T08:00:00Z'), origin);
    expect(agendas.nextDue(a)).toEqual({
      at: '2026-05-15T08:00:00Z',
      timer: { loyalty: true, dueAt: '2026-05-15T08:00:00Z' },
    });
    agendas.follow(account('c1', '2026-05-10T08:00:00Z'), origin);
    expect([...a.timers.values()]).toEqual([{ loyalty: true, dueAt: '2026-05-10T08:00:00Z' }]);
    agendas.follow(account('c1', undefined), origin);
    expect(agendas.nextDue(a)).toBeUndefined();
  });

  it('keeps it through decisions of journeys, and fires whichever timer is due first', () => {
    // Prepare
    const agendas = new Agendas(new Set());
    const a = agendas.of('c1');
    agendas.follow(account('c1', '2026-05-15T08:00:00Z'), origin);

    // Act: a journey that happens to be called `loyalty` waits too
    agendas.follow(instance('c1', 'loyalty', '2026-05-20T08:00:00Z'), origin);
    agendas.follow(instance('c1', 'onboarding', '2026-05-12T08:00:00Z'), origin);

    // Assess
    expect(a.timers.size).toBe(3);
    expect(agendas.nextDue(a)?.timer).toEqual({
      journeyId: 'onboarding',
      instanceId: 'i1',
      dueAt: '2026-05-12T08:00:00Z',
    });
    dropTimer(a, { journeyId: 'onboarding', instanceId: 'i1', dueAt: '2026-05-12T08:00:00Z' });
    expect(agendas.nextDue(a)?.timer).toEqual({ loyalty: true, dueAt: '2026-05-15T08:00:00Z' });
  });

  it('does not end a window for it: the program never writes to another customer', () => {
    // Prepare
    const agendas = new Agendas(new Set(['referral']));
    agendas.follow(account('c1', '2026-05-01T10:00:00Z'), origin);

    // Act + Assess: the day-long window
    expect(agendas.nextWindow(START, '2026-05-30T08:00:00Z')).toEqual({
      from: '2026-05-01T10:00:00Z',
      until: '2026-05-02T10:00:00Z',
    });
  });
});
