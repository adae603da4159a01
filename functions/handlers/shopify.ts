/**
 * EventBridge rule target on the Shopify partner event bus (`detail-type: shopifyWebhook`): the
 * webhook becomes canonical events on the journeys bus (connectors/shopify, services/connectors.ts).
 * A delivery another invocation is publishing right now throws, so Lambda's retry comes back to it;
 * a rejected payload does not throw — it is in the rejected log. Logs ids, topics and counts only.
 */
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import middy from '@middy/core';
import type { EventBridgeEvent } from 'aws-lambda';
import { translateShopify } from '../connectors/index.ts';
import { type ConnectorRuntime, connectorRuntime } from './connector-runtime.ts';
import { DeliveryInFlightError } from './errors.ts';
import { logger, metrics, publishStoredMetrics } from './runtime.ts';

export function createShopifyHandler(getRuntime: () => ConnectorRuntime) {
  return async (event: EventBridgeEvent<string, unknown>) => {
    const { connectors, settings } = getRuntime();
    const result = translateShopify(
      { source: event.source, detailType: event['detail-type'], time: event.time, detail: event.detail },
      settings,
    );
    const outcome = await connectors.handle(result, { id: event.id, time: event.time, detail: event.detail });
    logger.info('shopify webhook processed', {
      eventId: event.id,
      status: outcome.status,
      topic: outcome.topic,
      ...(outcome.status === 'published'
        ? {
            events: outcome.published.map((p) => p.detailType),
            parked: outcome.parked,
            released: outcome.released,
          }
        : {}),
      ...(outcome.status === 'rejected' ? { errors: outcome.errors } : {}),
    });
    metrics.addMetric(`connector_${outcome.status.replace('-', '_')}`, MetricUnit.Count, 1);
    if (outcome.status === 'in-flight')
      throw new DeliveryInFlightError(
        `delivery of ${outcome.topic} is being published by another invocation`,
      );
    return outcome.status;
  };
}

export const handler = middy(createShopifyHandler(connectorRuntime))
  .use(injectLambdaContext(logger))
  .use(publishStoredMetrics());
