/**
 * The default CDK app (`cdk.json`: `npx tsx bin/app.ts`). Builds the runtime catalog from `journeys/`,
 * `templates/` and `loyalty.yaml` (failing with every problem listed), writes it to
 * `.build/catalog.json`, creates the stack (with the loyalty function while the program is enabled)
 * and checks it against cdk-nag's AwsSolutions pack (synth fails on any unacknowledged finding).
 *
 * Settings come from CDK context — `cdk.json` (its "//" block documents each key) or
 * `cdk synth -c key=value`; unset or empty means "default":
 *   senderAddress              required; verified SES sender, `news@shop.example` or `Shop <news@shop.example>`
 *   shopName, shopUrl          shown and linked in emails (default: the sender's display name or
 *                              domain, and `https://<sender domain>`)
 *   shopAddress                required for deploy; the postal address (imprint) in every email's footer
 *   shopLogoUrl                https:// logo in the email header (default: the shop name as a word mark)
 *   shopBrandColor             `#rrggbb` accent of links and buttons (default: the templates' own)
 *   shopLinkTracking           query parameters for links into the shop, e.g.
 *                              `utm_source=newsletter&utm_medium=email&utm_campaign={journey}` (default: none)
 *   shopEventSource            `source` of the shop's events (default `shop`, or the partner source)
 *   partnerEventBusName        partner event bus whose events are forwarded to the journeys bus
 *   shopifyPartnerEventSource  Shopify partner event source `aws.partner/shopify.com/<app id>/<name>`:
 *                              the Shopify connector (default: none)
 *   webhooks                   comma-separated webhook platforms, `woocommerce,shopware` (default:
 *                              no webhook receiver)
 *   eventBusName               existing event bus to use (default: a new one)
 *   journeysDir                journey definitions, relative to the project (default `journeys`)
 *   defaultLocale              end of every locale fallback chain (default `en`)
 *   defaultTimeZone            for customers without one (default `Europe/Berlin`)
 *   frequencyCapMax            at most this many marketing emails per customer... (default 3)
 *   frequencyCapDays           ...in any this many days, across journeys (default 7)
 *   timerShards                write shards of the timer index (default 4)
 *   sendRatePerSecond          SES send-rate budget; sizes the dispatcher (default 1, the SES sandbox rate)
 *   configurationSetName       existing SES configuration set (default: a new one)
 *   alarmTopicArn              existing SNS topic for alarms (default: a new encrypted one)
 *   logRetentionDays           function log retention, a CloudWatch Logs period (default 30)
 *   idempotencyRetentionDays   how long processed-event records are kept (default 30)
 *   eventArchiveRetentionDays  how long the bus archive keeps events for replay (default 30)
 *   analytics                  `false` to create no analytics log (default: created)
 *   analyticsRetentionMonths   months records are kept in S3 (default 25)
 *   athenaScanLimitMb          Athena bytes-scanned cutoff per query, in MB (default 1000)
 *   reportRecipients           comma-separated addresses for the monthly report (default: none, no report)
 *   reportLocale               `en` or `de` (default `en`)
 *   activeWindowDays           days a customer counts as active after an order (default 365)
 *   stackName                  (default `RetentionJourneys`)
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { App, Duration, Validations } from 'aws-cdk-lib';
import type { RetentionDays } from 'aws-cdk-lib/aws-logs';
import { AwsSolutionsChecks } from 'cdk-nag';
import { webhooksFromList } from '../lib/connectors.ts';
import { RetentionJourneysPropsError } from '../lib/retention-journeys-props.ts';
import { RetentionJourneysStack } from '../lib/retention-journeys-stack.ts';
import { placeholderIdentity, refuseDeploy } from '../lib/shop-identity.ts';

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

/** What is wrong with the context, each named as the user wrote it; all reported at once (below). */
const problems: string[] = [];

/** A numeric context value (`-c` passes strings), or undefined when unset or not a number. */
function number(key: string): number | undefined {
  const value = text(key);
  if (value === undefined) return undefined;
  const parsed = Number(value);
  if (Number.isFinite(parsed)) return parsed;
  problems.push(`${key}: "${value}" is not a number`);
  return undefined;
}

/**
 * The construct's props as the context names them, where they differ: a problem the construct finds
 * with `logRetention` is one with `logRetentionDays` for someone who wrote `-c logRetentionDays=45`.
 */
const CONTEXT_KEYS: Record<string, string> = {
  logRetention: 'logRetentionDays',
  eventArchiveRetention: 'eventArchiveRetentionDays',
  'frequencyCap.maxMarketingEmails': 'frequencyCapMax',
  'frequencyCap.per': 'frequencyCapDays',
  'analytics.retentionMonths': 'analyticsRetentionMonths',
  'analytics.bytesScannedCutoffPerQueryMb': 'athenaScanLimitMb',
  'analytics.reportRecipients': 'reportRecipients',
  'analytics.reportLocale': 'reportLocale',
  'analytics.activeWindowDays': 'activeWindowDays',
  'shopify.partnerEventSourceName': 'shopifyPartnerEventSource',
};
const asContext = (problem: string) => {
  const [, prop = '', rest = problem] = /^([A-Za-z][\w.[\]]*)[: ]\s*(.*)$/s.exec(problem) ?? [];
  return prop ? `${CONTEXT_KEYS[prop] ?? prop}: ${rest}` : problem;
};

