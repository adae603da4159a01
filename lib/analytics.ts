/**
 * The AWS side of the analytics log (DESIGN.md §9): EventBridge rules feed a function that turns shop
 * events, system events and SES outcomes into pseudonymous records (functions/analytics/record.ts);
 * it puts them to an Amazon Data Firehose stream, which converts them to Parquet with the Glue
 * table's schema and writes them under `records/dt=YYYY-MM-DD/` in an S3 bucket. The Glue table
 * `records` projects its `dt` partitions (no crawler, no ALTER TABLE), an Athena workgroup with
 * encrypted results and a bytes-scanned limit queries it, and — when there are recipients — a
 * function emails the monthly HTML report on the first of each month.
 *
 * Everything is SSE-S3 encrypted: no customer-managed key to pay for or to grant, and S3 server
 * access logs (which must go to an SSE-S3 bucket) can be kept for all three buckets.
 */
import { fileURLToPath } from 'node:url';
import { Duration, RemovalPolicy, Size, Stack, Validations } from 'aws-cdk-lib';
import { CfnWorkGroup } from 'aws-cdk-lib/aws-athena';
import { Alarm, ComparisonOperator, Metric, TreatMissingData } from 'aws-cdk-lib/aws-cloudwatch';
import { SnsAction } from 'aws-cdk-lib/aws-cloudwatch-actions';
import type { TableV2 } from 'aws-cdk-lib/aws-dynamodb';
import { EventBus, type IEventBus, Rule, Schedule } from 'aws-cdk-lib/aws-events';
import { LambdaFunction } from 'aws-cdk-lib/aws-events-targets';
import {
  type CfnTable,
  Database,
  DataFormat,
  PartitionProjectionConfiguration,
  S3Table,
  S3TableStorage,
  Schema,
  type Type,
} from 'aws-cdk-lib/aws-glue';
import { type IGrantable, PolicyStatement, Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import {
  DeliveryStream,
  EnableLogging,
  InputFormat,
  ParquetCompression,
  ParquetOutputFormat,
  S3Bucket,
  SchemaConfiguration,
  StreamEncryption,
} from 'aws-cdk-lib/aws-kinesisfirehose';
import { SqsDestination } from 'aws-cdk-lib/aws-lambda-destinations';
import { LogGroup, type RetentionDays } from 'aws-cdk-lib/aws-logs';
import { BlockPublicAccess, Bucket, BucketEncryption, ObjectOwnership } from 'aws-cdk-lib/aws-s3';
import type { ITopic } from 'aws-cdk-lib/aws-sns';
import { Construct } from 'constructs';
import { COLUMNS } from '../functions/analytics/record.ts';
import { SYSTEM_HEARD_TYPES } from '../functions/analytics/system-records.ts';
import { SHOP_EVENT_TYPES } from '../functions/core/events.ts';
import {
  ACCESS_LOG_RETENTION_DAYS,
  type AnalyticsSettings,
  ERRORS_PREFIX,
  MONTHLY_REPORT_SCHEDULE,
  QUERY_RESULTS_PREFIX,
  QUERY_RESULTS_RETENTION_DAYS,
  RECORDS_PREFIX,
  RECORDS_TABLE,
  REPORT_MONTHS,
} from './analytics-options.ts';
import type { FailureWiring } from './dead-letter-queue.ts';
import type { Email } from './email.ts';
import { sesEventPattern } from './email.ts';
import { RetentionFunction } from './function.ts';

/** Glue (Hive DDL) type of each COLUMNS type. */
const GLUE_TYPES: Record<(typeof COLUMNS)[keyof typeof COLUMNS], Type> = {
  string: Schema.STRING,
  int: Schema.INTEGER,
  boolean: Schema.BOOLEAN,
};

/** The table's columns, in COLUMNS order: the one definition of the record (record.ts). */
export function recordColumns(): { name: string; type: Type }[] {
  return Object.entries(COLUMNS).map(([name, type]) => ({ name, type: GLUE_TYPES[type] }));
}

/** What the parent construct lends: its bus, table, email and its way of wiring rules and DLQs. */
export interface AnalyticsProps extends FailureWiring {
  readonly settings: AnalyticsSettings;
  readonly eventBus: IEventBus;
  readonly shopEventSource: string;
  readonly systemEventSource: string;
  readonly table: TableV2;
  readonly email: Email;
  readonly senderAddress: string;
  readonly catalogPath: string;
  readonly logRetention: RetentionDays;
  /** Environment every function of the construct gets (bus, locale, powertools names ...). */
  readonly environment: Record<string, string>;
}

const ANALYTICS_QUERIES_DIR = fileURLToPath(new URL('../analytics/queries/', import.meta.url));

export class Analytics extends Construct {
  /** Parquet records under `records/`, Firehose errors under `errors/`. */
  readonly bucket: Bucket;
  /** Athena query results under `athena/`. */
  readonly resultsBucket: Bucket;
  /** S3 server access logs of both. */
  readonly accessLogsBucket: Bucket;
  readonly deliveryStream: DeliveryStream;
  readonly database: Database;
  readonly table: S3Table;
  readonly workGroup: CfnWorkGroup;
  readonly workGroupName: string;
  /** Turns events into records and puts them to the delivery stream. */
  readonly recorderFunction: RetentionFunction;
  /** Emails the monthly report; only when there are recipients. */
  readonly reportFunction: RetentionFunction | undefined;

  constructor(scope: Construct, id: string, props: AnalyticsProps) {
    super(scope, id);
    const { settings } = props;
    const stack = Stack.of(this);

    // --- Storage -----------------------------------------------------------------------------
    // S3 log delivery is allowed by a bucket policy (scoped to this account's source buckets), not by
    // the legacy LogDeliveryWrite ACL, so the log bucket keeps ACLs disabled. The flag is CDK's own
    // switch for that (a default for new apps), set here so it holds for this construct only.
    this.node.setContext('@aws-cdk/aws-s3:serverAccessLogsUseBucketPolicy', true);
    this.accessLogsBucket = new Bucket(this, 'AccessLogs', {
      ...secureBucket(),
      objectOwnership: ObjectOwnership.BUCKET_OWNER_ENFORCED,
      lifecycleRules: [{ id: 'expire-access-logs', expiration: Duration.days(ACCESS_LOG_RETENTION_DAYS) }],
    });
    Validations.of(this.accessLogsBucket).acknowledge({
      id: 'AwsSolutions-S1',
      reason:
        'This bucket receives the server access logs of the analytics buckets; logging it into itself would log its own log deliveries without end.',
    });

    this.bucket = new Bucket(this, 'Records', {
      ...secureBucket(),
      serverAccessLogsBucket: this.accessLogsBucket,
      serverAccessLogsPrefix: 'records-bucket/',
      lifecycleRules: [
        {
          id: 'expire-records',
          expiration: Duration.days(settings.retentionDays),
          abortIncompleteMultipartUploadAfter: Duration.days(1),
        },
      ],
    });

    this.resultsBucket = new Bucket(this, 'QueryResults', {
      ...secureBucket(),
      serverAccessLogsBucket: this.accessLogsBucket,
      serverAccessLogsPrefix: 'query-results-bucket/',
      lifecycleRules: [
        {
          id: 'expire-query-results',
          expiration: Duration.days(QUERY_RESULTS_RETENTION_DAYS),
          abortIncompleteMultipartUploadAfter: Duration.days(1),
        },
      ],
    });

    // --- Catalog -----------------------------------------------------------------------------
    this.database = new Database(this, 'Database', {
      // Glue database names: lower case, digits, underscores.
      databaseName: glueName(`${stack.stackName}_analytics`),
      description: 'retention-journeys analytics log (pseudonymous records)',
    });
    this.table = new S3Table(this, 'Table', {
      database: this.database,
      tableName: RECORDS_TABLE,
      description: 'One row per accepted shop event, emitted system event and email outcome (record.ts)',
      storage: S3TableStorage.fromBucket(this.bucket),
      s3Prefix: RECORDS_PREFIX,
      columns: recordColumns(),
      partitionKeys: [{ name: 'dt', type: Schema.STRING }],
      dataFormat: DataFormat.PARQUET,
      // SSE-S3: S3 decrypts transparently; `has_encrypted_data` is about client-side encryption.
      hasEncryptedData: false,
      // Partitions come from the path, never from the catalog: no crawler, no ALTER TABLE ADD
      // PARTITION. The range starts one month before the oldest object the lifecycle keeps.
      partitionProjection: {
        dt: PartitionProjectionConfiguration.date({
          min: `NOW-${settings.retentionMonths + 1}MONTHS`,
          max: 'NOW',
          format: 'yyyy-MM-dd',
        }),
      },
      parameters: {
        'storage.location.template': `s3://${this.bucket.bucketName}/${RECORDS_PREFIX}dt=\${dt}/`,
      },
    });

    // --- Delivery ----------------------------------------------------------------------------
    const deliveryLogs = new LogGroup(this, 'DeliveryLogs', {
      retention: props.logRetention,
      removalPolicy: RemovalPolicy.DESTROY,
    });
    const deliveryRole = this.deliveryRole(deliveryLogs);
    this.deliveryStream = new DeliveryStream(this, 'DeliveryStream', {
      // Direct PUT encrypted at rest with an AWS-owned key (cdk-nag AwsSolutions-KDF1).
      encryption: StreamEncryption.awsOwnedKey(),
      destination: new S3Bucket(this.bucket, {
        // The L2 would grant its role read, write and delete on the whole bucket and Glue's schema
        // registry on "*"; the role gets the statements of deliveryRole() and nothing else.
        role: deliveryRole.withoutPolicyUpdates(),
        loggingConfig: new EnableLogging(deliveryLogs),
        // Processing time, as `recorded` (partitionOf): a record lands in the day Firehose got it,
        // at most a buffer interval after it was recorded.
        dataOutputPrefix: `${RECORDS_PREFIX}dt=!{timestamp:yyyy-MM-dd}/`,
        errorOutputPrefix: `${ERRORS_PREFIX}!{firehose:error-output-type}/dt=!{timestamp:yyyy-MM-dd}/`,
        // Few, large files: Athena reads one 64 MiB file far faster (and cheaper) than thousands of
        // small ones, and a monthly report needs no fresher data than 15 minutes.
        bufferingInterval: Duration.minutes(15),
        bufferingSize: Size.mebibytes(128),
        dataFormatConversion: {
          schemaConfiguration: SchemaConfiguration.fromCfnTable(this.table.node.defaultChild as CfnTable),
          // Keys are the column names already (all lower case); OpenX tolerates absent keys as null.
          inputFormat: InputFormat.OPENX_JSON,
          outputFormat: new ParquetOutputFormat({ compression: ParquetCompression.SNAPPY }),
        },
      }),
    });
    // The role's policy must exist before Firehose checks it can read the schema and write.
    this.deliveryStream.node.addDependency(deliveryRole);

    // --- Query -------------------------------------------------------------------------------
    this.workGroupName = `${stack.stackName}-analytics`.slice(0, 128);
    this.workGroup = new CfnWorkGroup(this, 'WorkGroup', {
      name: this.workGroupName,
      description: 'retention-journeys KPI queries (monthly report, journeys report --athena)',
      state: 'ENABLED',
      // Deleting the stack deletes the workgroup with its saved queries and history.
      recursiveDeleteOption: true,
      workGroupConfiguration: {
        // Clients cannot override the output location, its encryption or the scan limit.
        enforceWorkGroupConfiguration: true,
        publishCloudWatchMetricsEnabled: true,
        bytesScannedCutoffPerQuery: settings.bytesScannedCutoffPerQuery,
        engineVersion: { selectedEngineVersion: 'Athena engine version 3' },
        resultConfiguration: {
          outputLocation: `s3://${this.resultsBucket.bucketName}/${QUERY_RESULTS_PREFIX}`,
          encryptionConfiguration: { encryptionOption: 'SSE_S3' },
          expectedBucketOwner: stack.account,
        },
      },
    });

    // --- Recording ---------------------------------------------------------------------------
    this.recorderFunction = new RetentionFunction(this, 'Recorder', {
      role: 'analytics',
      description: 'Writes pseudonymous analytics records of shop, system and SES events to Firehose',
      catalogPath: props.catalogPath,
      logRetention: props.logRetention,
      environment: {
        ...props.environment,
        TABLE_NAME: props.table.tableName,
        DELIVERY_STREAM_NAME: this.deliveryStream.deliveryStreamName,
      },
    });
    grantAnalyticsKeys(this.recorderFunction.function, props.table);
    this.grantPutRecordBatch(this.recorderFunction.function);

    const dlq = props.deadLetterQueue('Analytics', 'events the analytics log could not record');
    props.route(
      'AnalyticsShop',
      props.eventBus,
      { source: [props.shopEventSource], detailType: [...SHOP_EVENT_TYPES] },
      this.recorderFunction,
      dlq,
      { description: 'Shop events (canonical detail-types) for the analytics log' },
    );
    props.route(
      'AnalyticsSystem',
      props.eventBus,
      // The same patterns as the local runtime's analytics route (functions/analytics/routing.ts).
      { source: [props.systemEventSource], detailType: [...SYSTEM_HEARD_TYPES] },
      this.recorderFunction,
      dlq,
      { description: 'Events the system emits that become records, for the analytics log' },
    );
    props.route(
      'AnalyticsSes',
      EventBus.fromEventBusName(this, 'DefaultBus', 'default'),
      sesEventPattern(props.email.configurationSetName),
      this.recorderFunction,
      dlq,
      { description: 'SES events of the configuration set, for the analytics log' },
    );
    props.retryThenKeep(this.recorderFunction, dlq);

    // --- Monthly report ----------------------------------------------------------------------
    this.reportFunction = settings.reportRecipients.length > 0 ? this.monthlyReport(props) : undefined;
  }

  /**
   * What Firehose needs to deliver (Amazon Data Firehose developer guide, "Grant Firehose access to
   * an Amazon S3 destination"): write and list under its two prefixes, read the table's schema for
   * the Parquet conversion, and log delivery errors. Assumable only on behalf of this account.
   */
  private deliveryRole(logs: LogGroup): Role {
    const stack = Stack.of(this);
    const role = new Role(this, 'DeliveryRole', {
      assumedBy: new ServicePrincipal('firehose.amazonaws.com', {
        conditions: { StringEquals: { 'sts:ExternalId': stack.account } },
      }),
      description: 'Firehose delivery of analytics records to S3 (Parquet conversion)',
    });
    role.addToPolicy(
      new PolicyStatement({
        actions: ['s3:GetBucketLocation', 's3:ListBucket', 's3:ListBucketMultipartUploads'],
        resources: [this.bucket.bucketArn],
      }),
    );
    role.addToPolicy(
      new PolicyStatement({
        actions: ['s3:PutObject', 's3:GetObject', 's3:AbortMultipartUpload'],
        resources: [
          this.bucket.arnForObjects(`${RECORDS_PREFIX}*`),
          this.bucket.arnForObjects(`${ERRORS_PREFIX}*`),
        ],
      }),
    );
    role.addToPolicy(
      new PolicyStatement({
        actions: ['glue:GetTable', 'glue:GetTableVersion', 'glue:GetTableVersions'],
        resources: [this.database.catalog.catalogArn, this.database.databaseArn, this.table.tableArn],
      }),
    );
    logs.grantWrite(role);
    for (const prefix of [RECORDS_PREFIX, ERRORS_PREFIX]) {
      Validations.of(role).acknowledge({
        id: `AwsSolutions-IAM5[Resource::<${logicalId(this.bucket)}.Arn>/${prefix}*]`,
        reason: `Firehose names each object it writes under ${prefix} itself (date partition, stream name, time, random suffix); the grant is that prefix only.`,
      });
    }
    return role;
  }

  /**
   * Alarms on what the Lambda and DLQ alarms cannot see: Firehose accepting records it then fails to
   * convert (they go to `errors/`, not to the table) or stops delivering. Both notify `topic`.
   */
  alarmTo(topic: ITopic): Alarm[] {
    const action = new SnsAction(topic);
    const metric = (metricName: string, statistic: string) =>
      new Metric({
        namespace: 'AWS/Firehose',
        metricName,
        dimensionsMap: { DeliveryStreamName: this.deliveryStream.deliveryStreamName },
        statistic,
        period: Duration.minutes(15),
      });
    const alarms = [
      new Alarm(this, 'ConversionFailedAlarm', {
        metric: metric('FailedConversion.Records', 'Sum'),
        threshold: 1,
        comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        evaluationPeriods: 1,
        treatMissingData: TreatMissingData.NOT_BREACHING,
        alarmDescription: `Analytics records failed Parquet conversion and went to s3://…/${ERRORS_PREFIX} instead of the records table: a record no longer matches the Glue columns (functions/analytics/record.ts).`,
      }),
      new Alarm(this, 'DeliveryStaleAlarm', {
        // Records older than an hour in the stream: with a 15-minute buffer, S3 delivery is failing.
        metric: metric('DeliveryToS3.DataFreshness', 'Maximum'),
        threshold: 3_600,
        comparisonOperator: ComparisonOperator.GREATER_THAN_THRESHOLD,
        evaluationPeriods: 2,
        treatMissingData: TreatMissingData.NOT_BREACHING,
        alarmDescription:
          'Firehose has held analytics records for over an hour without delivering them to S3 (permissions, bucket, schema); see the stream error log group.',
      }),
    ];
    for (const alarm of alarms) {
      alarm.addAlarmAction(action);
      alarm.addOkAction(action);
    }
    return alarms;
  }

  /** `firehose:PutRecordBatch` (and `PutRecord`) on this stream only. */
  grantPutRecordBatch(grantee: IGrantable): void {
    grantee.grantPrincipal.addToPrincipalPolicy(
      new PolicyStatement({
        actions: ['firehose:PutRecordBatch', 'firehose:PutRecord'],
        resources: [this.deliveryStream.deliveryStreamArn],
      }),
    );
  }

  /**
   * Running the KPI queries: start/read/stop queries in this workgroup only, read the table's
   * definition and its objects, write results to the workgroup's output location.
   */
  grantQuery(grantee: IGrantable): void {
    const stack = Stack.of(this);
    const add = (statement: PolicyStatement) => grantee.grantPrincipal.addToPrincipalPolicy(statement);
    add(
      new PolicyStatement({
        actions: [
          'athena:StartQueryExecution',
          'athena:GetQueryExecution',
          'athena:GetQueryResults',
          'athena:StopQueryExecution',
          'athena:GetWorkGroup',
        ],
        resources: [
          stack.formatArn({ service: 'athena', resource: 'workgroup', resourceName: this.workGroupName }),
        ],
      }),
    );
    add(
      new PolicyStatement({
        actions: ['glue:GetDatabase', 'glue:GetTable', 'glue:GetPartitions'],
        resources: [this.database.catalog.catalogArn, this.database.databaseArn, this.table.tableArn],
      }),
    );
    add(new PolicyStatement({ actions: ['s3:GetBucketLocation'], resources: [this.bucket.bucketArn] }));
    add(
      new PolicyStatement({
        actions: ['s3:ListBucket'],
        resources: [this.bucket.bucketArn],
        conditions: { StringLike: { 's3:prefix': [`${RECORDS_PREFIX}*`] } },
      }),
    );
    add(
      new PolicyStatement({
        actions: ['s3:GetObject'],
        resources: [this.bucket.arnForObjects(`${RECORDS_PREFIX}*`)],
      }),
    );
    add(
      new PolicyStatement({
        actions: ['s3:GetBucketLocation', 's3:ListBucket'],
        resources: [this.resultsBucket.bucketArn],
      }),
    );
    add(
      new PolicyStatement({
        actions: ['s3:GetObject', 's3:PutObject', 's3:AbortMultipartUpload', 's3:ListMultipartUploadParts'],
        resources: [this.resultsBucket.arnForObjects(`${QUERY_RESULTS_PREFIX}*`)],
      }),
    );
  }

  private monthlyReport(props: AnalyticsProps): RetentionFunction {
    const { settings } = props;
    const fn = new RetentionFunction(this, 'MonthlyReport', {
      role: 'monthlyReport',
      description: 'Runs the KPI queries on Athena and emails the monthly retention report',
      catalogPath: props.catalogPath,
      logRetention: props.logRetention,
      // Ten-odd Athena queries, each seconds to a minute, then rendering the charts.
      timeout: Duration.minutes(10),
      memorySize: 1024,
      // The KPI queries are read at run time from `queries/` next to the handler.
      assets: [{ from: ANALYTICS_QUERIES_DIR, to: 'queries' }],
      environment: {
        ...props.environment,
        ATHENA_WORKGROUP: this.workGroupName,
        ATHENA_DATABASE: this.database.databaseName,
        SENDER_ADDRESS: props.senderAddress,
        SES_CONFIGURATION_SET: props.email.configurationSetName,
        REPORT_RECIPIENTS: settings.reportRecipients.join(','),
        REPORT_LOCALE: settings.reportLocale,
        REPORT_MONTHS: String(REPORT_MONTHS),
        ACTIVE_WINDOW_DAYS: String(settings.activeWindowDays),
      },
    });
    this.grantQuery(fn.function);
    props.email.grantSend(fn.function);
    Validations.of(fn.role).acknowledge({
      id: `AwsSolutions-IAM5[Resource::<${logicalId(this.bucket)}.Arn>/${RECORDS_PREFIX}*]`,
      reason:
        'Athena reads every Parquet object of the records table; the grant stops at the records/ prefix (errors/ stays out).',
    });
    Validations.of(fn.role).acknowledge({
      id: `AwsSolutions-IAM5[Resource::<${logicalId(this.resultsBucket)}.Arn>/${QUERY_RESULTS_PREFIX}*]`,
      reason:
        "Athena writes each query's result under a new object name in the workgroup's output prefix; the grant is that prefix only.",
    });

    const dlq = props.deadLetterQueue('MonthlyReport', 'monthly report runs that failed');
    new Rule(this, 'Schedule', {
      description: 'Emails the monthly retention report on the first of each month',
      schedule: Schedule.cron(MONTHLY_REPORT_SCHEDULE),
      targets: [
        new LambdaFunction(fn.function, {
          deadLetterQueue: dlq,
          retryAttempts: 2,
          maxEventAge: Duration.hours(6),
        }),
      ],
    });
    // A failed run is retried once (a second email is better than none), then kept for a redrive.
    fn.function.configureAsyncInvoke({
      retryAttempts: 1,
      maxEventAge: Duration.hours(6),
      onFailure: new SqsDestination(dlq),
    });
    return fn;
  }
}

/**
 * The analytics function reads the customer's profile (market, locale) and their analytics secret,
 * creates the secret once (conditional put), and checks the erasure tombstone — nothing else. IAM
 * can narrow DynamoDB access to partition keys (`dynamodb:LeadingKeys`) but not to sort keys, so
 * this is the honest least: item reads and conditional puts in customer partitions (`C#…`) and reads
 * of tombstones (`ERASED#…`). No Query, Scan, UpdateItem or DeleteItem, no index, no other partition
 * (referral codes, processed events, suppressions).
 */
function grantAnalyticsKeys(grantee: IGrantable, table: TableV2): void {
  const add = (statement: PolicyStatement) => grantee.grantPrincipal.addToPrincipalPolicy(statement);
  add(
    new PolicyStatement({
      actions: ['dynamodb:PutItem'],
      resources: [table.tableArn],
      conditions: { 'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': ['C#*'] } },
    }),
  );
  // One BatchGet reads the profile, the secret and the tombstone together (adapters/analytics-keys.ts):
  // with ForAllValues every key of the batch must match one statement, so both prefixes are here.
  add(
    new PolicyStatement({
      actions: ['dynamodb:GetItem', 'dynamodb:BatchGetItem'],
      resources: [table.tableArn],
      conditions: { 'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': ['C#*', 'ERASED#*'] } },
    }),
  );
  add(
    new PolicyStatement({
      actions: ['dynamodb:ConditionCheckItem'],
      resources: [table.tableArn],
      conditions: { 'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': ['ERASED#*'] } },
    }),
  );
}

function secureBucket() {
  return {
    encryption: BucketEncryption.S3_MANAGED,
    enforceSSL: true,
    blockPublicAccess: BlockPublicAccess.BLOCK_ALL,
    versioned: false,
    // The log outlives a stack deletion; an operator deletes it on purpose.
    removalPolicy: RemovalPolicy.RETAIN,
  };
}

function glueName(text: string): string {
  return text
    .toLowerCase()
    .replace(/[^a-z0-9_]/g, '_')
    .slice(0, 255);
}

function logicalId(construct: Construct): string {
  const child = construct.node.defaultChild as unknown as { logicalId: string };
  return Stack.of(construct).resolve(child.logicalId) as string;
}
