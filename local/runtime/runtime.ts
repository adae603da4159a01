/**
 * The embedded runtime: the same services as the Lambdas, wired to DynamoDB Local and the SES v2
 * emulator. It plays EventBridge (routing with the CDK rules' patterns), the Lambda stream trigger
 * (a poller on the table's stream) and the one-minute schedule (the sweeper, driven by the caller).
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { CreateTableCommand, DescribeTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBStreamsClient } from '@aws-sdk/client-dynamodb-streams';
import type { SESv2Client } from '@aws-sdk/client-sesv2';
import type { DynamoDBRecord } from 'aws-lambda';
import type { Clock } from '../../functions/adapters/clock.ts';
import { SesMailer, sesClient } from '../../functions/adapters/mailer.ts';
import type { EventPublisher, OutgoingEvent } from '../../functions/adapters/publisher.ts';
import type { CapacityMeter, SaveRequest } from '../../functions/adapters/store.ts';
import { createTableInput } from '../../functions/adapters/table-schema.ts';
import type { AnalyticsSink } from '../../functions/analytics/record.ts';
import type { Catalog } from '../../functions/catalog/catalog.ts';
import { type AppConfig, configFromEnv, shopIdentityEnv } from '../../functions/config.ts';
import type { RawEvent } from '../../functions/core/events.ts';
import { outboxTag } from '../../functions/core/links.ts';
import { readsAnotherCustomer } from '../../functions/core/referral.ts';
import { DEMO_SHOP } from '../../functions/core/shop.ts';
import type { EmailRenderer } from '../../functions/email/index.ts';
import { forEachCustomer } from '../../functions/services/concurrency.ts';
import { createServices, type Services } from '../../functions/services/container.ts';
import type { DispatchOutcome } from '../../functions/services/dispatcher.ts';
import type { Outcome } from '../../functions/services/journeys.ts';
import type { LoyaltyService } from '../../functions/services/loyalty.ts';
import { dispatchRecords, outboxItemFromRecord } from '../../functions/services/stream.ts';
import type { MemoryTables } from '../memory-table/table.ts';
import { ObservedStore } from './observed-store.ts';
import { type PutEventsEntry, type PutEventsResultEntry, parseEnvelope } from './put-events.ts';
import { eventRoutes, LOCAL_CONFIGURATION_SET, type Route } from './routes.ts';
import { acceptedEmailEvents, LocalSesEventSource } from './ses-event-source.ts';
import { StreamPoller } from './stream-poller.ts';

/** Credentials and region the local servers accept; they never reach AWS. */
const LOCAL_AWS = { region: 'eu-central-1', credentials: { accessKeyId: 'local', secretAccessKey: 'local' } };

export interface PublishedEvent extends OutgoingEvent {}

export interface Delivery {
  event: RawEvent;
  /** Outcome per target: `profile` and `journey:<id>`. */
  targets: { target: string; outcome?: Outcome; error?: string }[];
}

/** Where the table lives: DynamoDB Local (the default everywhere) or memory (large simulations). */
export type LocalStorage =
  | {
      dynamoEndpoint: string;
      memory?: undefined;
      /**
       * Whether the table has its stream (DynamoDB Local records every write on it). The simulator
       * follows outbox entries from the decisions it writes and turns it off.
       * @default true
       */
      stream?: boolean;
    }
  | { memory: MemoryTables; dynamoEndpoint?: undefined; stream?: false };

/** Where emails go: the SES v2 emulator (the default everywhere), or a client answering in process. */
export type LocalSes =
  | { sesEndpoint: string; sesClient?: undefined }
  | {
      /** Sends through this client instead (the simulator's in-process SES); no emulator to poll. */
      sesClient: SESv2Client;
      sesEndpoint?: undefined;
    };

