import { Template } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { COLUMNS } from '../../functions/analytics/record.ts';
import { analyticsBusPatterns } from '../../functions/analytics/routing.ts';
import { SYSTEM_HEARD_TYPES } from '../../functions/analytics/system-records.ts';
import { SHOP_EVENT_TYPES } from '../../functions/core/events.ts';
import { retentionDaysOf } from '../../lib/analytics-options.ts';
import { SES_EVENT_DETAIL_TYPES } from '../../lib/email.ts';
import { RetentionJourneysPropsError, SYSTEM_EVENT_SOURCE } from '../../lib/retention-journeys.ts';
import { buildStack } from './fixture.ts';

// biome-ignore lint/suspicious/noExplicitAny: template JSON has no static type
type Json = any;
type Resource = { Type: string; Properties: Record<string, Json> };
type Statement = { Action: string | string[]; Resource: Json; Condition?: Json; Effect: string };

const asArray = <T>(value: T | T[]): T[] => (Array.isArray(value) ? value : [value]);

const reporting = Template.fromStack(
  buildStack({
    analytics: {
      retentionMonths: 13,
      bytesScannedCutoffPerQueryMb: 250,
      reportRecipients: ['owner@shop.example', 'ops@shop.example'],
      reportLocale: 'de',
      activeWindowDays: 180,
    },
  }),
);
const defaults = Template.fromStack(buildStack());

function only(template: Template, type: string): Resource {
  const found = Object.values(template.findResources(type) as Record<string, Resource>);
  if (found.length !== 1) throw new Error(`expected one ${type}, found ${found.length}`);
  return found[0] as Resource;
}

function logicalIdOf(template: Template, type: string, match: (r: Resource) => boolean): string {
  const found = Object.entries(template.findResources(type) as Record<string, Resource>).filter(([, r]) =>
    match(r),
  );
  if (found.length !== 1) throw new Error(`expected one matching ${type}, found ${found.length}`);
  return (found[0] as [string, Resource])[0];
}

/** The statements of the policies attached to the role of the function described by `description`. */
function statementsOf(template: Template, description: RegExp): Statement[] {
  const fnId = logicalIdOf(template, 'AWS::Lambda::Function', (r) =>
    description.test(r.Properties.Description),
  );
  const fn = template.findResources('AWS::Lambda::Function')[fnId] as Resource;
  const roleId = fn.Properties.Role['Fn::GetAtt'][0] as string;
  return Object.values(template.findResources('AWS::IAM::Policy') as Record<string, Resource>)
    .filter((p) => p.Properties.Roles.some((r: Json) => r.Ref === roleId))
    .flatMap((p) => p.Properties.PolicyDocument.Statement as Statement[]);
}

const recorder = /^Writes pseudonymous analytics records/;
const report = /^Runs the KPI queries on Athena/;

