/**
 * `journeys send-test <journey>/<message> --to you@example.com [--locale de-AT] [--customer ID] [--aws]`:
 * renders one message — with the preview gallery's sample data, or a customer of the running
 * `npm start`'s table — and sends it, subject marked `[test]`: through `npm start`'s SES emulator (it
 * shows in the mail viewer, /mail, and its links open the local preferences pages), or with --aws
 * through SES v2 in the caller's AWS account, as the stack's sender.
 */
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { AmbiguousSendError, RetryableSendError } from '../../functions/adapters/errors.ts';
import { type Mailer, SesMailer, sesClient } from '../../functions/adapters/mailer.ts';
import { buildCatalog } from '../../functions/catalog/build.ts';
import { CatalogError } from '../../functions/catalog/errors.ts';
import { documentClient, journeyStore } from '../../functions/composition/store.ts';
import { DEFAULT_RETENTION_DAYS } from '../../functions/composition/table-env.ts';
import type { ShopIdentity } from '../../functions/core/shop.ts';
import { didYouMean } from '../../functions/core/suggest.ts';
import { TemplateRenderError } from '../../functions/email/index.ts';
import { PreviewError, UsageError } from '../errors.ts';
import { PREVIEW_PREFERENCES_URL } from '../preview/index.ts';
import type { MessageRef } from '../preview/messages.ts';
import { customerIds } from './customers.ts';
import { customerTestData, sampleTestData, type TestData } from './data.ts';
import { NotRunningError, SendTestError } from './errors.ts';
import { type LocalTarget, runningRuntime } from './running.ts';
import { sendTestEmail } from './send.ts';
import { checkAddress, resolveMessage, resolveTestLocale } from './target.ts';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

/** Credentials and region the local servers accept; they never reach AWS. */
const LOCAL_AWS = { region: 'eu-central-1', credentials: { accessKeyId: 'local', secretAccessKey: 'local' } };

/** The options bin/commands.ts declares for `journeys send-test`, as commander parsed them. */
export interface SendTestOptions {
  to: string;
  locale?: string | undefined;
  customer?: string | undefined;
  aws?: boolean | undefined;
  fallback?: boolean | undefined;
  data?: string | undefined;
  defaultLocale: string;
}

export interface SendTestIo {
  out: (line: string) => void;
  err: (line: string) => void;
  /** Project directory with journeys/, templates/ and cdk.json. */
  root: string;
  env: Record<string, string | undefined>;
  /** Finds the running `npm start` (tests pass one they started). */
  local?: ((dataDir: string) => Promise<LocalTarget>) | undefined;
  /** The stack's CDK context, for --aws. @default <root>/cdk.json */
  cdkJson?: string | undefined;
  /** The mailer for --aws (tests pass a fake); default: SES v2 with the standard AWS configuration. */
  awsMailer?: (() => Promise<Mailer>) | undefined;
}

const defaultIo = (): SendTestIo => ({
  out: (line) => process.stdout.write(`${line}\n`),
  err: (line) => process.stderr.write(`${line}\n`),
  root: ROOT,
  env: process.env,
});

/** Runs the command; a UsageError goes to the CLI (usage, exit 2), other problems are told here (exit 1). */
export async function sendTestCommand(
  ref: string,
  options: SendTestOptions,
  io: SendTestIo = defaultIo(),
): Promise<number> {
  try {
    return await sendTest(ref, options, io);
  } catch (error) {
    const told =
      error instanceof NotRunningError ||
      error instanceof SendTestError ||
      error instanceof CatalogError ||
      error instanceof PreviewError ||
      error instanceof TemplateRenderError ||
      error instanceof RetryableSendError ||
      error instanceof AmbiguousSendError;
    if (!told) throw error;
    io.err(`journeys send-test: ${error.message}`);
    return 1;
  }
}

