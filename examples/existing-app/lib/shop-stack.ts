/**
 * A shop's existing stack — its own event bus, where the shop backend already publishes order and
 * customer events, and its operations topic — with the journeys added next to them: RetentionJourneys
 * listens on the shop's bus and sends its alarms to the shop's topic instead of creating its own.
 */
import { Stack, type StackProps, Validations } from 'aws-cdk-lib';
import { EventBus } from 'aws-cdk-lib/aws-events';
import { Topic } from 'aws-cdk-lib/aws-sns';
import type { Construct } from 'constructs';
import { type JourneysCatalog, RetentionJourneys } from 'retention-journeys';

export interface ShopStackProps extends StackProps {
  /** This app's journeys and templates, read and checked by loadJourneysCatalog (bin/app.ts). */
  readonly catalog: JourneysCatalog;
}

export class ShopStack extends Stack {
  readonly bus: EventBus;
  readonly operations: Topic;
  readonly journeys: RetentionJourneys;

  constructor(scope: Construct, id: string, props: ShopStackProps) {
    super(scope, id, props);

    // The shop's own resources, there before the journeys.
    this.bus = new EventBus(this, 'ShopEvents', { eventBusName: 'plant-shop-events' });
    this.operations = new Topic(this, 'Operations', {
      displayName: 'Plant shop operations',
      enforceSSL: true,
    });
    Validations.of(this.operations).acknowledge({
      id: 'AwsSolutions-SNS2',
      reason: 'Operational notifications only (alarm names and states, no customer data); TLS enforced.',
    });

    // The journeys, embedded: the shop's bus and topic, this app's journeys and templates.
    this.journeys = new RetentionJourneys(this, 'Journeys', {
      ...props.catalog,
      senderAddress: 'Plant Shop <hello@plants.example>',
      shopUrl: 'https://plants.example',
      shopAddress: 'Gartenstraße 1, 10115 Berlin, Germany',
      // The shop backend puts `source: "plant-shop"` on its events.
      shopEventSource: 'plant-shop',
      eventBus: this.bus,
      alarmTopic: this.operations,
      // No analytics log (Firehose, S3, Glue, Athena) in this small example.
      analytics: { enabled: false },
    });
  }
}
