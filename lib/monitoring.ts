/**
 * Observability: an alarm topic, alarms on everything that loses or delays customer mail, and the
 * dashboard (lib/dashboard.ts). Metrics come from lib/cloudwatch-metrics.ts.
 */
import { Duration, Validations } from 'aws-cdk-lib';
import {
  Alarm,
  ComparisonOperator,
  type Dashboard,
  type IMetric,
  Stats,
  TreatMissingData,
} from 'aws-cdk-lib/aws-cloudwatch';
import { SnsAction } from 'aws-cdk-lib/aws-cloudwatch-actions';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import { type ITopic, Topic } from 'aws-cdk-lib/aws-sns';
import type { IQueue } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { OUTBOX_METRICS, SWEEPER_METRICS } from '../functions/metrics.ts';
import {
  handlerMetric,
  PERIOD,
  SES_BOUNCE_RATE_ALARM_THRESHOLD,
  SES_COMPLAINT_RATE_ALARM_THRESHOLD,
  sesReputationMetric,
} from './cloudwatch-metrics.ts';
import { monitoringDashboard } from './dashboard.ts';

/** A journey as the dashboard and its alarms see it. */
export interface MonitoredJourney {
  readonly id: string;
  readonly name: string;
  readonly function: IFunction;
  readonly deadLetterQueue: IQueue;
}

export interface MonitoredFunction {
  /** Short PascalCase label, used in construct ids and alarm descriptions. */
  readonly label: string;
  readonly function: IFunction;
  /**
   * Whether its caller waits for the answer (a Function URL): nothing retries a failure into a
   * dead-letter queue, so its errors get an alarm of their own.
   */
  readonly synchronous?: boolean;
}

export interface MonitoredQueue {
  readonly label: string;
  readonly queue: IQueue;
  /** What lands in it, for the alarm description. */
  readonly holds: string;
}

export interface MonitoringProps {
  /**
   * Where every alarm (and its return to OK) is sent.
   * @default - a new SNS topic refusing publishes without TLS (not encrypted at rest: it carries no
   * customer data, and the key CloudWatch could use would cost $1 a month)
   */
  readonly alarmTopic?: ITopic;
  readonly dashboardName: string;
  readonly journeys: readonly MonitoredJourney[];
  /** Every function: the synchronous ones get an errors alarm, all a dashboard graph. */
  readonly functions: readonly MonitoredFunction[];
  /** Every dead-letter queue: each gets a depth alarm. */
  readonly deadLetterQueues: readonly MonitoredQueue[];
  readonly dispatcher: IFunction;
  readonly dispatcherDeadLetterQueue: IQueue;
  readonly sweeper: IFunction;
  /**
   * The loyalty program's function and dead-letter queue, for a dashboard row (their alarms come
   * with `functions` and `deadLetterQueues`).
   * @default - no loyalty row: the program is not deployed
   */
  readonly loyalty?: { readonly function: IFunction; readonly deadLetterQueue: IQueue };
}

export class Monitoring extends Construct {
  readonly alarmTopic: ITopic;
  readonly dashboard: Dashboard;
  readonly alarms: Alarm[] = [];
  private readonly action: SnsAction;

  constructor(scope: Construct, id: string, props: MonitoringProps) {
    super(scope, id);
    this.alarmTopic = props.alarmTopic ?? this.createTopic();
    this.action = new SnsAction(this.alarmTopic);

    this.alarmOnFunctions(props.functions);
    this.alarmOnQueues(props.deadLetterQueues);
    this.alarmOnPipeline(props);
    this.alarmOnReputation();
    this.dashboard = monitoringDashboard(this, props);
  }

  private createTopic(): Topic {
    // Not encrypted at rest: CloudWatch cannot publish to a topic under SNS's AWS-managed key, so
    // encryption needs a customer-managed key, $1 a month — a tenth of the stack's bill at 100,000
    // customers (npm run cost) — for messages that hold alarm names, states and metric values, never
    // customer data. In transit the topic refuses anything but TLS.
    const topic = new Topic(this, 'AlarmTopic', {
      displayName: 'retention-journeys alarms',
      enforceSSL: true,
    });
    Validations.of(topic).acknowledge({
      id: 'AwsSolutions-SNS2',
      reason:
        'Alarm notifications only (alarm name, state, metric values; no customer data); a customer-managed key CloudWatch could use would cost $1 a month, a tenth of the whole stack at 100,000 customers. The topic enforces TLS (SNS3).',
    });
    return topic;
  }

