/**
 * Module initialisation of each function bundle against a floor bundle holding only the DynamoDB
 * client (issue 13's bar: ≤ 1.5×). Each handler is bundled with esbuild the way lib/function.ts
 * bundles it (BUNDLE_OPTIONS; target node20 for this machine, node24 in Lambda), with the SDK
 * external as CDK leaves it (`@aws-sdk/*` from the runtime) or bundled and tree-shaken
 * (`bundleAwsSDK: true`). Every bundle then runs in fresh `node` processes: the time to import it
 * and run its cold-start composition (config from env, catalog part, clients) — no network: the
 * secret comes from SIGNING_SECRET, and no AWS call happens at initialisation.
 *
 *   npx tsx bench/module-init.ts [--runs=7] [--sdk=external|bundled|both]
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { build, type Metafile } from 'esbuild';
import { buildCatalog } from '../functions/catalog/build.ts';
import { catalogPart, writeCatalogPartFiles } from '../functions/catalog/part.ts';
import { FUNCTION_ROLES, type RoleName } from '../functions/composition/roles.ts';
import { BUNDLE_OPTIONS } from '../lib/function.ts';
import { printRows } from './report.ts';

const ROOT = fileURLToPath(new URL('../', import.meta.url));
// Inside the project, so an external `@aws-sdk/*` resolves from node_modules as on Lambda's runtime.
const OUT = path.join(ROOT, '.build', 'module-init');

export interface ModuleInitOptions {
  runs?: number;
  sdk?: 'external' | 'bundled' | 'both';
}

/** What a bundle exports for the bench: its cold-start composition (the one its handler awaits). */
interface Measured {
  label: string;
  role?: RoleName;
  /** Module source of the bench entry: re-exports the handler and `__compose`. */
  entry: string;
  /** It writes money, dates and plurals in the recipient's locale, so its first render starts ICU. */
  formats?: boolean;
}

/** The class each SDK client package exports, for a floor that constructs the clients a function holds. */
const CLIENT_CLASSES: Record<string, string> = {
  'client-athena': 'AthenaClient',
  'client-dynamodb': 'DynamoDBClient',
  'client-eventbridge': 'EventBridgeClient',
  'client-firehose': 'FirehoseClient',
  'client-secrets-manager': 'SecretsManagerClient',
  'client-sesv2': 'SESv2Client',
};

/**
 * A function's own floor: only what it cannot do without — a client of each AWS service it calls, and
 * ICU started when it formats in the recipient's locale (Node starts ICU on the first Intl use, which
 * costs as much as loading the DynamoDB client). Its ratio says what our own code adds.
 */
function ownFloor(fn: Measured, clients: readonly string[]): Measured {
  const known = clients.filter((c) => CLIENT_CLASSES[c]);
  return {
    label: `${fn.label}'s own floor`,
    entry: [
      ...known.map((c) => `import { ${CLIENT_CLASSES[c]} } from '@aws-sdk/${c}';`),
      ...(known.includes('client-dynamodb')
        ? [`import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';`]
        : []),
      `export const __compose = async () => [${known
        .map((c) =>
          c === 'client-dynamodb'
            ? 'DynamoDBDocumentClient.from(new DynamoDBClient({}))'
            : `new ${CLIENT_CLASSES[c]}({})`,
        )
        .join(', ')}${fn.formats ? ', new Intl.DateTimeFormat().resolvedOptions()' : ''}];`,
    ].join('\n'),
  };
}

const handler = (file: string) => path.join(ROOT, 'functions', 'handlers', file);
const composition = (file: string) => path.join(ROOT, 'functions', 'composition', 'lambda', file);

