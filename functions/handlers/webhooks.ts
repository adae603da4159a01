/**
 * The signed-webhook receiver behind a Lambda Function URL (WooCommerce at `/woocommerce`, Shopware 6
 * at `/shopware`): services/webhook-receiver.ts does the work; this turns the Function URL's request
 * into its shape and its answer into an HTTP response. A fault of ours is answered 500, so the shop
 * retries the delivery. Logs the platform, status and counts only — never the body.
 */
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy from '@middy/core';
import type { LambdaFunctionURLEvent, LambdaFunctionURLResult } from 'aws-lambda';
import { WEBHOOK_PLATFORMS } from '../connectors/index.ts';
import {
  receiveWebhook,
  type WebhookPlatform,
  type WebhookReceiverDeps,
} from '../services/webhook-receiver.ts';
import { connectorRuntime, webhookSecrets } from './connector-runtime.ts';
import { logger, publishStoredMetrics } from './runtime.ts';

export function createWebhooksHandler(getDeps: () => WebhookReceiverDeps) {
  return async (event: LambdaFunctionURLEvent): Promise<LambdaFunctionURLResult> => {
    const headers: Record<string, string | undefined> = {};
    for (const [name, value] of Object.entries(event.headers ?? {})) headers[name.toLowerCase()] = value;
    const body = Buffer.from(event.body ?? '', event.isBase64Encoded ? 'base64' : 'utf8');
    try {
      const answer = await receiveWebhook(
        {
          method: event.requestContext.http.method,
          path: event.rawPath,
          query: event.rawQueryString ?? '',
          headers,
          body,
          baseUrl: `https://${event.requestContext.domainName}`,
        },
        getDeps(),
      );
      logger.info('webhook answered', {
        path: event.rawPath.slice(0, 40),
        statusCode: answer.statusCode,
        status: answer.body.status,
      });
      return {
        statusCode: answer.statusCode,
        headers: { 'content-type': 'application/json', ...answer.headers },
        body: JSON.stringify(answer.body),
      };
    } catch (error) {
      logger.error('webhook failed', { path: event.rawPath.slice(0, 40), error: (error as Error).name });
      return {
        statusCode: 500,
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ message: 'the delivery could not be processed; it will be retried' }),
      };
    }
  };
}

export const handler = middy(
  createWebhooksHandler(() => {
    const { connectors, settings, now } = connectorRuntime();
    return {
      platforms: enabledPlatforms(process.env.WEBHOOK_PLATFORMS),
      secrets: webhookSecrets,
      connectors,
      settings,
      now,
    };
  }),
)
  .use(injectLambdaContext(logger))
  .use(publishStoredMetrics());

/** The platforms the stack enabled (`WEBHOOK_PLATFORMS`, e.g. `woocommerce,shopware`); a secret alone enables none. */
export function enabledPlatforms(list: string | undefined): Record<string, WebhookPlatform> {
  const names = new Set((list ?? '').split(',').map((name) => name.trim()));
  return Object.fromEntries(Object.entries(WEBHOOK_PLATFORMS).filter(([name]) => names.has(name)));
}
