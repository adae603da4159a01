/**
 * The one place Lambda defaults are fixed (in the spirit of powertools' function-with-logstream
 * construct): newest Node.js runtime, ARM64, ESM bundles built locally with esbuild, source maps,
 * an explicit log group with retention, X-Ray tracing, and a role without managed policies. What a
 * function may do and carries follows its role (functions/composition/roles.ts): its table actions,
 * the signing secret only where tokens are signed or checked, and only its parts of the runtime
 * catalog (`catalog.json` next to its handler).
 */
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { CfnElement, Duration, RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import type { ITableV2 } from 'aws-cdk-lib/aws-dynamodb';
import { type IRole, Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import {
  ApplicationLogLevel,
  Architecture,
  LoggingFormat,
  Runtime,
  SystemLogLevel,
  Tracing,
} from 'aws-cdk-lib/aws-lambda';
import { NodejsFunction, OutputFormat, SourceMapMode } from 'aws-cdk-lib/aws-lambda-nodejs';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { ISecret } from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';
import type { Catalog } from '../functions/catalog/catalog.ts';
import { moduleExtension, PACKAGE_ROOT } from '../functions/catalog/package-root.ts';
import { catalogPart, catalogPartFiles, writeCatalogPartFiles } from '../functions/catalog/part.ts';
import { FUNCTION_ROLES, type FunctionRole, type RoleName } from '../functions/composition/roles.ts';

/** Node.js runtime of every function: the newest aws-cdk-lib 2.276 offers (cdk-nag AwsSolutions-L1). */
export const FUNCTION_RUNTIME = Runtime.NODEJS_24_X;

/**
 * Directory of the Lambda handlers, resolved from this file so synth works from any working directory:
 * functions/handlers/*.ts in this repository, dist/functions/handlers/*.js in the installed package
 * (esbuild bundles either at synth).
 */
export const HANDLERS_DIR = fileURLToPath(new URL('../functions/handlers/', import.meta.url));
const HANDLER_EXTENSION = moduleExtension(import.meta.url);

const LOCK_FILES = ['package-lock.json', 'pnpm-lock.yaml', 'yarn.lock', 'bun.lock', 'bun.lockb'];

/**
 * Where esbuild resolves the functions' dependencies from, and the lock file NodejsFunction wants:
 * this repository itself (its package-lock.json), or — installed as a package, which carries no lock
 * file — the project that installed it, the nearest directory above with one. Undefined when there is
 * none: NodejsFunction then looks from the working directory and names what it missed.
 */
export function bundlingRoot(
  from = PACKAGE_ROOT,
): { projectRoot: string; depsLockFilePath: string } | undefined {
  for (let dir = from; ; dir = path.dirname(dir)) {
    const lockFile = LOCK_FILES.map((name) => path.join(dir, name)).find((file) => existsSync(file));
    if (lockFile) return { projectRoot: dir, depsLockFilePath: lockFile };
    if (path.dirname(dir) === dir) return undefined;
  }
}
const BUNDLING_ROOT = bundlingRoot();

/**
 * esbuild emits ESM; a few bundled CommonJS dependencies still call `require` for Node built-ins,
 * which ESM does not define. The banner provides it (the pattern powertools documents).
 */
const ESM_REQUIRE_BANNER =
  "import { createRequire as __rjCreateRequire } from 'node:module'; const require = __rjCreateRequire(import.meta.url);";

/**
 * esbuild options every function bundle is built with; bench/module-init.ts builds the same bundles
 * with them to measure module initialisation.
 */
export const BUNDLE_OPTIONS = {
  format: 'esm',
  platform: 'node',
  mainFields: ['module', 'main'],
  banner: ESM_REQUIRE_BANNER,
  minify: true,
} as const;

export interface RetentionFunctionProps {
  /** What the function is (functions/composition/roles.ts): its handler, grants and catalog parts. */
  readonly role: RoleName;
  /** The journey of a `journey` function: its catalog part holds that journey only. */
  readonly journeyId?: string;
  /** Shown in the console next to the function. */
  readonly description: string;
  /** Absolute path of the runtime catalog; the function's parts of it are bundled as `catalog.json`. */
  readonly catalogPath: string;
  /**
   * The signing secret: required when the role signs or checks tokens (granted read, its ARN in
   * SIGNING_SECRET_ARN), ignored otherwise.
   * @default - none
   */
  readonly signingSecret?: ISecret;
  /**
   * Environment variables besides the ones the construct sets itself.
   * @default - none
   */
  readonly environment?: Record<string, string>;
  /**
   * @default Duration.seconds(30)
   */
  readonly timeout?: Duration;
  /**
   * 256 MB: the cheapest size that keeps a cold start and the SDK comfortably in memory. The
   * functions mostly wait for DynamoDB and SES; npm run cost prices the measured work at 128 to
   * 1,024 MB (CPU scales with memory): at 100,000 customers 512 MB cost about 40 % more than
   * 256 MB, and 128 MB saved a fifth at 1.6× the duration with little headroom for a cold start.
   * @default 256
   */
  readonly memorySize?: number;
  /**
   * Concurrency reserved for (and capping) this function.
   * @default - no reservation: the function shares the account's unreserved concurrency
   */
  readonly reservedConcurrentExecutions?: number;
  /**
   * How long the function's logs are kept.
   * @default RetentionDays.ONE_MONTH
   */
  readonly logRetention?: RetentionDays;
  /**
   * Directories copied into the bundle next to the handler (`to` is relative to it), for files the
   * code reads at run time (the KPI queries of the monthly report).
   * @default - only `catalog.json`
   */
  readonly assets?: readonly { from: string; to: string }[];
}

/** Node context the stack sets from its `tracing` prop (lib/retention-journeys-props.ts). */
export const TRACING_CONTEXT = 'retention-journeys:tracing';

export class RetentionFunction extends Construct {
  readonly function: NodejsFunction;
  readonly role: IRole;
  readonly logGroup: LogGroup;
  /** What this function may do and carries. */
  readonly functionRole: FunctionRole;

  constructor(scope: Construct, id: string, props: RetentionFunctionProps) {
    super(scope, id);
    const functionRole: FunctionRole = FUNCTION_ROLES[props.role];
    this.functionRole = functionRole;
    if (functionRole.signingSecret && !props.signingSecret)
      throw new Error(
        `${this.node.path}: role "${props.role}" signs or checks tokens and needs the signing secret`,
      );

    this.logGroup = new LogGroup(this, 'Logs', {
      retention: props.logRetention ?? RetentionDays.ONE_MONTH,
      removalPolicy: RemovalPolicy.DESTROY,
    });

    // An own role instead of the default one: the default attaches AWSLambdaBasicExecutionRole
    // (logs:* on every log group, cdk-nag AwsSolutions-IAM4); this one may write to its log group only.
    const role = new Role(this, 'Role', {
      assumedBy: new ServicePrincipal('lambda.amazonaws.com'),
      description: iamDescription(`${props.description} (execution role)`),
    });
    this.logGroup.grantWrite(role);
    this.role = role;

    const catalogDir =
      functionRole.catalog.length > 0
        ? writeCatalogPart(props.catalogPath, functionRole, props.journeyId)
        : undefined;
    this.function = new NodejsFunction(this, 'Function', {
      entry: `${HANDLERS_DIR}${functionRole.handlerFile.replace(/\.ts$/, HANDLER_EXTENSION)}`,
      handler: 'handler',
      // Lambda descriptions are capped at 256 characters.
      description: props.description.slice(0, 256),
      runtime: FUNCTION_RUNTIME,
      architecture: Architecture.ARM_64,
      memorySize: props.memorySize ?? 256,
      timeout: props.timeout ?? Duration.seconds(30),
      reservedConcurrentExecutions: props.reservedConcurrentExecutions,
      role,
      logGroup: this.logGroup,
      loggingFormat: LoggingFormat.JSON,
      applicationLogLevelV2: ApplicationLogLevel.INFO,
      systemLogLevelV2: SystemLogLevel.WARN,
      tracing: this.node.tryGetContext(TRACING_CONTEXT) === true ? Tracing.ACTIVE : Tracing.PASS_THROUGH,
      ...BUNDLING_ROOT,
      environment: {
        NODE_OPTIONS: '--enable-source-maps',
        ...props.environment,
      },
      bundling: {
        format: OutputFormat.ESM,
        // The SDK bundled and tree-shaken instead of loaded from the runtime's full packages:
        // module initialisation about halves (bench/module-init.ts, SDK bundled vs external), for
        // ~350 KB more per bundle. It also pins the SDK version the tests ran with.
        bundleAwsSDK: true,
        mainFields: [...BUNDLE_OPTIONS.mainFields],
        banner: BUNDLE_OPTIONS.banner,
        minify: BUNDLE_OPTIONS.minify,
        sourceMap: true,
        sourceMapMode: SourceMapMode.EXTERNAL,
        sourcesContent: false,
        // Local esbuild only: there is no Docker on build machines, and it is faster anyway.
        forceDockerBundling: false,
        commandHooks: {
          beforeBundling: () => [],
          beforeInstall: () => [],
          afterBundling: (_inputDir: string, outputDir: string) => [
            ...(catalogDir ? [`cp -R ${shellQuote(`${catalogDir}/.`)} ${shellQuote(outputDir)}`] : []),
            ...(props.assets ?? []).flatMap(({ from, to }) => [
              `mkdir -p ${shellQuote(`${outputDir}/${to}`)}`,
              `cp -R ${shellQuote(`${from.replace(/\/$/, '')}/.`)} ${shellQuote(`${outputDir}/${to}`)}`,
            ]),
          ],
        },
      },
    });

    // X-Ray's PutTraceSegments/PutTelemetryRecords have no resource-level permissions; the
    // statement CDK adds for tracing (active or pass-through) is therefore on `*`. Everything else in this role is scoped.
    Validations.of(role).acknowledge({
      id: 'AwsSolutions-IAM5[Resource::*]',
      reason:
        'X-Ray PutTraceSegments and PutTelemetryRecords support no resource-level permissions, so active tracing needs Resource "*"; no other statement of this role uses "*".',
    });

    if (functionRole.signingSecret && props.signingSecret) {
      this.function.addEnvironment('SIGNING_SECRET_ARN', props.signingSecret.secretArn);
      props.signingSecret.grantRead(this.function);
    }
  }

  /**
   * Sets `TABLE_NAME` and grants the role's table actions (items and the timer index), and nothing
   * more: no Scan, BatchWriteItem or DescribeTable. The stream is granted by the event source that
   * reads it (the dispatcher's).
   */
  bindTable(table: ITableV2): void {
    if (this.functionRole.table.length === 0)
      throw new Error(`${this.node.path}: its role uses no table; do not bind one`);
    this.function.addEnvironment('TABLE_NAME', table.tableName);
    table.grant(this.function, ...this.functionRole.table);
    // DynamoDB grants cover `<table>/index/*`: the sweeper queries the timer index, and index ARNs
    // cannot be narrowed further than the table's own indexes.
    Validations.of(this.role).acknowledge({
      id: `AwsSolutions-IAM5[Resource::<${tableLogicalId(table)}.Arn>/index/*]`,
      reason:
        "The table grant covers the table's own indexes (<table>/index/*), needed to query the timer GSI; no other table is reachable.",
    });
  }

  /** Adds an environment variable to the function. */
  addEnvironment(name: string, value: string): this {
    this.function.addEnvironment(name, value);
    return this;
  }
}

function tableLogicalId(table: ITableV2): string {
  const child = table.node.defaultChild;
  if (!(child instanceof CfnElement)) {
    throw new Error(
      `bindTable: table ${table.node.path} has no CloudFormation resource in this app; pass the TableV2 the construct created.`,
    );
  }
  return Stack.of(child).resolve(child.logicalId) as string;
}

/**
 * IAM descriptions allow only Latin-1 printable characters; journey names may hold dashes, quotes
 * or letters beyond that, which would fail the deploy. Typographic dashes and quotes become ASCII,
 * anything else outside the range becomes "?".
 */
export function iamDescription(text: string): string {
  return text
    .replace(/[\u2010-\u2015]/g, '-')
    .replace(/[\u2018\u2019]/g, "'")
    .replace(/[\u201C\u201D]/g, '"')
    .replace(/[^\t\n\r\u0020-\u007E\u00A1-\u00FF]/gu, '?')
    .slice(0, 1000);
}

/**
 * The function's parts of the catalog (`catalog.json` and its message files), written once per
 * content (the folder name is its hash) so repeated syntheses reuse it and the asset hash follows
 * the content only. Returns the folder.
 */
function writeCatalogPart(catalogPath: string, role: FunctionRole, journeyId: string | undefined): string {
  const catalog = JSON.parse(readFileSync(catalogPath, 'utf8')) as Catalog;
  const part = catalogPart(catalog, role.catalog, { journeyId });
  const hash = createHash('sha256')
    .update(JSON.stringify(catalogPartFiles(part)))
    .digest('hex')
    .slice(0, 32);
  const dir = path.join(tmpdir(), 'retention-journeys-catalog-parts', hash);
  writeCatalogPartFiles(dir, part);
  return dir;
}

function shellQuote(value: string): string {
  return `'${value.replaceAll("'", "'\\''")}'`;
}
