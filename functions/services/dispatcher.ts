/**
 * Drains the outbox: renders and sends emails, publishes emitted events, and moves each entry on
 * with one conditional update per step, so a redelivered stream record never sends twice.
 *
 * Sending is claim → send → mark, and SES has no idempotency key. So:
 * - the claim (`pending → sending`) sets a reconcile timer (`reconcileAfter`, default 15 minutes):
 *   if this process dies before marking, the sweeper finds the entry then, no person needed;
 * - the SES client makes one attempt with a request timeout (mailer.ts), never retrying by itself;
 * - SES certainly did not send (throttled, unreachable): `retry` with backoff; the sweeper puts the
 *   entry back to `pending` when it is due and the stream brings it here again — after any outage;
 * - SES may have sent (timeout, 5xx, reset): `unknown`, never resent blindly;
 * - `sending` and `unknown` are settled by SES's own events for the message (every email is tagged
 *   with its outbox id; ses-events.ts marks it `sent`), and resent only when none arrived within
 *   the grace period (outbox-reconciler.ts);
 * - SES refused it for good: `failed` with the reason (counted, alarmed).
 * See README, "Outbox states", and core/outbox.ts for the state machine.
 */

import { AmbiguousSendError, RetryableSendError } from '../adapters/errors.ts';
import type { Mailer } from '../adapters/mailer.ts';
import type { EventPublisher } from '../adapters/publisher.ts';
import type { JourneyStore, OutboxItem } from '../adapters/store.ts';
import { SYSTEM_SOURCE } from '../core/events.ts';
import { outboxTag } from '../core/links.ts';
import type { EmitEffect, SendEffect } from '../core/model.ts';
import { DEFAULT_RECONCILE_AFTER, plusSeconds, retryDelaySeconds } from '../core/outbox.ts';
import { addressHash } from '../core/privacy.ts';
import type { ShopIdentity } from '../core/shop.ts';
import { addDuration } from '../core/time.ts';
import type { EmailRenderer } from '../email/index.ts';
import { type EmailForSend, renderForSend } from '../email/outgoing.ts';

export type DispatchOutcome =
  | {
      status: 'sent';
      kind: 'send';
      outboxId: string;
      customerId: string;
      journeyId: string;
      message: string;
      locale: string;
      to: string;
      messageId: string;
      sentAt: string;
    }
  | {
      status: 'published';
      kind: 'emit';
      outboxId: string;
      detailType: string;
      detail: Record<string, unknown>;
      at: string;
    }
  | { status: 'skipped'; outboxId: string; reason: string }
  | { status: 'failed'; outboxId: string; reason: string }
  /** SES did not take it; tried again at `retryAt`. */
  | { status: 'retrying'; outboxId: string; reason: string; retryAt: string }
  /**
   * SES may have taken it; settled by SES's events, or resent after `reconcileAt`. Names what was
   * attempted, so whoever finds the email after all (the simulator, an operator) can account for it.
   */
  | {
      status: 'unknown';
      outboxId: string;
      reason: string;
      reconcileAt: string;
      attempted: {
        customerId: string;
        journeyId: string;
        message: string;
        locale: string;
        to: string;
        at: string;
      };
    };

export interface DispatcherDeps {
  store: JourneyStore;
  mailer: Mailer;
  publisher: EventPublisher;
  renderer: EmailRenderer;
  now: () => string;
  senderAddress: string;
  configurationSetName?: string | undefined;
  shop: ShopIdentity;
  preferencesUrl: string;
  signingSecret: string;
  /** The marketing suppression list (hard bounces, complaints), by hash of the address. */
  suppressions?: { isSuppressed(addressHash: string): Promise<boolean> } | undefined;
  /** Called right before each SES send, to stay within the sending rate. */
  pace?: (() => Promise<void>) | undefined;
  /**
   * How long an entry in `sending` or `unknown` waits for SES's event before it is resent (ISO 8601).
   * Must be well above the longest a dispatcher can take to mark a send (Lambda timeout).
   * @default PT15M
   */
  reconcileAfter?: string | undefined;
}

export class Dispatcher {
  constructor(private readonly deps: DispatcherDeps) {}

  /** Throws PublishError for a failed publish (the caller retries the record); SES faults never throw. */
  async dispatch(item: OutboxItem): Promise<DispatchOutcome> {
    return item.effect.kind === 'send' ? this.send(item, item.effect) : this.publish(item, item.effect);
  }

  private async publish(item: OutboxItem, effect: EmitEffect): Promise<DispatchOutcome> {
    const at = this.deps.now();
    const current = await this.deps.store.getOutbox(item.customerId, item.outboxId);
    if (current?.status !== 'pending')
      return { status: 'skipped', outboxId: item.outboxId, reason: `already ${current?.status ?? 'gone'}` };
    // Events are at-least-once: publish first, then mark. A repeat carries the same outboxId.
    await this.deps.publisher.publish({
      source: effect.source ?? SYSTEM_SOURCE,
      detailType: effect.detailType,
      detail: { ...effect.detail, outboxId: effect.outboxId },
      time: at,
    });
    await this.deps.store.transitionOutbox(
      item.customerId,
      item.outboxId,
      'pending',
      'sent',
      { sentAt: at },
      at,
    );
    return {
      status: 'published',
      kind: 'emit',
      outboxId: item.outboxId,
      detailType: effect.detailType,
      detail: effect.detail,
      at,
    };
  }

