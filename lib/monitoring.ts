/**
 * Observability: an alarm topic, alarms on everything that loses or delays customer mail, and one
 * dashboard with a row per journey. Metric names come from `functions/metrics.ts`, the contract the
 * handlers emit against.
 */
import { Duration, Stack, Validations } from 'aws-cdk-lib';
import {
  Alarm,
  ComparisonOperator,
  Dashboard,
  GraphWidget,
  type IMetric,
  Metric,
  Stats,
  TextWidget,
  TreatMissingData,
} from 'aws-cdk-lib/aws-cloudwatch';
import { SnsAction } from 'aws-cdk-lib/aws-cloudwatch-actions';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import { type ITopic, Topic } from 'aws-cdk-lib/aws-sns';
import type { IQueue } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import {
  DIMENSION,
  JOURNEY_REJECTED_METRIC,
  METRIC_NAMESPACE,
  METRIC_SERVICE,
  OUTBOX_METRICS,
  SWEEPER_METRICS,
} from '../functions/metrics.ts';

/**
 * SES reputation alarm thresholds, as fractions (SES publishes `Reputation.BounceRate` and
 * `Reputation.ComplaintRate` as decimals between 0 and 1, account-wide, namespace `AWS/SES`,
 * no dimensions: https://docs.aws.amazon.com/ses/latest/dg/reputationdashboard-cloudwatch-alarm.html).
 *
 * Where the penalties start:
 * - SES: "If your bounce rate is 5% or greater, we'll place your account under review. If your bounce
 *   rate is 10% or greater, we might pause your account's ability to send"; complaints: under review
 *   at 0.1 % or greater, sending may be paused at 0.5 % or greater (Sending review process FAQs,
 *   Bounce FAQ Q4 and Complaint FAQ Q5: https://docs.aws.amazon.com/ses/latest/dg/faqs-enforcement.html).
 * - Gmail asks every sender to keep the spam rate reported in Postmaster Tools below 0.10 % and never
 *   to reach 0.30 % (Email sender guidelines, https://support.google.com/a/answer/81126).
 *
 * Ours fire before the first of those lines, early enough to act (pause a journey, clean a list)
 * while the account is still healthy: bounces at 4 % (one point under SES's review line), complaints
 * at 0.08 % (under both SES's review line and Gmail's 0.10 %). SES's complaint rate is only a proxy for
 * Gmail's spam rate — Gmail reports complaints to Postmaster Tools, not to SES — so a bulk sender should
 * watch Postmaster Tools as well.
 */
export const SES_BOUNCE_RATE_ALARM_THRESHOLD = 0.04;
export const SES_COMPLAINT_RATE_ALARM_THRESHOLD = 0.0008;

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

const PERIOD = Duration.minutes(5);

/** A custom metric of the handlers, with the `service` dimension Powertools adds. */
export function handlerMetric(
  metricName: string,
  dimensions: Record<string, string> = {},
  label?: string,
): Metric {
  return new Metric({
    namespace: METRIC_NAMESPACE,
    metricName,
    dimensionsMap: { [DIMENSION.service]: METRIC_SERVICE, ...dimensions },
    statistic: Stats.SUM,
    period: PERIOD,
    ...(label ? { label } : {}),
  });
}

function sesReputationMetric(metricName: 'Reputation.BounceRate' | 'Reputation.ComplaintRate'): Metric {
  return new Metric({
    namespace: 'AWS/SES',
    metricName,
    statistic: Stats.MAXIMUM,
    period: Duration.minutes(15),
  });
}

