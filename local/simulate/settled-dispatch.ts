/**
 * The simulator's dispatch: one outbox entry followed to where it ends — sent, skipped, failed or
 * published — the way the sweeper and SES's events would take it there in AWS, but without waiting.
 *
 * In AWS a throttled send is retried by the sweeper minutes later and an ambiguous one (timeout, 5xx,
 * reset) is settled by SES's events or resent after the grace period. The simulator runs on virtual
 * time and has no sweeper between its steps, so it settles both at once against the local emulator —
 * through the same reconciler and SES-event path as production. A hiccup of the local emulator (a
 * busy machine, the fault proxy in tests) must change neither which emails a simulation sends nor
 * when: before this, such an entry was left in `retry`/`unknown` and its email silently missing.
 */

import type { OutboxItem } from '../../functions/adapters/store.ts';
import { outboxTag } from '../../functions/core/links.ts';
import type { DispatchOutcome } from '../../functions/services/dispatcher.ts';
import { OutboxReconciler } from '../../functions/services/outbox-reconciler.ts';
import { DispatchNotSettledError } from '../errors.ts';
import type { Delivery, LocalRuntime } from '../runtime/runtime.ts';
import { parseTags } from '../runtime/ses-event-source.ts';
import type { SesEmulator } from '../servers/ses-emulator.ts';

/** What a settled dispatch ends in: never `retrying` or `unknown`. */
export type SettledOutcome = Exclude<DispatchOutcome, { status: 'retrying' | 'unknown' }>;

export interface SettledDispatch {
  outcome: SettledOutcome;
  /** SES's `Send` and `Delivery` events, when they were what settled the entry (already delivered). */
  accepted?: Delivery[];
}

export interface SettledDispatchOptions {
  /** What SES holds (the emulator's store), asked whether it has an email SES answered ambiguously for. */
  ses: Pick<SesEmulator, 'emails'>;
  /** Attempts before giving up (the error names the last outcome). @default 8 */
  attempts?: number;
  /** Real time between attempts, doubled each time (the emulator is catching up). @default 20 ms */
  backoffMs?: number;
}

export async function dispatchSettled(
  runtime: LocalRuntime,
  item: OutboxItem,
  options: SettledDispatchOptions,
): Promise<SettledDispatch> {
  const reconciler = new OutboxReconciler(runtime.services.store);
  const due = { customerId: item.customerId, outboxId: item.outboxId };
  const attempts = options.attempts ?? 8;
  let last = '';
  // Not retryOnConflict: no write lost a race here; this waits for SES's answer to settle the entry.
  for (let attempt = 1; attempt <= attempts; attempt++) {
    // Emulator timestamps are whole seconds: from the second this attempt began.
    const since = Math.floor(Date.now() / 1000);
    const outcome = await runtime.services.dispatcher.dispatch(item);
    if (outcome.status === 'retrying') {
      // SES did not take it: what the sweeper does when `retryAt` comes — back to `pending`.
      await reconciler.reconcile({ ...due, dueAt: outcome.retryAt }, outcome.retryAt);
    } else if (outcome.status === 'unknown') {
      const held = (await options.ses.emails(since)).find(
        (email) => parseTags(email)?.outbox?.[0] === outboxTag(item.customerId, item.outboxId),
      );
      if (held) {
        // SES had it after all: its events settle the entry as `sent`, as they would in AWS.
        const sent = {
          status: 'sent',
          kind: 'send',
          outboxId: item.outboxId,
          customerId: outcome.attempted.customerId,
          journeyId: outcome.attempted.journeyId,
          message: outcome.attempted.message,
          locale: outcome.attempted.locale,
          to: outcome.attempted.to,
          messageId: held.messageId,
          sentAt: outcome.attempted.at,
        } as const;
        return { outcome: sent, accepted: await runtime.emailAccepted(sent) };
      }
      // SES never had it: what the reconciler does when the grace period ends — resend.
      await reconciler.reconcile({ ...due, dueAt: outcome.reconcileAt }, outcome.reconcileAt);
    } else {
      return { outcome };
    }
    last = `${outcome.status}: ${outcome.reason}`;
    await new Promise((resolve) => setTimeout(resolve, (options.backoffMs ?? 20) * 2 ** (attempt - 1)));
  }
  throw new DispatchNotSettledError(
    `outbox ${item.outboxId} not settled after ${attempts} attempts (${last})`,
  );
}