describe('analytics storage', () => {
  it('expires records after the retention (default 25 months = 761 days)', () => {
    // Prepare
    const recordsBucket = (t: Template) =>
      Object.values(t.findResources('AWS::S3::Bucket') as Record<string, Resource>).find((b) =>
        b.Properties.LifecycleConfiguration?.Rules?.some((r: Json) => r.Id === 'expire-records'),
      );

    // Act
    const byDefault = recordsBucket(defaults)?.Properties.LifecycleConfiguration.Rules[0];
    const configured = recordsBucket(reporting)?.Properties.LifecycleConfiguration.Rules[0];

    // Assess
    expect(byDefault.ExpirationInDays).toBe(761);
    expect(retentionDaysOf(25)).toBe(761);
    expect(configured.ExpirationInDays).toBe(retentionDaysOf(13));
  });

  it('encrypts, blocks public access, enforces TLS and logs access for every bucket', () => {
    // Act
    const buckets = Object.entries(defaults.findResources('AWS::S3::Bucket') as Record<string, Resource>);
    const policies = Object.values(
      defaults.findResources('AWS::S3::BucketPolicy') as Record<string, Resource>,
    );

    // Assess
    expect(buckets).toHaveLength(3);
    for (const [id, bucket] of buckets) {
      expect(bucket.Properties.BucketEncryption.ServerSideEncryptionConfiguration[0]).toEqual({
        ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' },
      });
      expect(bucket.Properties.PublicAccessBlockConfiguration).toEqual({
        BlockPublicAcls: true,
        BlockPublicPolicy: true,
        IgnorePublicAcls: true,
        RestrictPublicBuckets: true,
      });
      const policy = policies.find((p) => p.Properties.Bucket.Ref === id);
      expect(policy?.Properties.PolicyDocument.Statement).toContainEqual(
        expect.objectContaining({
          Effect: 'Deny',
          Condition: { Bool: { 'aws:SecureTransport': 'false' } },
        }),
      );
      if (!id.includes('AccessLogs')) expect(bucket.Properties.LoggingConfiguration).toBeDefined();
    }
  });

  it('keeps query results in their own bucket for 30 days', () => {
    // Act
    const workGroup = only(defaults, 'AWS::Athena::WorkGroup');
    const resultsBucketId = workGroup.Properties.WorkGroupConfiguration.ResultConfiguration.OutputLocation[
      'Fn::Join'
    ][1][1].Ref as string;
    const results = defaults.findResources('AWS::S3::Bucket')[resultsBucketId] as Resource;

    // Assess
    expect(results.Properties.LifecycleConfiguration.Rules[0]).toMatchObject({
      Id: 'expire-query-results',
      ExpirationInDays: 30,
    });
  });
});

describe('Glue table', () => {
  const table = only(defaults, 'AWS::Glue::Table').Properties.TableInput;

  it('has exactly the columns of record.ts COLUMNS, in order, partitioned by dt', () => {
    // Assess
    expect(table.Name).toBe('records');
    expect(table.StorageDescriptor.Columns).toEqual(
      Object.entries(COLUMNS).map(([name, type]) => ({ Name: name, Type: type })),
    );
    expect(table.PartitionKeys).toEqual([{ Name: 'dt', Type: 'string' }]);
    expect(table.StorageDescriptor.SerdeInfo.SerializationLibrary).toBe(
      'org.apache.hadoop.hive.ql.io.parquet.serde.ParquetHiveSerDe',
    );
  });

  it('projects dt partitions as days up to NOW over the retention, from the Firehose prefix', () => {
    // Act
    const configured = only(reporting, 'AWS::Glue::Table').Properties.TableInput.Parameters;

    // Assess
    expect(table.Parameters).toMatchObject({
      'projection.enabled': 'true',
      'projection.dt.type': 'date',
      'projection.dt.format': 'yyyy-MM-dd',
      'projection.dt.range': 'NOW-26MONTHS,NOW',
    });
    expect(configured['projection.dt.range']).toBe('NOW-14MONTHS,NOW');
    // Athena's placeholder, not a JavaScript one.
    // biome-ignore lint/suspicious/noTemplateCurlyInString: Athena's storage.location.template syntax
    expect(table.Parameters['storage.location.template']['Fn::Join'][1][2]).toBe('/records/dt=${dt}/');
    expect(defaults.findResources('AWS::Glue::Crawler')).toEqual({});
  });
});

