/**
 * RetentionJourneys: the whole system as one construct. Shop events arrive on an EventBridge bus;
 * one rule and one function per journey definition (routed with the same patterns the local runtime
 * uses), a rule for the customer-profile projection, a sweeper for due timers, and a DynamoDB-stream
 * dispatcher that sends the outbox through SES v2 and publishes emitted events.
 */

import { existsSync, statSync } from 'node:fs';
import { isAbsolute } from 'node:path';
import { Duration, Validations } from 'aws-cdk-lib';
import type { TableV2 } from 'aws-cdk-lib/aws-dynamodb';
import { EventBus, type EventPattern, type IEventBus, Rule, Schedule } from 'aws-cdk-lib/aws-events';
import { LambdaFunction } from 'aws-cdk-lib/aws-events-targets';
import { FilterCriteria, FilterRule, StartingPosition } from 'aws-cdk-lib/aws-lambda';
import { SqsDestination } from 'aws-cdk-lib/aws-lambda-destinations';
import { DynamoEventSource, SqsDlq } from 'aws-cdk-lib/aws-lambda-event-sources';
import { Secret } from 'aws-cdk-lib/aws-secretsmanager';
import type { Queue } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { DEFAULT_TIMER_SHARDS, TABLE } from '../functions/adapters/table-schema.ts';
import { type JourneyDefinition, journeyDefinitionSchema } from '../functions/core/definition.ts';
import {
  journeyEventPattern,
  profileEventPattern,
  type EventPattern as RoutingPattern,
} from '../functions/core/routing.ts';
import { deadLetterQueue } from './dead-letter-queue.ts';
import { Email, parseSenderAddress } from './email.ts';
import { RetentionFunction } from './function.ts';
import { JourneysTable } from './table.ts';

/** Metrics namespace of every function (powertools). */
export const METRICS_NAMESPACE = 'RetentionJourneys';
/** Service name in logs, traces and metric dimensions (powertools). */
export const SERVICE_NAME = 'retention-journeys';
/** The source of events the system itself emits; shop events must use another. */
export const SYSTEM_EVENT_SOURCE = 'retention-journeys';
/**
 * Sort-key prefix of outbox entries; must equal `keys.outboxPrefix` in functions/adapters/store.ts
 * (test/infra asserts it). Kept literal so synth does not load the AWS SDK.
 */
export const OUTBOX_PREFIX = 'OUT#';

/**
 * One dispatcher invocation sends its batch one email after another. An SES v2 `SendEmail` round
 * trip takes roughly 100 ms, so one invocation (a "worker") manages about 10 sends per second at most.
 */
export const SENDS_PER_WORKER_PER_SECOND = 10;

export interface RetentionJourneysProps {
  /**
   * The journey definitions to deploy: one function and one EventBridge rule each. Usually loaded
   * and validated from `journeys/*.yaml` by the catalog builder.
   */
  readonly journeys: readonly JourneyDefinition[];
  /**
   * Absolute path of the runtime catalog (journey definitions plus precompiled templates), copied
   * into every function bundle as `catalog.json` next to the handler.
   */
  readonly catalogPath: string;
  /**
   * The verified SES identity emails are sent from: `news@shop.example` or
   * `Shop <news@shop.example>`. Either the address or its domain must be verified in SES.
   */
  readonly senderAddress: string;
  /**
   * The `source` the shop puts on its events.
   * @default 'shop'
   */
  readonly shopEventSource?: string;
  /**
   * The bus the shop publishes to and the system emits on.
   * @default - a new custom event bus
   */
  readonly eventBus?: IEventBus;
  /**
   * Locale at the end of every fallback chain (`de-AT -> de -> defaultLocale`), BCP 47.
   * @default 'en'
   */
  readonly defaultLocale?: string;
  /**
   * IANA time zone for customers who have none (quiet hours, send times).
   * @default 'Europe/Berlin'
   */
  readonly defaultTimeZone?: string;
  /**
   * Write shards of the timer index; the sweeper queries each once a minute. More shards spread
   * a large number of waiting customers over more partitions.
   * @default DEFAULT_TIMER_SHARDS (4)
   */
  readonly timerShards?: number;
  /**
   * The highest rate, in emails per second, the dispatcher should send at — at most the SES account's
   * maximum send rate (1 in the SES sandbox). It sizes the dispatcher: reserved concurrency is
   * `ceil(sendRatePerSecond / 10)` workers (one worker sends about 10 emails a second back to back),
   * each worker is told its share (`SENDS_PER_SECOND_PER_WORKER`), and a batch holds about five
   * seconds of sending at that share. Throttling above it is retried with backoff.
   * @default 1
   */
  readonly sendRatePerSecond?: number;
  /**
   * An existing SES configuration set to send through.
   * @default - a new configuration set (TLS required, reputation metrics, bounces and complaints
   * suppressed), whose events reach the event bus
   */
  readonly configurationSetName?: string;
}

