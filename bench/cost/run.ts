/**
 * `npm run cost`: the monthly AWS bill at 10,000, 100,000 and 1,000,000 customers for a shop
 * profile, from figures measured in this run (bench/cost/measure.ts, on DynamoDB Local), the
 * synthesised stack's resources (bench/cost/synth.ts) and dated list prices (bench/cost/prices.ts).
 *
 *   npm run cost -- [--orders 0.4 --emails 3 …] [--profile shop.json] [--sizes 5000,50000]
 *                   [--customers 20] [--json]
 */
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { buildCatalog } from '../../functions/catalog/build.ts';
import { startDynamoDbLocal } from '../../local/servers/dynamodb-local.ts';
import { stopAll } from '../../local/servers/processes.ts';
import { startSesEmulator } from '../../local/servers/ses-emulator.ts';
import { withStatusLine } from '../report.ts';
import { type Assumptions, bill, type Counts } from './bill.ts';
import { measure } from './measure.ts';
import { PRICES, REGION } from './prices.ts';
import { printBill } from './print.ts';
import { DEFAULT_PROFILE, PROFILE_KEYS, ProfileError, profileFrom } from './profile.ts';
import { countSeries } from './series.ts';
import { countResources, synthesise } from './synth.ts';

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

export const ASSUMPTIONS: Assumptions = {
  platformLogBytesPerInvocation: 600,
  xrayReservoirPerSecond: 1,
  xrayFixedRate: 0.05,
  reportQueries: 10,
  s3PutsPerMonth: 4 * 24 * 30.4375,
};

const USAGE = `usage: npm run cost -- [options]
  --customers N      customers measured on DynamoDB Local (default 20)
  --sizes A,B,C      shop sizes to price (default 10000,100000,1000000)
  --profile FILE     JSON object with some of: ${PROFILE_KEYS.join(', ')}
  --<field> X        one profile field, e.g. --orders 0.4 (per customer and month)
  --json             the bills as JSON instead of tables`;

function options() {
  const profileFlags = Object.fromEntries(PROFILE_KEYS.map((k) => [k, { type: 'string' as const }]));
  const { values } = parseArgs({
    options: {
      customers: { type: 'string', default: '20' },
      sizes: { type: 'string', default: '10000,100000,1000000' },
      profile: { type: 'string' },
      json: { type: 'boolean', default: false },
      help: { type: 'boolean', default: false },
      ...profileFlags,
    },
    strict: true,
    allowPositionals: false,
  });
  const positive = (name: string, text: string) => {
    const n = Number(text);
    if (!Number.isInteger(n) || n < 1)
      throw new ProfileError(`--${name} must be a whole number ≥ 1 (got "${text}")`);
    return n;
  };
  let fromFile: Record<string, unknown> = {};
  if (values.profile) {
    try {
      fromFile = JSON.parse(readFileSync(values.profile, 'utf8'));
    } catch (error) {
      throw new ProfileError(`--profile ${values.profile}: ${(error as Error).message}`);
    }
    if (typeof fromFile !== 'object' || fromFile === null || Array.isArray(fromFile))
      throw new ProfileError(`--profile ${values.profile}: expected a JSON object of profile fields`);
  }
  const given = values as Record<string, unknown>;
  const flags = Object.fromEntries(
    PROFILE_KEYS.filter((k) => given[k] !== undefined).map((k) => [k, given[k]]),
  );
  return {
    help: values.help,
    json: values.json,
    customers: positive('customers', values.customers),
    sizes: values.sizes.split(',').map((s) => positive('sizes', s.trim())),
    profile: profileFrom(profileFrom(DEFAULT_PROFILE, fromFile), flags),
  };
}

async function main(): Promise<void> {
  const o = options();
  if (o.help) {
    process.stdout.write(`${USAGE}\n`);
    return;
  }
  const { catalog, journeys } = await buildCatalog(process.cwd(), { defaultLocale: 'en' });
  const synth = await withStatusLine(async (status) => {
    status('synthesising the stack…');
    return countResources(synthesise(catalog, journeys));
  });
  const series = countSeries(journeys);
  const [dynamo, ses] = await withStatusLine(async (status) => {
    status('starting DynamoDB Local and the SES emulator…');
    return Promise.all([startDynamoDbLocal(), startSesEmulator()]);
  });
  const measured = await withStatusLine((progress) =>
    measure({
      catalog,
      dynamoEndpoint: dynamo.endpoint,
      sesEndpoint: ses.endpoint,
      customers: o.customers,
      logCustomers: 5,
      progress,
    }),
  );
  await stopAll();
  const memory = mostCommon(synth.functions.map((f) => f.memoryMb));
  const retention = mostCommon(synth.logGroups.map((g) => g.retentionDays ?? 3653));
  const counts: Counts = {
    lambdaMemoryMb: memory,
    platformLogs: synth.platformLogFunctions > synth.functions.length / 2,
    tracedFunctions: synth.tracedFunctions,
    functions: synth.functions.length,
    steadyMetricSeries: series.traffic,
    alarmMetrics: synth.alarmMetrics,
    compositeAlarms: synth.compositeAlarms,
    dashboards: synth.dashboards,
    kmsKeys: synth.kmsKeys,
    secrets: synth.secrets,
    logRetentionDays: retention,
    archiveRetentionDays: synth.archiveRetentionDays,
    analyticsRetentionMonths: synth.analyticsRetentionMonths,
  };
  const bills = o.sizes.map((n) => bill(n, o.profile, measured, counts, PRICES, ASSUMPTIONS));
  if (o.json) {
    process.stdout.write(
      `${JSON.stringify({ region: REGION, profile: o.profile, measured, counts, synth, series, bills }, null, 2)}\n`,
    );
    return;
  }
  printBill({ profile: o.profile, measured, synth, series, counts, bills, assumptions: ASSUMPTIONS });
}

function mostCommon(values: readonly number[]): number {
  const tally = new Map<number, number>();
  for (const v of values) tally.set(v, (tally.get(v) ?? 0) + 1);
  return [...tally].sort((a, b) => b[1] - a[1])[0]?.[0] ?? 0;
}

main().catch(async (error) => {
  await stopAll().catch(() => undefined);
  const usage =
    error instanceof ProfileError || (error as { code?: string }).code?.startsWith('ERR_PARSE_ARGS');
  if (usage) process.stderr.write(`npm run cost: ${(error as Error).message}\n\n${USAGE}\n`);
  else process.stderr.write(`npm run cost failed: ${error instanceof Error ? error.stack : String(error)}\n`);
  process.exit(usage ? 2 : 1);
});