describe('Firehose delivery', () => {
  const stream = only(defaults, 'AWS::KinesisFirehose::DeliveryStream').Properties;
  const s3 = stream.ExtendedS3DestinationConfiguration;

  it('writes Parquet converted with the Glue table schema under a dt= prefix, errors apart', () => {
    // Assess
    expect(s3.Prefix).toBe('records/dt=!{timestamp:yyyy-MM-dd}/');
    expect(s3.ErrorOutputPrefix).toBe('errors/!{firehose:error-output-type}/dt=!{timestamp:yyyy-MM-dd}/');
    expect(s3.DataFormatConversionConfiguration).toMatchObject({
      Enabled: true,
      InputFormatConfiguration: { Deserializer: { OpenXJsonSerDe: {} } },
      OutputFormatConfiguration: { Serializer: { ParquetSerDe: { Compression: 'SNAPPY' } } },
      SchemaConfiguration: {
        TableName: { Ref: expect.stringMatching(/AnalyticsTable/) },
        VersionId: 'LATEST',
      },
    });
    expect(stream.DeliveryStreamEncryptionConfigurationInput).toEqual({ KeyType: 'AWS_OWNED_CMK' });
  });

  it("gives Firehose's role its two prefixes and the table's schema, nothing to delete", () => {
    // Prepare
    const roleId = s3.RoleARN['Fn::GetAtt'][0] as string;

    // Act
    const statements = Object.values(defaults.findResources('AWS::IAM::Policy') as Record<string, Resource>)
      .filter((p) => p.Properties.Roles.some((r: Json) => r.Ref === roleId))
      .flatMap((p) => p.Properties.PolicyDocument.Statement as Statement[]);
    const actions = statements.flatMap((s) => asArray(s.Action));

    // Assess
    expect(actions.filter((a) => a.includes('*') || /Delete/.test(a))).toEqual([]);
    expect(JSON.stringify(statements.map((s) => s.Resource))).not.toContain('"*"');
    const objectStatement = statements.find((s) => asArray(s.Action).includes('s3:PutObject'));
    // In either order: the minimizePolicies feature flag (cdk.json) sorts them.
    expect(JSON.stringify(objectStatement?.Resource)).toContain('/records/*');
    expect(JSON.stringify(objectStatement?.Resource)).toContain('/errors/*');
  });
});

describe('Firehose alarms', () => {
  it('alarm on failed Parquet conversions and stale delivery, to the alarm topic', () => {
    // Act
    const alarms = Object.values(
      defaults.findResources('AWS::CloudWatch::Alarm') as Record<string, Resource>,
    ).filter((a) => a.Properties.Namespace === 'AWS/Firehose');

    // Assess
    expect(alarms.map((a) => a.Properties.MetricName).sort()).toEqual([
      'DeliveryToS3.DataFreshness',
      'FailedConversion.Records',
    ]);
    for (const alarm of alarms) {
      expect(alarm.Properties.AlarmActions).toHaveLength(1);
      expect(alarm.Properties.OKActions).toEqual(alarm.Properties.AlarmActions);
      expect(alarm.Properties.Dimensions[0].Name).toBe('DeliveryStreamName');
    }
  });
});

describe('Athena workgroup', () => {
  it('enforces encrypted results, its output location and the bytes-scanned cutoff from props', () => {
    // Act
    const configured = only(reporting, 'AWS::Athena::WorkGroup').Properties.WorkGroupConfiguration;
    const byDefault = only(defaults, 'AWS::Athena::WorkGroup').Properties.WorkGroupConfiguration;

    // Assess
    expect(configured).toMatchObject({
      EnforceWorkGroupConfiguration: true,
      BytesScannedCutoffPerQuery: 250_000_000,
      ResultConfiguration: {
        EncryptionConfiguration: { EncryptionOption: 'SSE_S3' },
        OutputLocation: { 'Fn::Join': ['', ['s3://', expect.anything(), '/athena/']] },
      },
    });
    expect(byDefault.BytesScannedCutoffPerQuery).toBe(1_000_000_000);
  });
});