/** Prints every problem and ends synth: a usage mistake, not a crash, so no stack trace. */
function stopOn(found: readonly string[], what: string): void {
  if (found.length === 0) return;
  process.stderr.write(
    `cdk synth: ${found.length === 1 ? `a problem with ${what}` : `${found.length} problems with ${what}`}:\n${found.map((p) => `  ${p}`).join('\n')}\n`,
  );
  process.exit(1);
}

const senderAddress = text('senderAddress') ?? '';
if (!senderAddress)
  problems.push('senderAddress: required; set it in cdk.json or pass -c senderAddress=news@shop.example');
const defaultLocale = text('defaultLocale') ?? 'en';

const journeysDir = path.resolve(ROOT, text('journeysDir') ?? 'journeys');
const { buildCatalog, writeCatalog, CatalogError } = await import('../functions/catalog/index.ts');
const built = await buildCatalog(ROOT, { defaultLocale, journeysDir }).catch((error: unknown) => {
  if (error instanceof CatalogError) stopOn([error.message], 'the journeys, templates or loyalty.yaml');
  throw error;
});
const { catalog, journeys } = built as Awaited<ReturnType<typeof buildCatalog>>;
await writeCatalog(CATALOG_FILE, catalog);

const logRetentionDays = number('logRetentionDays');
const frequencyCapMax = number('frequencyCapMax');
const frequencyCapDays = number('frequencyCapDays');
const eventArchiveRetentionDays = number('eventArchiveRetentionDays');
const shopifyPartnerEventSource = text('shopifyPartnerEventSource');

const identity = {
  senderAddress,
  shopUrl: text('shopUrl'),
  shopAddress: text('shopAddress'),
};
let webhooks: ReturnType<typeof webhooksFromList>;
try {
  webhooks = webhooksFromList(text('webhooks'));
} catch (error) {
  problems.push(`webhooks: ${(error as Error).message.replace(/^context "webhooks" /, '')}`);
}

let stack: RetentionJourneysStack | undefined;
try {
  stack = new RetentionJourneysStack(app, text('stackName') ?? 'RetentionJourneys', {
    description: 'retention-journeys: lifecycle-marketing journeys on EventBridge, Lambda, DynamoDB and SES',
    env: { account: process.env.CDK_DEFAULT_ACCOUNT, region: process.env.CDK_DEFAULT_REGION },
    journeys,
    catalogPath: CATALOG_FILE,
    senderAddress,
    shopName: text('shopName'),
    shopUrl: identity.shopUrl,
    shopAddress: identity.shopAddress,
    shopLogoUrl: text('shopLogoUrl'),
    shopBrandColor: text('shopBrandColor'),
    shopLinkTracking: text('shopLinkTracking'),
    shopEventSource: text('shopEventSource'),
    partnerEventBusName: text('partnerEventBusName'),
    shopify: shopifyPartnerEventSource ? { partnerEventSourceName: shopifyPartnerEventSource } : undefined,
    webhooks,
    eventBusName: text('eventBusName'),
    defaultLocale,
    defaultTimeZone: text('defaultTimeZone'),
    frequencyCap:
      frequencyCapMax === undefined && frequencyCapDays === undefined
        ? undefined
        : { maxMarketingEmails: frequencyCapMax ?? 3, per: Duration.days(frequencyCapDays ?? 7) },
    timerShards: number('timerShards'),
    sendRatePerSecond: number('sendRatePerSecond'),
    configurationSetName: text('configurationSetName'),
    alarmTopicArn: text('alarmTopicArn'),
    // The construct checks the value is one of CloudWatch Logs' periods and names the valid ones.
    logRetention: logRetentionDays as RetentionDays | undefined,
    tracing: text('tracing') === 'true',
    idempotencyRetentionDays: number('idempotencyRetentionDays'),
    eventArchiveRetention:
      eventArchiveRetentionDays === undefined ? undefined : Duration.days(eventArchiveRetentionDays),
    analytics: {
      enabled: text('analytics') !== 'false',
      retentionMonths: number('analyticsRetentionMonths'),
      bytesScannedCutoffPerQueryMb: number('athenaScanLimitMb'),
      reportRecipients: text('reportRecipients')
        ?.split(',')
        .map((r) => r.trim())
        .filter(Boolean),
      // The construct names the supported locales when this is another one.
      reportLocale: text('reportLocale') as 'en' | 'de' | undefined,
      activeWindowDays: number('activeWindowDays'),
    },
  });
} catch (error) {
  if (!(error instanceof RetentionJourneysPropsError)) throw error;
  // A missing sender is already said above, in the context's words.
  for (const problem of error.problems.map(asContext))
    if (senderAddress || !problem.startsWith('senderAddress:')) problems.push(problem);
}
stopOn(problems, 'the context (cdk.json or -c key=value)');

// The shipped cdk.json is the sample shop's: it synthesises (offline, in CI), it does not deploy.
const placeholders = placeholderIdentity(identity);
refuseDeploy(stack as RetentionJourneysStack, placeholders);
if (placeholders.length > 0) {
  process.stderr.write(
    `Note: this stack will not deploy until the shop identity is set:\n${placeholders.map((p) => `  - ${p}`).join('\n')}\n`,
  );
}

Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
