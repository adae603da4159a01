/**
 * Lambda Function URL (payload v2) for the preferences endpoint: maps the request to the service and
 * its page back. Logs ids-free outcomes only: the action and, for refused links, the reason.
 */
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import middy from '@middy/core';
import type { LambdaFunctionURLEvent, LambdaFunctionURLResult } from 'aws-lambda';
import { composed, type PreferencesComposition } from '../composition/lambda/preferences.ts';
import { PREFERENCES_ERRORS_METRIC } from '../metrics.ts';
import type { HttpRequest } from '../services/preferences.ts';
import { logger, metrics, publishStoredMetrics } from './runtime.ts';

export function requestFromFunctionUrl(event: LambdaFunctionURLEvent): HttpRequest {
  const headers: Record<string, string | undefined> = {};
  for (const [name, value] of Object.entries(event.headers ?? {})) headers[name.toLowerCase()] = value;
  const query: Record<string, string | undefined> = {};
  for (const [name, value] of new URLSearchParams(event.rawQueryString ?? '')) query[name] ??= value;
  const raw = event.body ?? '';
  return {
    method: event.requestContext.http.method,
    path: event.rawPath,
    query,
    body: event.isBase64Encoded ? Buffer.from(raw, 'base64').toString('utf8') : raw,
    headers,
  };
}

export function createPreferencesHandler(getServices: () => Promise<PreferencesComposition>) {
  return async (event: LambdaFunctionURLEvent): Promise<LambdaFunctionURLResult> => {
    const { preferences, pages, config } = await getServices();
    const request = requestFromFunctionUrl(event);
    try {
      const result = await preferences.handle(request);
      logger.info('preferences request', {
        action: result.action,
        status: result.response.status,
        ...(result.reason ? { reason: result.reason } : {}),
      });
      const { status, headers, body } = result.response;
      return { statusCode: status, headers, body: request.method === 'HEAD' ? '' : body };
    } catch (error) {
      // An HTTP caller cannot be retried by the platform: answer with a page, keep the error in the log.
      logger.error('preferences request failed', { error: (error as Error).name });
      metrics.addMetric(PREFERENCES_ERRORS_METRIC, MetricUnit.Count, 1);
      const page = await pages.render({
        kind: 'serverError',
        status: 500,
        locale: undefined,
        shop: config.shop,
      });
      return { statusCode: page.status, headers: page.headers, body: page.body };
    }
  };
}

export const handler = middy(createPreferencesHandler(composed))
  .use(injectLambdaContext(logger))
  .use(publishStoredMetrics());
