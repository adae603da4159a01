/** Publishes emitted domain events. EventBridge in AWS; the local runtime plugs in its router. */
import { type EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { PublishError } from './errors.ts';

export interface OutgoingEvent {
  source: string;
  detailType: string;
  detail: Record<string, unknown>;
  time: string;
}

export interface EventPublisher {
  publish(event: OutgoingEvent): Promise<void>;
}

export class EventBridgePublisher implements EventPublisher {
  constructor(
    private readonly client: EventBridgeClient,
    private readonly busName: string,
  ) {}

  async publish(event: OutgoingEvent): Promise<void> {
    const result = await this.client.send(
      new PutEventsCommand({
        Entries: [
          {
            EventBusName: this.busName,
            Source: event.source,
            DetailType: event.detailType,
            Detail: JSON.stringify(event.detail),
            Time: new Date(event.time),
          },
        ],
      }),
    );
    // PutEvents reports per-entry failures in a 200 response; treat them as errors so they are retried.
    const failed = result.Entries?.find((e) => e.ErrorCode);
    if (result.FailedEntryCount || failed) {
      throw new PublishError(
        `PutEvents failed: ${failed?.ErrorCode ?? 'unknown'} ${failed?.ErrorMessage ?? ''}`,
      );
    }
  }
}
