/**
 * The signed-webhook receiver (WooCommerce, Shopware 6): one HTTP endpoint in front of the connector
 * service, the same code behind the Lambda Function URL and the local runtime's `/webhooks/…` route.
 *
 * - Only `POST /<platform>` of an enabled platform; bodies up to `WEBHOOK_BODY_LIMIT`.
 * - The platform's HMAC signature over the raw bytes is checked before anything is parsed: a bad or
 *   missing one is answered 401 and changes nothing.
 * - A payload the mapping rejects is kept in the rejected log and answered 200 with the reasons: a
 *   4xx/5xx would make the platform retry the same bytes, and WooCommerce disables a webhook after
 *   five failed deliveries in a row.
 * - A delivery another invocation is publishing right now is answered 503 (the platform retries); a
 *   fault of ours is thrown, and the caller answers 500 so the platform retries.
 */
import { createHash } from 'node:crypto';
import type { ConnectorSettings, TranslationResult } from '../connectors/translation.ts';
import type { ConnectorService } from './connectors.ts';

/** Shopware and WooCommerce payloads are small; a megabyte is far beyond any order. */
export const WEBHOOK_BODY_LIMIT = 1024 * 1024;

export interface WebhookPlatform {
  verify(rawBody: Buffer, headers: Record<string, string | undefined>, secret: string): boolean;
  /** `receivedAt` dates a payload that carries no time of its own (WooCommerce's customer.deleted). */
  translate(
    rawBody: Buffer,
    headers: Record<string, string | undefined>,
    settings: ConnectorSettings,
    receivedAt: string,
  ): TranslationResult;
  /**
   * The unsigned hello some platforms send when a webhook is set up (WooCommerce's `webhook_id=N`
   * ping): answered 200 so the shop accepts the URL; it changes nothing, so it needs no signature.
   */
  isPing?(rawBody: Buffer, headers: Record<string, string | undefined>): boolean;
  /** Routes below the platform's path (Shopware's app registration: `register`, `confirm`). */
  routes?: Record<string, (request: WebhookRequest, secret: string) => WebhookAnswer>;
}

export interface WebhookRequest {
  method: string;
  /** The path after the receiver's base: `/woocommerce`, `/shopware`, `/shopware/register`. */
  path: string;
  /** The raw query string, without `?`. */
  query: string;
  /** Header names in lower case. */
  headers: Record<string, string | undefined>;
  body: Buffer;
  /** The receiver's own public base URL (for links a platform must call back). */
  baseUrl: string;
}

export interface WebhookAnswer {
  statusCode: number;
  body: Record<string, unknown>;
  headers?: Record<string, string>;
}

export interface WebhookReceiverDeps {
  platforms: Record<string, WebhookPlatform>;
  /** The shared secret per platform; a platform without one is not enabled. */
  secrets: () => Promise<Record<string, string | undefined>>;
  connectors: Pick<ConnectorService, 'handle'>;
  settings: ConnectorSettings;
  now: () => string;
}

export async function receiveWebhook(
  request: WebhookRequest,
  deps: WebhookReceiverDeps,
): Promise<WebhookAnswer> {
  const [name = '', sub, ...rest] = request.path.replace(/^\/+|\/+$/g, '').split('/');
  const platform = Object.hasOwn(deps.platforms, name) ? deps.platforms[name] : undefined;
  const secret = platform ? (await deps.secrets())[name] : undefined;
  const route =
    sub !== undefined && platform?.routes && Object.hasOwn(platform.routes, sub)
      ? platform.routes[sub]
      : undefined;
  if (!platform || !secret || rest.length || (sub !== undefined && !route))
    return { statusCode: 404, body: { message: `no webhook receiver at ${request.path.slice(0, 60)}` } };
  if (request.body.length > WEBHOOK_BODY_LIMIT)
    return { statusCode: 413, body: { message: `the body exceeds ${WEBHOOK_BODY_LIMIT} bytes` } };
  if (route) return route(request, secret);
  if (request.method !== 'POST')
    return {
      statusCode: 405,
      body: { message: 'webhooks are delivered with POST' },
      headers: { allow: 'POST' },
    };
  if (platform.isPing?.(request.body, request.headers)) return { statusCode: 200, body: { status: 'ping' } };
  if (!platform.verify(request.body, request.headers, secret))
    return { statusCode: 401, body: { message: 'the signature does not match this webhook secret' } };

  const result = platform.translate(request.body, request.headers, deps.settings, deps.now());
  const outcome = await deps.connectors.handle(result, {
    id: result.ok ? result.translation.deliveryId : (result.deliveryId ?? bodyDigest(request.body)),
    time: deps.now(),
    detail: payloadForLog(request.body),
  });
  switch (outcome.status) {
    case 'in-flight':
      return {
        statusCode: 503,
        body: { status: outcome.status, message: 'this delivery is being processed; retry later' },
        headers: { 'retry-after': '60' },
      };
    case 'rejected':
      return { statusCode: 200, body: { status: outcome.status, errors: outcome.errors } };
    case 'duplicate':
      return { statusCode: 200, body: { status: outcome.status } };
    default:
      return {
        statusCode: 200,
        body: {
          status: outcome.status,
          events: outcome.published.map((p) => p.detailType),
          parked: outcome.parked,
          ...(outcome.ignored ? { ignored: outcome.ignored } : {}),
        },
      };
  }
}

const bodyDigest = (body: Buffer) => `sha256:${createHash('sha256').update(body).digest('hex')}`;

/** The payload as the rejected log keeps it: parsed JSON when it is JSON, else the text. */
function payloadForLog(body: Buffer): unknown {
  const text = body.toString('utf8');
  try {
    return JSON.parse(text);
  } catch {
    return { body: text };
  }
}
