/**
 * The outbox entry's life cycle, as data: which states wait for a timer, which are final, and when a
 * deferred send is tried again. Pure (no clock, no randomness): the dispatcher, the sweeper, the
 * stream filter and the CDK stream-filter criteria all read it from here.
 *
 *   pending ──claim──▶ sending ──SES accepted──▶ sent
 *                        │ ├──permanent rejection / render fault──▶ failed
 *                        │ ├──throttled / refused before sending──▶ retry ──due──▶ pending
 *                        │ └──timeout / 5xx / reset after sending──▶ unknown
 *                        └──crash: stays sending────────────────────┘
 *   sending | unknown ──SES event for the message──▶ sent
 *   sending | unknown ──no SES event within the grace period──▶ pending (resend)
 *
 * A clicked NPS answer is enqueued in `retry` with its timer at the end of its hold (core/feedback.ts),
 * so the same sweeper step publishes it then.
 */
import { unitHash } from './codes.ts';
import type { JourneyInstance } from './model.ts';

export type OutboxStatus = 'pending' | 'sending' | 'unknown' | 'retry' | 'sent' | 'skipped' | 'failed';

/** States an SES event for the message settles as `sent` (SES had the email, whatever we thought). */
export const SETTLEABLE: readonly OutboxStatus[] = ['pending', 'sending', 'unknown', 'retry'];

/** States whose entry carries a timer (`dueAt` on the sparse timer index) the sweeper acts on. */
export const TIMED: readonly OutboxStatus[] = ['sending', 'unknown', 'retry'];

/**
 * A stream MODIFY from one of these to `pending` is a requeue the dispatcher must act on, like an
 * insert. Any other change of an outbox entry (marking it sent, recording an SES event) is not.
 */
export const REQUEUED_FROM: readonly OutboxStatus[] = TIMED;

/** The default grace period for an SES event to settle an entry in `sending` or `unknown`. */
export const DEFAULT_RECONCILE_AFTER = 'PT15M';

/**
 * Seconds until a deferred send (throttled, SES unreachable) is tried again: 30 s doubling per
 * attempt, at most 30 minutes, with a deterministic ±20 % spread per entry so a recovered SES is not
 * hit by every deferred entry in the same second. There is no last attempt: an entry that SES did
 * not take is never given up on (the dispatcher's `outbox_retrying` alarm tells someone instead).
 */
export function retryDelaySeconds(attempts: number, outboxId: string): number {
  const base = Math.min(30 * 2 ** Math.max(0, attempts - 1), 1800);
  const spread = 0.8 + 0.4 * unitHash(`retry:${outboxId}:${attempts}`);
  return Math.max(1, Math.round(base * spread));
}

/** `instant` plus whole seconds, as an ISO instant without milliseconds. */
export function plusSeconds(instant: string, seconds: number): string {
  return new Date(Date.parse(instant) + seconds * 1000).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/** Where an engine step is, so that outbox ids are deterministic: retries yield the same ids. */
export function outboxId(instance: JourneyInstance, suffix: string | number): string {
  return `${instance.journeyId}#${instance.instanceId}#${suffix}`;
}
