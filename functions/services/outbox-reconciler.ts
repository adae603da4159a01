/**
 * What the sweeper does with an outbox entry whose timer fell due (core/outbox.ts). It never sends:
 * it only moves the entry, with one conditional update, and the dispatcher — the one place that
 * talks to SES, within its sending rate — does the rest when the stream brings it back.
 *
 * - `retry` (SES did not take it): back to `pending`.
 * - `sending` / `unknown` past the grace period: if an SES event for the message was recorded after
 *   all, `sent`; otherwise SES never had it — no `Send`, `Delivery`, `Bounce` … event within the grace
 *   period — and it goes back to `pending` to be sent again.
 */
import type { DueOutbox, JourneyStore } from '../adapters/store.ts';
import { TIMED } from '../core/outbox.ts';

export type ReconcileOutcome = 'retried' | 'resent' | 'settled' | 'none';

export class OutboxReconciler {
  constructor(private readonly store: JourneyStore) {}

  async reconcile(due: DueOutbox, now: string): Promise<ReconcileOutcome> {
    const { customerId, outboxId } = due;
    // The index is eventually consistent: act on the entry as it is now, not as the index saw it.
    const entry = await this.store.getOutbox(customerId, outboxId);
    if (!entry?.dueAt || entry.dueAt > now || !TIMED.includes(entry.status)) return 'none';
    const guard = { ifDueAt: entry.dueAt };
    if (entry.status === 'retry') {
      const moved = await this.store.transitionOutbox(
        customerId,
        outboxId,
        'retry',
        'pending',
        { requeuedAt: now },
        now,
        guard,
      );
      return moved ? 'retried' : 'none';
    }
    const seen = Object.values(entry.events ?? {}).sort()[0];
    if (seen) {
      const moved = await this.store.transitionOutbox(
        customerId,
        outboxId,
        entry.status,
        'sent',
        { sentAt: seen, settledBy: 'ses-event' },
        now,
        guard,
      );
      return moved ? 'settled' : 'none';
    }
    const moved = await this.store.transitionOutbox(
      customerId,
      outboxId,
      entry.status,
      'pending',
      { requeuedAt: now, resends: (entry.resends ?? 0) + 1 },
      now,
      guard,
    );
    return moved ? 'resent' : 'none';
  }
}
