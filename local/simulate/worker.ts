/**
 * A worker thread of a parallel simulation (parallel.ts): its share of the customers on its own
 * memory table and in-process SES, working its own windows through the period.
 */
import { parentPort, workerData } from 'node:worker_threads';
import type { CapacityMeter } from '../../functions/adapters/store.ts';
import { MemoryTables } from '../memory-table/table.ts';
import type { WorkerInput, WorkerReply, WorkerRequest } from './parallel.ts';
import { startRun } from './run.ts';

/** The table requests made, counted by operation and capacity, for the coordinator's meter. */
class CountingMeter implements CapacityMeter {
  readonly counts = new Map<string, [string, number | undefined, number]>();
  record(operation: string, capacityUnits: number | undefined): void {
    const key = `${operation}|${capacityUnits}`;
    const count = this.counts.get(key);
    if (count) count[2]++;
    else this.counts.set(key, [operation, capacityUnits, 1]);
  }
}

const port = parentPort;
if (!port) throw new Error('local/simulate/worker.ts runs as a worker thread (parallel.ts)');
const reply = (message: WorkerReply) => port.postMessage(message);

try {
  const input = workerData as WorkerInput;
  const meter = input.options.meter ? new CountingMeter() : undefined;
  const run = await startRun(
    input.scenario,
    input.events,
    input.catalog,
    { memory: new MemoryTables() },
    { ...input.options, meter },
  );
  // Told to run once every worker has loaded: then it works its whole share through, handing over
  // each window's entries as it goes, and its order and meter at the end.
  port.once('message', (_request: WorkerRequest) => {
    const runShare = async (): Promise<WorkerReply> => {
      await run.workThrough((until) => reply({ kind: 'worked', until, delta: JSON.stringify(run.drain()) }));
      const delta = JSON.stringify(run.drain());
      return { kind: 'finished', delta, orders: run.orders(), meter: [...(meter?.counts.values() ?? [])] };
    };
    runShare().then(reply, (error: unknown) =>
      reply({
        kind: 'failed',
        error: error instanceof Error ? (error.stack ?? error.message) : String(error),
      }),
    );
  });
  reply({ kind: 'ready' });
} catch (error) {
  reply({ kind: 'failed', error: error instanceof Error ? (error.stack ?? error.message) : String(error) });
}
