/**
 * A simulation split by customer over worker threads. Customers meet only through the table and the
 * bus, so customers who may meet — a referral code and its owner, customers sharing a mailbox (one
 * suppression), one customer naming another in an event — stay together in one worker, and each
 * worker simulates its share on its own memory table and in-process SES. Every worker works the same
 * windows a single process would (the coordinator combines their proposals, agenda.ts), and their
 * results merge into the order a single process gives (Timeline.merge): the same report, in a
 * fraction of the time on a machine with several cores.
 *
 * What stays in one thread: DynamoDB Local or the SES emulator (one server for all), a behaviour
 * model (`react`, a function) and an analytics log, and events that name no customer.
 */
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import type { Catalog } from '../../functions/catalog/catalog.ts';
import { canonicalMailbox, normaliseCode, referralCode } from '../../functions/core/referral.ts';
import { earlierProposal, type WindowProposal, windowAfter, windowStartAfter } from './agenda.ts';
import type { SimulateOptions, SimulationServers } from './index.ts';
import type { ListOrders } from './order.ts';
import { type IndexedEvent, SIMULATION_SIGNING_SECRET } from './run.ts';
import { period, type Scenario } from './scenario.ts';
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

export type WorkerRequest = { kind: 'work'; until: string } | { kind: 'finish' };

export type WorkerReply =
  | { kind: 'ready'; barriers: readonly string[]; proposal: WindowProposal }
  /** `delta`: the window's entries as JSON (a string crosses threads faster than the objects). */
  | { kind: 'worked'; proposal: WindowProposal; delta: string }
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

/** One worker thread and its replies, one request at a time. */
class SimulationWorker {
  private readonly worker: Worker;
  private pending: { resolve: (reply: WorkerReply) => void; reject: (error: Error) => void } | undefined;
  private failure: Error | undefined;
  private firstReply: Promise<WorkerReply>;

  constructor(script: URL, input: WorkerInput) {
    this.worker = new Worker(script, {
      workerData: input,
      // The young generation a year of a shop wants: fewer scavenges (about a tenth less CPU).
      resourceLimits: { maxYoungGenerationSizeMb: 192 },
    });
    this.firstReply = this.next();
    this.worker.on('message', (reply: WorkerReply) => {
      const pending = this.pending;
      this.pending = undefined;
      if (reply.kind === 'failed') pending?.reject(new Error(reply.error));
      else pending?.resolve(reply);
    });
    const fail = (error: Error) => {
      this.failure ??= error;
      this.pending?.reject(error);
      this.pending = undefined;
    };
    this.worker.on('error', fail);
    this.worker.on('exit', (code) => fail(new Error(`a simulation worker exited (code ${code})`)));
  }

  private next(): Promise<WorkerReply> {
    if (this.failure) return Promise.reject(this.failure);
    return new Promise((resolve, reject) => {
      this.pending = { resolve, reject };
    });
  }

  ready(): Promise<WorkerReply> {
    return this.firstReply;
  }

  request(request: WorkerRequest): Promise<WorkerReply> {
    const reply = this.next();
    this.worker.postMessage(request);
    return reply;
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

/** The simulation over `split.length` workers, window by window in step; the result merged. */
export async function simulateInParallel(
  scenario: Scenario,
  split: ScenarioSplit,
  catalog: Catalog,
  options: SimulateOptions,
): Promise<SimulationResult> {
  const { end } = period(scenario);
  const script = await workerScript();
  const workers = split.map(
    (events) =>
      new SimulationWorker(script.url, {
        scenario: { ...scenario, events: [] },
        events,
        catalog,
        options: {
          tableName: options.tableName,
          bodies: options.bodies,
          sesRequestTimeoutMs: options.sesRequestTimeoutMs,
          meter: options.meter !== undefined,
        },
      }),
  );
  // Each worker's part grows window by window: a worker that finished its window early hands its
  // entries over while the others still work, instead of all of them at the end.
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
  const ask = <K extends WorkerReply['kind']>(request: WorkerRequest, kind: K) =>
    Promise.all(
      workers.map((w, i) =>
        w.request(request).then((reply) => {
          const answer = expect(reply, kind);
          if ('delta' in answer) handOver(i, answer.delta);
          return answer;
        }),
      ),
    );
  try {
    const ready = (await Promise.all(workers.map((w) => w.ready()))).map((r) => expect(r, 'ready'));
    await script.remove();
    const barriers = ready.flatMap((r) => r.barriers).sort();
    let proposals = ready.map((r) => r.proposal);
    let from = period(scenario).start;
    for (;;) {
      const window = windowAfter(from, end, proposals.reduce(earlierProposal), barriers);
      if (!window) break;
      const { until } = window;
      options.onProgress?.(until);
      proposals = (await ask({ kind: 'work', until }, 'worked')).map((r) => r.proposal);
      from = windowStartAfter(until, barriers);
    }
    const finished = await ask({ kind: 'finish' }, 'finished');
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
