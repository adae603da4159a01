import { Duration, Fn, Stack, Validations } from 'aws-cdk-lib';
import type { TableV2 } from 'aws-cdk-lib/aws-dynamodb';
import { type Archive, EventBus, type IEventBus, Rule, Schedule } from 'aws-cdk-lib/aws-events';
import { EventBus as EventBusTarget, LambdaFunction } from 'aws-cdk-lib/aws-events-targets';
import { type FunctionUrl, FunctionUrlAuthType, HttpMethod, InvokeMode } from 'aws-cdk-lib/aws-lambda';
import { SqsDestination } from 'aws-cdk-lib/aws-lambda-destinations';
import { Secret } from 'aws-cdk-lib/aws-secretsmanager';
import type { ITopic } from 'aws-cdk-lib/aws-sns';
import type { Queue } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import type { RoleName } from '../functions/composition/roles.ts';
import { shopIdentityEnv } from '../functions/config.ts';
import {
  journeyEventPattern,
  journeySystemEventPattern,
  profileEventPattern,
} from '../functions/core/routing.ts';
import { parseLinkTracking } from '../functions/core/shop.ts';
import { METRIC_NAMESPACE, METRIC_SERVICE } from '../functions/metrics.ts';
import { Analytics } from './analytics.ts';
import { ShopConnectors } from './connectors.ts';
import { deadLetterQueue, type FailureWiring } from './dead-letter-queue.ts';
import { Email, sesEventPattern } from './email.ts';
import { RetentionFunction, TRACING_CONTEXT } from './function.ts';
import { Loyalty } from './loyalty.ts';
import { type MonitoredQueue, Monitoring } from './monitoring.ts';
import { dispatcherSizing, outboxStreamSource } from './outbox-dispatch.ts';
import {
  type FrequencyCap,
  type RetentionJourneysProps,
  RetentionJourneysPropsError,
  SYSTEM_EVENT_SOURCE,
} from './retention-journeys-props.ts';
import { pascalCase, retryThenKeep, routeToFunction, toCdkPattern } from './routing.ts';
import { reserveSystemSource } from './system-source-policy.ts';
import { JourneysTable } from './table.ts';
import { validateProps } from './validate-props.ts';

export {
  dispatcherSizing,
  OUTBOX_PREFIX,
  SENDS_PER_WORKER_PER_SECOND,
} from './outbox-dispatch.ts';
export {
  type FrequencyCap,
  type RetentionJourneysProps,
  RetentionJourneysPropsError,
  SYSTEM_EVENT_SOURCE,
  validateProps,
};

/** Metrics namespace of every function (powertools); see functions/metrics.ts. */
export const METRICS_NAMESPACE = METRIC_NAMESPACE;
/** Service name in logs, traces and metric dimensions (powertools); see functions/metrics.ts. */
export const SERVICE_NAME = METRIC_SERVICE;
/**
 * Concurrency reserved for (and capping) the public preferences endpoint: enough for unsubscribe
 * clicks and mailbox providers' one-click POSTs, small enough that a flood of requests cannot run up
 * the bill or starve the rest of the account.
 */
export const PREFERENCES_RESERVED_CONCURRENCY = 5;

/** A dead-letter queue with what it holds and how it is redriven (README, "Redrive"). */
export interface DeadLetterQueueInfo extends MonitoredQueue {
  readonly queue: Queue;
  /**
   * `sqs`: plain messages (events or async invocation records), redriven with
   * `aws sqs start-message-move-task`. `stream`: metadata of failed DynamoDB stream batches (shard,
   * sequence numbers), redriven by re-dispatching the outbox entries they point at.
   */
  readonly redrive: 'sqs' | 'stream';
}

export class RetentionJourneys extends Construct {
  readonly eventBus: IEventBus;
  /** Every event on the journeys bus, kept for `eventArchiveRetention` for replay. */
  readonly archive: Archive;
  readonly table: TableV2;
  readonly signingSecret: Secret;
  readonly email: Email;
  readonly journeyFunctions: ReadonlyMap<string, RetentionFunction>;
  readonly profileFunction: RetentionFunction;
  readonly sweeperFunction: RetentionFunction;
  readonly dispatcherFunction: RetentionFunction;
  readonly sesEventsFunction: RetentionFunction;
  readonly preferencesFunction: RetentionFunction;
  /** Public endpoint of the preferences function (unsubscribe, feedback). */
  readonly preferencesUrl: FunctionUrl;
  /** Failed outbox stream batches (metadata pointing at the stream records). */
  readonly dispatcherDeadLetterQueue: Queue;
  /** Every dead-letter queue of the construct, keyed by label. */
  readonly deadLetterQueues: ReadonlyMap<string, DeadLetterQueueInfo>;
  readonly monitoring: Monitoring;
  /** The analytics log and monthly report; undefined when `analytics.enabled` is false. */
  readonly analytics: Analytics | undefined;
  /** Shopify, WooCommerce and Shopware connectors; undefined when none is configured. */
  readonly connectors: ShopConnectors | undefined;
  /** The loyalty program's function and rules; undefined when the catalog has no enabled program. */
  readonly loyalty: Loyalty | undefined;

