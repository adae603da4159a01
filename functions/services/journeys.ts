/**
 * The imperative shell around the engine: load the customer's partition, decide, write the decision
 * in one conditional transaction, retry on a lost race. Lambda handlers, the local runtime and the
 * simulator all come through here.
 */
import type { JourneyStore, SaveRequest, SaveResult } from '../adapters/store.ts';
import { type CompiledJourney, compileJourney } from '../core/compile.ts';
import { type Decision, decide, type EngineConfig, type EngineInput } from '../core/engine.ts';
import { UnknownJourneyError } from '../core/errors.ts';
import { parseShopEvent, type RawEvent, type ShopEvent } from '../core/events.ts';
import type { TraceEntry } from '../core/model.ts';
import { withEventApplied } from '../core/profile.ts';
import { CONFLICT, retryOnConflict } from './retry.ts';
import { verifyValueEvent } from './value-checks.ts';

export type Outcome =
  | { status: 'applied'; trace: TraceEntry[]; effects: number }
  | { status: 'unchanged'; trace: TraceEntry[] }
  | { status: 'duplicate' }
  /** The customer was erased (`customer.deleted`): the event is dropped, nothing is recorded. */
  | { status: 'erased' }
  | { status: 'rejected'; errors: string[] };

export interface ServiceDeps {
  store: JourneyStore;
  journeys: ReadonlyMap<string, CompiledJourney>;
  engine: EngineConfig;
  now: () => string;
  /** Called after a conflict before the next attempt; tests and the simulator pass a no-op. */
  backoff?: (attempt: number) => Promise<void>;
}

/**
 * The one validation every consumer of an event runs (journeys, profile): the same contract and the
 * same clock tolerance, so an event is accepted by all of them or rejected by all. A malformed event is
 * kept on the rejected log and never retried; only a fault of the store throws (and is retried).
 */
export async function acceptEvent(
  deps: Pick<ServiceDeps, 'store' | 'now'>,
  raw: RawEvent,
  consumer: string,
): Promise<{ ok: true; event: ShopEvent } | { ok: false; outcome: Outcome }> {
  const now = deps.now();
  const parsed = parseShopEvent(raw, { now });
  if (parsed.ok) return parsed;
  await deps.store.recordRejection({
    eventId: raw.id,
    detailType: raw.detailType,
    source: raw.source,
    time: raw.time,
    detail: raw.detail,
    errors: parsed.errors,
    consumer,
    now,
  });
  return { ok: false, outcome: { status: 'rejected', errors: parsed.errors } };
}

/** What a decision's save means for the event; CONFLICT: decide again from a fresh read. */
export function outcomeOfSave(result: SaveResult, applied: Outcome): Outcome | typeof CONFLICT {
  if (result === 'saved') return applied;
  if (result === 'duplicate') return { status: 'duplicate' };
  if (result === 'erased') return { status: 'erased' };
  return CONFLICT;
}

export class JourneyService {
  constructor(private readonly deps: ServiceDeps) {}

  journey(journeyId: string): CompiledJourney {
    const journey = this.deps.journeys.get(journeyId);
    if (!journey) throw new UnknownJourneyError(journeyId);
    return journey;
  }

  async handleEvent(journeyId: string, raw: RawEvent): Promise<Outcome> {
    const accepted = await acceptEvent(this.deps, raw, `journey:${journeyId}`);
    if (!accepted.ok) return accepted.outcome;
    const event = accepted.event;
    const untrusted = await verifyValueEvent(this.deps, event, `journey:${journeyId}`);
    if (untrusted) return untrusted;
    return this.run(
      journeyId,
      event.detail.customerId,
      { kind: 'event', event },
      {
        eventId: event.id,
        consumer: `journey:${journeyId}`,
      },
    );
  }

  async handleTimer(
    journeyId: string,
    customerId: string,
    instanceId: string,
    dueAt: string,
  ): Promise<Outcome> {
    return this.run(journeyId, customerId, { kind: 'timer', instanceId, dueAt }, undefined);
  }

  private async run(
    journeyId: string,
    customerId: string,
    input: EngineInput,
    processed: SaveRequest['processed'],
  ): Promise<Outcome> {
    const journey = this.journey(journeyId);
    return retryOnConflict(
      `journey ${journeyId}, customer ${customerId}`,
      async (): Promise<Outcome | typeof CONFLICT> => {
        const now = this.deps.now();
        const { view } = await this.deps.store.loadCustomer(customerId);
        // Decide on the profile as it is once this event is applied, even if the profile projection
        // has not stored it yet: the registration carries the email and locale the welcome needs.
        const customer = input.kind === 'event' ? withEventApplied(view, input.event) : view;
        const versions = await this.versionsFor(journey, view.instances);
        const decision: Decision = decide({
          journey,
          versions,
          customer,
          input,
          now,
          config: this.deps.engine,
        });
        if (decision.instances.length === 0 && decision.effects.length === 0) {
          return { status: 'unchanged', trace: decision.trace };
        }
        const entered = decision.instances.filter((i) => i.version === 0);
        const result = await this.deps.store.save({
          customerId,
          processed,
          instances: decision.instances,
          ledger: decision.ledger,
          effects: decision.effects,
          definitions: entered.length ? [{ definition: journey.definition, version: journey.version }] : [],
          now,
        });
        return outcomeOfSave(result, {
          status: 'applied',
          trace: decision.trace,
          effects: decision.effects.length,
        });
      },
      { backoff: this.deps.backoff },
    );
  }

  /** The current version plus any older versions that running instances pinned. */
  private async versionsFor(
    journey: CompiledJourney,
    instances: { journeyId: string; definitionVersion: string }[],
  ): Promise<Map<string, CompiledJourney>> {
    const versions = new Map([[journey.version, journey]]);
    for (const instance of instances) {
      if (instance.journeyId !== journey.definition.id || versions.has(instance.definitionVersion)) continue;
      const definition = await this.deps.store.loadDefinition(
        journey.definition.id,
        instance.definitionVersion,
      );
      if (definition)
        versions.set(instance.definitionVersion, compileJourney(definition, instance.definitionVersion));
    }
    return versions;
  }
}
