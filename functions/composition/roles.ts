/**
 * What each Lambda function is allowed and given, in one place: its table actions, whether it reads
 * the table's stream or the signing secret, and which parts of the catalog it carries. The CDK app
 * derives every function's grants and its catalog.json from this (lib/function.ts,
 * functions/catalog/part.ts), and test/infra/grants.test.ts checks the synthesised policies against
 * it. Plain data: synth imports it without loading any SDK.
 */

/** DynamoDB item actions a role may use. Scan, BatchWriteItem and DescribeTable are used by no function. */
export type TableAction =
  | 'dynamodb:GetItem'
  | 'dynamodb:BatchGetItem'
  | 'dynamodb:Query'
  | 'dynamodb:PutItem'
  | 'dynamodb:UpdateItem'
  | 'dynamodb:DeleteItem'
  | 'dynamodb:ConditionCheckItem';

/**
 * Parts of the runtime catalog (functions/catalog/part.ts): `journey` is the function's own journey
 * (JOURNEY_ID), `journeys` every journey, `orderRetention` what the order summary keeps (computed
 * over every journey at synth), `emails` the email templates, `pages` the shared strings the
 * preferences pages are rendered from, `loyalty` the program.
 */
export type CatalogPartName = 'journey' | 'journeys' | 'orderRetention' | 'emails' | 'pages' | 'loyalty';

export interface FunctionRole {
  /** Handler file under functions/handlers/. */
  readonly handlerFile: string;
  /** Table actions on items (and the table's indexes); empty when the function never touches the table. */
  readonly table: readonly TableAction[];
  /** Reads the table's stream (an event source mapping). */
  readonly stream: boolean;
  /** Reads the signing secret: it signs or checks tokens, links or coupon codes. */
  readonly signingSecret: boolean;
  /** Catalog parts bundled as catalog.json; none means no catalog.json at all. */
  readonly catalog: readonly CatalogPartName[];
  /** Other services it calls, as shown in the synth summary (granted by the constructs that wire it). */
  readonly other: readonly string[];
}

const READ: readonly TableAction[] = ['dynamodb:GetItem', 'dynamodb:BatchGetItem', 'dynamodb:Query'];
/**
 * TransactWriteItems has no IAM action of its own: each item in it is authorised as the PutItem,
 * UpdateItem, DeleteItem or ConditionCheckItem it is, so these cover the transactions too.
 */
const WRITE: readonly TableAction[] = [
  'dynamodb:PutItem',
  'dynamodb:UpdateItem',
  'dynamodb:DeleteItem',
  'dynamodb:ConditionCheckItem',
];

export const FUNCTION_ROLES = {
  // Decides one journey: reads the customer, writes its instances, outbox and timers in one
  // transaction; the secret derives coupon codes (HMAC) and referral links.
  journey: {
    handlerFile: 'journey.ts',
    table: [...READ, ...WRITE],
    stream: false,
    signingSecret: true,
    catalog: ['journey', 'orderRetention', 'loyalty'],
    other: [],
  },
  // The customer projection; erasure (`customer.deleted`) deletes the customer's items (Query +
  // DeleteItem, no Scan). The secret derives referral codes.
  profile: {
    handlerFile: 'profile.ts',
    table: [...READ, ...WRITE],
    stream: false,
    signingSecret: true,
    catalog: ['orderRetention'],
    other: [],
  },
  loyalty: {
    handlerFile: 'loyalty.ts',
    table: [...READ, ...WRITE],
    stream: false,
    signingSecret: true,
    catalog: ['loyalty'],
    other: [],
  },
  // Queries the timer index and advances journeys and loyalty accounts in-process. The order
  // summary's reach comes from synth, as for a journey function, instead of at every cold start.
  sweeper: {
    handlerFile: 'sweeper.ts',
    table: [...READ, ...WRITE],
    stream: false,
    signingSecret: true,
    catalog: ['journeys', 'orderRetention', 'loyalty'],
    other: [],
  },
  // The one stream consumer: renders and sends outbox emails, signs their unsubscribe links,
  // publishes outbox events, marks entries sent.
  dispatcher: {
    handlerFile: 'dispatcher.ts',
    table: [...READ, ...WRITE],
    stream: true,
    signingSecret: true,
    catalog: ['emails'],
    other: ['ses:SendEmail', 'events:PutEvents'],
  },
  // Records SES events and suppresses addresses (ComplianceStore): reads items, puts and updates
  // them in transactions guarded by the erasure tombstone. Signs nothing, renders nothing.
  sesEvents: {
    handlerFile: 'ses-events.ts',
    table: ['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem', 'dynamodb:ConditionCheckItem'],
    stream: false,
    signingSecret: false,
    catalog: [],
    other: [],
  },
  // Checks the tokens of every link (the secret), withdraws consent, records feedback, shows and
  // redeems on the member page.
  preferences: {
    handlerFile: 'preferences.ts',
    table: [...READ, ...WRITE],
    stream: false,
    signingSecret: true,
    catalog: ['pages', 'loyalty'],
    other: [],
  },
  // Pseudonymous records: item reads and conditional puts, narrowed to customer partitions and
  // tombstones by lib/analytics.ts (grantAnalyticsKeys).
  analytics: {
    handlerFile: 'analytics.ts',
    table: ['dynamodb:GetItem', 'dynamodb:BatchGetItem', 'dynamodb:PutItem', 'dynamodb:ConditionCheckItem'],
    stream: false,
    signingSecret: false,
    catalog: [],
    other: ['firehose:PutRecordBatch'],
  },
  monthlyReport: {
    handlerFile: 'monthly-report.ts',
    table: [],
    stream: false,
    signingSecret: false,
    catalog: [],
    other: ['athena', 'glue', 's3', 'ses:SendEmail'],
  },
  // Translators dedupe on the delivery id, keep the order -> customer lookup and the rejected log.
  shopify: {
    handlerFile: 'shopify.ts',
    table: [...READ, ...WRITE],
    stream: false,
    signingSecret: false,
    catalog: [],
    other: ['events:PutEvents'],
  },
  webhooks: {
    handlerFile: 'webhooks.ts',
    table: [...READ, ...WRITE],
    stream: false,
    signingSecret: false,
    catalog: [],
    other: ['events:PutEvents', 'secretsmanager:GetSecretValue (webhook secret)'],
  },
} as const satisfies Record<string, FunctionRole>;

export type RoleName = keyof typeof FUNCTION_ROLES;