  private readonly dlqs = new Map<string, DeadLetterQueueInfo>();

  constructor(scope: Construct, id: string, props: RetentionJourneysProps) {
    super(scope, id);
    // Every function of the construct reads it, including those of its parts (analytics, connectors).
    this.node.setContext(TRACING_CONTEXT, props.tracing ?? false);
    const settings = validateProps(props);
    this.deadLetterQueues = this.dlqs;

    this.eventBus =
      props.eventBus ?? new EventBus(this, 'EventBus', { description: 'Shop events and journey events' });
    // Everything on the bus (the account pattern matches every event), so a fixed handler can be fed
    // the events it failed on: `aws events start-replay` (README, "Replaying events").
    this.archive = this.eventBus.archive('Archive', {
      description: 'Shop and journey events, for replay after a fix',
      eventPattern: { account: [Stack.of(this).account] },
      retention: Duration.days(settings.eventArchiveRetentionDays),
    });
    if (settings.partnerEventBusName) this.forwardPartnerEvents(settings.partnerEventBusName);

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
      FREQUENCY_CAP_MAX: String(settings.frequencyCap.max),
      FREQUENCY_CAP_PER: settings.frequencyCap.per,
      RETENTION_DAYS: String(settings.idempotencyRetentionDays),
      ...shopIdentityEnv({
        name: settings.shopName,
        url: settings.shopUrl,
        address: settings.shopAddress,
        logoUrl: settings.shopLogoUrl,
        brandColor: settings.shopBrandColor,
        linkTracking: parseLinkTracking(settings.shopLinkTracking),
      }),
      POWERTOOLS_SERVICE_NAME: METRIC_SERVICE,
      POWERTOOLS_METRICS_NAMESPACE: METRIC_NAMESPACE,
    };
    // Grants, secret and catalog parts follow each function's role (functions/composition/roles.ts).
    const makeFunction = (
      fnId: string,
      role: RoleName,
      description: string,
      extra: Partial<ConstructorParameters<typeof RetentionFunction>[2]> = {},
    ) => {
      const fn = new RetentionFunction(this, fnId, {
        role,
        description,
        catalogPath: settings.catalogPath,
        logRetention: settings.logRetention,
        signingSecret: this.signingSecret,
        ...extra,
        environment: { ...common, ...extra.environment },
      });
      fn.bindTable(this.table);
      return fn;
    };

    // Journeys: one function and one rule per definition, disabled ones included (buildCatalog keeps
    // them): the engine refuses new entrants itself, while exits, awaited events and goals must still
    // reach the customers inside, and their timers need the definition.
    const journeyFunctions = new Map<string, RetentionFunction>();
    // One dead-letter queue for every journey: each message names what failed (EventBridge's
    // RULE_ARN and TARGET_ARN attributes, or Lambda's requestContext.functionArn), so one alarm is as
    // actionable as one per journey was — and eleven alarms cost $1.10 a month (npm run cost).
    const journeysDlq = this.deadLetterQueue(
      'Journeys',
      'events a journey could not process (each message names its rule or function)',
      'sqs',
    );
    for (const definition of settings.journeys) {
      const name = pascalCase(definition.id);
      const fn = makeFunction(
        `Journey${name}`,
        'journey',
        `Journey "${definition.name}" (${definition.id})`,
        {
          journeyId: definition.id,
          environment: { JOURNEY_ID: definition.id },
        },
      );
      // Shop events, and system events crossing customers (referrals): one rule each, the shared DLQ.
      const dlq = journeysDlq;
      const shopPattern = journeyEventPattern(definition, settings.shopEventSource);
      const systemPattern = journeySystemEventPattern(definition);
      if (shopPattern) {
        this.route(`Journey${name}`, this.eventBus, toCdkPattern(shopPattern), fn, dlq, {
          description: `Shop events of journey ${definition.id}`,
        });
      }
      if (systemPattern) {
        this.route(`Journey${name}System`, this.eventBus, toCdkPattern(systemPattern), fn, dlq, {
          description: `System events of journey ${definition.id}`,
        });
      }
      retryThenKeep(fn, dlq);
      journeyFunctions.set(definition.id, fn);
    }
    this.journeyFunctions = journeyFunctions;