export type LocalRuntimeOptions = LocalStorage &
  LocalSes & {
    catalog: Catalog;
    clock: Clock;
    /**
     * Where the local SES events are read from: the emulator itself (its `/store`), which may differ
     * from `sesEndpoint` when a fault-injecting proxy stands in front of it.
     * @default sesEndpoint
     */
    sesStoreEndpoint?: string;
    /**
     * Emulator time (epoch seconds) of the oldest accepted email to derive SES events from; a runtime
     * restarted after a crash, against a still running emulator, passes 0 (see ses-event-source.ts).
     * @default when the runtime was created
     */
    sesEventsSince?: number;
    /**
     * Renders the emails instead of the catalog's renderer (a simulation not asked for bodies).
     * @default every email rendered in full
     */
    renderer?: EmailRenderer;
    /** Environment-style settings, as the Lambdas get them (TABLE_NAME, SHOP_NAME, …). */
    env?: Record<string, string | undefined>;
    meter?: CapacityMeter;
    /** Told of every decision written (the simulator follows timers and outbox entries this way). */
    onSaved?: (request: SaveRequest) => void;
    /** Delivers published events instead of routing them at once (the simulator queues them in time order). */
    routePublished?: (event: PublishedEvent) => Promise<void>;
    /** Called for every event the dispatcher publishes (the simulator's event log). */
    onPublish?: (event: PublishedEvent) => void;
    /**
     * Where the analytics log goes (JSON Lines locally); with one, an `analytics` route hears what the
     * AWS analytics rules hear (analytics/routing.ts).
     * @default no analytics log
     */
    analyticsSink?: AnalyticsSink;
  };

/** Stands in for the EventBridge client: what the dispatcher publishes is recorded and routed. */
class LocalBus implements EventPublisher {
  constructor(private readonly sink: (event: PublishedEvent) => Promise<void>) {}
  publish(event: OutgoingEvent): Promise<void> {
    return this.sink(event);
  }
}

export class LocalRuntime {
  readonly services: Services;
  readonly config: AppConfig;
  /** Absent when the table has no stream (memory, or a simulation table). */
  private readonly poller: StreamPoller | undefined;
  /**
   * SES's `Send` / `Delivery` events, which the emulator does not publish, derived from its store;
   * absent with an in-process SES (its sender asks for them with `emailAccepted`).
   */
  private readonly sesEventSource: LocalSesEventSource | undefined;
  private readonly routes: Route[];

  private constructor(
    private readonly options: LocalRuntimeOptions,
    readonly dynamo: DynamoDBClient | undefined,
    streamArn: string | undefined,
  ) {
    this.config = configFromEnv(localEnv(options));
    const signingSecret = this.config.signingSecret as string;
    const onSaved = options.onSaved;
    this.services = createServices({ ...this.config, signingSecret }, options.catalog, options.clock, {
      dynamo,
      document: options.memory,
      // The same one-attempt, time-bounded client as in Lambda; the tags also go into a header,
      // because the emulator drops EmailTags and the local SES events need them.
      mailer: new SesMailer(
        options.sesClient ??
          sesClient({
            ...LOCAL_AWS,
            endpoint: options.sesEndpoint,
            requestTimeoutMs: this.config.sesRequestTimeoutMs,
          }),
        { tagsHeader: true },
      ),
      publisher: new LocalBus(async (event) => this.onPublished(event)),
      renderer: options.renderer,
      meter: options.meter,
      ...(onSaved ? { createStore: (...args) => new ObservedStore(onSaved, ...args) } : {}),
      backoff: async () => {},
      analyticsSink: options.analyticsSink,
    });
    this.poller =
      streamArn && options.dynamoEndpoint
        ? new StreamPoller({
            client: new DynamoDBStreamsClient({ ...LOCAL_AWS, endpoint: options.dynamoEndpoint }),
            streamArn,
          })
        : undefined;
    const sesStore = options.sesStoreEndpoint ?? options.sesEndpoint;
    this.sesEventSource = sesStore
      ? new LocalSesEventSource(sesStore, options.clock, (event) => this.deliver(event), {
          configurationSetName: this.config.configurationSetName,
          since: options.sesEventsSince,
        })
      : undefined;
    this.routes = eventRoutes(this.services, this.config, options.catalog);
  }

