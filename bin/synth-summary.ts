/**
 * `npm run synth` runs `cdk synth --quiet` and then this: a short summary of what was synthesized,
 * read from `cdk.out/*.template.json` and the asset folders the templates point at, closed by the
 * cdk-nag outcome (`cdk.out/validation-report.json` and the acknowledgements in `*.metadata.json`).
 *
 *   tsx bin/synth-summary.ts [cdk.out]
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { textTable } from '../local/text-table.ts';

// biome-ignore lint/suspicious/noExplicitAny: CloudFormation templates are untyped JSON
type Json = any;
interface Resource {
  Type: string;
  Properties?: Json;
  Metadata?: Record<string, Json>;
}

/** The construct id a resource was created under: `.../JourneyOnboarding/Function/Resource` -> `JourneyOnboarding`. */
function constructName(resource: Resource, logicalId: string, drop: RegExp): string {
  const cdkPath: unknown = resource.Metadata?.['aws:cdk:path'];
  if (typeof cdkPath !== 'string') return logicalId;
  const parts = cdkPath.replace(drop, '').split('/');
  return parts[parts.length - 1] || logicalId;
}

function directorySize(dir: string, include: (file: string) => boolean): number {
  let total = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) total += directorySize(full, include);
    else if (include(entry.name)) total += statSync(full).size;
  }
  return total;
}

const kb = (bytes: number): string => `${Math.round(bytes / 1024).toLocaleString('en')} KB`;

/** Left-aligned columns, except the ones named in `right`; indented under their heading. */
const table = (header: string[], rows: string[][], right: number[] = []): string[] =>
  textTable(header, rows, { right }).map((l) => `  ${l}`);

function busName(busRef: Json, resources: Record<string, Resource>): string {
  if (busRef === undefined) return 'default';
  if (typeof busRef === 'string') return busRef;
  const id = busRef.Ref ?? busRef['Fn::GetAtt']?.[0];
  const bus = id ? resources[id] : undefined;
  return bus ? constructName(bus, id, /\/Resource$/) : JSON.stringify(busRef);
}

const STREAM_ACTIONS = new Set([
  'dynamodb:DescribeStream',
  'dynamodb:GetRecords',
  'dynamodb:GetShardIterator',
  'dynamodb:ListStreams',
]);
// Granted to every function by the construct itself (logs, tracing): not worth a column.
const EVERY_FUNCTION = /^(logs|xray):/;

/** Each function's bundle size and what its role's policies allow, shortened for a table row. */
function grants(resources: Record<string, Resource>, outDir: string): string[][] {
  const refs = (value: Json): string[] =>
    JSON.stringify(value ?? null)
      .match(/"(Ref|Fn::GetAtt)":\s*\[?"([^"]+)"/g)
      ?.map((m) => m.replace(/.*"([^"]+)"$/, '$1')) ?? [];
  return Object.entries(resources)
    .filter(([, r]) => r.Type === 'AWS::Lambda::Function')
    .map(([id, fn]) => {
      const roleId = refs(fn.Properties?.Role)[0];
      const statements: Json[] = Object.values(resources)
        .filter((r) => r.Type === 'AWS::IAM::Policy' && refs(r.Properties?.Roles).includes(roleId ?? ''))
        .flatMap((r) => r.Properties?.PolicyDocument?.Statement ?? []);
      const actions = statements.flatMap((st) => [st.Action].flat() as string[]);
      const table = [
        ...new Set(actions.filter((a) => a.startsWith('dynamodb:') && !STREAM_ACTIONS.has(a))),
      ].map((a) => a.replace('dynamodb:', '').replace(/Item$/, ''));
      const secrets = statements
        .filter((st) => [st.Action].flat().includes('secretsmanager:GetSecretValue'))
        .flatMap((st) => refs(st.Resource))
        .map((ref) => {
          const secret = resources[ref];
          return secret ? constructName(secret, ref, /\/Resource$/) : ref;
        });
      const other = [
        ...new Set(
          actions.filter(
            (a) =>
              !a.startsWith('dynamodb:') &&
              !a.startsWith('secretsmanager:') &&
              !a.startsWith('sqs:') &&
              !EVERY_FUNCTION.test(a),
          ),
        ),
        // Failure destinations and DLQs: SendMessage with its two lookups, shown once.
        ...(actions.some((a) => a.startsWith('sqs:')) ? ['sqs (dead letters)'] : []),
      ];
      const assetPath: unknown = fn.Metadata?.['aws:asset:path'];
      const assetDir = typeof assetPath === 'string' ? path.join(outDir, assetPath) : undefined;
      return [
        constructName(fn, id, /\/Function\/Resource$|\/Resource$/),
        assetDir && existsSync(assetDir) ? kb(directorySize(assetDir, (f) => !f.endsWith('.map'))) : '-',
        table.join(' ') || '-',
        actions.some((a) => STREAM_ACTIONS.has(a)) ? 'read' : '-',
        [...new Set(secrets)].join(', ') || '-',
        other.length > 4 ? `${other.slice(0, 4).join(' ')} +${other.length - 4}` : other.join(' ') || '-',
      ];
    });
}

