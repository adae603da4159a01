/**
 * The AWS side of the shop connectors (DESIGN.md §10). Shopify: its native Amazon EventBridge
 * integration delivers webhooks as `shopifyWebhook` events from a partner event source; creating a bus
 * with that source's name associates it, and a rule feeds the Shopify translator. WooCommerce and
 * Shopware 6: signed HTTPS webhooks on one public Function URL, whose handler checks each platform's
 * HMAC signature with a key from a Secrets Manager secret. Both translators put canonical events on
 * the journeys bus under the shop event source, where journeys and the profile pick them up.
 */
import { Duration, Validations } from 'aws-cdk-lib';
import type { TableV2 } from 'aws-cdk-lib/aws-dynamodb';
import { type Archive, EventBus, type IEventBus } from 'aws-cdk-lib/aws-events';
import { type FunctionUrl, FunctionUrlAuthType, InvokeMode } from 'aws-cdk-lib/aws-lambda';
import type { RetentionDays } from 'aws-cdk-lib/aws-logs';
import { Secret } from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';
import {
  SHOPIFY_DETAIL_TYPE,
  SHOPIFY_PARTNER_SOURCE,
  WEBHOOK_PLATFORM_NAMES,
  type WebhookPlatformName,
} from '../functions/connectors/index.ts';
import type { FailureWiring } from './dead-letter-queue.ts';
import { RetentionFunction } from './function.ts';
import type { MonitoredFunction } from './monitoring.ts';

/**
 * Concurrency reserved for (and capping) the public webhook receiver. One delivery takes a few
 * hundred milliseconds (a cached secret, a signature check, a few DynamoDB writes, one PutEvents), so
 * 10 workers take some 30-50 deliveries a second: far above what a shop's order and customer
 * webhooks produce even in a sale, where each order yields a handful. A flood of unsigned requests
 * (the URL is public) is refused with 401 after the signature check, and the cap keeps it from
 * running up the bill or starving the account's other functions; the Throttles alarm reports it.
 * Not lower: WooCommerce disables a webhook after 5 failed deliveries in a row, and a throttled
 * delivery (429) counts as failed.
 */
export const WEBHOOKS_RESERVED_CONCURRENCY = 10;

/** Environment the connector functions get from the parent's (the handler contract); nothing else. */
const CONNECTOR_ENVIRONMENT = [
  'EVENT_BUS_NAME',
  'SHOP_EVENT_SOURCE',
  'DEFAULT_LOCALE',
  'DEFAULT_TIME_ZONE',
  'RETENTION_DAYS',
  'POWERTOOLS_SERVICE_NAME',
  'POWERTOOLS_METRICS_NAMESPACE',
] as const;

export interface ShopifyConnectorOptions {
  /**
   * Name of the Shopify partner event source in this account and region,
   * `aws.partner/shopify.com/<app id>/<name>` (EventBridge console > Partner event sources, after
   * adding the Amazon EventBridge subscription in the Shopify app). The construct creates the partner
   * event bus of the same name, which associates the source; the source must be "Pending" (not yet
   * associated with another bus).
   */
  readonly partnerEventSourceName: string;
}

export interface WebhookConnectorOptions {
  /** Receive WooCommerce webhooks on `<WebhookUrl>woocommerce`. @default false */
  readonly woocommerce?: boolean;
  /** Receive Shopware 6 app webhooks on `<WebhookUrl>shopware`. @default false */
  readonly shopware?: boolean;
}

/** Validated connector props. */
export interface ConnectorSettings {
  readonly shopify: { readonly partnerEventSourceName: string } | undefined;
  readonly webhooks: { readonly platforms: readonly WebhookPlatformName[] } | undefined;
}

/**
 * Checks the `shopify` and `webhooks` props; undefined when neither is set. `fail` throws with the
 * parent's prefix (RetentionJourneysPropsError).
 */