  private async send(item: OutboxItem, effect: SendEffect): Promise<DispatchOutcome> {
    const { store } = this.deps;
    const now = this.deps.now();
    // The live profile wins over the snapshot: consent may have been withdrawn, the address changed.
    const profile = await store.getProfile(item.customerId);
    const recipient = {
      ...effect.recipient,
      ...(profile?.email ? { email: profile.email } : {}),
      ...(profile?.locale ? { locale: profile.locale } : {}),
      ...(profile?.firstName ? { firstName: profile.firstName } : {}),
      ...(profile?.timeZone ? { timeZone: profile.timeZone } : {}),
    };
    const marketing = effect.messageClass === 'marketing';
    const skipReason =
      marketing && profile && !profile.marketingConsent
        ? 'marketing consent withdrawn'
        : marketing &&
            (profile?.suppressed ||
              (await this.deps.suppressions?.isSuppressed(addressHash(recipient.email))))
          ? 'address suppressed'
          : undefined;
    if (skipReason) {
      await store.transitionOutbox(
        item.customerId,
        item.outboxId,
        'pending',
        'skipped',
        { reason: skipReason },
        now,
      );
      return { status: 'skipped', outboxId: item.outboxId, reason: skipReason };
    }

    // The claim carries the reconcile timer: a crash from here on is healed by the sweeper.
    const reconcileAt = addDuration(now, this.deps.reconcileAfter ?? DEFAULT_RECONCILE_AFTER, 'UTC');
    if (
      !(await store.transitionOutbox(
        item.customerId,
        item.outboxId,
        'pending',
        'sending',
        { claimedAt: now },
        now,
        { dueAt: reconcileAt },
      ))
    ) {
      const current = await store.getOutbox(item.customerId, item.outboxId);
      return { status: 'skipped', outboxId: item.outboxId, reason: `already ${current?.status ?? 'gone'}` };
    }

    let rendered: EmailForSend['rendered'];
    let headers: EmailForSend['headers'];
    try {
      ({ rendered, headers } = await renderForSend(
        this.deps.renderer,
        { ...effect, marketing },
        {
          shop: this.deps.shop,
          preferencesUrl: this.deps.preferencesUrl,
          signingSecret: this.deps.signingSecret,
          customerId: item.customerId,
          recipient,
          outbox: item.outboxId,
          now,
        },
      ));
    } catch (error) {
      // A template fault is permanent for this entry: keep it visible as failed, never loop on it.
      const reason = `render failed: ${(error as Error).message}`;
      await store.transitionOutbox(item.customerId, item.outboxId, 'sending', 'failed', { reason }, now);
      return { status: 'failed', outboxId: item.outboxId, reason };
    }

    let result: Awaited<ReturnType<Mailer['send']>>;
    try {
      await this.deps.pace?.();
      result = await this.deps.mailer.send({
        from: this.deps.senderAddress,
        to: recipient.email,
        subject: rendered.subject,
        html: rendered.html,
        text: rendered.text,
        headers,
        tags: {
          journey: effect.journeyId,
          message: effect.message,
          outbox: outboxTag(item.customerId, item.outboxId),
        },
        configurationSetName: this.deps.configurationSetName,
      });
    } catch (error) {
      if (error instanceof RetryableSendError) {
        // SES did not take it: back to the queue at a later time. The stream record may be an old
        // image, so count the attempts from the stored entry.
        const claimed = await store.getOutbox(item.customerId, item.outboxId);
        const attempts = (claimed?.attempts ?? item.attempts) + 1;
        const retryAt = plusSeconds(now, retryDelaySeconds(attempts, item.outboxId));
        await store.transitionOutbox(
          item.customerId,
          item.outboxId,
          'sending',
          'retry',
          { attempts, lastError: error.message, retryAt },
          now,
          { dueAt: retryAt },
        );
        return { status: 'retrying', outboxId: item.outboxId, reason: error.message, retryAt };
      }
      if (error instanceof AmbiguousSendError) {
        // SES may have it. Never resend blindly: its events settle it, or the grace period ends.
        await store.transitionOutbox(
          item.customerId,
          item.outboxId,
          'sending',
          'unknown',
          { lastError: error.message, unknownAt: now },
          now,
          { dueAt: reconcileAt },
        );
        return {
          status: 'unknown',
          outboxId: item.outboxId,
          reason: error.message,
          reconcileAt,
          attempted: {
            customerId: item.customerId,
            journeyId: effect.journeyId,
            message: effect.message,
            locale: rendered.locale,
            to: recipient.email,
            at: now,
          },
        };
      }
      // Anything else is a fault of ours, not of SES: the entry stays `sending` and is reconciled.
      throw error;
    }
    if (!result.ok) {
      await store.transitionOutbox(
        item.customerId,
        item.outboxId,
        'sending',
        'failed',
        { reason: result.reason },
        now,
      );
      return { status: 'failed', outboxId: item.outboxId, reason: result.reason };
    }
    await store.transitionOutbox(
      item.customerId,
      item.outboxId,
      'sending',
      'sent',
      { messageId: result.messageId, sentAt: now, locale: rendered.locale },
      now,
    );
    return {
      status: 'sent',
      kind: 'send',
      outboxId: item.outboxId,
      customerId: item.customerId,
      journeyId: effect.journeyId,
      message: effect.message,
      locale: rendered.locale,
      to: recipient.email,
      messageId: result.messageId,
      sentAt: now,
    };
  }
}
