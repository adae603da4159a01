/**
 * Feeds instances whose timer fell due back through the engine, many customers side by side, hands
 * outbox entries whose retry or reconcile time came to the reconciler, and loyalty accounts whose
 * timer fell due to the loyalty service: one sparse index, one query per shard, told apart by sort
 * key (`J#…` instances, `OUT#…` outbox entries, `#LOYALTY` accounts).
 */
import type { DueLoyalty, DueOutbox, JourneyStore } from '../adapters/store.ts';
import type { TraceEntry } from '../core/model.ts';
import { forEachCustomer } from './concurrency.ts';
import type { JourneyService } from './journeys.ts';
import type { LoyaltyService } from './loyalty.ts';
import type { OutboxReconciler, ReconcileOutcome } from './outbox-reconciler.ts';

export interface SweepReport {
  due: number;
  advanced: number;
  failed: { journeyId: string; customerId: string; error: string }[];
  /** What the advanced instances did, for logs and the simulator's timeline. */
  trace: (TraceEntry & { customerId: string })[];
  /** Outbox entries whose timer fell due, and what became of them. */
  outbox: {
    due: number;
    retried: number;
    resent: number;
    settled: number;
    /** Entries put back to `pending` (a stream MODIFY brings each to the dispatcher). */
    requeued: DueOutbox[];
  };
}

export class Sweeper {
  constructor(
    private readonly store: JourneyStore,
    private readonly journeys: JourneyService,
    private readonly shards: number,
    /** Customers advanced at once; each customer's timers still run in due order. */
    private readonly concurrency = 8,
    /** Retries and reconciles outbox entries; without it their timers are left alone. */
    private readonly outbox?: OutboxReconciler,
    /** Advances loyalty accounts; without it their timers are left alone. */
    private readonly loyalty?: Pick<LoyaltyService, 'handleTimer'>,
  ) {}

  async sweep(now: string): Promise<SweepReport> {
    const report: SweepReport = {
      due: 0,
      advanced: 0,
      failed: [],
      trace: [],
      outbox: { due: 0, retried: 0, resent: 0, settled: 0, requeued: [] },
    };
    const work = await Promise.all(
      Array.from({ length: this.shards }, (_, shard) => this.store.dueWork(shard, now)),
    );
    const due = work.flatMap((w) => w.timers).sort((a, b) => a.dueAt.localeCompare(b.dueAt));
    const accounts = this.loyalty ? work.flatMap((w) => w.loyalty) : [];
    report.due = due.length + accounts.length;
    if (this.outbox)
      await this.reconcileOutbox(
        work.flatMap((w) => w.outbox),
        now,
        report,
      );
    await forEachCustomer(
      due,
      (timer) => timer.customerId,
      this.concurrency,
      async (timer) => {
        try {
          const outcome = await this.journeys.handleTimer(
            timer.journeyId,
            timer.customerId,
            timer.instanceId,
            timer.dueAt,
          );
          if (outcome.status === 'applied') {
            report.advanced++;
            report.trace.push(...outcome.trace.map((t) => ({ ...t, customerId: timer.customerId })));
          }
        } catch (error) {
          // One customer's failure must not hold back the others; the timer stays due and is retried
          // on the next sweep, and the report makes the failure visible.
          report.failed.push({
            journeyId: timer.journeyId,
            customerId: timer.customerId,
            error: String(error),
          });
        }
      },
    );
    await this.advanceLoyalty(accounts, report);
    return report;
  }

  /** Each due account once: the loyalty decision handles everything that fell due up to then. */
  private async advanceLoyalty(accounts: DueLoyalty[], report: SweepReport): Promise<void> {
    const loyalty = this.loyalty as Pick<LoyaltyService, 'handleTimer'>;
    await forEachCustomer(
      accounts,
      (account) => account.customerId,
      this.concurrency,
      async ({ customerId, dueAt }) => {
        try {
          const outcome = await loyalty.handleTimer(customerId, dueAt);
          if (outcome.status === 'applied') {
            report.advanced++;
            report.trace.push(...outcome.trace.map((t) => ({ ...t, customerId })));
          }
        } catch (error) {
          // Left due, like an instance's timer: the next sweep tries again.
          report.failed.push({ journeyId: 'loyalty', customerId, error: String(error) });
        }
      },
    );
  }

  private async reconcileOutbox(entries: DueOutbox[], now: string, report: SweepReport): Promise<void> {
    const reconciler = this.outbox as OutboxReconciler;
    report.outbox.due = entries.length;
    await forEachCustomer(
      entries,
      (entry) => entry.customerId,
      this.concurrency,
      async (entry) => {
        try {
          const outcome: ReconcileOutcome = await reconciler.reconcile(entry, now);
          if (outcome === 'none') return;
          report.outbox[outcome]++;
          if (outcome !== 'settled') report.outbox.requeued.push(entry);
        } catch (error) {
          // Left due: the next sweep tries again.
          report.failed.push({ journeyId: 'outbox', customerId: entry.customerId, error: String(error) });
        }
      },
    );
  }
}
