/** Feeds instances whose timer fell due back through the engine, shard by shard. */
import type { JourneyStore } from '../adapters/store.ts';
import type { JourneyService, Outcome } from './journeys.ts';

export interface SweepReport {
  due: number;
  advanced: number;
  failed: { journeyId: string; customerId: string; error: string }[];
}

export class Sweeper {
  constructor(
    private readonly store: JourneyStore,
    private readonly journeys: JourneyService,
    private readonly shards: number,
  ) {}

  async sweep(now: string): Promise<SweepReport> {
    const report: SweepReport = { due: 0, advanced: 0, failed: [] };
    await Promise.all(
      Array.from({ length: this.shards }, async (_, shard) => {
        const due = await this.store.dueTimers(shard, now);
        report.due += due.length;
        for (const timer of due) {
          try {
            const outcome: Outcome = await this.journeys.handleTimer(
              timer.journeyId,
              timer.customerId,
              timer.instanceId,
              timer.dueAt,
            );
            if (outcome.status === 'applied') report.advanced++;
          } catch (error) {
            // One customer's failure must not hold back the shard; the timer stays due and is retried
            // on the next sweep, and the report makes the failure visible.
            report.failed.push({
              journeyId: timer.journeyId,
              customerId: timer.customerId,
              error: String(error),
            });
          }
        }
      }),
    );
    return report;
  }
}
