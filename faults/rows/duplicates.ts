/**
 * Duplicates ×3: every shop event of a multi-customer shop delivered three times — once with the same
 * EventBridge id (EventBridge's at-least-once delivery) and once with a new id for each copy (the shop
 * retried PutEvents) — through the real handlers, store, dispatcher and SES emulator (the simulator on
 * the memory table). Then on a memory-table runtime without the simulator (driveRuntime): every event
 * and every timer sweep handled by three invocations at the same moment, every outbox entry
 * redelivered three times, and finally raced by three dispatchers at once.
 *
 * The emails SES received and the events the system published must equal those of the single
 * delivery: anything missing is lost, anything more is doubled (for the raced outbox: emails only,
 * emitted events are at-least-once by design).
 */
import type { Scenario } from '../../local/simulate/index.ts';
import { shopScenario } from '../support/shop.ts';
import {
  countDiff,
  crashes,
  type DrivenRun,
  driveRuntime,
  emailKey,
  type MemorySimulation,
  simulateOnMemory,
  withSesEmulator,
} from '../support/world.ts';
import type { FaultCheck, FaultRow } from '../types.ts';

/** When the copies arrive after the original: at once and after a retry a few minutes later. */
const COPY_DELAYS_MS = [0, 0, 4 * 60_000];

type IdMode = 'same id' | 'new id';

export function tripled(scenario: Scenario, mode: IdMode): Scenario {
  return {
    ...scenario,
    events: scenario.events.flatMap((event) =>
      COPY_DELAYS_MS.map((delay, copy) => ({
        ...event,
        at: new Date(Date.parse(event.at) + delay).toISOString().replace(/\.\d{3}Z$/, 'Z'),
        id: mode === 'same id' || copy === 0 ? event.id : `${event.id}-retry${copy}`,
        detail: structuredClone(event.detail),
      })),
    ),
  };
}

/**
 * The emails of a run, named by the dispatcher's report; SES's own count settles the rest: an email
 * SES received that nobody reported is extra, a reported one SES never got is missing.
 */
function sentKeys(run: MemorySimulation): string[] {
  const keys = run.result.emails.map(emailKey);
  for (let i = run.result.emails.length; i < run.captured.length; i++) keys.push(`unreported email #${i}`);
  return keys.slice(0, run.captured.length);
}

/** JSON with object keys sorted at every level, so equal details give equal keys. */
function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (value && typeof value === 'object') {
    const entries = Object.entries(value).sort(([a], [b]) => a.localeCompare(b));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonical(v)}`).join(',')}}`;
  }
  return JSON.stringify(value) ?? 'undefined';
}

const eventKey = (e: { detailType: string; detail: Record<string, unknown>; at: string }) =>
  `${e.detailType} ${canonical(e.detail)} @${e.at}`;

/** A driven run's emails (as SES received them, named by the dispatcher) and published events. */
function drivenKeys(run: DrivenRun): { emails: string[]; events: string[] } {
  const emails = run.sent.map((o) => emailKey({ ...o, journey: o.journeyId }));
  for (let i = run.sent.length; i < run.captured.length; i++) emails.push(`unreported email #${i}`);
  return { emails: emails.slice(0, run.captured.length), events: run.published.map(eventKey) };
}

export default {
  name: 'duplicates ×3 (same id, new id)',
  async run({ size, seed }): Promise<FaultRow> {
    const scenario = shopScenario({
      customers: size === 'small' ? 8 : 100,
      seed,
      days: size === 'small' ? 45 : 60,
    });
    return withSesEmulator(async (ses) => {
      const once = await simulateOnMemory(scenario, ses.endpoint);
      const expectedEmails = sentKeys(once);
      const expectedEvents = once.result.events.map(eventKey);
      let lost = 0;
      let doubled = 0;
      let crashed = crashes(once.result).length;
      const details: string[] = [];
      for (const mode of ['same id', 'new id'] as const) {
        const run = await simulateOnMemory(tripled(scenario, mode), ses.endpoint);
        const emails = countDiff(expectedEmails, sentKeys(run));
        const events = countDiff(expectedEvents, run.result.events.map(eventKey));
        lost += emails.lost + events.lost;
        doubled += emails.doubled + events.doubled;
        crashed += crashes(run.result).length;
        const worst = [...emails.extra, ...emails.missing, ...events.extra, ...events.missing].slice(0, 2);
        details.push(
          `${mode}: ${emails.doubled + events.doubled} doubled, ${emails.lost + events.lost} lost${worst.length ? ` (e.g. ${worst.join('; ')})` : ''}`,
        );
      }
      // Concurrent copies: every event and timer sweep handled three times at once, every outbox
      // entry redelivered three times; then the outbox raced by three dispatchers at once.
      const single = await driveRuntime(scenario, ses.endpoint);
      const expected = drivenKeys(single);
      crashed += single.errors.length;
      for (const concurrentOutbox of [false, true]) {
        const run = await driveRuntime(scenario, ses.endpoint, { copies: 3, concurrentOutbox });
        const actual = drivenKeys(run);
        const emails = countDiff(expected.emails, actual.emails);
        const events = countDiff(expected.events, actual.events);
        crashed += run.errors.length;
        lost += emails.lost + events.lost;
        const label = concurrentOutbox
          ? 'outbox raced by 3 dispatchers'
          : 'concurrent ×3, outbox redelivered ×3';
        // Emitted events are at-least-once by design (published, then marked; consumers dedupe on
        // outboxId): two dispatchers racing on one entry may both publish. Counted for emails only.
        if (concurrentOutbox) doubled += emails.doubled;
        else doubled += emails.doubled + events.doubled;
        const examples = [...emails.extra, ...emails.missing, ...run.errors].slice(0, 2);
        details.push(
          `${label}: ${emails.doubled} emails doubled, ${events.doubled} events ${concurrentOutbox ? 'published again (at-least-once)' : 'doubled'}, ${emails.lost + events.lost} lost${examples.length ? ` (e.g. ${examples.join('; ')})` : ''}`,
        );
      }
      const customers = new Set(scenario.events.map((e) => e.detail.customerId)).size;
      return {
        name: this.name,
        cases: scenario.events.length * COPY_DELAYS_MS.length * 4,
        lost,
        doubled,
        crashed,
        leaked: 0,
        note:
          `${customers} customers, ${scenario.events.length} events ×3 four ways; single delivery: ` +
          `${once.captured.length} emails, ${once.result.events.length} published; ${details.join('; ')}`,
      };
    });
  },
} satisfies FaultCheck;
