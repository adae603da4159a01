/**
 * A pure, in-memory stand-in for the store so engine tests can drive `decide` through weeks of
 * virtual time without I/O: it applies decisions, keeps timers and collects effects.
 */
import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { type CompiledJourney, compileJourney } from '../../functions/core/compile.ts';
import { type JourneyDefinition, journeyDefinitionSchema } from '../../functions/core/definition.ts';
import { decide, type EngineConfig, type EngineInput } from '../../functions/core/engine.ts';
import { parseShopEvent, SHOP_EVENT_TYPES, SYSTEM_SOURCE } from '../../functions/core/events.ts';
import { type JourneyHistory, settlement } from '../../functions/core/journey-history.ts';
import type { LoyaltyAccount } from '../../functions/core/loyalty/account.ts';
import type {
  Effect,
  JourneyInstance,
  MarketingLedger,
  Order,
  Profile,
  TraceEntry,
} from '../../functions/core/model.ts';
import { type OrderSummary, orderRetention } from '../../functions/core/order-history.ts';
import { projectEvent } from '../../functions/core/profile.ts';
import { referralCode } from '../../functions/core/referral.ts';

export const engineConfig: EngineConfig = {
  defaultLocale: 'en',
  defaultTimeZone: 'Europe/Berlin',
  secret: 'test-secret-0123456789',
};

export function loadDefinition(file: string): JourneyDefinition {
  return journeyDefinitionSchema.parse(
    parse(readFileSync(new URL(`../../${file}`, import.meta.url), 'utf8')),
  );
}

export function definition(
  overrides: Partial<JourneyDefinition> & Pick<JourneyDefinition, 'steps'>,
): JourneyDefinition {
  return journeyDefinitionSchema.parse({
    id: 'test',
    name: 'Test',
    trigger: { event: 'customer.registered' },
    messages: { a: { class: 'transactional' }, b: { class: 'marketing' }, c: { class: 'marketing' } },
    ...overrides,
  });
}

export interface Sent {
  at: string;
  message: string;
  effect: Effect;
}

export class World {
  profile: Profile | undefined;
  orders: Order[] = [];
  instances: JourneyInstance[] = [];
  ledger: MarketingLedger | undefined;
  /** The loyalty account as the loyalty service stored it (tests set it; decisions only read it). */
  loyalty: LoyaltyAccount | undefined;
  effects: { at: string; effect: Effect }[] = [];
  trace: TraceEntry[] = [];
  /**
   * As the store keeps a customer (issue 13): settled instances leave for the archive and their
   * journey's history after every decision, and decisions see the order summary's recent orders only.
   */
  settling = false;
  histories: Record<string, JourneyHistory> = {};
  archived: { journeyId: string; instanceId: string }[] = [];
  orderSummary: OrderSummary | undefined;
  private seq = 0;
  readonly journeys: CompiledJourney[];

  /** One journey, or several sharing the customer (for cross-journey rules like the frequency cap). */
  constructor(
    definitions: JourneyDefinition | JourneyDefinition[],
    public now: string,
    private readonly config: EngineConfig = engineConfig,
  ) {
    this.journeys = (Array.isArray(definitions) ? definitions : [definitions]).map((d) =>
      compileJourney(d, `v-${d.id}`),
    );
  }

  get journey(): CompiledJourney {
    return this.journeys[0] as CompiledJourney;
  }

  get sends(): Sent[] {
    return this.effects.flatMap(({ at, effect }) =>
      effect.kind === 'send' ? [{ at, message: effect.message, effect }] : [],
    );
  }

  emitted(detailType: string) {
    return this.effects.flatMap(({ at, effect }) =>
      effect.kind === 'emit' && effect.detailType === detailType ? [{ at, detail: effect.detail }] : [],
    );
  }

