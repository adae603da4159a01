/** The deployable unit: one RetentionJourneys in a stack, with the names operators need as outputs. */
import { CfnOutput, Stack, type StackProps } from 'aws-cdk-lib';
import { EventBus } from 'aws-cdk-lib/aws-events';
import { Topic } from 'aws-cdk-lib/aws-sns';
import type { Construct } from 'constructs';
import { RetentionJourneys, type RetentionJourneysProps } from './retention-journeys.ts';

export interface RetentionJourneysStackProps extends StackProps, RetentionJourneysProps {
  /**
   * Name of an existing event bus in this account and region to use instead of a new one
   * (ignored when `eventBus` is given).
   * @default - `eventBus`, or a new custom bus
   */
  readonly eventBusName?: string;
  /**
   * ARN of an existing SNS topic for alarms (ignored when `alarmTopic` is given).
   * @default - `alarmTopic`, or a new encrypted topic
   */
  readonly alarmTopicArn?: string;
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
    const alarmTopic =
      props.alarmTopic ??
      (props.alarmTopicArn ? Topic.fromTopicArn(this, 'ExistingAlarmTopic', props.alarmTopicArn) : undefined);
    const journeys = new RetentionJourneys(this, 'RetentionJourneys', { ...props, eventBus, alarmTopic });
    this.journeys = journeys;

    new CfnOutput(this, 'EventBusName', {
      description: 'Publish shop events here',
      value: journeys.eventBus.eventBusName,
    });
    new CfnOutput(this, 'EventBusArn', { value: journeys.eventBus.eventBusArn });
    new CfnOutput(this, 'ArchiveName', {
      description: 'Event archive of the bus (aws events start-replay)',
      value: journeys.archive.archiveName,
    });
    new CfnOutput(this, 'TableName', { value: journeys.table.tableName });
    new CfnOutput(this, 'ConfigurationSetName', {
      description: 'SES configuration set every email is sent through',
      value: journeys.email.configurationSetName,
    });
    new CfnOutput(this, 'PreferencesUrl', {
      description: 'Public preferences endpoint (unsubscribe, feedback links in emails)',
      value: journeys.preferencesUrl.url,
    });
    new CfnOutput(this, 'AlarmTopicArn', {
      description: 'Subscribe to receive alarms (aws sns subscribe)',
      value: journeys.alarmTopic.topicArn,
    });
    new CfnOutput(this, 'DashboardName', { value: journeys.monitoring.dashboard.dashboardName });
    new CfnOutput(this, 'DispatcherFunctionName', {
      description: 'Stream consumer that sends the outbox',
      value: journeys.dispatcherFunction.function.functionName,
    });
    for (const [label, dlq] of journeys.deadLetterQueues) {
      new CfnOutput(this, `${label}DeadLetterQueueName`, {
        description: `Dead-letter queue: ${dlq.holds} (redrive: ${dlq.redrive === 'sqs' ? 'aws sqs start-message-move-task' : 're-dispatch the outbox entries, see README'})`,
        value: dlq.queue.queueName,
      });
    }
    if (journeys.analytics) {
      new CfnOutput(this, 'AnalyticsWorkGroup', {
        description: 'Athena workgroup of the KPI queries (table "records")',
        value: journeys.analytics.workGroupName,
      });
      new CfnOutput(this, 'AnalyticsDatabase', { value: journeys.analytics.database.databaseName });
      new CfnOutput(this, 'AnalyticsBucketName', {
        description: 'Analytics records (Parquet, records/dt=YYYY-MM-DD/)',
        value: journeys.analytics.bucket.bucketName,
      });
    }
    const { connectors } = journeys;
    if (connectors?.shopifyEventBus) {
      new CfnOutput(this, 'ShopifyEventBusName', {
        description: 'Partner event bus of the Shopify event source (associated on deploy)',
        value: connectors.shopifyEventBus.eventBusName,
      });
    }
    if (connectors?.shopifyArchive) {
      new CfnOutput(this, 'ShopifyArchiveName', {
        description:
          'Shopify webhooks as delivered, for replay to the Shopify rule (aws events start-replay)',
        value: connectors.shopifyArchive.archiveName,
      });
    }
    if (connectors?.webhookUrl && connectors.webhookSecret) {
      new CfnOutput(this, 'WebhookUrl', {
        description: 'Shop webhooks: append woocommerce or shopware (signed requests only)',
        value: connectors.webhookUrl.url,
      });
      new CfnOutput(this, 'WebhookSecretArn', {
        description: 'HMAC keys of the shop webhooks, JSON {"woocommerce": ..., "shopware": ...}',
        value: connectors.webhookSecret.secretArn,
      });
    }
    new CfnOutput(this, 'DispatcherDeadLetterQueueUrl', {
      description: 'Outbox stream batches that kept failing',
      value: journeys.dispatcherDeadLetterQueue.queueUrl,
    });
  }
}
