/**
 * Fault row "fuzzed events": seeded fast-check events (arbitrary detail-types including prototype keys,
 * arbitrary JSON including huge, deep and unsafe numbers, valid events with mutated fields, hostile
 * strings, SES events) delivered through every handler the local runtime routes them to, plus requests
 * to the preferences endpoint. On DynamoDB Local, not the memory table: its item size, nesting and
 * number limits are what broke handlers.
 *
 * crashed: invocations that threw (in AWS: retries, then the DLQ) and preferences answers of 5xx.
 * lost: events accepted by some handlers and rejected by others (a partial write: the rejecting
 * handlers' share of the event is lost), and events every handler rejected with no rejected record.
 */
import path from 'node:path';
import { VirtualClock } from '../../functions/adapters/clock.ts';
import { buildCatalog } from '../../functions/catalog/build.ts';
import { TOKEN_PURPOSE } from '../../functions/core/links.ts';
import { signToken } from '../../functions/core/tokens.ts';
import { type Delivery, LocalRuntime, type PublishedEvent } from '../../local/runtime/runtime.ts';
import { startDynamoDbLocal } from '../../local/servers/dynamodb-local.ts';
import { fuzzPlan } from '../fuzz-events.ts';
import type { FaultCheck, FaultRow, FaultRunOptions } from '../types.ts';

const ROOT = path.resolve(import.meta.dirname, '../..');
const START = '2026-03-02T08:00:00Z';
const SIZES = { small: { events: 150, requests: 30 }, full: { events: 1_200, requests: 200 } };

export interface FuzzReport {
  row: FaultRow;
  /** The first crashes and partial events, for a failing test to show. */
  samples: string[];
}

export async function runFuzz(
  options: FaultRunOptions,
  servers: { dynamoEndpoint?: string } = {},
): Promise<FuzzReport> {
  const started = servers.dynamoEndpoint ? undefined : await startDynamoDbLocal();
  try {
    return await fuzz(options, servers.dynamoEndpoint ?? (started?.endpoint as string));
  } finally {
    await started?.stop();
  }
}

async function fuzz(options: FaultRunOptions, dynamoEndpoint: string): Promise<FuzzReport> {
  const size = SIZES[options.size];
  const { catalog } = await buildCatalog(ROOT, { defaultLocale: 'en' });
  const clock = new VirtualClock(START);
  const published: PublishedEvent[] = [];
  const runtime = await LocalRuntime.create({
    catalog,
    clock,
    dynamoEndpoint,
    stream: false,
    // Nothing is dispatched here: the row is about accepting or rejecting events.
    sesEndpoint: 'http://127.0.0.1:9',
    env: { TABLE_NAME: `fuzz-${options.seed}-${Date.now()}` },
    routePublished: async (event) => void published.push(event),
  });
  const plan = fuzzPlan({ count: size.events, requests: size.requests, seed: options.seed, start: START });
  const samples: string[] = [];
  const sample = (line: string) => samples.length < 20 && samples.push(line);
  let invocations = 0;
  let crashed = 0;
  let partial = 0;
  /** Accepted by some handlers while another threw (already counted as crashed). */
  let halfCrashed = 0;
  const rejectedByAll: string[] = [];

  const count = (delivery: Delivery) => {
    invocations += delivery.targets.length;
    for (const target of delivery.targets) {
      if (target.error === undefined) continue;
      crashed++;
      sample(
        `${delivery.event.id} ${JSON.stringify(delivery.event.detailType).slice(0, 40)} → ${target.target} threw ${target.error.slice(0, 200)}`,
      );
    }
    const verdicts = new Set(
      delivery.targets.map((t) =>
        t.error !== undefined ? 'crashed' : t.outcome?.status === 'rejected' ? 'rejected' : 'accepted',
      ),
    );
    if (verdicts.has('accepted') && verdicts.has('rejected')) {
      partial++;
      sample(
        `${delivery.event.id} ${delivery.event.detailType}: accepted by some handlers, rejected by others`,
      );
    } else if (verdicts.has('accepted') && verdicts.has('crashed')) halfCrashed++;
    else if (verdicts.size === 1 && verdicts.has('rejected')) rejectedByAll.push(delivery.event.id);
  };

  for (const event of plan.events) count(await runtime.deliver(event));

  // The preferences endpoint: arbitrary requests, and every fifth a genuinely signed feedback link
  // with a hostile comment, whose feedback.submitted then goes through the handlers too.
  let answers5xx = 0;
  const secret = runtime.config.signingSecret as string;
  for (const [i, request] of plan.requests.entries()) {
    const signed = i % 5 === 0;
    const token = signToken(secret, {
      customerId: `c-${i % 4}`,
      purpose: TOKEN_PURPOSE.feedback,
      expiresAt: '2026-05-01T00:00:00Z',
      orderId: `c-${i % 4}-o0`,
      score: String(i % 11),
    });
    const actual = signed
      ? { ...request, method: 'POST', path: '/feedback', query: { token, score: String(i % 11) } }
      : request;
    try {
      const result = await runtime.services.preferences.handle(actual);
      if (result.response.status >= 500) {
        answers5xx++;
        sample(`preferences ${actual.method} ${actual.path.slice(0, 40)} answered ${result.response.status}`);
      }
    } catch (error) {
      answers5xx++;
      sample(`preferences ${actual.method} ${actual.path.slice(0, 40)} threw ${String(error).slice(0, 200)}`);
    }
  }
  for (const event of published.splice(0)) {
    count(
      await runtime.deliver({
        id: `published-${invocations}`,
        source: event.source,
        detailType: event.detailType,
        time: event.time,
        detail: event.detail,
      }),
    );
  }

  const recorded = new Set(
    (await runtime.services.store.rejections(START.slice(0, 10))).map((r) => String(r.eventId)),
  );
  // Rejected events of a customer erased later went with the customer; all others must be on the log.
  const byId = new Map(plan.events.map((event) => [event.id, event]));
  const unrecorded: string[] = [];
  for (const id of rejectedByAll) {
    if (recorded.has(id)) continue;
    const customerId = (byId.get(id)?.detail as { customerId?: unknown } | undefined)?.customerId;
    const erased =
      typeof customerId === 'string' && (await runtime.services.store.isErased(customerId.trim()));
    if (!erased) unrecorded.push(id);
  }
  for (const id of unrecorded.slice(0, 5)) sample(`${id}: rejected, but not on the rejected log`);
  runtime.dynamo?.destroy();

  return {
    row: {
      name: 'fuzzed events (seeded fast-check)',
      cases: plan.events.length + plan.requests.length,
      lost: partial + unrecorded.length,
      doubled: 0,
      crashed: crashed + answers5xx,
      leaked: 0,
      note:
        `${plan.events.length} events → ${invocations} handler invocations (${rejectedByAll.length} events rejected by every handler), ` +
        `${plan.requests.length} preferences requests; partial writes (accepted by some handlers, rejected by others) ` +
        `counted as lost: ${partial}; accepted by some while another crashed: ${halfCrashed}; DynamoDB Local; seed ${options.seed}`,
    },
    samples,
  };
}

export default {
  name: 'fuzzed events',
  run: async (options: FaultRunOptions) =>
    (await runFuzz(options, { dynamoEndpoint: process.env.FAULTS_DYNAMODB_ENDPOINT })).row,
} satisfies FaultCheck;
