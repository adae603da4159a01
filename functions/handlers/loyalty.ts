/**
 * EventBridge rule target of the loyalty program: the shop events that earn, reverse or redeem points
 * and the system's referral rewards. Validate, decide, store (services/loyalty.ts).
 */
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import middy from '@middy/core';
import type { EventBridgeEvent } from 'aws-lambda';
import { composed, type LoyaltyComposition } from '../composition/lambda/loyalty.ts';
import { LOYALTY_REJECTED_METRIC } from '../metrics.ts';
import { logger, logOutcome, metrics, publishStoredMetrics, rawEvent } from './runtime.ts';

export function createLoyaltyHandler(getServices: () => Promise<LoyaltyComposition>) {
  return async (event: EventBridgeEvent<string, unknown>) => {
    const { loyalty } = await getServices();
    const outcome = await loyalty.handleEvent(rawEvent(event));
    if (outcome.status === 'rejected') metrics.addMetric(LOYALTY_REJECTED_METRIC, MetricUnit.Count, 1);
    logOutcome(event, outcome);
    return outcome.status;
  };
}

export const handler = middy(createLoyaltyHandler(composed))
  .use(injectLambdaContext(logger))
  .use(publishStoredMetrics());