async function sendTest(ref: string, options: SendTestOptions, io: SendTestIo): Promise<number> {
  const to = checkAddress(options.to);
  if (options.customer !== undefined && options.customer.trim() === '')
    throw new UsageError('--customer needs a customer id, e.g. --customer c42');
  const { catalog } = await buildCatalog(io.root, { defaultLocale: options.defaultLocale });
  const message = resolveMessage(catalog, ref);
  // Every mistake on the command line is told before npm start or AWS is looked for.
  const asked =
    options.locale !== undefined
      ? resolveTestLocale(catalog, message, options.locale, { fallback: options.fallback })
      : undefined;

  // npm start is needed to send locally, and for a customer's data (its table) with --aws too.
  const dataDir = path.resolve(options.data ?? io.env.JOURNEYS_DATA_DIR ?? path.join(io.root, '.data'));
  const local =
    !options.aws || options.customer !== undefined ? await (io.local ?? runningRuntime)(dataDir) : undefined;

  const view =
    local && options.customer !== undefined ? await loadCustomer(local, options.customer) : undefined;
  const locale =
    asked ??
    resolveTestLocale(catalog, message, view?.profile?.locale ?? catalog.templates.defaultLocale, {
      // A customer's own locale is what they get: its fallback is sent, and said.
      fallback: true,
    });
  const now = local?.now ?? new Date().toISOString();
  const sample = sampleTestData(catalog, message, locale.requested, now);
  const data: TestData =
    view && options.customer !== undefined
      ? customerTestData({
          catalog,
          message,
          customerId: options.customer,
          view,
          now,
          sample,
          defaultTimeZone: (local as LocalTarget).running.defaultTimeZone,
        })
      : sample;

  const via = options.aws ? await awsRoute(io) : localRoute(local as LocalTarget);
  const sent = await sendTestEmail({
    catalog,
    message,
    locale: locale.requested,
    to,
    data,
    from: via.from,
    shop: via.shop,
    preferencesUrl: via.preferencesUrl,
    signingSecret: via.signingSecret,
    now,
    mailer: via.mailer,
  });

  io.out(report(message, locale.requested, to, sent, data, via.name, options.customer));
  if (local && !options.aws)
    io.out(`  See it:      ${local.running.url}/mail?id=${encodeURIComponent(sent.messageId)}`);
  if (options.aws)
    io.out(
      "  Links:       signed with a throwaway secret: they do not open the deployed preferences pages (use npm start's mail viewer to try them)",
    );
  return 0;
}

async function loadCustomer(local: LocalTarget, customerId: string) {
  const dynamo = new DynamoDBClient({ ...LOCAL_AWS, endpoint: local.running.dynamoEndpoint });
  try {
    const doc = documentClient({ dynamo });
    const { tableName } = local.running;
    const store = journeyStore(doc, { tableName, retentionDays: DEFAULT_RETENTION_DAYS });
    const { view } = await store.loadCustomer(customerId);
    if (!view.profile) {
      const known = await customerIds(doc, tableName);
      throw new SendTestError(
        `there is no customer "${customerId}" in npm start's table (${tableName})${didYouMean(customerId, known)}; ` +
          `${known.length === 0 ? 'it has no customers yet (npm run demo registers four)' : 'its log names every customer an event is about (← customer.registered customer …)'}`,
      );
    }
    return view;
  } finally {
    dynamo.destroy();
  }
}

interface Route {
  name: string;
  from: string;
  shop: ShopIdentity;
  preferencesUrl: string;
  signingSecret: string;
  mailer: Mailer;
}

/** npm start's SES emulator, as its dispatcher sends: its sender, shop, preferences service and secret. */
function localRoute(local: LocalTarget): Route {
  const { running } = local;
  return {
    name: `npm start's SES emulator (${running.sesEndpoint})`,
    from: running.senderAddress,
    shop: running.shop,
    preferencesUrl: running.preferencesUrl,
    signingSecret: local.signingSecret,
    // The tags also go into a header: the emulator drops EmailTags, and the mail viewer shows them.
    mailer: new SesMailer(sesClient({ ...LOCAL_AWS, endpoint: running.sesEndpoint }), { tagsHeader: true }),
  };
}

/** SES v2 in the caller's account (region and credentials from the standard AWS environment). */
async function awsRoute(io: SendTestIo): Promise<Route> {
  const { awsSender } = await import('./aws.ts');
  const sender = await awsSender(io.cdkJson ?? path.join(io.root, 'cdk.json'));
  return {
    name: 'SES v2 in your AWS account',
    from: sender.senderAddress,
    shop: sender.shop,
    // The deployed secret stays in Secrets Manager: these links are for looking at, not clicking.
    preferencesUrl: PREVIEW_PREFERENCES_URL,
    signingSecret: randomBytes(32).toString('base64url'),
    mailer: await (io.awsMailer ?? defaultAwsMailer)(),
  };
}

async function defaultAwsMailer(): Promise<Mailer> {
  const client = sesClient();
  try {
    await client.config.region();
  } catch {
    throw new SendTestError(
      'no AWS region: set AWS_REGION (or AWS_PROFILE with a region in ~/.aws/config) to the region of your verified sender',
    );
  }
  return new SesMailer(client);
}

function report(
  message: MessageRef,
  requested: string,
  to: string,
  sent: Awaited<ReturnType<typeof sendTestEmail>>,
  data: TestData,
  via: string,
  customer: string | undefined,
): string {
  const arrow = requested === sent.locale ? requested : `${requested} → ${sent.locale}`;
  const who =
    data.source === 'customer'
      ? `customer ${customer} (npm start's table)`
      : `sample customer ${data.firstName ?? '(no first name)'} (the preview gallery's)`;
  return [
    `✓ ${message.journeyId}/${message.messageId} [${arrow}] sent to ${to} through ${via}`,
    `  Subject:     ${sent.subject}`,
    `  Data:        ${who}`,
    ...(sent.unsubscribe ? [`  Unsubscribe: ${sent.unsubscribe}`] : []),
  ].join('\n');
}
