/**
 * Which template data each send of a journey is certain to carry, read from the compiled program
 * before anything runs, so `journeys validate` can refuse a template that uses data its message
 * never gets (a coupon in a message sent without one, an order in a journey that knows none).
 *
 * It is the static side of `templateData` below and the send instruction (sending.ts), field by field:
 * - `coupon` / `reward`: the send step issues one;
 * - `order`: the instance knows an `orderId`: its trigger, or an event it waited for, requires one by
 *   the event contract (the instance context keeps every string field of those events);
 * - `feedback`: the last event the instance resumed on is `feedback.submitted`;
 * - `invitation`: the code a referee was invited with, in a journey started by `referral.attributed`;
 * - `referral`: the customer's own code. Only registered customers have one, so a journey must
 *   check for it (`profile: { field: referralCode, exists: true }`) on the way to the send.
 * - `loyalty`: the member's balance, tier and progress. A journey started by a `loyalty.*` event is
 *   about a member (the value checks confirm the account); any other must check for it
 *   (`loyalty: { field: tier, exists: true }`, or any positive `loyalty` test) on the way.
 * - `redemption` (reward id and points) and its `coupon`, in a journey started by
 *   `loyalty.reward.redeemed`: from the account's recent redemptions (the loyalty service issued the
 *   coupon, not the send step).
 * `customer`, `shop` and `links` come with every email (templates may always use them).
 */
import type { Instruction } from './compile.ts';
import { placedCountBy } from './conditions.ts';
import type { Condition, JourneyDefinition } from './definition.ts';
import { assertNever } from './errors.ts';
import { inputSchema, type JourneyEventType, type Money } from './events.ts';
import type { LoyaltyData, RecentRedemption } from './loyalty/account.ts';
import { LOYALTY_EVENT_TYPES } from './loyalty/events.ts';
import type { CouponIssued, CustomerView, JourneyInstance } from './model.ts';

/** The event that makes an instance a referee's welcome; its `code` is the code they were invited with. */
export const INVITATION_EVENT = 'referral.attributed';
/** The context field that makes an instance about one order (`order` data). */
export const ORDER_KEY = 'orderId';
/** The event whose answer a message sent right after it carries (`feedback` data). */
export const FEEDBACK_EVENT = 'feedback.submitted';
/** The event whose coupon (the redeemed reward's) a journey started by it shows (`coupon` data). */
export const REDEMPTION_EVENT = 'loyalty.reward.redeemed';

/** One line of an order as the shop sent it (`order.placed` items). */
export interface OrderItemData {
  sku?: string | undefined;
  name?: string | undefined;
  quantity?: number | undefined;
  unitPrice?: Money | undefined;
}

/** The order an order-driven instance is about (post-purchase). */
export interface OrderData {
  orderId: string;
  placedAt?: string | undefined;
  total?: Money | undefined;
  items: OrderItemData[];
  itemCount: number;
}

/**
 * What the engine knows for a send's template: the one contract between `decide` (which produces it
 * into `SendEffect.data`), `sendSites` below (which states statically which fields a send certainly
 * has) and rendering (email/render-data.ts extends it with links, the shop and the recipient).
 */
export interface TemplateData {
  order?: OrderData | undefined;
  /** The NPS answer that led to this message. */
  feedback?: { score: number } | undefined;
  /** The referral code a referee was invited with (the referrer's). */
  invitation?: { code: string } | undefined;
  /** The recipient's own referral code. */
  referral?: { code: string } | undefined;
  /** Orders the customer had placed by the send's business moment (the instance's own one excluded). */
  orderCount?: number | undefined;
  coupon?: CouponIssued | undefined;
  /** A referral reward granted to the recipient. */
  reward?: Money | undefined;
  /** The recipient's loyalty membership at the send's business moment. */
  loyalty?: LoyaltyData | undefined;
  /** The redemption a journey started by `loyalty.reward.redeemed` is about (its coupon is `coupon`). */
  redemption?: { rewardId: string; points: number } | undefined;
}

const isMoney = (value: unknown): value is Money =>
  typeof value === 'object' &&
  value !== null &&
  typeof (value as Money).amount === 'string' &&
  typeof (value as Money).currency === 'string';

const orderItems = (value: unknown): OrderItemData[] =>
  Array.isArray(value) ? value.filter((i): i is OrderItemData => typeof i === 'object' && i !== null) : [];

