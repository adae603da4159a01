/**
 * EventBridge rule target for SES sending events (source `aws.ses`): records them per message and
 * journey, suppresses hard bounces and complaints, and counts them per journey. Logs ids only.
 */
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy from '@middy/core';
import type { EventBridgeEvent } from 'aws-lambda';
import { composed, type SesEventsComposition } from '../composition/lambda/ses-events.ts';
import { logger } from './runtime.ts';

export function createSesEventsHandler(getServices: () => Promise<SesEventsComposition>) {
  return async (event: EventBridgeEvent<string, unknown>) => {
    const { sesEvents } = await getServices();
    const outcome = await sesEvents.handle({
      id: event.id,
      detailType: event['detail-type'],
      time: event.time,
      detail: event.detail,
    });
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

export const handler = middy(createSesEventsHandler(composed)).use(injectLambdaContext(logger));
