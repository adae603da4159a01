/**
 * The default CDK app (`cdk.json`: `npx tsx bin/app.ts`). Reads its settings from CDK context
 * (`cdk.json` or `cdk synth -c senderAddress=news@shop.example`), builds the runtime catalog from
 * `journeys/` and `templates/` (failing with every problem listed), and checks the result against
 * cdk-nag's AwsSolutions pack.
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { App, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { RetentionJourneysStack } from '../lib/retention-journeys-stack.ts';

const ROOT = fileURLToPath(new URL('../', import.meta.url));
/** Build output next to cdk.out; copied into every function bundle. */
const CATALOG_FILE = path.join(ROOT, '.build', 'catalog.json');

const app = new App();

/** A context value as a string, or undefined when unset or empty. */
function text(key: string): string | undefined {
  const value: unknown = app.node.tryGetContext(key);
  if (value === undefined || value === null || value === '') return undefined;
  return String(value);
}

/** A numeric context value (`-c` passes strings), or undefined when unset. */
function number(key: string): number | undefined {
  const value = text(key);
  if (value === undefined) return undefined;
  const parsed = Number(value);
  if (!Number.isFinite(parsed)) throw new Error(`context "${key}" must be a number (got "${value}")`);
  return parsed;
}

const senderAddress = text('senderAddress');
if (!senderAddress) {
  throw new Error(
    'context "senderAddress" is required: set it in cdk.json or pass -c senderAddress=news@shop.example',
  );
}
const defaultLocale = text('defaultLocale') ?? 'en';

const { buildCatalog, writeCatalog } = await import('../functions/catalog/index.ts');
const { catalog, journeys } = await buildCatalog(ROOT, { defaultLocale });
await writeCatalog(CATALOG_FILE, catalog);

new RetentionJourneysStack(app, text('stackName') ?? 'RetentionJourneys', {
  description: 'retention-journeys: lifecycle-marketing journeys on EventBridge, Lambda, DynamoDB and SES',
  env: { account: process.env.CDK_DEFAULT_ACCOUNT, region: process.env.CDK_DEFAULT_REGION },
  journeys,
  catalogPath: CATALOG_FILE,
  senderAddress,
  shopEventSource: text('shopEventSource'),
  defaultLocale,
  defaultTimeZone: text('defaultTimeZone'),
  timerShards: number('timerShards'),
  sendRatePerSecond: number('sendRatePerSecond'),
  configurationSetName: text('configurationSetName'),
  eventBusName: text('eventBusName'),
});

Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
