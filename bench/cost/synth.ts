/**
 * What the stack costs by merely existing: synthesises it in-process (as test/infra does, bundling
 * skipped) with the project's own catalog, and counts the resources CloudWatch, KMS and Secrets
 * Manager bill per month, plus each function's memory and its log group's retention.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import type { Catalog } from '../../functions/catalog/catalog.ts';
import type { JourneyDefinition } from '../../functions/core/definition.ts';
import { RetentionJourneysStack } from '../../lib/retention-journeys-stack.ts';

export interface SynthCounts {
  functions: { id: string; memoryMb: number }[];
  /** Standard-resolution alarms and the metrics each watches (CloudWatch bills per alarm metric). */
  alarms: number;
  alarmMetrics: number;
  compositeAlarms: number;
  dashboards: number;
  /** Metrics the dashboards show (the first three dashboards are free only up to 50 metrics each). */
  dashboardMetrics: number;
  kmsKeys: number;
  secrets: number;
  logGroups: { id: string; retentionDays: number | undefined }[];
  tracedFunctions: number;
  /** Functions whose platform records (START, REPORT) reach their logs: system log level INFO or DEBUG. */
  platformLogFunctions: number;
  archiveRetentionDays: number;
  /** The longest S3 expiry: the analytics records bucket's. */
  analyticsRetentionMonths: number;
}

// biome-ignore lint/suspicious/noExplicitAny: CloudFormation properties are untyped JSON
type Json = any;

/** The stack as `npm run synth` builds it for the sample shop, analytics on, no report recipients. */
export function synthesise(catalog: Catalog, journeys: readonly JourneyDefinition[]): Template {
  const dir = mkdtempSync(path.join(tmpdir(), 'rj-cost-'));
  const catalogPath = path.join(dir, 'catalog.json');
  writeFileSync(catalogPath, JSON.stringify(catalog));
  const app = new App({ context: { 'aws:cdk:bundling-stacks': [] }, outdir: path.join(dir, 'out') });
  const stack = new RetentionJourneysStack(app, 'Cost', {
    journeys,
    catalogPath,
    senderAddress: 'Shop <news@shop.example>',
    env: { account: '123456789012', region: 'eu-central-1' },
  });
  return Template.fromStack(stack);
}

export function countResources(template: Template): SynthCounts {
  const of = (type: string): [string, Json][] => Object.entries(template.findResources(type));
  const alarms = of('AWS::CloudWatch::Alarm');
  const alarmMetrics = alarms.reduce(
    (sum, [, r]) =>
      sum + (r.Properties.Metrics ? r.Properties.Metrics.filter((m: Json) => m.MetricStat).length : 1),
    0,
  );
  const dashboards = of('AWS::CloudWatch::Dashboard');
  const dashboardMetrics = dashboards.reduce((sum, [, r]) => sum + countDashboardMetrics(r), 0);
  const lambdas = of('AWS::Lambda::Function');
  return {
    functions: lambdas.map(([id, r]) => ({ id, memoryMb: r.Properties.MemorySize ?? 128 })),
    alarms: alarms.length,
    alarmMetrics,
    compositeAlarms: of('AWS::CloudWatch::CompositeAlarm').length,
    dashboards: dashboards.length,
    dashboardMetrics,
    kmsKeys: of('AWS::KMS::Key').length,
    secrets: of('AWS::SecretsManager::Secret').length,
    logGroups: of('AWS::Logs::LogGroup').map(([id, r]) => ({
      id,
      retentionDays: r.Properties.RetentionInDays,
    })),
    tracedFunctions: lambdas.filter(([, r]) => r.Properties.TracingConfig?.Mode === 'Active').length,
    platformLogFunctions: lambdas.filter(([, r]) =>
      ['INFO', 'DEBUG', undefined].includes(r.Properties.LoggingConfig?.SystemLogLevel),
    ).length,
    archiveRetentionDays: Math.max(
      0,
      ...of('AWS::Events::Archive').map(([, r]) => r.Properties.RetentionDays ?? 0),
    ),
    analyticsRetentionMonths:
      Math.max(
        0,
        ...of('AWS::S3::Bucket').flatMap(([, r]) =>
          (r.Properties.LifecycleConfiguration?.Rules ?? []).map((rule: Json) => rule.ExpirationInDays ?? 0),
        ),
      ) / 30.4375,
  };
}

/**
 * The dashboard body is a CloudFormation `Fn::Join` of strings and tokens (function, queue and
 * region names), every token inside a JSON string: a placeholder there keeps the JSON countable.
 */
function countDashboardMetrics(resource: Json): number {
  const body = resource.Properties.DashboardBody;
  const text =
    typeof body === 'string'
      ? body
      : (body['Fn::Join'][1] as Json[]).map((part) => (typeof part === 'string' ? part : 'x')).join('');
  const parsed = JSON.parse(text);
  return parsed.widgets.reduce(
    (sum: number, w: Json) =>
      sum + (w.properties?.metrics ?? []).filter((m: Json) => !(m.length === 1 && m[0]?.expression)).length,
    0,
  );
}
