/**
 * How an SES sending event (configuration-set destination → default bus, source `aws.ses`) is read:
 * its kind, its moment, the email it is about (the dispatcher's `journey`, `message` and `outbox`
 * tags) and, for a bounce, its type. Pure, and the one reading: the SES-events service (suppression,
 * outbox settlement) and the analytics log (email.* records) both classify through it.
 *
 * Anyone allowed to put events on the default bus can send `aws.ses`: nothing here trusts a field's
 * type, and a malformed event is `undefined` (ignored), never an exception.
 */
import { assertNever } from './errors.ts';
import { parseOutboxTag } from './links.ts';

/** What an SES event records on the outbox entry of the email, as `events.<kind> = <time>`. */
export type EmailEventKind =
  | 'sent'
  | 'delivered'
  | 'bounced'
  | 'softBounced'
  | 'complained'
  | 'opened'
  | 'clicked'
  | 'rejected'
  | 'renderingFailed';

/** The EventBridge envelope fields a reading needs. */
export interface SesEventInput {
  id: string;
  detailType: string;
  time: string;
  detail: unknown;
}

export interface SesDetail {
  eventType?: string | undefined;
  mail?: { timestamp?: string; messageId?: string; tags?: Record<string, string[] | undefined> } | undefined;
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
export const BY_EVENT_TYPE: Readonly<Record<string, EmailEventKind>> = {
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
export const BY_DETAIL_TYPE: Readonly<Record<string, EmailEventKind>> = {
  'Email Sent': 'sent',
  'Email Delivered': 'delivered',
  'Email Bounced': 'bounced',
  'Email Complaint Received': 'complained',
  'Email Opened': 'opened',
  'Email Clicked': 'clicked',
  'Email Rejected': 'rejected',
  'Email Rendering Failed': 'renderingFailed',
};

/** SES's bounce types, as the analytics log names them; anything else counts as undetermined. */
export type BounceType = 'permanent' | 'transient' | 'undetermined';

export interface SesReading {
  /** `softBounced` for a transient or undetermined bounce: only a permanent one is a hard bounce. */
  kind: EmailEventKind;
  eventType: string;
  /** When it happened (the kind's own timestamp, else the envelope's), ISO without milliseconds. */
  at: string;
  detail: SesDetail;
  /** The email, from the `outbox` tag; undefined for an email this system did not tag. */
  target: { customerId: string; outboxId: string } | undefined;
  journeyId: string | undefined;
  message: string | undefined;
  bounceType: BounceType | undefined;
}

/** Classifies an SES event; `{ ignored }` for an event type that records nothing. */
export function readSesEvent(event: SesEventInput): SesReading | { ignored: string } {
  const detail = sesDetail(event.detail);
  const eventType = detail.eventType ?? (typeof event.detailType === 'string' ? event.detailType : '');
  let kind = own(BY_EVENT_TYPE, eventType) ?? own(BY_DETAIL_TYPE, event.detailType);
  if (!kind) return { ignored: eventType };
  const rawBounce = kind === 'bounced' ? detail.bounce?.bounceType : undefined;
  const bounceType: BounceType | undefined =
    kind !== 'bounced'
      ? undefined
      : rawBounce === 'Permanent'
        ? 'permanent'
        : rawBounce === 'Transient'
          ? 'transient'
          : 'undetermined';
  if (kind === 'bounced' && bounceType !== 'permanent') kind = 'softBounced';
  const tags = detail.mail?.tags ?? {};
  return {
    kind,
    eventType,
    at: timestampOf(kind, detail) ?? event.time,
    detail,
    target: parseOutboxTag(firstTag(tags.outbox)),
    journeyId: firstTag(tags.journey),
    message: firstTag(tags.message),
    bounceType,
  };
}

/**
 * The detail as SES sends it, or as much of it as has the right types: a malformed event must be
 * ignored, not crash the handler.
 */
export function sesDetail(value: unknown): SesDetail {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return {};
  const detail = value as SesDetail;
  const mail = typeof detail.mail === 'object' && detail.mail !== null ? detail.mail : undefined;
  const tags = typeof mail?.tags === 'object' && mail.tags !== null ? mail.tags : undefined;
  const bounce = typeof detail.bounce === 'object' && detail.bounce !== null ? detail.bounce : undefined;
  return {
    ...detail,
    eventType: typeof detail.eventType === 'string' ? detail.eventType : undefined,
    mail: mail ? { ...mail, tags } : undefined,
    bounce,
  };
}

/** A lookup that a key like `constructor` or `__proto__` cannot satisfy. */
function own<T>(table: Readonly<Record<string, T>>, key: unknown): T | undefined {
  return typeof key === 'string' && Object.hasOwn(table, key) ? table[key] : undefined;
}

/** SES tag values are at most 256 characters; anything else is not a tag this system set. */
export function firstTag(values: unknown): string | undefined {
  const value: unknown = Array.isArray(values) ? values[0] : undefined;
  return typeof value === 'string' && value.length <= 256 ? value : undefined;
}

function timestampOf(kind: EmailEventKind, detail: SesDetail): string | undefined {
  const part = (value: unknown): { timestamp?: unknown } | undefined =>
    typeof value === 'object' && value !== null ? (value as { timestamp?: unknown }) : undefined;
  const raw = (() => {
    switch (kind) {
      case 'delivered':
        return part(detail.delivery)?.timestamp;
      case 'sent':
      case 'rejected':
      case 'renderingFailed':
        return part(detail.mail)?.timestamp;
      case 'bounced':
      case 'softBounced':
        return part(detail.bounce)?.timestamp;
      case 'complained':
        return part(detail.complaint)?.timestamp;
      case 'opened':
        return part(detail.open)?.timestamp;
      case 'clicked':
        return part(detail.click)?.timestamp;
      default:
        return assertNever(kind, 'email event kind');
    }
  })();
  if (typeof raw !== 'string' || Number.isNaN(Date.parse(raw))) return undefined;
  return new Date(raw).toISOString().replace(/\.\d{3}Z$/, 'Z');
}