export function validateConnectorOptions(
  props: {
    readonly shopify?: ShopifyConnectorOptions;
    readonly webhooks?: WebhookConnectorOptions;
    readonly partnerEventBusName?: string;
  },
  fail: (message: string) => never,
): ConnectorSettings | undefined {
  const { shopify, webhooks, partnerEventBusName } = props;
  if (shopify === undefined && webhooks === undefined) return undefined;

  let shopifySettings: ConnectorSettings['shopify'];
  if (shopify !== undefined) {
    const name: unknown = shopify?.partnerEventSourceName;
    if (typeof name !== 'string' || name.length > 256 || !SHOPIFY_PARTNER_SOURCE.test(name)) {
      fail(
        `shopify.partnerEventSourceName ${JSON.stringify(name)} is not a Shopify partner event source name: use aws.partner/shopify.com/<app id>/<name>, e.g. aws.partner/shopify.com/1234567/my-shop, exactly as EventBridge lists it (console > Partner event sources)`,
      );
    }
    const source = name as string;
    if (partnerEventBusName === source) {
      fail(
        `partnerEventBusName and shopify.partnerEventSourceName name the same source "${source}": partnerEventBusName forwards events that already are canonical, shopify translates Shopify's webhooks; for Shopify use shopify only and remove partnerEventBusName`,
      );
    }
    if (partnerEventBusName !== undefined) {
      fail(
        `shopify cannot be combined with partnerEventBusName ("${partnerEventBusName}"): forwarding makes that partner source the shop event source, and the Shopify connector cannot publish its canonical events under an "aws."-prefixed source (EventBridge reserves them); send the other partner's events with the shop event source instead`,
      );
    }
    shopifySettings = { partnerEventSourceName: source };
  }

  let webhookSettings: ConnectorSettings['webhooks'];
  if (webhooks !== undefined) {
    const given: unknown = webhooks;
    if (given === null || typeof given !== 'object' || Array.isArray(given)) {
      fail('webhooks must be an object such as { woocommerce: true, shopware: true }');
    }
    const platforms: WebhookPlatformName[] = [];
    for (const [key, value] of Object.entries(given as Record<string, unknown>)) {
      if (!(WEBHOOK_PLATFORM_NAMES as readonly string[]).includes(key)) {
        fail(`webhooks.${key} is not a supported platform; use ${WEBHOOK_PLATFORM_NAMES.join(' or ')}`);
      }
      if (value !== undefined && typeof value !== 'boolean') {
        fail(`webhooks.${key} must be true or false (got ${JSON.stringify(value)})`);
      }
      if (value === true) platforms.push(key as WebhookPlatformName);
    }
    if (platforms.length === 0) {
      fail(
        'webhooks enables no platform: set woocommerce and/or shopware to true, or omit webhooks for no webhook receiver',
      );
    }
    webhookSettings = { platforms: WEBHOOK_PLATFORM_NAMES.filter((p) => platforms.includes(p)) };
  }

  return { shopify: shopifySettings, webhooks: webhookSettings };
}

/**
 * `webhooks` from a comma-separated list of platforms (CDK context `webhooks`); undefined for an
 * empty list.
 */
export function webhooksFromList(list: string | undefined): WebhookConnectorOptions | undefined {
  const names = (list ?? '')
    .split(',')
    .map((name) => name.trim().toLowerCase())
    .filter(Boolean);
  if (names.length === 0) return undefined;
  const unknown = names.filter((name) => !(WEBHOOK_PLATFORM_NAMES as readonly string[]).includes(name));
  if (unknown.length > 0) {
    throw new Error(
      `context "webhooks" names unknown platforms (${unknown.join(', ')}); use a comma-separated list of ${WEBHOOK_PLATFORM_NAMES.join(', ')}`,
    );
  }
  return Object.fromEntries(names.map((name) => [name, true])) as WebhookConnectorOptions;
}

/** What the parent construct lends: its bus, table, environment and its way of wiring rules and DLQs. */
export interface ShopConnectorsProps extends FailureWiring {
  readonly settings: ConnectorSettings;
  /** The journeys bus the translators publish to. */
  readonly eventBus: IEventBus;
  readonly table: TableV2;
  readonly catalogPath: string;
  readonly logRetention: RetentionDays;
  /** How long the Shopify bus's archive keeps webhooks for replay (the journeys bus archive's retention). */
  readonly archiveRetention: Duration;
  /** The parent's common environment; only the handler contract's keys are passed on. */
  readonly environment: Record<string, string>;
}

export class ShopConnectors extends Construct {
  /** The partner event bus associated with the Shopify event source. */
  readonly shopifyEventBus: EventBus | undefined;
  /** Shopify's webhooks as delivered, for replay after a translator fix. */
  readonly shopifyArchive: Archive | undefined;
  /** Translates `shopifyWebhook` events into canonical events. */
  readonly shopifyFunction: RetentionFunction | undefined;
  /** The public webhook receiver (WooCommerce, Shopware). */
  readonly webhookFunction: RetentionFunction | undefined;
  readonly webhookUrl: FunctionUrl | undefined;
  /** JSON with one HMAC key per enabled platform (`WEBHOOK_SECRET_ARN`). */
  readonly webhookSecret: Secret | undefined;
  /** The connector functions, for the parent's errors and throttles alarms. */
  readonly functions: readonly MonitoredFunction[];