/** SES's own account-wide sending counts (namespace `AWS/SES`, no dimensions), free of charge. */
function sesAccountMetric(metricName: 'Send' | 'Delivery' | 'Bounce' | 'Complaint' | 'Reject'): Metric {
  return new Metric({
    namespace: 'AWS/SES',
    metricName,
    statistic: Stats.SUM,
    period: PERIOD,
    label: metricName,
  });
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
    this.dashboard = this.createDashboard(props);
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

  private createDashboard(props: MonitoringProps): Dashboard {
    const dashboard = new Dashboard(this, 'Dashboard', {
      dashboardName: props.dashboardName,
      defaultInterval: Duration.days(7),
    });
    const region = Stack.of(this).region;
    dashboard.addWidgets(
      new TextWidget({
        markdown: `# retention-journeys\nSums per 5 minutes. Sending, timers and SES first, then one row per journey. Failures only are custom metrics; volumes are AWS's own (free) and per-journey and per-message numbers are in the analytics report. Alarms go to the alarm topic (${region}).`,
        width: 24,
        height: 2,
      }),
    );
    dashboard.addWidgets(
      new GraphWidget({
        title: 'Dispatcher: entries not sent at once',
        left: Object.values(OUTBOX_METRICS).map((name) => handlerMetric(name, {}, name)),
        width: 6,
      }),
      new GraphWidget({
        title: 'Dispatcher: errors, throttles, dead letters',
        left: [
          props.dispatcher.metricErrors({ period: PERIOD, statistic: Stats.SUM, label: 'errors' }),
          props.dispatcher.metricThrottles({ period: PERIOD, statistic: Stats.SUM, label: 'throttles' }),
        ],
        right: [
          props.dispatcherDeadLetterQueue.metricApproximateNumberOfMessagesVisible({
            period: PERIOD,
            statistic: Stats.MAXIMUM,
            label: 'DLQ depth',
          }),
        ],
        width: 6,
      }),
      new GraphWidget({
        title: 'Dispatcher: outbox age (IteratorAge, ms)',
        left: [props.dispatcher.metric('IteratorAge', { period: PERIOD, statistic: Stats.MAXIMUM })],
        width: 6,
      }),
      new GraphWidget({
        title: 'Sweeper: runs, failed timers, outbox repairs',
        left: [
          ...Object.values(SWEEPER_METRICS).map((name) => handlerMetric(name, {}, name)),
          props.sweeper.metricErrors({ period: PERIOD, statistic: Stats.SUM, label: 'errors' }),
        ],
        right: [props.sweeper.metricInvocations({ period: PERIOD, statistic: Stats.SUM, label: 'runs' })],
        width: 6,
      }),
    );
    dashboard.addWidgets(
      new GraphWidget({
        title: 'SES: emails sent, delivered, bounced, complaints (account)',
        left: (['Send', 'Delivery'] as const).map((name) => sesAccountMetric(name)),
        right: (['Bounce', 'Complaint', 'Reject'] as const).map((name) => sesAccountMetric(name)),
        width: 8,
        height: 4,
      }),
      new GraphWidget({
        title: 'SES reputation: bounce rate (account)',
        left: [sesReputationMetric('Reputation.BounceRate')],
        leftAnnotations: [
          { value: SES_BOUNCE_RATE_ALARM_THRESHOLD, label: 'alarm 4 %' },
          { value: 0.05, label: 'SES review 5 %' },
        ],
        width: 8,
        height: 4,
      }),
      new GraphWidget({
        title: 'SES reputation: complaint rate (account)',
        left: [sesReputationMetric('Reputation.ComplaintRate')],
        leftAnnotations: [
          { value: SES_COMPLAINT_RATE_ALARM_THRESHOLD, label: 'alarm 0.08 %' },
          { value: 0.001, label: 'SES review 0.1 %' },
        ],
        width: 8,
        height: 4,
      }),
    );

    if (props.loyalty) this.loyaltyRow(dashboard, props.loyalty);

    for (const journey of props.journeys) {
      const dims = { [DIMENSION.journey]: journey.id };
      dashboard.addWidgets(
        new TextWidget({ markdown: `## ${journey.name} (\`${journey.id}\`)`, width: 24, height: 1 }),
      );
      dashboard.addWidgets(
        new GraphWidget({
          title: `${journey.id}: events handled`,
          left: [
            journey.function.metricInvocations({ period: PERIOD, statistic: Stats.SUM, label: 'events' }),
          ],
          right: [
            journey.function.metricDuration({
              period: PERIOD,
              statistic: Stats.p(99),
              label: 'duration p99 (ms)',
            }),
          ],
          width: 12,
        }),
        new GraphWidget({
          title: `${journey.id}: errors, rejected events, dead letters`,
          left: [
            journey.function.metricErrors({ period: PERIOD, statistic: Stats.SUM, label: 'errors' }),
            handlerMetric(JOURNEY_REJECTED_METRIC, dims, 'rejected events'),
          ],
          right: [
            journey.deadLetterQueue.metricApproximateNumberOfMessagesVisible({
              period: PERIOD,
              statistic: Stats.MAXIMUM,
              label: 'DLQ depth',
            }),
          ],
          width: 12,
        }),
      );
    }
    return dashboard;
  }

  /** The loyalty program: what its function handled, how it failed, what it gave up on. */
  private loyaltyRow(dashboard: Dashboard, loyalty: NonNullable<MonitoringProps['loyalty']>): void {
    const fn = loyalty.function;
    dashboard.addWidgets(
      new TextWidget({
        markdown:
          '## Loyalty program\nEvents handled by the loyalty function; its timers run in the sweeper (row above).',
        width: 24,
        height: 1,
      }),
    );
    dashboard.addWidgets(
      new GraphWidget({
        title: 'Loyalty: events handled',
        left: [fn.metricInvocations({ period: PERIOD, statistic: Stats.SUM, label: 'invocations' })],
        right: [fn.metricDuration({ period: PERIOD, statistic: Stats.p(99), label: 'duration p99 (ms)' })],
        width: 12,
      }),
      new GraphWidget({
        title: 'Loyalty: errors, throttles, dead letters',
        left: [
          fn.metricErrors({ period: PERIOD, statistic: Stats.SUM, label: 'errors' }),
          fn.metricThrottles({ period: PERIOD, statistic: Stats.SUM, label: 'throttles' }),
        ],
        right: [
          loyalty.deadLetterQueue.metricApproximateNumberOfMessagesVisible({
            period: PERIOD,
            statistic: Stats.MAXIMUM,
            label: 'DLQ depth',
          }),
        ],
        width: 12,
      }),
    );
  }
}
