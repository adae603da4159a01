/**
 * The composition root: builds the services from configuration, catalog and clients. Lambda
 * handlers build it once per cold start; the local runtime and the simulator build it with local
 * endpoints, a local publisher and possibly a virtual clock — the same code either way.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { AnalyticsKeyStore } from '../adapters/analytics-keys.ts';
import type { Clock } from '../adapters/clock.ts';
import { ComplianceStore } from '../adapters/compliance-store.ts';
import { ConnectorStore } from '../adapters/connector-store.ts';
import { FeedbackStore } from '../adapters/feedback-store.ts';
import { type Mailer, SesMailer, sesClient } from '../adapters/mailer.ts';
import { EventBridgePublisher, type EventPublisher } from '../adapters/publisher.ts';
import { type CapacityMeter, type DocumentSender, JourneyStore } from '../adapters/store.ts';
import { DEFAULT_TIMER_SHARDS } from '../adapters/table-schema.ts';
import type { AnalyticsSink } from '../analytics/record.ts';
import { type Catalog, compiledJourneys, NO_LOYALTY_PROGRAM } from '../catalog/catalog.ts';
import type { AppConfig, ConnectorConfig } from '../config.ts';
import { createRenderer, type EmailRenderer } from '../email/index.ts';
import { AnalyticsService } from './analytics.ts';
import { ConnectorService } from './connectors.ts';
import { Dispatcher } from './dispatcher.ts';
import { JourneyService } from './journeys.ts';
import { LoyaltyService } from './loyalty.ts';
import { OutboxReconciler } from './outbox-reconciler.ts';
import { SendPacer } from './pacer.ts';
import { PreferencesService } from './preferences.ts';
import { createPageRenderer, type PageRenderer } from './preferences-pages.ts';
import { ProfileService } from './profiles.ts';
import { SesEventService } from './ses-events.ts';
import { Sweeper } from './sweeper.ts';

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
  const doc =
    overrides.document ??
    DynamoDBDocumentClient.from(overrides.dynamo ?? new DynamoDBClient({}), {
      marshallOptions: { removeUndefinedValues: true },
    });
  const store = (overrides.createStore ?? ((...args) => new JourneyStore(...args)))(
    doc,
    config.tableName,
    { timerShards: config.timerShards, retentionDays: config.retentionDays },
    overrides.meter,
  );
  const now = () => clock.now();
  const pacer = config.sendsPerSecondPerWorker ? new SendPacer(config.sendsPerSecondPerWorker) : undefined;
  const base = { store, now, backoff: overrides.backoff };
  const compliance = new ComplianceStore(doc, config.tableName, config.retentionDays);
  const publisher =
    overrides.publisher ?? new EventBridgePublisher(new EventBridgeClient({}), config.eventBusName);
  const pages = createPageRenderer(catalog.templates);
  const journeys = new JourneyService({
    ...base,
    journeys: compiledJourneys(catalog),
    engine: {
      defaultLocale: config.defaultLocale,
      defaultTimeZone: config.defaultTimeZone,
      frequencyCap: config.frequencyCap,
      secret: config.signingSecret,
      loyalty: catalog.loyalty,
    },
  });
  const loyalty = new LoyaltyService({
    ...base,
    program: catalog.loyalty ?? NO_LOYALTY_PROGRAM,
    secret: config.signingSecret,
    defaultTimeZone: config.defaultTimeZone,
  });
  return {
    config,
    store,
    journeys,
    profiles: new ProfileService({
      ...base,
      secret: config.signingSecret,
      orderRetention: journeys.orderRetention,
    }),
    loyalty,
    sweeper: new Sweeper(
      store,
      journeys,
      config.timerShards,
      undefined,
      new OutboxReconciler(store),
      loyalty,
    ),
    dispatcher: new Dispatcher({
      store,
      mailer: overrides.mailer ?? new SesMailer(sesClient({ requestTimeoutMs: config.sesRequestTimeoutMs })),
      publisher,
      suppressions: compliance,
      renderer: overrides.renderer ?? createRenderer(catalog.templates),
      now,
      senderAddress: config.senderAddress,
      configurationSetName: config.configurationSetName,
      shop: config.shop,
      preferencesUrl: config.preferencesUrl,
      signingSecret: config.signingSecret,
      pace: pacer ? () => pacer.pace() : undefined,
      reconcileAfter: config.outboxReconcileAfter,
    }),
    compliance,
    pages,
    preferences: new PreferencesService({
      store,
      compliance,
      feedback: new FeedbackStore(doc, config.tableName, (customerId) => store.timerShard(customerId)),
      pages,
      now,
      signingSecret: config.signingSecret,
      preferencesUrl: config.preferencesUrl,
      shop: config.shop,
      shopEventSource: config.shopEventSource,
      // The member page exists only while the program runs.
      loyalty: catalog.loyalty?.enabled ? loyalty : undefined,
    }),
    sesEvents: new SesEventService({ compliance }),
    connectors: connectorService(doc, config, publisher, now, store),
    analytics: overrides.analyticsSink
      ? new AnalyticsService({
          keys: new AnalyticsKeyStore(doc, config.tableName),
          sink: overrides.analyticsSink,
          now,
          configurationSetName: config.configurationSetName,
        })
      : undefined,
  };
}

/**
 * The connector service alone, for the connector functions (no catalog, no signing secret) and, with
 * the runtime's store, inside `createServices`.
 */
export function connectorService(
  doc: DocumentSender,
  config: Pick<ConnectorConfig, 'tableName' | 'shopEventSource' | 'retentionDays'>,
  publisher: EventPublisher,
  now: () => string,
  store = new JourneyStore(doc, config.tableName, {
    timerShards: DEFAULT_TIMER_SHARDS,
    retentionDays: config.retentionDays,
  }),
): ConnectorService {
  return new ConnectorService({
    store: new ConnectorStore(doc, config.tableName),
    rejections: store,
    publisher,
    source: config.shopEventSource,
    now,
  });
}
