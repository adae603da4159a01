/**
 * Sample data by running the engine: each message's data is what `decide` (the same compile the
 * runtime uses) puts into the send effect for a preview customer, rendered through the same
 * `renderData` real sends go through — so what the gallery shows is what is sent.
 *
 * A customer's story: they register, then the journey's trigger happens (with what it needs first: a
 * delivery needs its order), and the clock jumps from timer to timer. Where the journey waits for an
 * event, the story branches — the event comes (in each sample variant) or the wait times out — and
 * the first story whose decisions send the message wins. Branches on the customer's past (orders so
 * far) and on the holdout draw are tried the same way. Nothing here knows a message by name.
 */
import { DateTime } from 'luxon';
import type { Catalog } from '../../functions/catalog/catalog.ts';
import { type CompiledJourney, compileJourney } from '../../functions/core/compile.ts';
import { decide, type EngineConfig, type EngineInput } from '../../functions/core/engine.ts';
import { parseShopEvent, SHOP_EVENT_TYPES, SYSTEM_SOURCE } from '../../functions/core/events.ts';
import type { LoyaltyProgram } from '../../functions/core/loyalty/program.ts';
import type { CustomerView, JourneyInstance, SendEffect } from '../../functions/core/model.ts';
import { projectEvent } from '../../functions/core/profile.ts';
import { referralCode } from '../../functions/core/referral.ts';
import { triggerEventTypes } from '../../functions/core/routing.ts';
import { DEMO_SHOP } from '../../functions/core/shop.ts';
import { addDuration, isBefore } from '../../functions/core/time.ts';
import { type RenderData, renderData } from '../../functions/email/index.ts';
import { PreviewError } from '../errors.ts';
import {
  type CustomerFixture,
  PREVIEW_NOW,
  PREVIEW_PREFERENCES_URL,
  PREVIEW_SECRET,
  type SampleOrder,
  sampleCustomerId,
  sampleOrder,
} from './fixtures.ts';
import { isLoyaltyEvent, memberStory } from './loyalty-sample.ts';

export const PREVIEW_ENGINE: EngineConfig = {
  defaultLocale: 'en',
  defaultTimeZone: 'UTC',
  secret: PREVIEW_SECRET,
};

/** A send as the engine decided it for a preview customer, and when. */
export interface SampleSend {
  effect: SendEffect;
  at: string;
  customerId: string;
}

interface StoryState {
  view: CustomerView;
  now: string;
  sends: { effect: SendEffect; at: string }[];
  seq: number;
}

interface Cast {
  journey: CompiledJourney;
  customer: CustomerFixture;
  customerId: string;
  order: SampleOrder;
  /** The event of the trigger this story starts the journey with. */
  trigger: string | undefined;
  /** The loyalty program (previewProgram): the engine's, and the member's in a `loyalty.*` story. */
  program: LoyaltyProgram | undefined;
}

/** The journey as the runtime compiles it; a disabled one as if enabled, to show what it would send. */
export function previewJourney(catalog: Catalog, journeyId: string): CompiledJourney {
  const entry = catalog.journeys.find((j) => j.definition.id === journeyId);
  if (!entry) throw new PreviewError(`there is no journey "${journeyId}"`);
  return compileJourney({ ...entry.definition, enabled: true }, entry.version);
}

/**
 * The first send of `message` in a story of this customer, found by running `decide`; `program` is
 * the loyalty program (the preview's `previewProgram`), for journeys about members.
 */
export function sampleSend(
  journey: CompiledJourney,
  message: string,
  customer: CustomerFixture,
  program?: LoyaltyProgram | undefined,
): SampleSend {
  const base = sampleCustomerId(customer);
  const start = customer.order?.placedAt ?? PREVIEW_NOW;
  const prior = Math.max(customer.orderCount - 1, 0);
  // Which of the trigger's events starts the journey, who the customer was before (orders so far)
  // and the holdout draw (by customer id) can keep a message from being sent: try each event, the
  // fixture's past first, then a first-time customer, then other ids.
  const triggers = triggerEventTypes(journey.definition.trigger);
  for (const trigger of triggers.length > 0 ? triggers : [undefined]) {
    for (const priorOrders of [...new Set([prior, 0])]) {
      for (const customerId of [base, `${base}-2`, `${base}-3`]) {
        const cast: Cast = { journey, customer, customerId, order: sampleOrder(customer), trigger, program };
        const found = explore(cast, message, begin(cast, start, priorOrders), 0);
        if (found) return { ...found, customerId };
      }
    }
  }
  throw new PreviewError(
    `no story of ${customer.email} reaches the send of "${message}" in journey "${journey.definition.id}"`,
  );
}