/** The report CDK writes after running the validation plugins (cdk-nag's AwsSolutions pack, bin/app.ts). */
interface ValidationReport {
  pluginReports?: {
    pluginName: string;
    conclusion: 'success' | 'failure';
    violations: { ruleName: string; severity: string; violatingConstructs: { constructPath: string }[] }[];
  }[];
}

/**
 * The cdk-nag outcome in words. cdk-nag leaves a finding acknowledged in lib/ (`Validations.of(…)
 * .acknowledge`, each with its reason) out of its report, and a plugin with nothing to report is left out
 * of CDK's validation report: an empty report is a pass. Acknowledgements are counted from the
 * `aws:cdk:acknowledged-rules` metadata of every stack.
 */
export function nagOutcome(outDir: string): string[] {
  const reportFile = path.join(outDir, 'validation-report.json');
  if (!existsSync(reportFile))
    return ['cdk-nag AwsSolutions: no validation-report.json; run cdk synth first'];
  const report = JSON.parse(readFileSync(reportFile, 'utf8')) as ValidationReport;
  let acknowledged = 0;
  for (const file of readdirSync(outDir).filter((f) => f.endsWith('.metadata.json'))) {
    const metadata = JSON.parse(readFileSync(path.join(outDir, file), 'utf8')) as Record<
      string,
      { type: string; data?: Record<string, string> }[]
    >;
    for (const entries of Object.values(metadata))
      for (const entry of entries)
        if (entry.type === 'aws:cdk:acknowledged-rules') acknowledged += Object.keys(entry.data ?? {}).length;
  }
  const acknowledgedText = `${acknowledged} finding${acknowledged === 1 ? '' : 's'} acknowledged in lib/, each with its reason`;
  const nag = (report.pluginReports ?? []).filter((r) => /nag|AwsSolutions/i.test(r.pluginName));
  if (nag.length === 0)
    return [`cdk-nag AwsSolutions: passed, no unacknowledged findings (${acknowledgedText})`];
  return nag.flatMap((r) => {
    const bySeverity = new Map<string, number>();
    for (const v of r.violations) bySeverity.set(v.severity, (bySeverity.get(v.severity) ?? 0) + 1);
    const counts = [...bySeverity].map(([severity, n]) => `${n} ${severity}${n === 1 ? '' : 's'}`).join(', ');
    return [
      `cdk-nag AwsSolutions: ${r.conclusion === 'success' ? 'passed' : 'FAILED'} with ${counts || 'no findings'} (${acknowledgedText})`,
      ...r.violations.map(
        (v) =>
          `  ${v.severity} ${v.ruleName} at ${v.violatingConstructs.map((c) => c.constructPath).join(', ')}`,
      ),
    ];
  });
}

