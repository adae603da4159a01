/**
 * The state the engine reasons about. Plain data: the store adapter maps it to DynamoDB items,
 * the engine never sees keys or attribute types.
 */
import type { Money } from './events.ts';
import type { JourneyHistory } from './journey-history.ts';
import type { LoyaltyAccount } from './loyalty/account.ts';
import type { OrderSummary } from './order-history.ts';
import type { TemplateData } from './template-data.ts';

export interface Profile {
  customerId: string;
  email?: string | undefined;
  firstName?: string | undefined;
  /** BCP 47, as the shop sent it (de-AT); rendering resolves the fallback chain. */
  locale?: string | undefined;
  timeZone?: string | undefined;
  marketingConsent: boolean;
  /** Event time of the newest consent fact (registration or consent change), kept apart from
   * `updatedAt`: an address change must not make an older consent change look stale. */
  consentAt?: string | undefined;
  birthday?: string | undefined;
  registeredAt?: string | undefined;
  referredByCode?: string | undefined;
  /** Who referred this customer, when their registration's code counted. */
  referrerId?: string | undefined;
  /** The customer's own referral code, created at registration. */
  referralCode?: string | undefined;
  /** Set by hard bounces and complaints: no marketing email goes to a suppressed address. */
  suppressed?: boolean | undefined;
  /** Event time of the newest change applied, so late events cannot overwrite newer facts. */
  updatedAt?: string | undefined;
  /**
   * Set by the profile projection: none of the customer's orders is kept where order items were
   * kept before summaries (`O#`), so a decision need not look there (store.ts withLegacyOrders).
   */
  ordersSummarised?: boolean | undefined;
}

/** An order as far as the shop has told us; a delivery can arrive before its order (then only ids). */
export interface Order {
  orderId: string;
  placedAt?: string | undefined;
  total?: Money | undefined;
  deliveredAt?: string | undefined;
  refundedAt?: string | undefined;
}

/**
 * Marketing sends across all journeys in the frequency-cap window. Every decision that adds a
 * marketing send writes it conditionally, so two journeys racing for the last slot cannot both win.
 */
export interface MarketingLedger {
  sends: { at: string; journeyId: string; message: string }[];
  /** Optimistic-lock version; 0 when the customer has no ledger yet. */
  version: number;
}

/** Everything in the customer's partition that decisions may look at. */
export interface CustomerView {
  profile: Profile | undefined;
  /** The orders known one by one: the summary's recent ones (and any a decision read by id). */
  orders: Order[];
  /** Aggregates of all the customer's orders (`#ORDERS`, core/order-history.ts). */
  orderSummary?: OrderSummary | undefined;
  instances: JourneyInstance[];
  ledger?: MarketingLedger | undefined;
  /** The loyalty account (`#LOYALTY`), when the customer is a member of the program. */
  loyalty?: LoyaltyAccount | undefined;
  /** Per journey, its settled entries (`#JH#<journeyId>`, core/journey-history.ts). */
  histories?: Record<string, JourneyHistory> | undefined;
  /** Settled instances read by key for this decision (re-entry for the same instance key). */
  archived?: { journeyId: string; instanceId: string }[] | undefined;
}

/** `watching`: not an entry but the per-customer timer of an inactivity or anniversary trigger. */
export type InstanceStatus = 'active' | 'completed' | 'exited' | 'watching';

export interface Waiting {
  /** Timer due moment; the sweeper feeds the instance back to the engine then. */
  dueAt: string;
  /** `address`: a send held until the profile has an email address (bounded, then skipped). */
  reason: 'wait' | 'quietHours' | 'waitFor' | 'frequencyCap' | 'trigger' | 'address';
  /** For waitFor: the event that resumes the instance before the timer. */
  event?: string | undefined;
  correlate?: { field: string; value: string } | undefined;
  /**
   * For waitFor and address: the business moment the wait began. An awaited event counts only from
   * then (so a late event is judged by when it happened), and a held send resumes at that moment.
   * Absent on instances stored before business time.
   */
  from?: string | undefined;
}

export interface JourneyInstance {
  journeyId: string;
  instanceId: string;
  /** Content hash of the definition the instance entered with; it keeps running that version. */
  definitionVersion: string;
  status: InstanceStatus;
  holdout: boolean;
  /** Business time of entry: the trigger's time (placedAt, registeredAt …), or the timer's moment. */
  enteredAt: string;
  /** Program counter into the compiled steps. */
  pc: number;
  waiting?: Waiting | undefined;
  /** String fields of the triggering event (and of events that resumed it), for correlation. */
  context: Record<string, string>;
  /** Detail of the event that started the instance, for templates (order items, totals). */
  trigger?: Record<string, unknown> | undefined;
  /** The event that last resumed the instance; `if: { event: … }` tests it. */
  lastEvent?: { type: string; time: string; detail: Record<string, unknown> } | undefined;
  /** When each awaited event happened (business time); waits can count from them (`since`). */
  marks?: Record<string, string> | undefined;
  goalDeadline?: string | undefined;
  goalReachedAt?: string | undefined;
  endedAt?: string | undefined;
  endReason?: string | undefined;
  /** Messages sent so far, by name: the outbox ids are derived from these. */
  sent: string[];
  /** Optimistic-locking version; 0 for an instance not yet stored. */
  version: number;
}

export interface CouponIssued {
  code: string;
  percentOff?: number | undefined;
  amountOff?: string | undefined;
  currency?: string | undefined;
  expiresAt: string;
}

/** A snapshot of the recipient when the decision was made; the dispatcher prefers the live profile. */
export interface Recipient {
  email: string;
  firstName?: string | undefined;
  locale: string;
  timeZone: string;
}

export interface SendEffect {
  kind: 'send';
  outboxId: string;
  journeyId: string;
  instanceId: string;
  message: string;
  messageClass: 'transactional' | 'marketing';
  recipient: Recipient;
  /** `journey/message` of the template, when the message borrows another journey's. */
  template?: string | undefined;
  data: TemplateData;
}

export interface EmitEffect {
  kind: 'emit';
  outboxId: string;
  /** Published with this source instead of the system's own (feedback answers are shop events). */
  source?: string | undefined;
  detailType: string;
  detail: Record<string, unknown>;
}

export type Effect = SendEffect | EmitEffect;

/** Human-readable account of a decision, for the simulator's timeline and debug logs. */
export interface TraceEntry {
  journeyId: string;
  instanceId: string;
  note: string;
}
