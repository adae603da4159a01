/**
 * EventBridge rule target for SES sending events (source `aws.ses`): records them per message and
 * journey, suppresses hard bounces and complaints, and counts them per journey. Logs ids only.
 */
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import middy from '@middy/core';
import type { EventBridgeEvent } from 'aws-lambda';
import { composed, type SesEventsComposition } from '../composition/lambda/ses-events.ts';
import { DIMENSION, SES_EVENT_METRICS } from '../metrics.ts';
import { logger, metrics } from './runtime.ts';

export function createSesEventsHandler(getServices: () => Promise<SesEventsComposition>) {
  return async (event: EventBridgeEvent<string, unknown>) => {
    const { sesEvents } = await getServices();
    const outcome = await sesEvents.handle({
      id: event.id,
      detailType: event['detail-type'],
      time: event.time,
      detail: event.detail,
    });
    // Counted once per email and kind: a redelivered event is a duplicate and not counted again.
    if (outcome.status === 'recorded' && outcome.metric && outcome.journeyId) {
      const single = metrics.singleMetric();
      single.addDimension(DIMENSION.journey, outcome.journeyId);
      single.addMetric(SES_EVENT_METRICS[outcome.metric], MetricUnit.Count, 1);
    }
    logger.info('ses event processed', {
      eventId: event.id,
      detailType: event['detail-type'],
      status: outcome.status,
      ...(outcome.status === 'ignored'
        ? {}
        : {
            kind: outcome.kind,
            suppressed: outcome.suppressed,
            ...(outcome.status === 'untagged'
              ? {}
              : { journey: outcome.journeyId, message: outcome.message, outboxId: outcome.outboxId }),
          }),
    });
    return outcome.status;
  };
}

export const handler = middy(createSesEventsHandler(composed))
  .use(injectLambdaContext(logger))
  .use(logMetrics(metrics, { captureColdStartMetric: true }));
