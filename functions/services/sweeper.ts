/** Feeds instances whose timer fell due back through the engine, many customers side by side. */
import type { JourneyStore } from '../adapters/store.ts';
import type { TraceEntry } from '../core/model.ts';
import { forEachCustomer } from './concurrency.ts';
import type { JourneyService } from './journeys.ts';

export interface SweepReport {
  due: number;
  advanced: number;
  failed: { journeyId: string; customerId: string; error: string }[];
  /** What the advanced instances did, for logs and the simulator's timeline. */
  trace: (TraceEntry & { customerId: string })[];
}

export class Sweeper {
  constructor(
    private readonly store: JourneyStore,
    private readonly journeys: JourneyService,
    private readonly shards: number,
    /** Customers advanced at once; each customer's timers still run in due order. */
    private readonly concurrency = 8,
  ) {}

  async sweep(now: string): Promise<SweepReport> {
    const report: SweepReport = { due: 0, advanced: 0, failed: [], trace: [] };
    const due = (
      await Promise.all(Array.from({ length: this.shards }, (_, shard) => this.store.dueTimers(shard, now)))
    )
      .flat()
      .sort((a, b) => a.dueAt.localeCompare(b.dueAt));
    report.due = due.length;
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
    return report;
  }
}