/** What the templates of a sample send see: the engine's data extended as the dispatcher does. */
export function sampleRenderData(send: SampleSend, customer: CustomerFixture): RenderData {
  const { effect } = send;
  const data = renderData(
    { ...effect.data, coupon: couponOverride(effect.data.coupon, customer) },
    {
      shop: DEMO_SHOP,
      preferencesUrl: PREVIEW_PREFERENCES_URL,
      signingSecret: PREVIEW_SECRET,
      customerId: send.customerId,
      recipient: { email: customer.email, firstName: customer.firstName || undefined },
      email: {
        journey: effect.journeyId,
        message: effect.message,
        outbox: effect.outboxId,
        marketing: effect.messageClass === 'marketing',
      },
      now: send.at,
    },
  );
  return data;
}

/** A fixture's `coupon` is a what-if on top of the coupon the send step issued. */
function couponOverride(
  issued: SendEffect['data']['coupon'],
  customer: CustomerFixture,
): SendEffect['data']['coupon'] {
  const wanted = customer.coupon;
  if (!issued || !wanted) return issued;
  const kind =
    wanted.amountOff !== undefined
      ? { percentOff: undefined, amountOff: wanted.amountOff, currency: wanted.currency ?? issued.currency }
      : wanted.percentOff !== undefined
        ? { percentOff: wanted.percentOff, amountOff: undefined, currency: undefined }
        : {};
  return {
    ...issued,
    ...kind,
    code: wanted.code ?? issued.code,
    expiresAt: wanted.expiresAt ?? issued.expiresAt,
  };
}

function begin(cast: Cast, start: string, priorOrders: number): StoryState {
  const { customer, customerId, order } = cast;
  const orders = Array.from({ length: priorOrders }, (_, i) => {
    const placedAt = addDuration(start, `-P${40 * (i + 1)}D`, 'UTC');
    return {
      orderId: `${order.orderId}-P${i + 1}`,
      placedAt,
      total: order.total,
      deliveredAt: addDuration(placedAt, 'P3D', 'UTC'),
    };
  });
  let state: StoryState = {
    view: { profile: undefined, orders, instances: [] },
    now: start,
    sends: [],
    seq: 0,
  };
  const registered = addDuration(start, '-PT1H', 'UTC');
  state = deliver(cast, { ...state, now: registered }, 'customer.registered', {
    customerId,
    email: customer.email,
    ...(customer.firstName ? { firstName: customer.firstName } : {}),
    locale: customer.locale,
    timeZone: customer.timeZone,
    marketingConsent: true,
    // Tomorrow, so an anniversary journey's day comes within the story.
    birthday: DateTime.fromISO(addDuration(start, 'P1D', 'UTC'), { zone: customer.timeZone }).toFormat(
      'MM-dd',
    ),
    registeredAt: registered,
  });
  for (const type of triggerPrelude(cast.trigger)) {
    if (isLoyaltyEvent(type) && cast.program) {
      // The loyalty service stored the account before it emitted the event about it.
      const { account, detail } = memberStory(
        cast.program,
        type,
        customerId,
        order.total.currency,
        customer.timeZone,
        start,
      );
      state = { ...state, view: { ...state.view, loyalty: account } };
      state = deliver(cast, { ...state, now: start }, type, detail);
    } else state = deliver(cast, { ...state, now: start }, type);
  }
  return { ...state, now: start };
}

/** The events that make the trigger's `event` happen, in order (a delivery needs its order first). */
function triggerPrelude(event: string | undefined): string[] {
  // An anniversary's (the registration) is already in the story.
  if (event === undefined || event === 'customer.registered') return [];
  const needs: Record<string, string[]> = {
    'order.delivered': ['order.placed'],
    'order.refunded': ['order.placed'],
    'feedback.submitted': ['order.placed', 'order.delivered'],
  };
  return [...(needs[event] ?? []), event];
}

/** Depth-first over the story's branches; the first send of `message` ends it. */
function explore(
  cast: Cast,
  message: string,
  state: StoryState,
  depth: number,
): Omit<SampleSend, 'customerId'> | undefined {
  const hit = state.sends.find((s) => s.effect.message === message);
  if (hit) return hit;
  if (depth > 40) return undefined;
  const next = state.view.instances
    .filter((i) => i.journeyId === cast.journey.definition.id && i.waiting)
    .filter((i) => i.status === 'active' || i.status === 'watching')
    .sort((a, b) => Date.parse(a.waiting?.dueAt ?? '') - Date.parse(b.waiting?.dueAt ?? ''))[0];
  const waiting = next?.waiting;
  if (!next || !waiting) return undefined;
  const branches: StoryState[] = [];
  if (waiting.reason === 'waitFor' && waiting.event) {
    // The awaited event comes a day into the wait (or just before it ends).
    const from = waiting.from ?? state.now;
    const dayIn = addDuration(from, 'P1D', 'UTC');
    const at = isBefore(dayIn, waiting.dueAt) ? dayIn : addDuration(waiting.dueAt, '-PT1M', 'UTC');
    for (const variant of variants(waiting.event)) {
      const detail = { ...variant, ...awaitedIds(cast, next, waiting.event) };
      branches.push(deliver(cast, { ...state, now: at }, waiting.event, detail));
    }
  }
  branches.push(fire(cast, { ...state, now: waiting.dueAt }, next, waiting.dueAt));
  for (const branch of branches) {
    const found = explore(cast, message, branch, depth + 1);
    if (found) return found;
  }
  return undefined;
}

