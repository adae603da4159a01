/**
 * The default CDK app (`cdk.json`: `npx tsx bin/app.ts`). Builds the runtime catalog from `journeys/`
 * and `templates/` (failing with every problem listed), writes it to `.build/catalog.json`, creates
 * the stack and checks it against cdk-nag's AwsSolutions pack (synth fails on any unacknowledged finding).
 *
 * Settings come from CDK context — `cdk.json` or `cdk synth -c key=value`; empty means "default":
 *   senderAddress         required; verified SES sender, `news@shop.example` or `Shop <news@shop.example>`
 *   shopEventSource       `source` of the shop's events (default `shop`)
 *   defaultLocale         end of every locale fallback chain (default `en`)
 *   defaultTimeZone       for customers without one (default `Europe/Berlin`)
 *   timerShards           write shards of the timer index (default 4)
 *   sendRatePerSecond     SES send-rate budget; sizes the dispatcher (default 1, the SES sandbox rate)
 *   configurationSetName  existing SES configuration set (default: a new one)
 *   eventBusName          existing event bus (default: a new one)
 *   stackName             (default `RetentionJourneys`)
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
