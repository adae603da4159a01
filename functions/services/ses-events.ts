/**
 * SES sending events (configuration-set event destination → default EventBridge bus, source `aws.ses`):
 * records each on the outbox entry of the email it is about, and suppresses hard-bouncing and
 * complaining addresses for marketing. The dispatcher tags every email with `journey`, `message` and
 * `outbox` (= base64url of `<customerId>\n<outboxId>`), which is how an event finds its way back.
 *
 * Every event of a message also proves SES accepted it: an outbox entry still in `sending` or
 * `unknown` (a crash or an ambiguous failure) is settled as `sent` here, so the sweeper never resends
 * it (see dispatcher.ts). Locally, the runtime derives `Send` and `Delivery` events from the emails
 * the SES emulator holds and hands them to this same service.
 *
 * Idempotent: a redelivered event records nothing new and is not counted again.
 */
import type { ComplianceStore, EmailEventKind, SuppressionReason } from '../adapters/compliance-store.ts';
import { addressHash } from '../core/privacy.ts';
import { readSesEvent, type SesEventInput } from '../core/ses-event.ts';

export type { SesEventInput } from '../core/ses-event.ts';

/** What each recorded kind counts as in the log and the analytics records. Soft bounces are not bounces. */
export type SesMetric =
  | 'delivery'
  | 'bounce'
  | 'complaint'
  | 'open'
  | 'click'
  | 'reject'
  | 'renderingFailure';

export type SesEventOutcome =
  | {
      status: 'recorded' | 'duplicate' | 'missing';
      kind: EmailEventKind;
      /** The outbox entry was waiting to learn whether SES had the email, and now is `sent`. */
      settled: boolean;
      metric: SesMetric | undefined;
      journeyId: string | undefined;
      message: string | undefined;
      outboxId: string;
      suppressed: number;
    }
  | { status: 'untagged'; kind: EmailEventKind; suppressed: number }
  | { status: 'ignored'; eventType: string };

const METRIC: Record<EmailEventKind, SesMetric | undefined> = {
  sent: undefined,
  delivered: 'delivery',
  bounced: 'bounce',
  softBounced: undefined,
  complained: 'complaint',
  opened: 'open',
  clicked: 'click',
  rejected: 'reject',
  renderingFailed: 'renderingFailure',
};

export interface SesEventDeps {
  compliance: Pick<ComplianceStore, 'recordEmailEvent' | 'suppress' | 'markProfileSuppressed' | 'settleSent'>;
}

export class SesEventService {
  constructor(private readonly deps: SesEventDeps) {}

  async handle(event: SesEventInput): Promise<SesEventOutcome> {
    const reading = readSesEvent(event);
    if ('ignored' in reading) return { status: 'ignored', eventType: reading.ignored };
    const { kind, at, detail, target } = reading;

    let suppressed = 0;
    const reason: SuppressionReason | undefined =
      kind === 'bounced' ? 'bounce' : kind === 'complained' ? 'complaint' : undefined;
    if (reason) {
      const recipients =
        reason === 'bounce' ? detail.bounce?.bouncedRecipients : detail.complaint?.complainedRecipients;
      for (const recipient of Array.isArray(recipients) ? recipients : []) {
        if (typeof recipient?.emailAddress !== 'string' || !recipient.emailAddress) continue;
        const hash = addressHash(recipient.emailAddress);
        if (await this.deps.compliance.suppress(hash, reason, at)) suppressed++;
        if (target) await this.deps.compliance.markProfileSuppressed(target.customerId, hash);
      }
    }
    if (!target) return { status: 'untagged', kind, suppressed };

    const status = await this.deps.compliance.recordEmailEvent(target.customerId, target.outboxId, kind, at);
    // Whatever the event, SES had the email. Settled on a duplicate too: the first delivery of the
    // event may have been recorded and then failed before settling. Opens and clicks only ever
    // follow a delivery, and are many: they are not worth a conditional write each.
    const settled =
      status !== 'missing' &&
      kind !== 'opened' &&
      kind !== 'clicked' &&
      (await this.deps.compliance.settleSent(
        target.customerId,
        target.outboxId,
        detail.mail?.timestamp && !Number.isNaN(Date.parse(detail.mail.timestamp))
          ? new Date(detail.mail.timestamp).toISOString().replace(/\.\d{3}Z$/, 'Z')
          : at,
        detail.mail?.messageId,
      ));
    return {
      status,
      kind,
      settled,
      metric: METRIC[kind],
      journeyId: reading.journeyId,
      message: reading.message,
      outboxId: target.outboxId,
      suppressed,
    };
  }
}