    this.profileFunction = makeFunction('Profile', 'profile', 'Customer profile projection of shop events');
    const profileDlq = this.deadLetterQueue(
      'Profile',
      'shop events the profile projection could not process',
      'sqs',
    );
    this.route(
      'Profile',
      this.eventBus,
      toCdkPattern(profileEventPattern(settings.shopEventSource)),
      this.profileFunction,
      profileDlq,
      { description: 'Every shop event, for the customer profile projection' },
    );
    retryThenKeep(this.profileFunction, profileDlq);

    this.sweeperFunction = makeFunction(
      'Sweeper',
      'sweeper',
      // Loyalty accounts' timers too (hold, reminder, expiry, tier review), in-process: the sweeper
      // composes the loyalty service, so it needs nothing beyond the table and secret it has.
      'Feeds journey and loyalty timers that fell due to the engine and the loyalty program',
      {
        timeout: Duration.seconds(55),
      },
    );
    const sweeperDlq = this.deadLetterQueue('Sweeper', 'sweeper runs that failed', 'sqs');
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

    // SES events (delivery, bounce, complaint, open, click ...) arrive on the default bus only.
    this.sesEventsFunction = makeFunction(
      'SesEvents',
      'sesEvents',
      'Records SES events per message and journey, suppresses bouncing and complaining addresses',
    );
    const sesEventsDlq = this.deadLetterQueue(
      'SesEvents',
      'SES events (bounces, complaints, opens ...) that could not be recorded',
      'sqs',
    );
    this.route(
      'SesEvents',
      EventBus.fromEventBusName(this, 'DefaultBus', 'default'),
      sesEventPattern(this.email.configurationSetName),
      this.sesEventsFunction,
      sesEventsDlq,
      { description: 'SES events of the retention-journeys configuration set' },
    );
    retryThenKeep(this.sesEventsFunction, sesEventsDlq);

    // The preferences endpoint: one-click unsubscribe (RFC 8058), the footer's unsubscribe page and
    // the NPS links. Public by necessity (see below). It publishes nothing itself: consent changes and
    // feedback answers go to the outbox in the transaction that records them (the dispatcher publishes).
    this.preferencesFunction = makeFunction(
      'Preferences',
      'preferences',
      'Public preferences endpoint: one-click unsubscribe, unsubscribe page, feedback links',
      {
        timeout: Duration.seconds(10),
        reservedConcurrentExecutions: PREFERENCES_RESERVED_CONCURRENCY,
      },
    );
    this.preferencesUrl = this.preferencesFunction.function.addFunctionUrl({
      // Links in emails must work for whoever holds them, and mailbox providers POST one-click
      // unsubscribes without credentials: there is no caller identity to check. Every request instead
      // carries an HMAC-signed, purpose-bound, expiring token, which the handler verifies before it
      // changes anything.
      authType: FunctionUrlAuthType.NONE,
      invokeMode: InvokeMode.BUFFERED,
      // CORS configured, and closed: no origin may read responses or send credentialed or non-simple
      // requests from a script. The endpoint's own HTML forms post to their own origin (same-origin,
      // no CORS involved), and mailbox providers' RFC 8058 POSTs come from servers, not browsers.
      // Because CORS is configured here, Lambda answers preflights itself and a CORS header the
      // function might return is not what decides.
      cors: {
        allowedMethods: [HttpMethod.GET, HttpMethod.POST],
        allowCredentials: false,
      },
    });

    const sizing = dispatcherSizing(settings.sendRatePerSecond);
    this.dispatcherFunction = makeFunction(
      'Dispatcher',
      'dispatcher',
      'Sends outbox emails through SES and publishes outbox events',
      {
        timeout: Duration.seconds(60),
        reservedConcurrentExecutions: sizing.reservedConcurrency,
        environment: {
          SENDER_ADDRESS: settings.senderAddress,
          SES_CONFIGURATION_SET: this.email.configurationSetName,
          SENDS_PER_SECOND_PER_WORKER: String(sizing.sendsPerSecondPerWorker),
          // The function URL ends in "/"; the dispatcher appends "/unsubscribe?token=..." itself.
          PREFERENCES_URL: `https://${Fn.select(2, Fn.split('/', this.preferencesUrl.url))}`,
        },
      },
    );
    this.email.grantSend(this.dispatcherFunction.function);
    this.eventBus.grantPutEventsTo(this.dispatcherFunction.function);
    // Only the dispatcher publishes the system's own events (outbox emits); nobody else may forge them.
    reserveSystemSource(this, this.eventBus, [this.dispatcherFunction.role]);
    this.dispatcherDeadLetterQueue = this.deadLetterQueue(
      'Dispatcher',
      'outbox stream batches that kept failing',
      'stream',
    );
    this.dispatcherFunction.function.addEventSource(
      outboxStreamSource(this.table, sizing.batchSize, this.dispatcherDeadLetterQueue),
    );

