/**
 * A simulation split by customer over worker threads. Customers meet only through the table and the
 * bus, so customers who may meet — a referral code and its owner, customers sharing a mailbox (one
 * suppression), one customer naming another in an event — stay together in one worker, and each
 * worker simulates its share on its own memory table and in-process SES, through windows of its own
 * and without waiting for the others: what a customer's work does depends on its inputs and their
 * virtual moments, not on where a window ends, and every input a customer can get comes from its own
 * share. The results merge into the order a single process gives (Timeline.merge): the same report,
 * in a fraction of the time on a machine with several cores.
 *
 * What stays in one thread: DynamoDB Local or the SES emulator (one server for all), a behaviour
 * model (`react`, a function) and an analytics log, and events that name no customer.
 */
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import type { Catalog } from '../../functions/catalog/catalog.ts';
import { canonicalMailbox, normaliseCode, referralCode } from '../../functions/core/referral.ts';
import type { SimulateOptions, SimulationServers } from './index.ts';
import type { ListOrders } from './order.ts';
import { type IndexedEvent, SIMULATION_SIGNING_SECRET } from './run.ts';
import type { Scenario } from './scenario.ts';
import { type SimulationResult, type SortedPart, Timeline, type TimelineDelta } from './timeline.ts';
import { workerScript } from './worker-script.ts';

/** The scenario's events, one share per worker (each customer in one share). */
export type ScenarioSplit = IndexedEvent[][];

/** What a worker is started with (worker.ts). */
export interface WorkerInput {
  scenario: Scenario;
  events: IndexedEvent[];
  catalog: Catalog;
  options: Pick<SimulateOptions, 'tableName' | 'bodies' | 'sesRequestTimeoutMs'> & { meter: boolean };
}

/** The one request: work the share through (sent once every worker has loaded). */
export type WorkerRequest = { kind: 'run' };

export type WorkerReply =
  | { kind: 'ready' }
  /** `delta`: the window's entries as JSON (a string crosses threads faster than the objects). */
  | { kind: 'worked'; until: string; delta: string }
  | {
      kind: 'finished';
      delta: string;
      orders: ListOrders;
      meter: [string, number | undefined, number][];
    }
  | { kind: 'failed'; error: string };

/** Union–find over customer ids. */
class Groups {
  private readonly parent = new Map<string, string>();
  find(x: string): string {
    let root = x;
    for (let p = this.parent.get(root); p !== undefined && p !== root; p = this.parent.get(root)) root = p;
    this.parent.set(x, root);
    return root;
  }
  union(a: string, b: string): void {
    const ra = this.find(a);
    const rb = this.find(b);
    if (ra !== rb) this.parent.set(rb, ra);
  }
}

/** Every string inside an event's detail. */
function strings(value: unknown, into: string[] = []): string[] {
  if (typeof value === 'string') into.push(value);
  else if (Array.isArray(value)) for (const v of value) strings(v, into);
  else if (typeof value === 'object' && value !== null)
    for (const v of Object.values(value)) strings(v, into);
  return into;
}

/**
 * The scenario's events in shares for `workers` workers, customers who may meet in one share; or
 * undefined when the run stays in this thread (see the file's comment, or fewer than two shares).
 */
