/**
 * Sending through SES v2: the configuration set every send goes through, and the one IAM statement
 * that lets a function send as the shop's sender identity through that set and nothing else.
 */
import { Stack } from 'aws-cdk-lib';
import { EventBus, type IEventBus, Rule } from 'aws-cdk-lib/aws-events';
import { EventBus as EventBusTarget } from 'aws-cdk-lib/aws-events-targets';
import { type IGrantable, PolicyStatement } from 'aws-cdk-lib/aws-iam';
import {
  ConfigurationSet,
  ConfigurationSetTlsPolicy,
  EmailSendingEvent,
  EventDestination,
  SuppressionReasons,
} from 'aws-cdk-lib/aws-ses';
import { Construct } from 'constructs';
import { deadLetterQueue } from './dead-letter-queue.ts';

/** SES events the engine and the metrics use (DESIGN.md §7). */
export const SES_EVENTS = [
  EmailSendingEvent.DELIVERY,
  EmailSendingEvent.BOUNCE,
  EmailSendingEvent.COMPLAINT,
  EmailSendingEvent.REJECT,
  EmailSendingEvent.DELIVERY_DELAY,
  EmailSendingEvent.RENDERING_FAILURE,
  EmailSendingEvent.OPEN,
  EmailSendingEvent.CLICK,
  EmailSendingEvent.SUBSCRIPTION,
];

/** `news@shop.example` or `Shop <news@shop.example>`, split into its parts. */
export interface SenderAddress {
  address: string;
  domain: string;
}

const ADDRESS =
  /^[^\s@<>"]+@([A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)+)$/;

/** Parses a sender address; undefined when it is not one. */
export function parseSenderAddress(value: string): SenderAddress | undefined {
  const trimmed = value.trim();
  const angle = /^[^<>]*<([^<>]+)>$/.exec(trimmed);
  const address = angle?.[1]?.trim() ?? trimmed;
  const match = ADDRESS.exec(address);
  if (!match?.[1]) return undefined;
  return { address, domain: match[1].toLowerCase() };
}

export interface EmailProps {
  readonly sender: SenderAddress;
  /**
   * An existing configuration set to send through.
   * @default - a new configuration set with TLS required, reputation metrics, account-level
   * suppression of bounces and complaints, and its events published to the default bus and
   * forwarded to `eventBus`
   */
  readonly configurationSetName?: string;
  /** Where SES events of a created configuration set are forwarded. */
  readonly eventBus: IEventBus;
}

export class Email extends Construct {
  readonly configurationSetName: string;
  readonly configurationSetArn: string;
  private readonly identityArns: string[];
  private readonly fromAddress: string;

  constructor(scope: Construct, id: string, props: EmailProps) {
    super(scope, id);
    const stack = Stack.of(this);

    if (props.configurationSetName === undefined) {
      const configurationSet = new ConfigurationSet(this, 'ConfigurationSet', {
        tlsPolicy: ConfigurationSetTlsPolicy.REQUIRE,
        reputationMetrics: true,
        sendingEnabled: true,
        suppressionReasons: SuppressionReasons.BOUNCES_AND_COMPLAINTS,
      });
      this.configurationSetName = configurationSet.configurationSetName;
      this.forwardEvents(configurationSet, props.eventBus);
    } else {
      this.configurationSetName = props.configurationSetName;
    }
    this.configurationSetArn = stack.formatArn({
      service: 'ses',
      resource: 'configuration-set',
      resourceName: this.configurationSetName,
    });
    // The sender is verified either as an address or as its whole domain; SES authorises the send
    // against whichever identity exists, so both ARNs are named (and nothing else).
    this.identityArns = [props.sender.domain, props.sender.address].map((identity) =>
      stack.formatArn({ service: 'ses', resource: 'identity', resourceName: identity }),
    );
    this.fromAddress = props.sender.address;
  }

  /** Allows `ses:SendEmail` from the sender address, through the configuration set only. */
  grantSend(grantee: IGrantable): void {
    grantee.grantPrincipal.addToPrincipalPolicy(
      new PolicyStatement({
        actions: ['ses:SendEmail'],
        resources: [...this.identityArns, this.configurationSetArn],
        conditions: { StringEquals: { 'ses:FromAddress': this.fromAddress } },
      }),
    );
  }

  /**
   * SES publishes configuration-set events only to the account's default bus; a rule there forwards
   * the ones of this configuration set to the journeys bus, where the engine's consumers subscribe.
   */
  private forwardEvents(configurationSet: ConfigurationSet, eventBus: IEventBus): void {
    const defaultBus = EventBus.fromEventBusName(this, 'DefaultBus', 'default');
    configurationSet.addEventDestination('ToDefaultBus', {
      destination: EventDestination.eventBus(defaultBus),
      events: SES_EVENTS,
    });
    if (eventBus.eventBusArn === defaultBus.eventBusArn) return;
    const dlq = deadLetterQueue(this, 'ForwardDeadLetterQueue', 'SES events that could not be forwarded');
    new Rule(this, 'ForwardSesEvents', {
      description: 'Forwards SES events of the retention-journeys configuration set to the journeys bus',
      eventBus: defaultBus,
      eventPattern: {
        source: ['aws.ses'],
        detail: { mail: { tags: { 'ses:configuration-set': [configurationSet.configurationSetName] } } },
      },
      // Bus-to-bus targets take no retry policy in CDK; EventBridge's default (24 h, 185 attempts)
      // applies, then the DLQ.
      targets: [new EventBusTarget(eventBus, { deadLetterQueue: dlq })],
    });
  }
}