/** Sample answers to an awaited event: a low and a top NPS score, for journeys that branch on it. */
function variants(type: string): Record<string, unknown>[] {
  return type === 'feedback.submitted'
    ? [
        { score: 4, comment: 'The mug arrived chipped.' },
        { score: 10, comment: 'Lovely coffee.' },
      ]
    : [{}];
}

/** The ids an awaited event carries: the instance's own order, or a new one for a new order. */
function awaitedIds(cast: Cast, instance: JourneyInstance, type: string): Record<string, unknown> {
  const orderId = instance.context.orderId;
  return type === 'order.placed' || !orderId ? { orderId: `${cast.order.orderId}-N` } : { orderId };
}

/** The detail of a sample event of `type` at the story's moment; `extra` wins. */
function sampleDetail(cast: Cast, state: StoryState, type: string): Record<string, unknown> {
  const { customerId, order } = cast;
  const profileCode = state.view.profile?.referralCode ?? referralCode(PREVIEW_SECRET, customerId);
  const details: Record<string, Record<string, unknown>> = {
    'order.placed': { orderId: order.orderId, placedAt: state.now, total: order.total, items: order.items },
    'order.delivered': { orderId: order.orderId, deliveredAt: state.now },
    'order.refunded': { orderId: order.orderId, amount: order.total },
    'feedback.submitted': { orderId: order.orderId, ...variants(type)[0] },
    'referral.attributed': {
      code: referralCode(PREVIEW_SECRET, `${customerId}-referrer`),
      referrerId: `${customerId}-referrer`,
    },
    'referral.reward.earned': {
      refereeId: `${customerId}-friend`,
      code: profileCode,
      orderId: `${order.orderId}-F`,
      currency: order.total.currency,
    },
  };
  return { customerId, ...details[type] };
}

function deliver(
  cast: Cast,
  state: StoryState,
  type: string,
  extra: Record<string, unknown> = {},
): StoryState {
  const seq = state.seq + 1;
  const source = SHOP_EVENT_TYPES.includes(type as never) ? 'shop' : SYSTEM_SOURCE;
  const detail = { ...sampleDetail(cast, state, type), ...extra };
  const parsed = parseShopEvent({ id: `preview-${seq}`, source, detailType: type, time: state.now, detail });
  if (!parsed.ok) throw new PreviewError(`sample ${type} is not valid: ${parsed.errors.join('; ')}`);
  const projection = projectEvent({ profile: state.view.profile, orders: state.view.orders }, parsed.event);
  let profile = projection.profile;
  // As the profile service does: a registered customer gets their referral code.
  if (type === 'customer.registered' && profile && !profile.referralCode) {
    profile = { ...profile, referralCode: referralCode(PREVIEW_SECRET, profile.customerId) };
  }
  const view = { ...state.view, profile, orders: projection.orders };
  return decideInto(cast, { ...state, view, seq }, { kind: 'event', event: parsed.event });
}

function fire(cast: Cast, state: StoryState, instance: JourneyInstance, dueAt: string): StoryState {
  return decideInto(cast, state, { kind: 'timer', instanceId: instance.instanceId, dueAt });
}

/** One decision, applied as the store would: changed instances replace theirs, versions bump. */
function decideInto(cast: Cast, state: StoryState, input: EngineInput): StoryState {
  const { journey } = cast;
  const decision = decide({
    journey,
    versions: new Map([[journey.version, journey]]),
    customer: state.view,
    input,
    now: state.now,
    config: { ...PREVIEW_ENGINE, loyalty: cast.program },
  });
  const same = (a: JourneyInstance, b: JourneyInstance) =>
    a.journeyId === b.journeyId && a.instanceId === b.instanceId;
  const instances = [
    ...state.view.instances.filter((i) => !decision.instances.some((c) => same(i, c))),
    ...decision.instances.map((c) => ({ ...c, version: c.version + 1 })),
  ];
  const ledger = decision.ledger
    ? { ...decision.ledger, version: decision.ledger.version + 1 }
    : state.view.ledger;
  const sends = decision.effects.flatMap((effect) =>
    effect.kind === 'send' ? [{ effect, at: state.now }] : [],
  );
  return {
    ...state,
    view: { ...state.view, instances, ledger },
    sends: [...state.sends, ...sends],
  };
}