  private alarm(
    id: string,
    options: {
      metric: IMetric;
      threshold: number;
      description: string;
      treatMissingData: TreatMissingData;
      comparisonOperator?: ComparisonOperator;
      evaluationPeriods?: number;
    },
  ): Alarm {
    const alarm = new Alarm(this, id, {
      metric: options.metric,
      threshold: options.threshold,
      comparisonOperator: options.comparisonOperator ?? ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      evaluationPeriods: options.evaluationPeriods ?? 1,
      treatMissingData: options.treatMissingData,
      alarmDescription: options.description,
    });
    alarm.addAlarmAction(this.action);
    alarm.addOkAction(this.action);
    this.alarms.push(alarm);
    return alarm;
  }

  /**
   * Errors and throttles of the functions whose callers wait for them (a throttled request there is
   * a refused customer or webhook: their concurrency is capped). Every other function's failures are
   * retried and then kept in a dead-letter queue, whose alarm is the one to act on: Lambda retries
   * an asynchronous invocation twice within about three minutes, the dispatcher's stream batches
   * show as OutboxLagging. A per-function errors and throttles alarm there paged for what already
   * retries itself, and cost $0.10 a month each (34 of the stack's 60 alarms, npm run cost).
   * Throttles end the same way: retried for up to six hours, then in the dead-letter queue.
   */
  private alarmOnFunctions(functions: readonly MonitoredFunction[]): void {
    for (const { label, function: fn } of functions.filter((f) => f.synchronous)) {
      this.alarm(`${label}Errors`, {
        metric: fn.metricErrors({ period: PERIOD, statistic: Stats.SUM }),
        threshold: 1,
        description: `${label}: the function failed (Errors >= 1 in 5 minutes) and its caller got an error page or status; nothing retries it. Its logs say why.`,
        treatMissingData: TreatMissingData.NOT_BREACHING,
      });
      this.alarm(`${label}Throttles`, {
        metric: fn.metricThrottles({ period: PERIOD, statistic: Stats.SUM }),
        threshold: 1,
        description: `${label}: requests were refused (Throttles >= 1 in 5 minutes): its reserved concurrency or the account's is exhausted, and callers got 429.`,
        treatMissingData: TreatMissingData.NOT_BREACHING,
      });
    }
  }

  /**
   * Any message in a dead-letter queue means an event, invocation or outbox entry gave up: alarm on
   * the first one. SQS stops publishing metrics for a queue that has been empty for hours, so missing
   * data means "empty" (not breaching).
   */
  private alarmOnQueues(queues: readonly MonitoredQueue[]): void {
    for (const { label, queue, holds } of queues) {
      this.alarm(`${label}DeadLetters`, {
        metric: queue.metricApproximateNumberOfMessagesVisible({ period: PERIOD, statistic: Stats.MAXIMUM }),
        threshold: 0,
        comparisonOperator: ComparisonOperator.GREATER_THAN_THRESHOLD,
        description: `${label}: the dead-letter queue holds ${holds}. Find the cause in the logs, fix it, then redrive (README, "Deploying to AWS" > "Redrive").`,
        treatMissingData: TreatMissingData.NOT_BREACHING,
      });
    }
  }