  /** Delivers an event at the current time (id defaults to a fresh one) to every journey. */
  deliver(
    detailType: string,
    detail: Record<string, unknown>,
    id = `evt-${++this.seq}`,
    time = this.now,
    source = SHOP_EVENT_TYPES.includes(detailType as never) ? 'shop' : SYSTEM_SOURCE,
  ): void {
    const parsed = parseShopEvent({ id, source, detailType, time, detail });
    if (!parsed.ok) throw new Error(parsed.errors.join('; '));
    const facts = { profile: this.profile, orders: this.orders, orderSummary: this.orderSummary };
    const projection = projectEvent(facts, parsed.event, orderRetention(this.journeys));
    this.profile = projection.profile;
    this.orders = projection.orders;
    if (this.settling) {
      this.orderSummary = projection.orderSummary;
      this.orders = projection.orderSummary?.recent ?? projection.orders;
    }
    // As ProfileService does: a registered customer gets a referral code (one customer: no collisions).
    if (detailType === 'customer.registered' && this.profile && !this.profile.referralCode) {
      this.profile = {
        ...this.profile,
        referralCode: referralCode(this.config.secret, this.profile.customerId),
      };
    }
    for (const journey of this.journeys) this.decide(journey, { kind: 'event', event: parsed.event });
  }

  fireTimer(instance: JourneyInstance, dueAt: string): void {
    const journey = this.journeys.find((j) => j.definition.id === instance.journeyId) as CompiledJourney;
    this.decide(journey, { kind: 'timer', instanceId: instance.instanceId, dueAt });
  }

  private decide(journey: CompiledJourney, input: EngineInput): void {
    this.apply(
      decide({
        journey,
        versions: new Map([[journey.version, journey]]),
        customer: {
          profile: this.profile,
          orders: this.orders,
          instances: this.instances,
          ledger: this.ledger,
          loyalty: this.loyalty,
          orderSummary: this.orderSummary,
          histories: this.histories,
          archived: this.archived,
        },
        input,
        now: this.now,
        config: this.config,
      }),
    );
  }

  /** Jumps from timer to timer until `until`, like the simulator's clock. */
  runUntil(until: string): void {
    for (;;) {
      const next = this.instances
        .filter((i) => (i.status === 'active' || i.status === 'watching') && i.waiting)
        .sort((a, b) => Date.parse(a.waiting?.dueAt ?? '') - Date.parse(b.waiting?.dueAt ?? ''))[0];
      if (!next?.waiting || Date.parse(next.waiting.dueAt) > Date.parse(until)) break;
      this.now = next.waiting.dueAt;
      this.fireTimer(next, next.waiting.dueAt);
    }
    this.now = until;
  }

  private apply(decision: ReturnType<typeof decide>): void {
    for (const changed of decision.instances) {
      const next = { ...changed, version: changed.version + 1 };
      const same = (i: JourneyInstance) =>
        i.journeyId === changed.journeyId && i.instanceId === changed.instanceId;
      this.instances = [...this.instances.filter((i) => !same(i)), next];
    }
    if (decision.ledger) this.ledger = { ...decision.ledger, version: decision.ledger.version + 1 };
    for (const effect of decision.effects) this.effects.push({ at: this.now, effect });
    this.trace.push(...decision.trace);
    if (this.settling) this.settle();
  }

  /** What JourneyService does in a decision's write: settled instances out, counted in the history. */
  private settle(): void {
    for (const journey of this.journeys) {
      const id = journey.definition.id;
      const moved = settlement(
        journey,
        this.instances,
        this.histories[id],
        this.now,
        Number.POSITIVE_INFINITY,
      );
      if (!moved) continue;
      const gone = new Set(moved.instances.map((i) => i.instanceId));
      this.instances = this.instances.filter((i) => i.journeyId !== id || !gone.has(i.instanceId));
      this.archived.push(...moved.instances.map((i) => ({ journeyId: id, instanceId: i.instanceId })));
      this.histories[id] = moved.history;
    }
  }
}

export const anna = {
  customerId: 'c1',
  email: 'anna@example.de',
  firstName: 'Anna',
  locale: 'de-DE',
  timeZone: 'Europe/Berlin',
  marketingConsent: true,
};