/** Bad props: the message names the prop and how to fix it. */
export class RetentionJourneysPropsError extends Error {
  override name = 'RetentionJourneysPropsError';
}

/** Validated props with defaults applied. */
interface Settings {
  journeys: readonly JourneyDefinition[];
  catalogPath: string;
  senderAddress: string;
  sender: { address: string; domain: string };
  shopEventSource: string;
  defaultLocale: string;
  defaultTimeZone: string;
  timerShards: number;
  sendRatePerSecond: number;
  configurationSetName: string | undefined;
}

export function validateProps(props: RetentionJourneysProps): Settings {
  const fail = (message: string): never => {
    throw new RetentionJourneysPropsError(`RetentionJourneys: ${message}`);
  };

  if (!Array.isArray(props.journeys)) fail('journeys must be an array of journey definitions');
  const seen = new Set<string>();
  props.journeys.forEach((definition, index) => {
    const parsed = journeyDefinitionSchema.safeParse(definition);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      fail(
        `journeys[${index}] is not a valid journey definition (${issue?.path.join('.') || 'root'}: ${issue?.message}); run \`journeys validate\` and fix the YAML`,
      );
    }
    if (seen.has(definition.id)) {
      fail(`journeys[${index}] repeats the id "${definition.id}"; every journey needs its own id`);
    }
    seen.add(definition.id);
  });

  if (typeof props.catalogPath !== 'string' || !isAbsolute(props.catalogPath)) {
    fail(
      `catalogPath must be an absolute path to catalog.json (got "${props.catalogPath}"); resolve it first`,
    );
  }
  if (!existsSync(props.catalogPath) || !statSync(props.catalogPath).isFile()) {
    fail(`catalogPath "${props.catalogPath}" does not exist; write the catalog (writeCatalog) before synth`);
  }

  const sender = parseSenderAddress(props.senderAddress ?? '');
  if (!sender) {
    fail(
      `senderAddress "${props.senderAddress}" is not an email address; pass the verified SES sender, e.g. news@shop.example or "Shop <news@shop.example>"`,
    );
  }

  const shopEventSource = props.shopEventSource ?? 'shop';
  if (!/^[A-Za-z0-9._/-]{1,256}$/.test(shopEventSource) || shopEventSource.startsWith('aws.')) {
    fail(
      `shopEventSource "${shopEventSource}" is not usable: use 1-256 letters, digits, ".", "_", "/", "-" and not the reserved "aws." prefix`,
    );
  }
  if (shopEventSource === SYSTEM_EVENT_SOURCE) {
    fail(
      `shopEventSource must differ from "${SYSTEM_EVENT_SOURCE}", the source of the events the system emits`,
    );
  }

  const defaultLocale = props.defaultLocale ?? 'en';
  if (!isLocale(defaultLocale)) {
    fail(`defaultLocale "${defaultLocale}" is not a BCP 47 language tag; use e.g. "en" or "de-DE"`);
  }

  const defaultTimeZone = props.defaultTimeZone ?? 'Europe/Berlin';
  if (!isTimeZone(defaultTimeZone)) {
    fail(`defaultTimeZone "${defaultTimeZone}" is not an IANA time zone; use e.g. "Europe/Berlin"`);
  }

  const timerShards = props.timerShards ?? DEFAULT_TIMER_SHARDS;
  if (!Number.isInteger(timerShards) || timerShards < 1 || timerShards > 100) {
    fail(`timerShards must be a whole number from 1 to 100 (got ${timerShards})`);
  }

  const sendRatePerSecond = props.sendRatePerSecond ?? 1;
  if (!Number.isFinite(sendRatePerSecond) || sendRatePerSecond <= 0 || sendRatePerSecond > 1000) {
    fail(
      `sendRatePerSecond must be a number above 0 and at most 1000 (got ${sendRatePerSecond}); use your SES account's maximum send rate`,
    );
  }

  const configurationSetName = props.configurationSetName;
  if (configurationSetName !== undefined && !/^[A-Za-z0-9_-]{1,64}$/.test(configurationSetName)) {
    fail(
      `configurationSetName "${configurationSetName}" is not a valid SES configuration set name (1-64 letters, digits, "_" or "-"); omit it to create one`,
    );
  }

  return {
    journeys: props.journeys,
    catalogPath: props.catalogPath,
    senderAddress: props.senderAddress.trim(),
    sender: sender as NonNullable<typeof sender>,
    shopEventSource,
    defaultLocale,
    defaultTimeZone,
    timerShards,
    sendRatePerSecond,
    configurationSetName,
  };
}

