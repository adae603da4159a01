/** EventBridge rule target for one journey (JOURNEY_ID): validate, decide, store. */
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import middy from '@middy/core';
import type { EventBridgeEvent } from 'aws-lambda';
import { composed, type JourneyComposition } from '../composition/lambda/journey.ts';
import { DIMENSION, JOURNEY_REJECTED_METRIC } from '../metrics.ts';
import { logger, logOutcome, metrics, publishStoredMetrics, rawEvent } from './runtime.ts';

export function createJourneyHandler(getServices: () => Promise<JourneyComposition>, journeyId: string) {
  return async (event: EventBridgeEvent<string, unknown>) => {
    const { journeys } = await getServices();
    const outcome = await journeys.handleEvent(journeyId, rawEvent(event));
    // Only refusals are metrics (functions/metrics.ts says why); every outcome is in the log line.
    if (outcome.status === 'rejected') {
      const counted = metrics.singleMetric();
      counted.addDimension(DIMENSION.journey, journeyId);
      counted.addMetric(JOURNEY_REJECTED_METRIC, MetricUnit.Count, 1);
    }
    logOutcome(event, outcome);
    return outcome.status;
  };
}

export const handler = middy(createJourneyHandler(composed, process.env.JOURNEY_ID ?? ''))
  .use(injectLambdaContext(logger))
  .use(publishStoredMetrics());