  /** Creates the table (if missing) from the same definition as the CDK stack, then the runtime. */
  static async create(options: LocalRuntimeOptions): Promise<LocalRuntime> {
    const tableName = localEnv(options).TABLE_NAME as string;
    const input = createTableInput(tableName);
    if (options.memory) {
      options.memory.createTable(input);
      return new LocalRuntime(options, undefined, undefined);
    }
    const stream = options.stream ?? true;
    if (!stream) delete input.StreamSpecification;
    const dynamo = new DynamoDBClient({ ...LOCAL_AWS, endpoint: options.dynamoEndpoint });
    let streamArn: string | undefined;
    try {
      const existing = await dynamo.send(new DescribeTableCommand({ TableName: tableName }));
      streamArn = existing.Table?.LatestStreamArn;
    } catch (error) {
      if ((error as Error).name !== 'ResourceNotFoundException') throw error;
      const created = await dynamo.send(new CreateTableCommand(input));
      streamArn = created.TableDescription?.LatestStreamArn;
    }
    if (stream && !streamArn) throw new Error(`table ${tableName} has no stream`);
    return new LocalRuntime(options, dynamo, streamArn);
  }

  /** EventBridge PutEvents: envelope checks as EventBridge does them, then delivery to every matching target. */
  async putEvents(
    entries: PutEventsEntry[],
  ): Promise<{ FailedEntryCount: number; Entries: PutEventsResultEntry[]; deliveries: Delivery[] }> {
    const results: PutEventsResultEntry[] = [];
    const deliveries: Delivery[] = [];
    for (const entry of entries) {
      const envelope = parseEnvelope(entry, this.options.clock.now());
      if ('ErrorCode' in envelope) {
        results.push(envelope);
        continue;
      }
      results.push({ EventId: envelope.id });
      deliveries.push(await this.deliver(envelope));
    }
    return { FailedEntryCount: results.filter((r) => 'ErrorCode' in r).length, Entries: results, deliveries };
  }

  /** Hands one event to every target whose rule pattern matches, like EventBridge fan-out. */
  async deliver(event: RawEvent): Promise<Delivery> {
    const delivery: Delivery = { event, targets: [] };
    for (const route of this.routes) {
      if (!route.matches(event)) continue;
      try {
        delivery.targets.push({ target: route.target, outcome: await route.run(event) });
      } catch (error) {
        // In AWS this invocation would be retried and then land in the rule's DLQ.
        delivery.targets.push({ target: route.target, error: String(error) });
      }
    }
    return delivery;
  }

  /**
   * Reads the table stream and dispatches outbox inserts and requeues, retrying a record that failed
   * transiently (as the Lambda event source mapping does) up to `maxAttempts` times — SES faults do
   * not fail a record, they move the entry to `retry` or `unknown` (dispatcher.ts). Then emits the
   * SES events of what the emulator accepted, as SES would.
   */
  async drainOutbox(
    maxAttempts = 5,
    concurrency = 8,
  ): Promise<{ outcomes: DispatchOutcome[]; failures: string[] }> {
    const outcomes: DispatchOutcome[] = [];
    const failures: string[] = [];
    const poller = this.poller;
    if (!poller) throw new Error('drainOutbox needs the table stream: this runtime was created without it');
    let records: DynamoDBRecord[] = await poller.drain();
    while (records.length) {
      // Like parallel stream shards: customers side by side, each customer's entries in order.
      const byCustomer = new Map<string, DynamoDBRecord[]>();
      for (const record of records) {
        if (!outboxItemFromRecord(record)) continue;
        const key = record.dynamodb?.Keys?.PK?.S ?? '';
        byCustomer.set(key, [...(byCustomer.get(key) ?? []), record]);
      }
      await forEachCustomer(
        [...byCustomer.values()],
        (group) => group[0]?.dynamodb?.Keys?.PK?.S ?? '',
        concurrency,
        async (group) => {
          let pending = group;
          // Not retryOnConflict: the dispatcher throws rather than answering CONFLICT, and any failure is
          // redelivered from the first failed record on, as the stream event source mapping does.
          for (let attempt = 1; pending.length && attempt <= maxAttempts; attempt++) {
            const result = await dispatchRecords(this.services.dispatcher, pending);
            outcomes.push(...result.outcomes);
            const failedAt = result.batchItemFailures[0]?.itemIdentifier;
            if (!failedAt) break;
            const index = pending.findIndex((r) => r.dynamodb?.SequenceNumber === failedAt);
            pending = pending.slice(index);
            if (attempt === maxAttempts) failures.push(...result.errors.map((e) => String(e.error)));
            else await new Promise((resolve) => setTimeout(resolve, 50 * 2 ** attempt));
          }
        },
      );
      records = await poller.drain();
    }
    await this.pollSesEvents();
    return { outcomes, failures };
  }