    // How the optional parts (analytics, connectors, loyalty) hook into the stack's routing and dead letters.
    const wiring: FailureWiring = {
      deadLetterQueue: (label, holds) => this.deadLetterQueue(label, holds, 'sqs'),
      route: (...args) => this.route(...args),
      retryThenKeep,
    };
    this.analytics = settings.analytics
      ? new Analytics(this, 'Analytics', {
          settings: settings.analytics,
          eventBus: this.eventBus,
          shopEventSource: settings.shopEventSource,
          systemEventSource: SYSTEM_EVENT_SOURCE,
          table: this.table,
          email: this.email,
          senderAddress: settings.senderAddress,
          catalogPath: settings.catalogPath,
          logRetention: settings.logRetention,
          environment: common,
          ...wiring,
        })
      : undefined;

    this.loyalty = settings.loyalty?.enabled
      ? new Loyalty(this, 'LoyaltyProgram', {
          eventBus: this.eventBus,
          shopEventSource: settings.shopEventSource,
          table: this.table,
          signingSecret: this.signingSecret,
          catalogPath: settings.catalogPath,
          logRetention: settings.logRetention,
          environment: common,
          ...wiring,
        })
      : undefined;

    this.connectors = settings.connectors
      ? new ShopConnectors(this, 'Connectors', {
          settings: settings.connectors,
          eventBus: this.eventBus,
          table: this.table,
          catalogPath: settings.catalogPath,
          logRetention: settings.logRetention,
          archiveRetention: Duration.days(settings.eventArchiveRetentionDays),
          environment: common,
          ...wiring,
        })
      : undefined;

    const functions = [
      ...[...journeyFunctions].map(([journeyId, fn]) => ({
        label: `Journey${pascalCase(journeyId)}`,
        function: fn.function,
      })),
      { label: 'Profile', function: this.profileFunction.function },
      ...(this.loyalty ? [{ label: 'Loyalty', function: this.loyalty.function.function }] : []),
      { label: 'Sweeper', function: this.sweeperFunction.function },
      { label: 'Dispatcher', function: this.dispatcherFunction.function },
      { label: 'SesEvents', function: this.sesEventsFunction.function },
      { label: 'Preferences', function: this.preferencesFunction.function, synchronous: true },
      ...(this.analytics ? [{ label: 'Analytics', function: this.analytics.recorderFunction.function }] : []),
      ...(this.analytics?.reportFunction
        ? [{ label: 'MonthlyReport', function: this.analytics.reportFunction.function }]
        : []),
      ...(this.connectors?.functions ?? []),
    ];
    this.monitoring = new Monitoring(this, 'Monitoring', {
      ...(props.alarmTopic ? { alarmTopic: props.alarmTopic } : {}),
      dashboardName: `${Stack.of(this).stackName}-${id}`,
      journeys: settings.journeys.map((definition) => {
        return {
          id: definition.id,
          name: definition.name,
          function: (journeyFunctions.get(definition.id) as RetentionFunction).function,
          deadLetterQueue: journeysDlq,
        };
      }),
      functions,
      deadLetterQueues: [...this.dlqs.values()],
      dispatcher: this.dispatcherFunction.function,
      dispatcherDeadLetterQueue: this.dispatcherDeadLetterQueue,
      sweeper: this.sweeperFunction.function,
      ...(this.loyalty
        ? {
            loyalty: {
              function: this.loyalty.function.function,
              deadLetterQueue: this.loyalty.deadLetterQueue,
            },
          }
        : {}),
    });
    this.analytics?.alarmTo(this.monitoring.alarmTopic);
  }

  /** The alarm topic (given or created). */
  get alarmTopic(): ITopic {
    return this.monitoring.alarmTopic;
  }

  private deadLetterQueue(label: string, holds: string, redrive: DeadLetterQueueInfo['redrive']): Queue {
    const queue = deadLetterQueue(this, `${label}DeadLetterQueue`, holds);
    this.dlqs.set(label, { label, queue, holds, redrive });
    return queue;
  }

  private route(...args: Parameters<FailureWiring['route']>): void {
    routeToFunction(this, ...args);
  }

  /** Forwards every event of the partner event source to the journeys bus. */
  private forwardPartnerEvents(partnerEventBusName: string): void {
    const partnerBus = EventBus.fromEventBusName(this, 'PartnerEventBus', partnerEventBusName);
    const dlq = this.deadLetterQueue('PartnerForward', 'partner events that could not be forwarded', 'sqs');
    new Rule(this, 'PartnerForwardRule', {
      description: `Forwards events of ${partnerEventBusName} to the journeys bus`,
      eventBus: partnerBus,
      eventPattern: { source: [partnerEventBusName] },
      // Bus-to-bus targets take no retry policy in CDK; EventBridge's default (24 h, 185 attempts)
      // applies, then the DLQ.
      targets: [new EventBusTarget(this.eventBus, { deadLetterQueue: dlq })],
    });
  }
}
