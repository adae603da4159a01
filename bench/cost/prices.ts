/**
 * AWS list prices the cost model uses, in one place, as dated data. Region: eu-central-1 (Europe,
 * Frankfurt), USD, on-demand, before any free tier (the free tier is per account and a shop's other
 * workloads may already use it, so the model does not count on it).
 *
 * `verified: false` means the figure was NOT read off the live price page when this file was
 * written: this workplace has no internet access but the npm registry, and the regional price tables
 * are not in the stored copies of the pages. Those figures are the published Frankfurt list prices as
 * the author knows them; check each at its `source` (choose "Europe (Frankfurt)") and edit it here —
 * `npm run cost` prints the date and the unverified count with every bill.
 */

export interface Price {
  /** USD per `unit`. */
  usd: number;
  unit: string;
  source: string;
  /** The day the figure was written down. */
  asOf: string;
  verified: boolean;
  note?: string;
}

export const REGION = 'eu-central-1 (Europe, Frankfurt)';

const at = (usd: number, unit: string, source: string, verified: boolean, note?: string): Price => ({
  usd,
  unit,
  source,
  asOf: '2026-12-03',
  verified,
  ...(note ? { note } : {}),
});

const LAMBDA = 'https://aws.amazon.com/lambda/pricing/';
const DYNAMODB = 'https://aws.amazon.com/dynamodb/pricing/on-demand/';
const CLOUDWATCH = 'https://aws.amazon.com/cloudwatch/pricing/';
const EVENTBRIDGE = 'https://aws.amazon.com/eventbridge/pricing/';

export const PRICES = {
  lambdaRequest: at(0.2 / 1e6, 'request', LAMBDA, false),
  lambdaGbSecondArm: at(0.0000133334, 'GB-second (Arm)', LAMBDA, false, 'billed per 1 ms'),
  dynamoWriteRequestUnit: at(
    0.7625 / 1e6,
    'write request unit',
    DYNAMODB,
    false,
    'on-demand, after the November 2024 price cut',
  ),
  dynamoReadRequestUnit: at(0.1525 / 1e6, 'read request unit', DYNAMODB, false),
  dynamoStorage: at(0.306, 'GB-month', DYNAMODB, false),
  eventBridgeCustomEvent: at(1 / 1e6, 'event (64 KB chunk)', EVENTBRIDGE, false),
  eventBridgeArchive: at(0.1, 'GB archived', EVENTBRIDGE, false),
  eventArchiveStorage: at(0.023, 'GB-month', EVENTBRIDGE, false),
  cloudWatchMetric: at(0.3, 'metric-month', CLOUDWATCH, false, 'first 10,000 metrics; prorated by the hour'),
  cloudWatchAlarmMetric: at(0.1, 'standard-resolution alarm metric-month', CLOUDWATCH, false),
  cloudWatchCompositeAlarm: at(0.5, 'composite alarm-month', CLOUDWATCH, false),
  cloudWatchDashboard: at(3, 'dashboard-month', CLOUDWATCH, false),
  logsIngestion: at(0.63, 'GB ingested', CLOUDWATCH, false, 'standard log class'),
  logsStorage: at(0.0324, 'GB-month stored', CLOUDWATCH, false, 'compressed size; see the retention note'),
  xrayTrace: at(5 / 1e6, 'trace recorded', 'https://aws.amazon.com/xray/pricing/', false),
  kmsKey: at(1, 'customer-managed key-month', 'https://aws.amazon.com/kms/pricing/', false),
  kmsRequest: at(0.03 / 1e4, 'request', 'https://aws.amazon.com/kms/pricing/', false),
  secret: at(0.4, 'secret-month', 'https://aws.amazon.com/secrets-manager/pricing/', false),
  secretsApiCall: at(0.05 / 1e4, 'API call', 'https://aws.amazon.com/secrets-manager/pricing/', false),
  firehoseIngestion: at(
    0.034,
    'GB ingested (each record rounded up to 5 KB)',
    'https://aws.amazon.com/firehose/pricing/',
    false,
  ),
  firehoseConversion: at(0.02, 'GB converted to Parquet', 'https://aws.amazon.com/firehose/pricing/', false),
  s3Storage: at(0.0245, 'GB-month (Standard)', 'https://aws.amazon.com/s3/pricing/', false),
  s3Put: at(0.0054 / 1000, 'PUT request', 'https://aws.amazon.com/s3/pricing/', false),
  athenaScan: at(5 / 1e12, 'byte scanned', 'https://aws.amazon.com/athena/pricing/', false),
  sesEmail: at(0.1 / 1000, 'outbound email', 'https://aws.amazon.com/ses/pricing/', false),
} as const satisfies Record<string, Price>;

export type Prices = { [K in keyof typeof PRICES]: Price };
