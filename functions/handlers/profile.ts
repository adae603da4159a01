/** EventBridge rule target for every shop event: keeps the customer projection (profile, orders). */
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import middy from '@middy/core';
import type { EventBridgeEvent } from 'aws-lambda';
import { composed, type ProfileComposition } from '../composition/lambda/profile.ts';
import { redactEmails } from '../core/privacy.ts';
import { PROFILE_REJECTED_METRIC } from '../metrics.ts';
import { logger, metrics, publishStoredMetrics, rawEvent } from './runtime.ts';

export function createProfileHandler(getServices: () => Promise<ProfileComposition>) {
  return async (event: EventBridgeEvent<string, unknown>) => {
    const { profiles } = await getServices();
    const outcome = await profiles.handleEvent(rawEvent(event));
    if (outcome.status === 'rejected') {
      metrics.addMetric(PROFILE_REJECTED_METRIC, MetricUnit.Count, 1);
      logger.warn('event rejected', {
        eventId: event.id,
        detailType: event['detail-type'],
        errors: outcome.errors.map(redactEmails),
      });
    }
    return outcome.status;
  };
}

export const handler = middy(createProfileHandler(composed))
  .use(injectLambdaContext(logger))
  .use(publishStoredMetrics());
