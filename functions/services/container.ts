/**
 * The composition root of the local runtime, the simulator and the tests: every service at once,
 * from configuration, catalog and clients, with local endpoints, a local publisher or a virtual
 * clock as overrides. Lambda handlers do not use it: each composes only what it uses
 * (functions/composition/lambda/), from the same pieces as this.
 */
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { Clock } from '../adapters/clock.ts';
import type { ComplianceStore } from '../adapters/compliance-store.ts';
import type { Mailer } from '../adapters/mailer.ts';
import type { EventPublisher } from '../adapters/publisher.ts';
import type { CapacityMeter, DocumentSender, JourneyStore } from '../adapters/store.ts';
import type { AnalyticsSink } from '../analytics/record.ts';
import type { Catalog } from '../catalog/catalog.ts';
import { analyticsService } from '../composition/analytics.ts';
import { eventPublisher } from '../composition/bus.ts';
import { connectorService } from '../composition/connectors.ts';
import { journeyService, loyaltyService, profileService, sweeper } from '../composition/deciding.ts';
import { pageRenderer, preferencesService } from '../composition/pages.ts';
import { dispatcher } from '../composition/sending.ts';
import { complianceStore, documentClient, journeyStore } from '../composition/store.ts';
import type { AppConfig } from '../config.ts';
import type { EmailRenderer } from '../email/index.ts';
import type { AnalyticsService } from './analytics.ts';
import type { ConnectorService } from './connectors.ts';
import type { Dispatcher } from './dispatcher.ts';
import type { JourneyService } from './journeys.ts';
import type { LoyaltyService } from './loyalty.ts';
import type { PreferencesService } from './preferences.ts';
import type { PageRenderer } from './preferences-pages.ts';
import type { ProfileService } from './profiles.ts';
import { SesEventService } from './ses-events.ts';
import type { Sweeper } from './sweeper.ts';

export { connectorService };

export interface Services {
  config: AppConfig;
  store: JourneyStore;
  journeys: JourneyService;
  profiles: ProfileService;
  /** The loyalty program (catalog.loyalty; switched off when the project has no loyalty.yaml). */
  loyalty: LoyaltyService;
  sweeper: Sweeper;
  dispatcher: Dispatcher;
  compliance: ComplianceStore;
  preferences: PreferencesService;
  pages: PageRenderer;
  sesEvents: SesEventService;
  /** The analytics log; only when a sink is given (Firehose in Lambda, JSON Lines locally). */
  analytics: AnalyticsService | undefined;
  /** Shop connectors (Shopify, WooCommerce, Shopware): translated deliveries onto the bus. */
  connectors: ConnectorService;
}

export interface ServiceOverrides {
  dynamo?: DynamoDBClient;
  /** Answers the stores' document commands instead of a client for `dynamo` (the simulator's memory mode). */
  document?: DocumentSender;
  mailer?: Mailer;
  /** Renders emails instead of `createRenderer(catalog.templates)` (the simulator renders on demand). */
  renderer?: EmailRenderer;
  publisher?: EventPublisher;
  meter?: CapacityMeter;
  /** Makes the journey store in place of `new JourneyStore` (the simulator's observes the decisions written). */
  createStore?: (...args: ConstructorParameters<typeof JourneyStore>) => JourneyStore;
  backoff?: (attempt: number) => Promise<void>;
  /** Where analytics records go; without one, `analytics` is undefined. */
  analyticsSink?: AnalyticsSink | undefined;
}

export function createServices(
  config: AppConfig & { signingSecret: string },
  catalog: Catalog,
  clock: Clock,
  overrides: ServiceOverrides = {},
): Services {
  const doc = documentClient(overrides);
  const store = journeyStore(doc, config, overrides);
  const now = () => clock.now();
  const base = { store, now, backoff: overrides.backoff, signingSecret: config.signingSecret };
  const compliance = complianceStore(doc, config);
  const publisher = overrides.publisher ?? eventPublisher(config.eventBusName);
  const pages = pageRenderer(catalog.templates);
  const journeys = journeyService(base, config, catalog);
  const loyalty = loyaltyService(base, config, catalog);
  return {
    config,
    store,
    journeys,
    profiles: profileService(base, journeys.orderRetention),
    loyalty,
    sweeper: sweeper(base, config, journeys, loyalty),
    dispatcher: dispatcher(
      {
        store,
        compliance,
        publisher,
        now,
        signingSecret: config.signingSecret,
        mailer: overrides.mailer,
        renderer: overrides.renderer,
      },
      config,
      catalog,
    ),
    compliance,
    pages,
    preferences: preferencesService(
      {
        doc,
        store,
        compliance,
        pages,
        now,
        signingSecret: config.signingSecret,
        // The member page exists only while the program runs.
        loyalty: catalog.loyalty?.enabled ? loyalty : undefined,
      },
      config,
    ),
    sesEvents: new SesEventService({ compliance }),
    connectors: connectorService(doc, config, publisher, now, store),
    analytics: overrides.analyticsSink
      ? analyticsService(doc, config, overrides.analyticsSink, now)
      : undefined,
  };
}