describe('analytics rules', () => {
  const recorderId = logicalIdOf(defaults, 'AWS::Lambda::Function', (r) =>
    recorder.test(r.Properties.Description),
  );
  const rules = Object.values(defaults.findResources('AWS::Events::Rule') as Record<string, Resource>).filter(
    (rule) => rule.Properties.Targets.some((t: Json) => t.Arn?.['Fn::GetAtt']?.[0] === recorderId),
  );
  const patterns = rules.map((r) => r.Properties.EventPattern);

  it('routes canonical shop events, the system events that become records and SES events of the configuration set (the local route patterns)', () => {
    // Assess
    expect(patterns).toHaveLength(3);
    expect(patterns).toContainEqual({ source: ['shop'], 'detail-type': [...SHOP_EVENT_TYPES] });
    expect(patterns).toContainEqual({
      source: [SYSTEM_EVENT_SOURCE],
      'detail-type': [...SYSTEM_HEARD_TYPES],
    });
    // The same bus patterns as the local runtime's analytics route (one definition).
    for (const pattern of analyticsBusPatterns('shop')) expect(patterns).toContainEqual(pattern);
    expect(patterns).toContainEqual({
      source: ['aws.ses'],
      'detail-type': [...SES_EVENT_DETAIL_TYPES.values()],
      detail: { mail: { tags: { 'ses:configuration-set': [expect.anything()] } } },
    });
    const sesRule = rules.find((r) => r.Properties.EventPattern.source[0] === 'aws.ses');
    expect(sesRule?.Properties.EventBusName).toBe('default');
  });

  it('gives every rule retries and the Analytics dead-letter queue', () => {
    // Assess
    for (const rule of rules) {
      expect(rule.Properties.Targets[0]).toMatchObject({
        RetryPolicy: { MaximumRetryAttempts: 8 },
        DeadLetterConfig: {
          Arn: { 'Fn::GetAtt': [expect.stringMatching(/AnalyticsDeadLetterQueue/), 'Arn'] },
        },
      });
    }
  });
});

describe('recorder grants', () => {
  const statements = statementsOf(defaults, recorder);
  const actions = statements.flatMap((s) => asArray(s.Action));

  it('may put records to the delivery stream only', () => {
    // Act
    const firehose = statements.filter((s) => asArray(s.Action).some((a) => a.startsWith('firehose:')));

    // Assess
    expect(firehose).toHaveLength(1);
    expect(firehose[0]?.Resource).toEqual({
      'Fn::GetAtt': [expect.stringMatching(/AnalyticsDeliveryStream/), 'Arn'],
    });
    expect(asArray(firehose[0]?.Action ?? [])).toContain('firehose:PutRecordBatch');
  });

  it('reads and creates items in customer partitions only, checks tombstones, and never queries, scans, updates or deletes', () => {
    // Act
    const dynamo = statements.filter((s) => asArray(s.Action).some((a) => a.startsWith('dynamodb:')));

    // Assess
    expect(actions.filter((a) => /Scan|Query|Delete|Update|\*/.test(a))).toEqual([]);
    // Puts only in customer partitions; one BatchGet reads profile, secret and tombstone together.
    expect(dynamo.map((s) => [asArray(s.Action).sort(), s.Condition])).toEqual([
      [['dynamodb:PutItem'], { 'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': ['C#*'] } }],
      [
        ['dynamodb:BatchGetItem', 'dynamodb:GetItem'],
        { 'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': ['C#*', 'ERASED#*'] } },
      ],
      [
        ['dynamodb:ConditionCheckItem'],
        { 'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': ['ERASED#*'] } },
      ],
    ]);
    expect(dynamo.flatMap((s) => asArray(s.Action)).filter((a) => a === 'dynamodb:PutItem')).toHaveLength(1);
    expect(JSON.stringify(dynamo.map((s) => s.Resource))).not.toContain('/index/');
  });

  it('cannot read the signing secret or send email', () => {
    // Assess
    expect(actions.filter((a) => a.startsWith('secretsmanager:') || a.startsWith('ses:'))).toEqual([]);
  });
});

