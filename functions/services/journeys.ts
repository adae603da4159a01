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
import { settlement } from '../core/journey-history.ts';
import type { CustomerView, TraceEntry } from '../core/model.ts';
import { mayBeBeyondRecent, type OrderRetention, orderRetention } from '../core/order-history.ts';
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
  /**
   * The order summary's reach when computed elsewhere: a journey function carries only its own
   * journey, so the reach over every journey comes with its catalog part (catalog/part.ts).
   */
  orderRetention?: OrderRetention | undefined;
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

/** Settled instances moved out per decision (a transaction holds at most 100 items). */
const SETTLE_PER_DECISION = 20;

export class JourneyService {
  /** What the order summary keeps: what these journeys can look at (core/order-history.ts). */
  readonly orderRetention: OrderRetention;

  constructor(private readonly deps: ServiceDeps) {
    this.orderRetention = deps.orderRetention ?? orderRetention(deps.journeys.values());
  }

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
        const loaded = await this.deps.store.loadCustomer(customerId, this.orderRetention, journeyId);
        const view = await this.withArchivedKey(
          customerId,
          journey,
          input,
          await this.withInstanceOrders(customerId, journeyId, loaded.view),
        );
        // Decide on the profile as it is once this event is applied, even if the profile projection
        // has not stored it yet: the registration carries the email and locale the welcome needs.
        const customer =
          input.kind === 'event' ? withEventApplied(view, input.event, this.orderRetention) : view;
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
        const settle = this.settled(journey, view, decision, now);
        const settling = new Set(settle?.instances.map((i) => i.instanceId));
        const result = await this.deps.store.save({
          customerId,
          processed,
          instances: decision.instances.filter((i) => !settling.has(i.instanceId)),
          settle,
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

  /**
   * This journey's instances that nothing can change any more, moved out of the decision range in
   * the decision's own write (at most SETTLE_PER_DECISION; the rest with a later one).
   */
  private settled(
    journey: CompiledJourney,
    view: CustomerView,
    decision: Decision,
    now: string,
  ): SaveRequest['settle'] {
    const id = journey.definition.id;
    const changed = new Map(decision.instances.map((i) => [i.instanceId, i]));
    const live = view.instances
      .filter((i) => i.journeyId === id)
      .map((i) => changed.get(i.instanceId) ?? i)
      .concat(decision.instances.filter((i) => i.version === 0));
    return settlement(journey, live, view.histories?.[id], now, SETTLE_PER_DECISION);
  }

  /**
   * The view knowing whether the instance an event would start for its key was settled already (a
   * second delivery of an old order must not start its series again): one read by key, only for
   * journeys with an instance key whose instance is not live.
   */
  private async withArchivedKey(
    customerId: string,
    journey: CompiledJourney,
    input: EngineInput,
    view: CustomerView,
  ): Promise<CustomerView> {
    const { trigger, id } = journey.definition;
    if (input.kind !== 'event' || !('instanceKey' in trigger) || !trigger.instanceKey) return view;
    const key = (input.event.detail as Record<string, unknown>)[trigger.instanceKey];
    if (typeof key !== 'string') return view;
    if (!('event' in trigger) || trigger.event !== input.event.detailType) return view;
    if (view.instances.some((i) => i.journeyId === id && i.instanceId === key)) return view;
    if (!view.histories?.[id]?.entries) return view;
    const archived = await this.deps.store.archivedInstances(customerId, id, [key]);
    return archived.length
      ? { ...view, archived: archived.map((instanceId) => ({ journeyId: id, instanceId })) }
      : view;
  }

  /**
   * The view with the orders this journey's instances belong to, read by id when the summary no
   * longer holds them in full (a customer ordering faster than `keep` orders per horizon): an
   * instance's exit on its order's refund and its templates need its own order.
   */
  private async withInstanceOrders(
    customerId: string,
    journeyId: string,
    view: CustomerView,
  ): Promise<CustomerView> {
    const summary = view.orderSummary;
    if (!summary) return view;
    const known = new Set(view.orders.map((o) => o.orderId));
    const missing = view.instances
      .filter((i) => i.journeyId === journeyId && i.status === 'active' && i.context.orderId !== undefined)
      .map((i) => i.context.orderId as string)
      .filter((id) => !known.has(id) && mayBeBeyondRecent(summary, id));
    if (missing.length === 0) return view;
    return { ...view, orders: [...view.orders, ...(await this.deps.store.getOrders(customerId, missing))] };
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