/** How the dispatcher is sized from the send rate (see `sendRatePerSecond`). */
export function dispatcherSizing(sendRatePerSecond: number): {
  reservedConcurrency: number;
  sendsPerSecondPerWorker: number;
  batchSize: number;
} {
  const reservedConcurrency = Math.max(1, Math.ceil(sendRatePerSecond / SENDS_PER_WORKER_PER_SECOND));
  const sendsPerSecondPerWorker = sendRatePerSecond / reservedConcurrency;
  const batchSize = Math.min(25, Math.max(1, Math.ceil(sendsPerSecondPerWorker * 5)));
  return { reservedConcurrency, sendsPerSecondPerWorker, batchSize };
}

export class RetentionJourneys extends Construct {
  readonly eventBus: IEventBus;
  readonly table: TableV2;
  readonly signingSecret: Secret;
  readonly email: Email;
  readonly journeyFunctions: ReadonlyMap<string, RetentionFunction>;
  readonly profileFunction: RetentionFunction;
  readonly sweeperFunction: RetentionFunction;
  readonly dispatcherFunction: RetentionFunction;
  /** Failed outbox stream batches (metadata pointing at the stream records). */
  readonly dispatcherDeadLetterQueue: Queue;

  constructor(scope: Construct, id: string, props: RetentionJourneysProps) {
    super(scope, id);
    const settings = validateProps(props);

    this.eventBus =
      props.eventBus ?? new EventBus(this, 'EventBus', { description: 'Shop events and journey events' });
    this.table = new JourneysTable(this, 'State').table;
    this.signingSecret = new Secret(this, 'SigningSecret', {
      description: 'Signs one-click unsubscribe and preference tokens in emails',
      generateSecretString: { passwordLength: 64, excludePunctuation: true },
    });
    Validations.of(this.signingSecret).acknowledge({
      id: 'AwsSolutions-SMG4',
      reason:
        'HMAC key of the unsubscribe links in emails already sent (RFC 8058: they must keep working); rotation needs overlapping keys, which the handlers do not support yet.',
    });
    this.email = new Email(this, 'Email', {
      sender: settings.sender,
      eventBus: this.eventBus,
      ...(settings.configurationSetName === undefined
        ? {}
        : { configurationSetName: settings.configurationSetName }),
    });

    const common = {
      EVENT_BUS_NAME: this.eventBus.eventBusName,
      SHOP_EVENT_SOURCE: settings.shopEventSource,
      DEFAULT_LOCALE: settings.defaultLocale,
      DEFAULT_TIME_ZONE: settings.defaultTimeZone,
      TIMER_SHARDS: String(settings.timerShards),
      SIGNING_SECRET_ARN: this.signingSecret.secretArn,
      POWERTOOLS_SERVICE_NAME: SERVICE_NAME,
      POWERTOOLS_METRICS_NAMESPACE: METRICS_NAMESPACE,
    };
    const makeFunction = (
      fnId: string,
      handlerFile: string,
      description: string,
      extra: Partial<ConstructorParameters<typeof RetentionFunction>[2]> = {},
    ) => {
      const fn = new RetentionFunction(this, fnId, {
        handlerFile,
        description,
        catalogPath: settings.catalogPath,
        ...extra,
        environment: { ...common, ...extra.environment },
      });
      fn.bindTable(this.table, 'readwrite');
      this.signingSecret.grantRead(fn.function);
      return fn;
    };

    // Journeys: one function and one rule per definition. Rules stay enabled for disabled journeys:
    // the engine refuses new entrants itself, while erasure and exits must still reach old instances.
    const journeyFunctions = new Map<string, RetentionFunction>();
    for (const definition of settings.journeys) {
      const name = pascalCase(definition.id);
      const fn = makeFunction(
        `Journey${name}`,
        'journey.ts',
        `Journey "${definition.name}" (${definition.id})`,
        {
          environment: { JOURNEY_ID: definition.id },
        },
      );
      this.route(`Journey${name}`, journeyEventPattern(definition, settings.shopEventSource), fn, {
        description: `Shop events of journey ${definition.id}`,
        holds: `events journey ${definition.id} could not process`,
      });
      journeyFunctions.set(definition.id, fn);
    }
    this.journeyFunctions = journeyFunctions;

    this.profileFunction = makeFunction(
      'Profile',
      'profile.ts',
      'Customer profile projection of shop events',
    );
    this.route('Profile', profileEventPattern(settings.shopEventSource), this.profileFunction, {
      description: 'Every shop event, for the customer profile projection',
      holds: 'shop events the profile projection could not process',
    });

    this.sweeperFunction = makeFunction(
      'Sweeper',
      'sweeper.ts',
      'Feeds journey timers that fell due to the engine',
      {
        timeout: Duration.seconds(55),
      },
    );
    const sweeperDlq = deadLetterQueue(this, 'SweeperDeadLetterQueue', 'sweeper runs that failed');
    new Rule(this, 'SweeperSchedule', {
      description: 'Runs the timer sweeper every minute',
      schedule: Schedule.rate(Duration.minutes(1)),
      // A missed sweep is covered by the next one a minute later: no long retries.
      targets: [
        new LambdaFunction(this.sweeperFunction.function, {
          deadLetterQueue: sweeperDlq,
          retryAttempts: 1,
          maxEventAge: Duration.minutes(1),
        }),
      ],
    });
    this.sweeperFunction.function.configureAsyncInvoke({
      retryAttempts: 0,
      maxEventAge: Duration.minutes(1),
      onFailure: new SqsDestination(sweeperDlq),
    });

    const sizing = dispatcherSizing(settings.sendRatePerSecond);
    this.dispatcherFunction = makeFunction(
      'Dispatcher',
      'dispatcher.ts',
      'Sends outbox emails through SES and publishes outbox events',
      {
        timeout: Duration.seconds(60),
        reservedConcurrentExecutions: sizing.reservedConcurrency,
        environment: {
          SENDER_ADDRESS: settings.senderAddress,
          SES_CONFIGURATION_SET: this.email.configurationSetName,
          SENDS_PER_SECOND_PER_WORKER: String(sizing.sendsPerSecondPerWorker),
        },
      },
    );
    this.email.grantSend(this.dispatcherFunction.function);
    this.eventBus.grantPutEventsTo(this.dispatcherFunction.function);
    this.dispatcherDeadLetterQueue = deadLetterQueue(
      this,
      'DispatcherDeadLetterQueue',
      'outbox stream batches that kept failing',
    );
    this.dispatcherFunction.function.addEventSource(
      new DynamoEventSource(this.table, {
        startingPosition: StartingPosition.TRIM_HORIZON,
        // Only new outbox entries: state, timers and the "sent" update of an entry never invoke it.
        filters: [
          FilterCriteria.filter({
            eventName: FilterRule.isEqual('INSERT'),
            dynamodb: { Keys: { [TABLE.sortKey]: { S: FilterRule.beginsWith(OUTBOX_PREFIX) } } },
          }),
        ],
        batchSize: sizing.batchSize,
        maxBatchingWindow: Duration.seconds(1),
        // One batch per stream shard at a time; reserved concurrency caps the shards in flight.
        parallelizationFactor: 1,
        bisectBatchOnError: true,
        reportBatchItemFailures: true,
        retryAttempts: 8,
        // The stream keeps records 24 h; give up (to the DLQ) well before they expire.
        maxRecordAge: Duration.hours(12),
        onFailure: new SqsDlq(this.dispatcherDeadLetterQueue),
      }),
    );
  }

