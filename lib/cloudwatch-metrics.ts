/**
 * The CloudWatch metrics the alarms and the dashboard read: the handlers' own (failures only, named
 * in `functions/metrics.ts`, the contract the handlers emit against) and SES's free account metrics.
 */
import { Duration } from 'aws-cdk-lib';
import { Metric, Stats } from 'aws-cdk-lib/aws-cloudwatch';
import { DIMENSION, METRIC_NAMESPACE, METRIC_SERVICE } from '../functions/metrics.ts';

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

export const PERIOD = Duration.minutes(5);

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

export function sesReputationMetric(
  metricName: 'Reputation.BounceRate' | 'Reputation.ComplaintRate',
): Metric {
  return new Metric({
    namespace: 'AWS/SES',
    metricName,
    statistic: Stats.MAXIMUM,
    period: Duration.minutes(15),
  });
}

/** SES's own account-wide sending counts (namespace `AWS/SES`, no dimensions), free of charge. */
export function sesAccountMetric(
  metricName: 'Send' | 'Delivery' | 'Bounce' | 'Complaint' | 'Reject',
): Metric {
  return new Metric({
    namespace: 'AWS/SES',
    metricName,
    statistic: Stats.SUM,
    period: PERIOD,
    label: metricName,
  });
}