const FUNCTIONS: Measured[] = [
  ...(
    [
      ['journey', 'journey.ts'],
      ['profile', 'profile.ts'],
      ['loyalty', 'loyalty.ts'],
      ['sweeper', 'sweeper.ts'],
      ['dispatcher', 'dispatcher.ts'],
      ['sesEvents', 'ses-events.ts'],
      ['preferences', 'preferences.ts'],
    ] as const
  ).map(([role, file]) => ({
    label: role,
    role,
    formats: role === 'dispatcher' || role === 'preferences',
    entry: `export * from ${JSON.stringify(handler(FUNCTION_ROLES[role].handlerFile))};
export { composed as __compose } from ${JSON.stringify(composition(file))};`,
  })),
  {
    label: 'analytics',
    role: 'analytics',
    entry: `export * from ${JSON.stringify(handler('analytics.ts'))};
export { lambdaRecorder as __compose } from ${JSON.stringify(handler('analytics.ts'))};`,
  },
  {
    label: 'shopify',
    role: 'shopify',
    entry: `export * from ${JSON.stringify(handler('shopify.ts'))};
import { connectorRuntime } from ${JSON.stringify(handler('connector-runtime.ts'))};
export const __compose = async () => connectorRuntime();`,
  },
  {
    label: 'monthlyReport',
    role: 'monthlyReport',
    formats: true,
    entry: `export * from ${JSON.stringify(handler('monthly-report.ts'))};
export { lambdaReportService as __compose } from ${JSON.stringify(handler('monthly-report.ts'))};`,
  },
];

const FLOOR: Measured = {
  label: 'floor (DynamoDB client only)',
  entry: `import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
export const __compose = async () => DynamoDBDocumentClient.from(new DynamoDBClient({}));`,
};

/** Environment of every run: a dummy table, secret and stream; a region and keys so no client looks further. */
function environment(catalogFile: string | undefined): NodeJS.ProcessEnv {
  return {
    PATH: process.env.PATH,
    AWS_REGION: 'eu-central-1',
    AWS_ACCESS_KEY_ID: 'bench',
    AWS_SECRET_ACCESS_KEY: 'bench',
    AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
    TABLE_NAME: 'bench-table',
    SIGNING_SECRET: 'bench-signing-secret-0123456789abcdef',
    JOURNEY_ID: 'onboarding',
    DELIVERY_STREAM_NAME: 'bench-stream',
    REPORT_RECIPIENTS: 'owner@shop.example',
    SENDER_ADDRESS: 'shop@shop.example',
    ATHENA_WORKGROUP: 'bench',
    ATHENA_DATABASE: 'bench',
    POWERTOOLS_SERVICE_NAME: 'bench',
    POWERTOOLS_METRICS_NAMESPACE: 'bench',
    ...(catalogFile ? { CATALOG_PATH: catalogFile } : {}),
  };
}

// Runs in the fresh process: import, then compose, timed from just before the import.
const RUNNER = `
const wall0 = performance.now(); const cpu0 = process.cpuUsage();
const m = await import(process.argv[1]);
await m.__compose();
const cpu = process.cpuUsage(cpu0);
process.stdout.write(JSON.stringify({ wall: performance.now() - wall0, cpu: (cpu.user + cpu.system) / 1000 }));
`;

interface Bundle {
  file: string;
  bytes: number;
  /** AWS SDK clients in the bundle (bundled) or imported from the runtime (external). */
  clients: string[];
}

async function bundle(measured: Measured, sdk: 'external' | 'bundled'): Promise<Bundle> {
  const name = `${measured.label.replace(/\W+/g, '-')}-${sdk}`;
  const entryFile = path.join(OUT, `${name}.entry.mjs`);
  writeFileSync(entryFile, measured.entry);
  const file = path.join(OUT, `${name}.mjs`);
  const result = await build({
    entryPoints: [entryFile],
    outfile: file,
    bundle: true,
    format: BUNDLE_OPTIONS.format,
    platform: BUNDLE_OPTIONS.platform,
    mainFields: [...BUNDLE_OPTIONS.mainFields],
    banner: { js: BUNDLE_OPTIONS.banner },
    minify: BUNDLE_OPTIONS.minify,
    target: 'node20',
    external: sdk === 'external' ? ['@aws-sdk/*'] : [],
    metafile: true,
    logLevel: 'error',
  });
  return { file, bytes: statSync(file).size, clients: sdkClients(result.metafile) };
}

function sdkClients(metafile: Metafile): string[] {
  const names = new Set<string>();
  // What the output holds, not what esbuild read: a client imported only by code that tree-shaking
  // dropped is read but not bundled (the shopify function reads connector-runtime's Secrets Manager).
  for (const output of Object.values(metafile.outputs)) {
    for (const [input, { bytesInOutput }] of Object.entries(output.inputs)) {
      const match = /@aws-sdk\/(client-[a-z0-9-]+)\//.exec(input);
      if (match?.[1] && bytesInOutput > 0) names.add(match[1]);
    }
    for (const imported of output.imports) {
      const match = /^@aws-sdk\/(client-[a-z0-9-]+)/.exec(imported.path);
      if (imported.external && match?.[1]) names.add(match[1]);
    }
  }
  return [...names].sort();
}