export function summarize(outDir: string): string {
  const templates = readdirSync(outDir).filter((f) => f.endsWith('.template.json'));
  if (templates.length === 0) return `no *.template.json in ${outDir}; run cdk synth first`;
  const out: string[] = [];
  for (const file of templates) {
    const template = JSON.parse(readFileSync(path.join(outDir, file), 'utf8')) as {
      Resources?: Record<string, Resource>;
    };
    const resources = template.Resources ?? {};
    const of = (type: string) => Object.entries(resources).filter(([, r]) => r.Type === type);
    out.push(`${file.replace(/\.template\.json$/, '')}  (${path.join(path.basename(outDir), file)})`, '');

    const functions = of('AWS::Lambda::Function').map(([id, fn]) => {
      const assetPath: unknown = fn.Metadata?.['aws:asset:path'];
      const assetDir = typeof assetPath === 'string' ? path.join(outDir, assetPath) : undefined;
      const present = assetDir !== undefined && existsSync(assetDir);
      return [
        constructName(fn, id, /\/Function\/Resource$|\/Resource$/),
        String(fn.Properties?.Runtime ?? '-'),
        `${fn.Properties?.MemorySize ?? 128} MB`,
        present ? kb(directorySize(assetDir, (f) => !f.endsWith('.map'))) : 'not bundled',
        present ? kb(directorySize(assetDir, () => true)) : '',
      ];
    });
    out.push(`Functions (${functions.length})`);
    out.push(...table(['name', 'runtime', 'memory', 'bundle', 'with source maps'], functions, [2, 3, 4]), '');

    out.push('Grants per function (functions/composition/roles.ts)');
    out.push(
      ...table(['name', 'bundle', 'table', 'stream', 'secret', 'other'], grants(resources, outDir), [1]),
      '',
    );

    const rules = of('AWS::Events::Rule').map(([id, rule]) => {
      const pattern = rule.Properties?.EventPattern;
      const matches = rule.Properties?.ScheduleExpression
        ? String(rule.Properties.ScheduleExpression)
        : [
            ...(pattern?.source ? [`source ${pattern.source.join(', ')}`] : []),
            pattern?.['detail-type'] ? pattern['detail-type'].join(', ') : 'any detail-type',
          ].join(': ');
      return [
        constructName(rule, id, /\/Resource$/),
        rule.Properties?.ScheduleExpression
          ? '(schedule)'
          : busName(rule.Properties?.EventBusName, resources),
        matches,
      ];
    });
    out.push(`Rules (${rules.length})`);
    out.push(...table(['name', 'bus', 'pattern'], rules), '');

    const queues = of('AWS::SQS::Queue').map(([id, q]) => constructName(q, id, /\/Resource$/));
    out.push(`Dead-letter queues (${queues.length}): ${queues.join(', ')}`);
    out.push(`Alarms: ${of('AWS::CloudWatch::Alarm').length}`);
    const dashboards = of('AWS::CloudWatch::Dashboard').map(
      ([, d]) => d.Properties?.DashboardName ?? '(generated name)',
    );
    out.push(`Dashboard: ${dashboards.join(', ') || 'none'}`);
    const archives = of('AWS::Events::Archive').map(([, a]) => `${a.Properties?.RetentionDays ?? '∞'} days`);
    if (archives.length) out.push(`Event archive: ${archives.join(', ')}`);
    const streams = of('AWS::KinesisFirehose::DeliveryStream').map(([, d]) => {
      const s3 = d.Properties?.ExtendedS3DestinationConfiguration;
      const parquet = s3?.DataFormatConversionConfiguration?.Enabled ? 'Parquet' : 'JSON';
      return `${parquet} into ${s3?.Prefix ?? '(no prefix)'}`;
    });
    if (streams.length) {
      const expiry = of('AWS::S3::Bucket')
        .flatMap(([, b]) => b.Properties?.LifecycleConfiguration?.Rules ?? [])
        .find((r: Json) => r.Id === 'expire-records')?.ExpirationInDays;
      const cutoff = of('AWS::Athena::WorkGroup').map(
        ([, w]) => w.Properties?.WorkGroupConfiguration?.BytesScannedCutoffPerQuery,
      )[0];
      out.push(
        `Analytics: Firehose ${streams.join(', ')}; records kept ${expiry ?? '∞'} days; Glue tables ${of('AWS::Glue::Table').length}; Athena scan limit ${cutoff === undefined ? 'none' : `${Math.round(cutoff / 1_000_000)} MB`} per query`,
      );
    }
    const connectors = [
      ...of('AWS::Events::EventBus')
        .map(([, b]) => b.Properties?.EventSourceName)
        .filter((source): source is string => typeof source === 'string')
        .map((source) => `Shopify (partner event source ${source})`),
      ...of('AWS::Lambda::Function')
        .map(([, fn]) => fn.Properties?.Environment?.Variables?.WEBHOOK_PLATFORMS)
        .filter((platforms): platforms is string => typeof platforms === 'string')
        .map((platforms) => `webhooks on a Function URL (${platforms.split(',').join(', ')})`),
    ];
    out.push(`Connectors: ${connectors.join('; ') || 'none'}`);
    const urls = of('AWS::Lambda::Url').map(([, u]) => `auth ${u.Properties?.AuthType}`);
    if (urls.length) out.push(`Function URLs: ${urls.join(', ')}`);
    out.push('');
  }
  out.push(...nagOutcome(outDir), '');
  return out.join('\n');
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const outDir = path.resolve(process.argv[2] ?? 'cdk.out');
  console.log(summarize(outDir));
}