describe('monthly report', () => {
  it('is not created without recipients; the log pipeline is', () => {
    // Assess
    expect(
      Object.values(defaults.findResources('AWS::Lambda::Function') as Record<string, Resource>).filter((f) =>
        report.test(f.Properties.Description),
      ),
    ).toEqual([]);
    expect(
      Object.values(defaults.findResources('AWS::Events::Rule') as Record<string, Resource>).filter((r) =>
        r.Properties.ScheduleExpression?.startsWith('cron'),
      ),
    ).toEqual([]);
    defaults.resourceCountIs('AWS::KinesisFirehose::DeliveryStream', 1);
  });

  it('runs at 06:00 UTC on the first of each month with recipients, locale and window from props', () => {
    // Prepare
    const fnId = logicalIdOf(reporting, 'AWS::Lambda::Function', (r) =>
      report.test(r.Properties.Description),
    );

    // Act
    const schedule = Object.values(
      reporting.findResources('AWS::Events::Rule') as Record<string, Resource>,
    ).find((r) => r.Properties.Targets.some((t: Json) => t.Arn?.['Fn::GetAtt']?.[0] === fnId));
    const env = (reporting.findResources('AWS::Lambda::Function')[fnId] as Resource).Properties.Environment
      .Variables;

    // Assess
    expect(schedule?.Properties.ScheduleExpression).toBe('cron(0 6 1 * ? *)');
    expect(env).toMatchObject({
      REPORT_RECIPIENTS: 'owner@shop.example,ops@shop.example',
      REPORT_LOCALE: 'de',
      ACTIVE_WINDOW_DAYS: '180',
      REPORT_MONTHS: '12',
      ATHENA_WORKGROUP: 'Test-analytics',
    });
  });

  it('may query the workgroup, read the table and its records, write results and send as the shop', () => {
    // Act
    const statements = statementsOf(reporting, report);
    const byService = (prefix: string) =>
      statements.filter((s) => asArray(s.Action).some((a) => a.startsWith(prefix)));

    // Assess
    const athena = byService('athena:');
    expect(athena).toHaveLength(1);
    expect(JSON.stringify(athena[0]?.Resource)).toContain(':workgroup/Test-analytics');
    expect(asArray(athena[0]?.Action ?? [])).toEqual(
      expect.arrayContaining([
        'athena:StartQueryExecution',
        'athena:GetQueryExecution',
        'athena:GetQueryResults',
      ]),
    );
    expect(JSON.stringify(byService('glue:').map((s) => s.Resource))).toMatch(/:table\//);
    const objects = byService('s3:').filter((s) => asArray(s.Action).includes('s3:GetObject'));
    expect(objects.map((s) => JSON.stringify(s.Resource))).toEqual([
      expect.stringContaining('/records/*'),
      expect.stringContaining('/athena/*'),
    ]);
    expect(
      byService('s3:')
        .flatMap((s) => asArray(s.Action))
        .filter((a) => /Delete|\*/.test(a)),
    ).toEqual([]);
    expect(byService('ses:')).toHaveLength(1);
    expect(statements.flatMap((s) => asArray(s.Action)).filter((a) => a.startsWith('dynamodb:'))).toEqual([]);
  });
});

describe('analytics props', () => {
  it('creates nothing of it when disabled', () => {
    // Act
    const disabled = Template.fromStack(buildStack({ analytics: { enabled: false } }));

    // Assess
    disabled.resourceCountIs('AWS::KinesisFirehose::DeliveryStream', 0);
    disabled.resourceCountIs('AWS::Glue::Table', 0);
    disabled.resourceCountIs('AWS::Athena::WorkGroup', 0);
    disabled.resourceCountIs('AWS::S3::Bucket', 0);
  });

  it.each([
    [{ retentionMonths: 0 }, /analytics\.retentionMonths must be a whole number from 1 to 120 \(got 0\)/],
    [{ bytesScannedCutoffPerQueryMb: 5 }, /bytesScannedCutoffPerQueryMb .*from 10 \(Athena's minimum\)/],
    [
      { reportRecipients: ['owner@shop.example', 'Owner <x>'] },
      /reportRecipients\[1\] "Owner <x>" is not an email address/,
    ],
    [{ reportLocale: 'fr' as 'en' }, /reportLocale "fr" is not supported; use en or de/],
    [{ activeWindowDays: 7 }, /activeWindowDays must be a whole number from 31/],
  ])('refuses %j with a message naming the prop', (analytics, message) => {
    // Act
    const build = () => buildStack({ analytics });

    // Assess
    expect(build).toThrow(RetentionJourneysPropsError);
    expect(build).toThrow(message);
  });
});