/**
 * What a send's template gets from the instance at business moment `at`; `sendSites` states the same
 * rules statically. Coupon and reward are issued by the send itself and added by the engine (except
 * a redemption's coupon, which the loyalty service issued). `loyalty` is the member's data at `at`.
 */
export function templateData(
  definition: JourneyDefinition,
  instance: JourneyInstance,
  customer: CustomerView,
  at: string,
  loyalty?: LoyaltyData | undefined,
): TemplateData {
  const trigger = instance.trigger ?? {};
  const orderId = instance.context[ORDER_KEY];
  const stored = orderId ? customer.orders.find((o) => o.orderId === orderId) : undefined;
  const items = orderItems(trigger.items);
  const order = orderId
    ? {
        orderId,
        placedAt: typeof trigger.placedAt === 'string' ? trigger.placedAt : stored?.placedAt,
        total: isMoney(trigger.total) ? trigger.total : stored?.total,
        items,
        itemCount: items.reduce((n, i) => n + (i.quantity ?? 1), 0),
      }
    : undefined;
  const last = instance.lastEvent;
  const redeemed = redemptionOf(definition, instance, customer);
  const score = last?.type === FEEDBACK_EVENT ? last.detail.score : undefined;
  return {
    order,
    feedback: typeof score === 'number' ? { score } : undefined,
    invitation: invitation(definition, instance.trigger),
    referral: customer.profile?.referralCode ? { code: customer.profile.referralCode } : undefined,
    orderCount: placedCountBy(customer.orders, customer.orderSummary, at, orderId),
    coupon: redeemed?.coupon,
    redemption: redeemed ? { rewardId: redeemed.rewardId, points: redeemed.points } : undefined,
    loyalty,
  };
}

/**
 * The redemption a journey started by `loyalty.reward.redeemed` is about, with its coupon: the
 * account keeps its latest redemptions, and the event names the redemption's movement.
 */
export function redemptionOf(
  definition: JourneyDefinition,
  instance: JourneyInstance,
  customer: CustomerView,
): RecentRedemption | undefined {
  if (!startsFromRedemption(definition)) return undefined;
  const movementId = instance.trigger?.movementId;
  return customer.loyalty?.recent.find((r) => r.movementId === movementId);
}

/** Whether every event that can start the journey is one of `types`. */
function startsOnlyFrom(definition: JourneyDefinition, types: readonly string[]): boolean {
  const trigger = definition.trigger;
  if ('event' in trigger) return types.includes(trigger.event);
  if ('anyOf' in trigger) return trigger.anyOf.every((t) => types.includes(t.event));
  return false;
}

/** Whether the journey's instances are about one redemption (`loyalty.reward.redeemed`). */
export function startsFromRedemption(definition: JourneyDefinition): boolean {
  return startsOnlyFrom(definition, [REDEMPTION_EVENT]);
}

/** Whether the journey's instances are about a member: every event that can start it is `loyalty.*`. */
export function startsFromMembership(definition: JourneyDefinition): boolean {
  return startsOnlyFrom(definition, LOYALTY_EVENT_TYPES);
}

/** Whether a journey's instances start from `referral.attributed`, whose `code` is the invitation. */
function startsFromInvitation(definition: JourneyDefinition): boolean {
  return 'event' in definition.trigger && definition.trigger.event === INVITATION_EVENT;
}

/** The invitation a journey's instance carries: the code from its `referral.attributed` trigger. */
export function invitation(
  definition: JourneyDefinition,
  trigger: Record<string, unknown> | undefined,
): { code: string } | undefined {
  const code = trigger?.code;
  return startsFromInvitation(definition) && typeof code === 'string' ? { code } : undefined;
}

/** Whether a condition that holds guarantees the customer is a member (has loyalty data). */
function ensuresLoyalty(condition: Condition | undefined): boolean {
  if (!condition) return false;
  if ('loyalty' in condition) return condition.loyalty.exists !== false;
  if ('all' in condition) return condition.all.some(ensuresLoyalty);
  if ('any' in condition) return condition.any.every(ensuresLoyalty);
  return false;
}

/** Whether a condition that holds guarantees the customer has a referral code. */
function ensuresReferralCode(condition: Condition | undefined): boolean {
  if (!condition) return false;
  if ('profile' in condition)
    return condition.profile.field === 'referralCode' && condition.profile.exists === true;
  if ('all' in condition) return condition.all.some(ensuresReferralCode);
  if ('any' in condition) return condition.any.every(ensuresReferralCode);
  return false;
}

