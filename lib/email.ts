/**
 * Sending through SES v2: the configuration set every send goes through, and the one IAM statement
 * that lets a function send as the shop's sender identity through that set and nothing else.
 */
import { Stack } from 'aws-cdk-lib';
import { EventBus, type EventPattern } from 'aws-cdk-lib/aws-events';
import { type IGrantable, PolicyStatement } from 'aws-cdk-lib/aws-iam';
import {
  ConfigurationSet,
  ConfigurationSetTlsPolicy,
  EmailSendingEvent,
  EventDestination,
  SuppressionReasons,
} from 'aws-cdk-lib/aws-ses';
import { Construct } from 'constructs';
import { sesEventPattern as sharedSesEventPattern } from '../functions/core/routing.ts';

/**
 * SES events the engine and the metrics use (DESIGN.md §7), with the `detail-type` SES gives each on
 * EventBridge (https://docs.aws.amazon.com/eventbridge/latest/ref/events-ref-ses.html).
 */
export const SES_EVENT_DETAIL_TYPES: ReadonlyMap<EmailSendingEvent, string> = new Map([
  // `Send`: SES accepted the email. It settles an outbox entry whose SendEmail call ended ambiguously
  // (timeout, 5xx) or whose dispatcher died before marking it, so it is never resent (dispatcher.ts).
  [EmailSendingEvent.SEND, 'Email Sent'],
  [EmailSendingEvent.DELIVERY, 'Email Delivered'],
  [EmailSendingEvent.BOUNCE, 'Email Bounced'],
  [EmailSendingEvent.COMPLAINT, 'Email Complaint Received'],
  [EmailSendingEvent.REJECT, 'Email Rejected'],
  [EmailSendingEvent.RENDERING_FAILURE, 'Email Rendering Failed'],
  [EmailSendingEvent.OPEN, 'Email Opened'],
  [EmailSendingEvent.CLICK, 'Email Clicked'],
]);

export const SES_EVENTS: EmailSendingEvent[] = [...SES_EVENT_DETAIL_TYPES.keys()];

/**
 * The SES events of one configuration set, in CDK's spelling: the one definition in
 * functions/core/routing.ts, which the local runtime routes with too.
 */
export function sesEventPattern(configurationSetName: string): EventPattern {
  const { source, 'detail-type': detailType, detail } = sharedSesEventPattern(configurationSetName);
  return { source, ...(detailType ? { detailType } : {}), ...(detail ? { detail } : {}) };
}

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
   * An existing configuration set to send through. Give it an EventBridge event destination (the
   * default bus) for the events in `SES_EVENTS`, or no SES events reach the engine.
   * @default - a new configuration set with TLS required, reputation metrics, account-level
   * suppression of bounces and complaints, and `SES_EVENTS` published to the default bus
   */
  readonly configurationSetName?: string;
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
      // SES publishes configuration-set events to the account's default bus only.
      configurationSet.addEventDestination('ToDefaultBus', {
        destination: EventDestination.eventBus(EventBus.fromEventBusName(this, 'DefaultBus', 'default')),
        events: SES_EVENTS,
      });
      this.configurationSetName = configurationSet.configurationSetName;
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
}