  constructor(scope: Construct, id: string, props: ShopConnectorsProps) {
    super(scope, id);
    const environment = Object.fromEntries(
      CONNECTOR_ENVIRONMENT.flatMap((key) => {
        const value = props.environment[key];
        return value === undefined ? [] : [[key, value]];
      }),
    );
    const connectorFunction = (
      fnId: string,
      role: 'shopify' | 'webhooks',
      description: string,
      extra: { timeout?: Duration; reservedConcurrentExecutions?: number } = {},
    ) => {
      const fn = new RetentionFunction(this, fnId, {
        role,
        description,
        catalogPath: props.catalogPath,
        logRetention: props.logRetention,
        environment,
        ...extra,
      });
      // Translators dedupe on the delivery id and keep the order -> customer lookup in the table.
      fn.bindTable(props.table);
      props.eventBus.grantPutEventsTo(fn.function);
      return fn;
    };
    const functions: MonitoredFunction[] = [];

    const { shopify, webhooks } = props.settings;
    if (shopify) {
      const source = shopify.partnerEventSourceName;
      // A bus named after a partner event source, with `EventSourceName`, is how an account accepts
      // the source; deleting the stack deletes the bus and the source returns to "Pending".
      this.shopifyEventBus = new EventBus(this, 'ShopifyEventBus', {
        eventSourceName: source,
        description: 'Shopify webhooks (Amazon EventBridge partner event source)',
      });
      // The journeys bus archives translated events only: a webhook the translator wrongly ignored or
      // rejected never gets there, nor into a DLQ (no error). Kept as delivered, it can be replayed
      // to the Shopify rule once the translator is fixed.
      this.shopifyArchive = this.shopifyEventBus.archive('Archive', {
        description: 'Shopify webhooks as delivered, for replay after a translator fix',
        eventPattern: { source: [source] },
        retention: props.archiveRetention,
      });
      this.shopifyFunction = connectorFunction(
        'Shopify',
        'shopify',
        'Translates Shopify webhooks (partner event source) into shop events',
      );
      const dlq = props.deadLetterQueue('Shopify', 'Shopify webhooks the connector could not translate');
      props.route(
        'Shopify',
        this.shopifyEventBus,
        { source: [source], detailType: [SHOPIFY_DETAIL_TYPE] },
        this.shopifyFunction,
        dlq,
        { description: `Shopify webhooks of ${source}, for the Shopify connector` },
      );
      props.retryThenKeep(this.shopifyFunction, dlq);
      functions.push({ label: 'Shopify', function: this.shopifyFunction.function });
    }

    if (webhooks) {
      this.webhookSecret = webhookSecret(this, webhooks.platforms);
      this.webhookFunction = connectorFunction(
        'Webhooks',
        'webhooks',
        `Public receiver of signed shop webhooks (${webhooks.platforms.join(', ')})`,
        {
          // A delivery is a few writes; a hung call must not hold one of the few reserved slots long.
          timeout: Duration.seconds(10),
          reservedConcurrentExecutions: WEBHOOKS_RESERVED_CONCURRENCY,
        },
      );
      this.webhookFunction.addEnvironment('WEBHOOK_SECRET_ARN', this.webhookSecret.secretArn);
      this.webhookFunction.addEnvironment('WEBHOOK_PLATFORMS', webhooks.platforms.join(','));
      this.webhookSecret.grantRead(this.webhookFunction.function);
      this.webhookUrl = this.webhookFunction.function.addFunctionUrl({
        // Shop systems post webhooks without AWS credentials (SigV4), so IAM auth is impossible: each
        // request is authenticated by the platform's HMAC signature over the raw body instead, which
        // the handler verifies (constant time) before it reads or changes anything; a bad or missing
        // signature gets 401. No CORS: webhooks come from servers, and no browser may call this.
        authType: FunctionUrlAuthType.NONE,
        invokeMode: InvokeMode.BUFFERED,
      });
      functions.push({ label: 'Webhooks', function: this.webhookFunction.function, synchronous: true });
    }
    this.functions = functions;
  }
}

/**
 * One secret, JSON with a key per enabled platform. WooCommerce lets you type the webhook's secret,
 * so its key is generated here (copy it into WooCommerce > Settings > Advanced > Webhooks). Shopware
 * signs with the shop secret its app registration established, which only the operator can put in:
 * until then its key is empty (an empty key verifies no signature, functions/connectors/signatures.ts)
 * or, when Shopware is the only platform, a generated value nobody knows (Secrets Manager generates
 * exactly one key); either way Shopware deliveries get 401 until it is set. A disabled platform has
 * no key at all.
 */
function webhookSecret(scope: Construct, platforms: readonly WebhookPlatformName[]): Secret {
  const description = `HMAC keys of the shop webhooks, JSON {${platforms.map((p) => `"${p}"`).join(', ')}}`;
  const secret = platforms.includes('woocommerce')
    ? new Secret(scope, 'WebhookSecret', {
        description,
        generateSecretString: {
          secretStringTemplate: JSON.stringify(platforms.includes('shopware') ? { shopware: '' } : {}),
          generateStringKey: 'woocommerce',
          passwordLength: 64,
          excludePunctuation: true,
        },
      })
    : new Secret(scope, 'WebhookSecret', {
        description,
        generateSecretString: {
          // Secrets Manager generates one key only; it is a placeholder nobody knows (deliveries get
          // 401) until the operator puts the shop secret in.
          secretStringTemplate: JSON.stringify({}),
          generateStringKey: 'shopware',
          passwordLength: 64,
          excludePunctuation: true,
        },
      });
  Validations.of(secret).acknowledge({
    id: 'AwsSolutions-SMG4',
    reason:
      'Webhook keys are shared with the shop system (typed into WooCommerce, set by the Shopware app registration); an automatic rotation would break every delivery until the shop is updated, so they are rotated by hand (README, "Connect your shop").',
  });
  return secret;
}