export function partitionScenario(
  scenario: Scenario,
  options: SimulateOptions,
  servers: SimulationServers,
  workers: number,
): ScenarioSplit | undefined {
  if (workers < 2 || !servers.memory || servers.sesEndpoint || options.react || options.analytics)
    return undefined;
  const customerOf = (e: Scenario['events'][number]) => e.detail.customerId;
  if (!scenario.events.every((e) => typeof customerOf(e) === 'string' && customerOf(e) !== ''))
    return undefined;
  const customers = new Set(scenario.events.map((e) => customerOf(e) as string));
  const groups = new Groups();
  // Referral codes derive from the customer id: a registration naming a code reads its owner's
  // record, and two customers whose codes collide claim one of them first.
  const codeOwners = new Map<string, string>();
  for (const id of customers) {
    const code = referralCode(SIMULATION_SIGNING_SECRET, id);
    const owner = codeOwners.get(code);
    if (owner === undefined) codeOwners.set(code, id);
    else groups.union(owner, id);
  }
  const mailboxes = new Map<string, string>();
  for (const e of scenario.events) {
    const id = customerOf(e) as string;
    for (const text of strings(e.detail)) {
      if (text !== id && customers.has(text)) groups.union(id, text);
      if (text.includes('@')) {
        const mailbox = canonicalMailbox(text);
        const first = mailboxes.get(mailbox);
        if (first === undefined) mailboxes.set(mailbox, id);
        else groups.union(first, id);
      }
    }
    const code = e.detail.referredByCode;
    if (typeof code === 'string') {
      const normalised = normaliseCode(code);
      const owner = codeOwners.get(normalised) ?? codeOwners.get(normalised.replace(/-\d+$/, ''));
      if (owner !== undefined) groups.union(id, owner);
    }
  }
  // Groups in the order of their first event; each to the share with the fewest events so far.
  const byGroup = new Map<string, IndexedEvent[]>();
  scenario.events.forEach((e, index) => {
    const root = groups.find(customerOf(e) as string);
    const list = byGroup.get(root);
    if (list) list.push({ ...e, index });
    else byGroup.set(root, [{ ...e, index }]);
  });
  const count = Math.min(workers, byGroup.size);
  if (count < 2) return undefined;
  const shares: ScenarioSplit = Array.from({ length: count }, () => []);
  for (const list of byGroup.values()) {
    let smallest = 0;
    for (let i = 1; i < count; i++)
      if ((shares[i] as IndexedEvent[]).length < (shares[smallest] as IndexedEvent[]).length) smallest = i;
    (shares[smallest] as IndexedEvent[]).push(...list);
  }
  for (const share of shares) share.sort((a, b) => a.index - b.index);
  return shares;
}

type Finished = Extract<WorkerReply, { kind: 'finished' }>;

/** One worker thread: ready once loaded, then its share worked through, window after window. */
class SimulationWorker {
  private readonly worker: Worker;
  private waiting: { resolve: (reply: WorkerReply) => void; reject: (error: Error) => void } | undefined;
  private failure: Error | undefined;
  private readonly loaded: Promise<WorkerReply>;

  constructor(
    script: URL,
    input: WorkerInput,
    /** Each window's entries as the worker hands them over. */
    private readonly onWorked: (reply: Extract<WorkerReply, { kind: 'worked' }>) => void,
  ) {
    this.worker = new Worker(script, {
      workerData: input,
      // The young generation a year of a shop wants: fewer scavenges (about a tenth less CPU).
      resourceLimits: { maxYoungGenerationSizeMb: 192 },
    });
    this.loaded = this.next();
    this.worker.on('message', (reply: WorkerReply) => {
      if (reply.kind === 'worked') return this.onWorked(reply);
      const waiting = this.waiting;
      this.waiting = undefined;
      if (reply.kind === 'failed') waiting?.reject(new Error(reply.error));
      else waiting?.resolve(reply);
    });
    const fail = (error: Error) => {
      this.failure ??= error;
      this.waiting?.reject(error);
      this.waiting = undefined;
    };
    this.worker.on('error', fail);
    this.worker.on('exit', (code) => fail(new Error(`a simulation worker exited (code ${code})`)));
  }

  private next(): Promise<WorkerReply> {
    if (this.failure) return Promise.reject(this.failure);
    return new Promise((resolve, reject) => {
      this.waiting = { resolve, reject };
    });
  }

  async ready(): Promise<void> {
    expect(await this.loaded, 'ready');
  }

