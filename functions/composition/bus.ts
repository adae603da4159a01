/** The event bus: only functions that publish (the dispatcher, the connectors) import its client. */
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { EventBridgePublisher, type EventPublisher } from '../adapters/publisher.ts';

export function eventPublisher(eventBusName: string): EventPublisher {
  return new EventBridgePublisher(new EventBridgeClient({}), eventBusName);
}
