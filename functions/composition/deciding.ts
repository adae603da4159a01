/**
 * The deciding services — journeys, profile, loyalty, the sweeper — from a store, the catalog's
 * journeys and program, and the signing secret (referral codes, coupon HMACs). No SDK client here:
 * they reach the table through the store they are given.
 */
import type { JourneyStore } from '../adapters/store.ts';
import { type Catalog, compiledJourneys, NO_LOYALTY_PROGRAM } from '../catalog/catalog.ts';
import type { AppConfig } from '../config.ts';
import type { OrderRetention } from '../core/order-history.ts';
import { JourneyService } from '../services/journeys.ts';
import { LoyaltyService } from '../services/loyalty.ts';
import { OutboxReconciler } from '../services/outbox-reconciler.ts';
import { ProfileService } from '../services/profiles.ts';
import { Sweeper } from '../services/sweeper.ts';

/** What every deciding service shares. */
export interface DecidingBase {
  store: JourneyStore;
  now: () => string;
  backoff?: ((attempt: number) => Promise<void>) | undefined;
  signingSecret: string;
}

export type DecidingConfig = Pick<
  AppConfig,
  'defaultLocale' | 'defaultTimeZone' | 'frequencyCap' | 'timerShards'
>;

/**
 * The catalog a deciding function reads: its journeys (a journey function carries only its own) and,
 * when the order summary's reach was computed over all journeys at synth, that reach
 * (catalog/part.ts): a journey function must keep the same orders as every other.
 */
export type DecidingCatalog = Pick<Catalog, 'journeys' | 'loyalty'> & {
  orderRetention?: OrderRetention | undefined;
};

export function journeyService(
  base: DecidingBase,
  config: DecidingConfig,
  catalog: DecidingCatalog,
): JourneyService {
  return new JourneyService({
    store: base.store,
    now: base.now,
    backoff: base.backoff,
    journeys: compiledJourneys(catalog),
    orderRetention: catalog.orderRetention,
    engine: {
      defaultLocale: config.defaultLocale,
      defaultTimeZone: config.defaultTimeZone,
      frequencyCap: config.frequencyCap,
      secret: base.signingSecret,
      loyalty: catalog.loyalty,
    },
  });
}

export function loyaltyService(
  base: DecidingBase,
  config: Pick<AppConfig, 'defaultTimeZone'>,
  catalog: Pick<Catalog, 'loyalty'>,
): LoyaltyService {
  return new LoyaltyService({
    store: base.store,
    now: base.now,
    backoff: base.backoff,
    program: catalog.loyalty ?? NO_LOYALTY_PROGRAM,
    secret: base.signingSecret,
    defaultTimeZone: config.defaultTimeZone,
  });
}

export function profileService(base: DecidingBase, orderRetention: OrderRetention): ProfileService {
  return new ProfileService({
    store: base.store,
    now: base.now,
    backoff: base.backoff,
    secret: base.signingSecret,
    orderRetention,
  });
}

export function sweeper(
  base: DecidingBase,
  config: Pick<AppConfig, 'timerShards'>,
  journeys: JourneyService,
  loyalty: LoyaltyService,
): Sweeper {
  return new Sweeper(
    base.store,
    journeys,
    config.timerShards,
    undefined,
    new OutboxReconciler(base.store),
    loyalty,
  );
}