  /** Works the share through; answers with its last entries, its order and its meter. */
  async run(): Promise<Finished> {
    const finished = this.next();
    this.worker.postMessage({ kind: 'run' } satisfies WorkerRequest);
    return expect(await finished, 'finished');
  }

  async stop(): Promise<void> {
    this.worker.removeAllListeners('exit');
    await this.worker.terminate();
  }
}

const expect = <K extends WorkerReply['kind']>(reply: WorkerReply, kind: K) => {
  if (reply.kind !== kind) throw new Error(`a simulation worker answered ${reply.kind}, not ${kind}`);
  return reply as Extract<WorkerReply, { kind: K }>;
};

/** The simulation over `split.length` workers, each through its share at its own pace; the result merged. */
export async function simulateInParallel(
  scenario: Scenario,
  split: ScenarioSplit,
  catalog: Catalog,
  options: SimulateOptions,
): Promise<SimulationResult> {
  const script = await workerScript();
  // Each worker's part grows window by window: the coordinator takes a worker's entries while the
  // workers go on, instead of all of them at the end.
  const parts: SortedPart[] = split.map(() => ({
    timeline: [],
    generations: [],
    emails: [],
    events: [],
    rejected: [],
    errors: [],
    steps: 0,
    orders: { timeline: new Int32Array(), emails: new Int32Array(), events: new Int32Array() },
  }));
  const handOver = (i: number, delta: string) => {
    const part = parts[i] as SortedPart;
    const d = JSON.parse(delta) as TimelineDelta;
    // One by one: a spread of a year's entries would overflow the stack.
    for (const line of d.timeline) part.timeline.push(line);
    for (const g of d.generations) part.generations.push(g);
    for (const email of d.emails) part.emails.push(email);
    for (const event of d.events) part.events.push(event);
    for (const rejected of d.rejected) part.rejected.push(rejected);
    for (const error of d.errors) part.errors.push(error);
    part.steps += d.steps;
  };
  // Progress is where the slowest worker is.
  const reached = split.map(() => Number.NEGATIVE_INFINITY);
  const workers = split.map(
    (events, i) =>
      new SimulationWorker(
        script.url,
        {
          scenario: { ...scenario, events: [] },
          events,
          catalog,
          options: {
            tableName: options.tableName,
            bodies: options.bodies,
            sesRequestTimeoutMs: options.sesRequestTimeoutMs,
            meter: options.meter !== undefined,
          },
        },
        ({ until, delta }) => {
          handOver(i, delta);
          const before = Math.min(...reached);
          reached[i] = Date.parse(until);
          const slowest = Math.min(...reached);
          if (slowest > before) options.onProgress?.(new Date(slowest).toISOString());
        },
      ),
  );
  try {
    await Promise.all(workers.map((w) => w.ready()));
    await script.remove();
    const finished = await Promise.all(
      workers.map((w, i) =>
        w.run().then((answer) => {
          handOver(i, answer.delta);
          return answer;
        }),
      ),
    );
    finished.forEach(({ orders }, i) => {
      (parts[i] as SortedPart).orders = orders;
    });
    for (const { meter } of finished)
      for (const [operation, units, times] of meter)
        for (let i = 0; i < times; i++) options.meter?.record(operation, units);
    return Timeline.merge(parts, 'memory');
  } finally {
    await Promise.all(workers.map((w) => w.stop()));
    await script.remove();
  }
}

/** From this many customers on, a CLI run without `--workers` uses every core (startup ≈ seconds). */
export const PARALLEL_FROM_CUSTOMERS = 1000;

/**
 * The workers of a command-line run: `--workers N` as given (1: this thread), or without it every
 * core once the run is large enough to pay for starting the workers. Undefined for an invalid value.
 */
export function workersFor(flag: string | undefined, customers: number): number | undefined {
  if (flag === undefined) return customers >= PARALLEL_FROM_CUSTOMERS ? availableParallelism() : 1;
  const n = Number(flag);
  return Number.isInteger(n) && n >= 1 ? n : undefined;
}