  /** A rule on the bus sending matching events to a function, with bounded retries and a DLQ. */
  private route(
    id: string,
    pattern: RoutingPattern,
    fn: RetentionFunction,
    options: { description: string; holds: string },
  ): void {
    const dlq = deadLetterQueue(this, `${id}DeadLetterQueue`, options.holds);
    new Rule(this, `${id}Rule`, {
      description: options.description,
      eventBus: this.eventBus,
      eventPattern: toCdkPattern(pattern),
      targets: [
        // Delivery to Lambda (throttling, service errors): retried, then kept in the DLQ.
        new LambdaFunction(fn.function, {
          deadLetterQueue: dlq,
          retryAttempts: 8,
          maxEventAge: Duration.hours(6),
        }),
      ],
    });
    // The function itself failing (EventBridge invokes asynchronously): retried twice by Lambda,
    // then the invocation record goes to the same DLQ, so no event is dropped silently.
    fn.function.configureAsyncInvoke({
      retryAttempts: 2,
      maxEventAge: Duration.hours(6),
      onFailure: new SqsDestination(dlq),
    });
  }
}

/** The routing module's pattern in CDK's spelling (`detail-type` is `detailType` there). */
export function toCdkPattern(pattern: RoutingPattern): EventPattern {
  const detailType = pattern['detail-type'];
  return { source: [...pattern.source], ...(detailType ? { detailType: [...detailType] } : {}) };
}

function pascalCase(id: string): string {
  return id
    .split(/[^A-Za-z0-9]+/)
    .filter(Boolean)
    .map((part) => part[0]?.toUpperCase() + part.slice(1))
    .join('');
}

function isLocale(value: string): boolean {
  try {
    return Intl.getCanonicalLocales(value).length === 1;
  } catch {
    return false;
  }
}

function isTimeZone(value: string): boolean {
  try {
    new Intl.DateTimeFormat('en', { timeZone: value });
    return true;
  } catch {
    return false;
  }
}