export interface SendSite {
  message: string;
  /** Where the send step is, e.g. `steps.2.onEvent.0`. */
  path: string;
  /** Data roots this send certainly carries. */
  provides: Set<string>;
}

/** What is known at one point of the program on every path that reaches it. */
interface Known {
  /** Fields the instance context certainly holds. */
  fields: Set<string>;
  /** The event the instance last entered or resumed on, if the same on every path. */
  last: string | undefined;
  /** Whether every path checked that the customer has a referral code. */
  referralCode: boolean;
  /** Whether every path is about a member: a `loyalty.*` entry, or a positive `loyalty` test. */
  loyalty: boolean;
}

/** The detail fields the event contract requires of an event type. */
function requiredFields(eventType: JourneyEventType | string): Set<string> {
  const schema = inputSchema(eventType) as
    | { shape: Record<string, { safeParse(v: unknown): { success: boolean } }> }
    | undefined;
  if (!schema) return new Set();
  return new Set(
    Object.entries(schema.shape)
      .filter(([, field]) => !field.safeParse(undefined).success)
      .map(([name]) => name),
  );
}

const intersect = (a: Set<string>, b: Set<string>) => new Set([...a].filter((x) => b.has(x)));

function merge(a: Known | undefined, b: Known): Known {
  if (!a) return { ...b, fields: new Set(b.fields) };
  return {
    fields: intersect(a.fields, b.fields),
    last: a.last === b.last ? a.last : undefined,
    referralCode: a.referralCode && b.referralCode,
    loyalty: a.loyalty && b.loyalty,
  };
}

function atEntry(definition: JourneyDefinition): Known {
  const trigger = definition.trigger;
  const entry = (t: { event: string; if?: Condition | undefined }): Known => ({
    fields: requiredFields(t.event),
    last: t.event,
    referralCode: ensuresReferralCode(t.if),
    loyalty: (LOYALTY_EVENT_TYPES as readonly string[]).includes(t.event) || ensuresLoyalty(t.if),
  });
  if ('event' in trigger) return entry(trigger);
  if ('anyOf' in trigger)
    return trigger.anyOf.map(entry).reduce<Known | undefined>(merge, undefined) as Known;
  // Inactivity and anniversary entries are timers: no event, nothing in the context.
  return { fields: new Set(), last: undefined, referralCode: false, loyalty: false };
}

/** Every send of the program with the data it certainly carries. */
export function sendSites(definition: JourneyDefinition, program: readonly Instruction[]): SendSite[] {
  const known: (Known | undefined)[] = new Array(program.length + 1).fill(undefined);
  known[0] = atEntry(definition);
  const flow = (target: number, state: Known) => {
    known[target] = merge(known[target], state);
  };
  const sites: SendSite[] = [];
  // Jumps only go forward (compile.ts), so one pass in program order sees every path into a point.
  for (let pc = 0; pc < program.length; pc++) {
    const state = known[pc];
    const ins = program[pc] as Instruction;
    if (!state) continue; // unreachable
    switch (ins.op) {
      case 'send': {
        const provides = new Set<string>();
        if (state.referralCode) provides.add('referral');
        if (startsFromInvitation(definition)) provides.add('invitation');
        if (state.loyalty) provides.add('loyalty');
        if (ins.coupon || startsFromRedemption(definition)) provides.add('coupon');
        if (startsFromRedemption(definition)) provides.add('redemption');
        if (ins.reward) provides.add('reward');
        if (state.fields.has(ORDER_KEY)) provides.add('order');
        if (state.last === FEEDBACK_EVENT) provides.add('feedback');
        sites.push({ message: ins.message, path: ins.path, provides });
        flow(pc + 1, state);
        break;
      }
      case 'waitFor':
        flow(pc + 1, {
          ...state,
          fields: new Set([...state.fields, ...requiredFields(ins.event)]),
          last: ins.event,
        });
        flow(ins.timeoutTarget, state);
        break;
      case 'jumpUnless':
        flow(pc + 1, {
          ...state,
          referralCode: state.referralCode || ensuresReferralCode(ins.condition),
          loyalty: state.loyalty || ensuresLoyalty(ins.condition),
        });
        flow(ins.target, state);
        break;
      case 'jump':
        flow(ins.target, state);
        break;
      case 'wait':
      case 'emit':
        flow(pc + 1, state);
        break;
      default:
        assertNever(ins, 'instruction');
    }
  }
  return sites;
}