  private alarmOnPipeline(props: MonitoringProps): void {
    this.alarm('TimersFailed', {
      metric: handlerMetric(SWEEPER_METRICS.failed),
      threshold: 0,
      comparisonOperator: ComparisonOperator.GREATER_THAN_THRESHOLD,
      description:
        'Sweeper: due timers failed to advance (timers_failed > 0); they are retried on the next sweep. Look for "timer failed" in the sweeper logs.',
      // Emitted by every sweep, so no data means no sweep: that has its own alarm below.
      treatMissingData: TreatMissingData.NOT_BREACHING,
    });
    this.alarm('SweeperStalled', {
      metric: props.sweeper.metricInvocations({ period: PERIOD, statistic: Stats.SUM }),
      threshold: 1,
      comparisonOperator: ComparisonOperator.LESS_THAN_THRESHOLD,
      evaluationPeriods: 2,
      description:
        'Sweeper: not invoked for 10 minutes although scheduled every minute; waits and timeouts of every journey are stuck. Check the SweeperSchedule rule.',
      // The sweeper runs every minute; no Invocations data at all is exactly the failure to catch.
      treatMissingData: TreatMissingData.BREACHING,
    });
    this.alarm('OutboxFailed', {
      metric: handlerMetric(OUTBOX_METRICS.failed),
      threshold: 0,
      comparisonOperator: ComparisonOperator.GREATER_THAN_THRESHOLD,
      description:
        'Dispatcher: outbox entries failed permanently (outbox_failed > 0): emails were not sent or events not published. Look for "outbox entry failed" in the dispatcher logs.',
      // Emitted only when there is outbox traffic.
      treatMissingData: TreatMissingData.NOT_BREACHING,
    });
    this.alarm('OutboxDeferred', {
      metric: handlerMetric(OUTBOX_METRICS.retrying),
      threshold: 1,
      evaluationPeriods: 3,
      description:
        'Dispatcher: SES has not been taking emails for 15 minutes (outbox_retrying in every 5 minutes): throttled, sending paused or unreachable. Nothing is lost: each email is retried with backoff (up to every 30 minutes) and goes out once SES takes it. Check the SES sending quota, account status and the dispatcher logs.',
      // Emitted only when a send is deferred.
      treatMissingData: TreatMissingData.NOT_BREACHING,
    });
    this.alarm('OutboxResent', {
      metric: handlerMetric(SWEEPER_METRICS.outboxResent),
      threshold: 0,
      comparisonOperator: ComparisonOperator.GREATER_THAN_THRESHOLD,
      description:
        "Sweeper: emails were sent again because no SES event for them arrived within the grace period (outbox_resent > 0). Normal after an SES request that was never answered; if it keeps firing, SES's Send/Delivery events are not reaching the SesEvents function (configuration set event destination, rule) and ambiguous sends may go out twice.",
      treatMissingData: TreatMissingData.NOT_BREACHING,
    });
    this.alarm('OutboxLagging', {
      metric: props.dispatcher.metric('IteratorAge', { period: PERIOD, statistic: Stats.MAXIMUM }),
      threshold: Duration.hours(1).toMilliseconds(),
      evaluationPeriods: 3,
      description:
        'Dispatcher: the oldest unsent outbox record is over an hour old for 15 minutes (IteratorAge). Sending is failing or slower than the outbox fills; records go to the dead-letter queue after 12 hours.',
      // No stream records, no IteratorAge: nothing is waiting.
      treatMissingData: TreatMissingData.NOT_BREACHING,
    });
  }

  private alarmOnReputation(): void {
    // SES publishes reputation metrics only once the account has had a bounce or complaint, and then
    // irregularly: no data means no problem to report.
    this.alarm('SesBounceRate', {
      metric: sesReputationMetric('Reputation.BounceRate'),
      threshold: SES_BOUNCE_RATE_ALARM_THRESHOLD,
      description:
        'SES account bounce rate >= 4 %. SES reviews accounts at 5 % and may pause sending at 10 %. Find the journey and message with the most bounces in the analytics report (`npx journeys report --athena`, email outcomes) and stop mailing stale addresses.',
      treatMissingData: TreatMissingData.NOT_BREACHING,
    });
    this.alarm('SesComplaintRate', {
      metric: sesReputationMetric('Reputation.ComplaintRate'),
      threshold: SES_COMPLAINT_RATE_ALARM_THRESHOLD,
      description:
        'SES account complaint rate >= 0.08 %. SES reviews accounts at 0.1 % and may pause at 0.5 %; Gmail wants spam rates below 0.10 %. Find the journey and message with the most complaints in the analytics report (`npx journeys report --athena`) and pause or retarget it.',
      treatMissingData: TreatMissingData.NOT_BREACHING,
    });
  }
}
