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
import { parseOutboxTag } from '../core/links.ts';
import { addressHash } from '../core/privacy.ts';

/** The EventBridge envelope fields the service needs. */
export interface SesEventInput {
  id: string;
  detailType: string;
  time: string;
  detail: unknown;
}

/** Metric keys (lib/metrics.ts `SES_EVENT_METRICS`) per recorded kind. Soft bounces are not bounces. */
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

interface SesDetail {
  eventType?: string;
  mail?: { timestamp?: string; messageId?: string; tags?: Record<string, string[] | undefined> };
  bounce?: { bounceType?: string; bouncedRecipients?: { emailAddress?: string }[]; timestamp?: string };
  complaint?: { complainedRecipients?: { emailAddress?: string }[]; timestamp?: string };
  delivery?: { timestamp?: string };
  send?: Record<string, unknown>;
  open?: { timestamp?: string };
  click?: { timestamp?: string };
  reject?: { reason?: string };
  failure?: { errorMessage?: string };
}

/** `eventType` in the detail; the EventBridge detail-type (e.g. "Email Bounced") as a fallback. */
const BY_EVENT_TYPE: Record<string, EmailEventKind> = {
  Send: 'sent',
  Delivery: 'delivered',
  Bounce: 'bounced',
  Complaint: 'complained',
  Open: 'opened',
  Click: 'clicked',
  Reject: 'rejected',
  'Rendering Failure': 'renderingFailed',
  RenderingFailure: 'renderingFailed',
};
const BY_DETAIL_TYPE: Record<string, EmailEventKind> = {
  'Email Sent': 'sent',
  'Email Delivered': 'delivered',
  'Email Bounced': 'bounced',
  'Email Complaint Received': 'complained',
  'Email Opened': 'opened',
  'Email Clicked': 'clicked',
  'Email Rejected': 'rejected',
  'Email Rendering Failed': 'renderingFailed',
};
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
    const detail = sesDetail(event.detail);
    const eventType = detail.eventType ?? event.detailType;
    let kind = own(BY_EVENT_TYPE, eventType) ?? own(BY_DETAIL_TYPE, event.detailType);
    if (!kind) return { status: 'ignored', eventType };
    // Only a permanent bounce is a hard bounce; transient and undetermined ones do not suppress.
    if (kind === 'bounced' && detail.bounce?.bounceType !== 'Permanent') kind = 'softBounced';

    const at = timestampOf(kind, detail) ?? event.time;
    const tags = detail.mail?.tags ?? {};
    const target = parseOutboxTag(firstTag(tags.outbox));

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
      journeyId: firstTag(tags.journey),
      message: firstTag(tags.message),
      outboxId: target.outboxId,
      suppressed,
    };
  }
}

/**
 * The detail as SES sends it, or as much of it as has the right types: anyone allowed to put events on
 * the default bus can send `aws.ses`, and a malformed event must be ignored, not crash the handler.
 */
function sesDetail(value: unknown): SesDetail {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return {};
  const detail = value as SesDetail;
  const mail = typeof detail.mail === 'object' && detail.mail !== null ? detail.mail : undefined;
  const tags = typeof mail?.tags === 'object' && mail.tags !== null ? mail.tags : undefined;
  return {
    ...detail,
    eventType: typeof detail.eventType === 'string' ? detail.eventType : undefined,
    mail: mail ? { ...mail, tags } : undefined,
  };
}

/** A lookup that a key like `constructor` or `__proto__` cannot satisfy. */
function own<T>(table: Record<string, T>, key: string): T | undefined {
  return Object.hasOwn(table, key) ? table[key] : undefined;
}

/** SES tag values are at most 256 characters; anything else is not a tag this system set. */
function firstTag(values: unknown): string | undefined {
  const value: unknown = Array.isArray(values) ? values[0] : undefined;
  return typeof value === 'string' && value.length <= 256 ? value : undefined;
}

function timestampOf(kind: EmailEventKind, detail: SesDetail): string | undefined {
  const raw = (() => {
    switch (kind) {
      case 'delivered':
        return detail.delivery?.timestamp;
      case 'sent':
        return detail.mail?.timestamp;
      case 'bounced':
      case 'softBounced':
        return detail.bounce?.timestamp;
      case 'complained':
        return detail.complaint?.timestamp;
      case 'opened':
        return detail.open?.timestamp;
      case 'clicked':
        return detail.click?.timestamp;
      default:
        return detail.mail?.timestamp;
    }
  })();
  if (typeof raw !== 'string' || Number.isNaN(Date.parse(raw))) return undefined;
  return new Date(raw).toISOString().replace(/\.\d{3}Z$/, 'Z');
}
