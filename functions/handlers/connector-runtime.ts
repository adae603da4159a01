/**
 * What the connector functions share: the connector service composed once per cold start from the
 * environment (table, bus, shop defaults — no signing secret, no catalog), and the webhook secrets.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { systemClock } from '../adapters/clock.ts';
import { EventBridgePublisher } from '../adapters/publisher.ts';
import { connectorService } from '../composition/connectors.ts';
import { connectorConfigFromEnv } from '../config.ts';
import type { ConnectorSettings } from '../connectors/translation.ts';
import type { ConnectorService } from '../services/connectors.ts';

export interface ConnectorRuntime {
  connectors: ConnectorService;
  settings: ConnectorSettings;
  now: () => string;
}

let runtime: ConnectorRuntime | undefined;

export function connectorRuntime(): ConnectorRuntime {
  if (runtime) return runtime;
  const config = connectorConfigFromEnv(process.env);
  const doc = DynamoDBDocumentClient.from(new DynamoDBClient({}), {
    marshallOptions: { removeUndefinedValues: true },
  });
  const now = () => systemClock.now();
  runtime = {
    connectors: connectorService(
      doc,
      config,
      new EventBridgePublisher(new EventBridgeClient({}), config.eventBusName),
      now,
    ),
    settings: { defaultLocale: config.defaultLocale, defaultTimeZone: config.defaultTimeZone },
    now,
  };
  return runtime;
}

/** How long a fetched secret is trusted: a rotated webhook secret takes effect within this. */
const SECRET_TTL_MS = 5 * 60_000;
let secrets: { value: Promise<Record<string, string | undefined>>; at: number } | undefined;

/** The per-platform webhook secrets, from the JSON secret named by WEBHOOK_SECRET_ARN. */
export function webhookSecrets(): Promise<Record<string, string | undefined>> {
  if (secrets && Date.now() - secrets.at < SECRET_TTL_MS) return secrets.value;
  const arn = process.env.WEBHOOK_SECRET_ARN;
  if (!arn) return Promise.resolve({});
  const value = new SecretsManagerClient({})
    .send(new GetSecretValueCommand({ SecretId: arn }))
    .then((answer) => parseSecrets(answer.SecretString))
    .catch((error: unknown) => {
      secrets = undefined; // the next request tries again
      throw error;
    });
  secrets = { value, at: Date.now() };
  return value;
}

/** `{"woocommerce": "…", "shopware": "…"}`; anything that is not a non-empty string disables the platform. */
export function parseSecrets(text: string | undefined): Record<string, string | undefined> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text ?? '{}');
  } catch {
    throw new Error('the webhook secret is not JSON such as {"woocommerce": "…", "shopware": "…"}');
  }
  const result: Record<string, string | undefined> = {};
  if (typeof parsed !== 'object' || parsed === null) return result;
  for (const [name, value] of Object.entries(parsed))
    if (typeof value === 'string' && value.length >= 8) result[name] = value;
  return result;
}
