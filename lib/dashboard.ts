/**
 * The operations dashboard: sending, timers and SES first, then a row for the loyalty program and
 * one per journey. Sums per 5 minutes; volumes are AWS's own (free) metrics, failures the handlers'.
 */
import { Duration, Stack } from 'aws-cdk-lib';
import { Dashboard, GraphWidget, Stats, TextWidget } from 'aws-cdk-lib/aws-cloudwatch';
import type { Construct } from 'constructs';
import { DIMENSION, JOURNEY_REJECTED_METRIC, OUTBOX_METRICS, SWEEPER_METRICS } from '../functions/metrics.ts';
import {
  handlerMetric,
  PERIOD,
  SES_BOUNCE_RATE_ALARM_THRESHOLD,
  SES_COMPLAINT_RATE_ALARM_THRESHOLD,
  sesAccountMetric,
  sesReputationMetric,
} from './cloudwatch-metrics.ts';
import type { MonitoringProps } from './monitoring.ts';

export function monitoringDashboard(scope: Construct, props: MonitoringProps): Dashboard {
  const dashboard = new Dashboard(scope, 'Dashboard', {
    dashboardName: props.dashboardName,
    defaultInterval: Duration.days(7),
  });
  const region = Stack.of(scope).region;
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

  if (props.loyalty) loyaltyRow(dashboard, props.loyalty);

  for (const journey of props.journeys) {
    const dims = { [DIMENSION.journey]: journey.id };
    dashboard.addWidgets(
      new TextWidget({ markdown: `## ${journey.name} (\`${journey.id}\`)`, width: 24, height: 1 }),
    );
    dashboard.addWidgets(
      new GraphWidget({
        title: `${journey.id}: events handled`,
        left: [journey.function.metricInvocations({ period: PERIOD, statistic: Stats.SUM, label: 'events' })],
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
function loyaltyRow(dashboard: Dashboard, loyalty: NonNullable<MonitoringProps['loyalty']>): void {
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
