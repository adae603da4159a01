/**
 * Duplicates ×3: every shop event of a multi-customer shop delivered three times — once with the same
 * EventBridge id (EventBridge's at-least-once delivery) and once with a new id for each copy (the shop
 * retried PutEvents) — through the real handlers, store, dispatcher and SES emulator (the simulator on
 * the memory table). The emails SES received and the events the system published must equal those of
 * the single delivery: anything missing is lost, anything more is doubled.
 */
import type { Scenario } from '../../local/simulate.ts';
import { shopScenario } from '../support/shop.ts';
import {
  countDiff,
  crashes,
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

const eventKey = (e: MemorySimulation['result']['events'][number]) =>
  `${e.detailType} ${JSON.stringify(e.detail, Object.keys(e.detail).sort())} @${e.at}`;

export default {
  name: 'duplicates ×3 (same id, new id)',
  async run({ size, seed }): Promise<FaultRow> {
    const scenario = shopScenario({ customers: size === 'small' ? 12 : 200, seed, days: 60 });
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
      const customers = new Set(scenario.events.map((e) => e.detail.customerId)).size;
      return {
        name: this.name,
        cases: scenario.events.length * COPY_DELAYS_MS.length * 2,
        lost,
        doubled,
        crashed,
        leaked: 0,
        note:
          `${customers} customers, ${scenario.events.length} events ×3 twice; single delivery: ` +
          `${once.captured.length} emails, ${once.result.events.length} published; ${details.join('; ')}`,
      };
    });
  },
} satisfies FaultCheck;