  /**
   * Publishes SES's events for the emails the emulator accepted since the last call (ses-event-source.ts).
   * An unreachable emulator only delays them, as SES's own events can be delayed: nothing is lost,
   * and a resend waits for the grace period.
   */
  async pollSesEvents(): Promise<number> {
    try {
      return (await this.sesEventSource?.poll()) ?? 0;
    } catch {
      return 0;
    }
  }

  /**
   * SES's `Send` and `Delivery` events for an email the dispatcher just sent, delivered at once (the
   * simulator, which has no emulator poll on its virtual clock, so the analytics log sees them).
   */
  async emailAccepted(sent: Extract<DispatchOutcome, { status: 'sent' }>): Promise<Delivery[]> {
    const events = acceptedEmailEvents({
      messageId: sent.messageId,
      from: this.config.senderAddress,
      to: [sent.to],
      tags: {
        journey: [sent.journeyId],
        message: [sent.message],
        outbox: [outboxTag(sent.customerId, sent.outboxId)],
      },
      now: sent.sentAt,
      configurationSetName: this.config.configurationSetName,
    });
    const deliveries: Delivery[] = [];
    for (const event of events) deliveries.push(await this.deliver(event));
    return deliveries;
  }

  /** Whether handling this event reads what another customer's earlier work wrote (the simulator's barriers). */
  readsAnotherCustomer(event: RawEvent): boolean {
    return (
      this.routes.some((route) => route.target === 'profile' && route.matches(event)) &&
      readsAnotherCustomer(event)
    );
  }

  /** The loyalty program's service (the simulator fires its timers). */
  get loyalty(): LoyaltyService {
    return this.services.loyalty;
  }

  /** Whether any rule would deliver this event (the simulator queues only those). */
  hasRoute(event: { source: string; detailType: string }): boolean {
    return this.routes.some((route) => route.matches(event as RawEvent));
  }

  /** The one-minute schedule: SES's events first (so they settle what they can), then the sweeper. */
  async sweep() {
    await this.pollSesEvents();
    return this.services.sweeper.sweep(this.options.clock.now());
  }

  nextTimer(): Promise<string | undefined> {
    return this.services.store.nextTimer();
  }

  private async onPublished(event: PublishedEvent): Promise<void> {
    this.options.onPublish?.(event);
    if (this.options.routePublished) return this.options.routePublished(event);
    // Emitted events travel the bus too: the referral journeys listen to some of the system's own.
    await this.deliver({
      id: randomUUID(),
      source: event.source,
      detailType: event.detailType,
      time: event.time,
      detail: event.detail,
    });
  }
}

/**
 * A runtime given no SIGNING_SECRET signs with a random one of its own: a constant here would let
 * anyone who read the source forge links for a running local runtime. `npm start` passes its data
 * directory's secret; the simulator and tests pass or read their own.
 */
function localEnv(options: LocalRuntimeOptions): Record<string, string | undefined> {
  return {
    TABLE_NAME: 'retention-journeys',
    SIGNING_SECRET: randomBytes(32).toString('base64url'),
    DEFAULT_LOCALE: options.catalog.defaultLocale,
    PREFERENCES_URL: 'http://127.0.0.1:3000/preferences',
    // The preview's made-up shop: local emails look like the gallery's, sender name included.
    SENDER_ADDRESS: `${DEMO_SHOP.name} <hello@shop.example>`,
    ...shopIdentityEnv(DEMO_SHOP),
    SES_CONFIGURATION_SET: LOCAL_CONFIGURATION_SET,
    ...options.env,
  };
}
