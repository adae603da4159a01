/** The deployable unit: one RetentionJourneys in a stack, with the names operators need as outputs. */
import { CfnOutput, Stack, type StackProps } from 'aws-cdk-lib';
import { EventBus } from 'aws-cdk-lib/aws-events';
import type { Construct } from 'constructs';
import { RetentionJourneys, type RetentionJourneysProps } from './retention-journeys.ts';

export interface RetentionJourneysStackProps extends StackProps, RetentionJourneysProps {
  /**
   * Name of an existing event bus in this account and region to use instead of a new one
   * (ignored when `eventBus` is given).
   * @default - `eventBus`, or a new custom bus
   */
  readonly eventBusName?: string;
}

export class RetentionJourneysStack extends Stack {
  readonly journeys: RetentionJourneys;

  constructor(scope: Construct, id: string, props: RetentionJourneysStackProps) {
    super(scope, id, props);
    const eventBus =
      props.eventBus ??
      (props.eventBusName
        ? EventBus.fromEventBusName(this, 'ExistingEventBus', props.eventBusName)
        : undefined);
    this.journeys = new RetentionJourneys(this, 'RetentionJourneys', { ...props, eventBus });

    new CfnOutput(this, 'EventBusName', {
      description: 'Publish shop events here',
      value: this.journeys.eventBus.eventBusName,
    });
    new CfnOutput(this, 'TableName', { value: this.journeys.table.tableName });
    new CfnOutput(this, 'ConfigurationSetName', {
      description: 'SES configuration set every email is sent through',
      value: this.journeys.email.configurationSetName,
    });
    new CfnOutput(this, 'DispatcherDeadLetterQueueUrl', {
      description: 'Outbox stream batches that kept failing',
      value: this.journeys.dispatcherDeadLetterQueue.queueUrl,
    });
  }
}