const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2
    ? (sorted[mid] as number)
    : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
};

function runOnce(file: string, env: NodeJS.ProcessEnv): { wall: number; cpu: number } {
  const run = spawnSync(process.execPath, ['--input-type=module', '-e', RUNNER, pathToFileURL(file).href], {
    env,
    encoding: 'utf8',
  });
  if (run.status !== 0) throw new Error(`${path.basename(file)} failed to initialise:\n${run.stderr}`);
  return JSON.parse(run.stdout) as { wall: number; cpu: number };
}

/** The bench's printable rows: per SDK mode the floor, then each function with its ratio to the floor. */
export async function moduleInitBench(options: ModuleInitOptions = {}): Promise<[string, string][]> {
  const runs = Math.max(5, options.runs ?? 7);
  const modes =
    options.sdk === 'external' || options.sdk === 'bundled'
      ? [options.sdk]
      : (['external', 'bundled'] as const);
  mkdirSync(OUT, { recursive: true });
  const { catalog } = await buildCatalog(ROOT, { defaultLocale: 'en' });
  const catalogFile = (role: RoleName | undefined) => {
    const parts = role ? FUNCTION_ROLES[role].catalog : [];
    if (parts.length === 0) return undefined;
    return writeCatalogPartFiles(
      path.join(OUT, `catalog-${role}`),
      catalogPart(catalog, parts, { journeyId: 'onboarding' }),
    );
  };
  const rows: [string, string][] = [];
  const ms = (n: number) => `${n.toFixed(0)} ms`;
  for (const sdk of modes) {
    const all = [FLOOR, ...FUNCTIONS];
    const functions = await Promise.all(all.map((fn) => bundle(fn, sdk)));
    const floors = await Promise.all(
      FUNCTIONS.map((fn, i) => bundle(ownFloor(fn, (functions[i + 1] as Bundle).clients), sdk)),
    );
    const built = [...functions, ...floors];
    // Round-robin, one process per bundle per round: load on the machine changes over a run, and
    // this spreads it over every bundle alike instead of over whichever ran last.
    const samples = built.map(() => ({ walls: [] as number[], cpus: [] as number[] }));
    for (let round = 0; round < runs; round++)
      built.forEach((b, i) => {
        const one = runOnce(b.file, environment(catalogFile(all[i]?.role)));
        samples[i]?.walls.push(one.wall);
        samples[i]?.cpus.push(one.cpu);
      });
    const result = samples.map((s) => ({ wall: median(s.walls), cpu: median(s.cpus) }));
    const floor = result[0] as { wall: number; cpu: number };
    rows.push([
      `module init, SDK ${sdk}: ${FLOOR.label}, median of ${runs} fresh processes (wall / CPU)`,
      `${ms(floor.wall)} / ${ms(floor.cpu)}  [${Math.round((built[0] as Bundle).bytes / 1024)} KB]`,
    ]);
    FUNCTIONS.forEach((fn, i) => {
      const r = result[i + 1] as { wall: number; cpu: number };
      const b = built[i + 1] as Bundle;
      const own = result[i + 1 + FUNCTIONS.length] as { wall: number; cpu: number };
      const ratio = r.wall / floor.wall;
      rows.push([
        `module init, SDK ${sdk}: ${fn.label} ÷ floor, wall (bar ≤ 1.5×)`,
        `${ratio.toFixed(2)}× ${ratio <= 1.5 ? 'meets' : 'misses'}  (${ms(r.wall)} / ${ms(r.cpu)} CPU = ${(r.cpu / floor.cpu).toFixed(2)}×; ${Math.round(b.bytes / 1024)} KB; ${b.clients.join(' ') || 'no SDK client'}); ÷ own floor ${(r.wall / own.wall).toFixed(2)}× (${ms(own.wall)}: its clients${fn.formats ? ' + ICU' : ''})`,
      ]);
    });
  }
  return rows;
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const { values } = parseArgs({
    options: { runs: { type: 'string', default: '7' }, sdk: { type: 'string', default: 'both' } },
  });
  const rows = await moduleInitBench({
    runs: Number(values.runs),
    sdk: values.sdk as ModuleInitOptions['sdk'],
  });
  printRows(`retention-journeys module initialisation (Node ${process.version})`, rows);
}
