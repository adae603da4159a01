/** Stores the customer projection (profile and orders) for every valid shop event. */

import type { SaveRequest } from '../adapters/store.ts';
import type { RawEvent, ShopEvent } from '../core/events.ts';
import type { CustomerView, EmitEffect, Profile } from '../core/model.ts';
import { mayBeBeyondRecent, type OrderRetention } from '../core/order-history.ts';
import { placedOrders, projectEvent } from '../core/profile.ts';
import { attributeReferral, codeRecord, normaliseCode, referralCode } from '../core/referral.ts';
import { acceptEvent, type Outcome, outcomeOfSave, type ServiceDeps } from './journeys.ts';
import { type CONFLICT, retryOnConflict } from './retry.ts';

const CONSUMER = 'profile';

/** How many order items a decision moves out of the decision range for a customer stored before summaries. */
const LEGACY_ORDERS_PER_DECISION = 40;

export class ProfileService {
  constructor(
    private readonly deps: Omit<ServiceDeps, 'journeys' | 'engine'> & {
      secret: string;
      /** What the order summary keeps (derived from the compiled journeys: core/order-history.ts). */
      orderRetention?: OrderRetention | undefined;
    },
  ) {}

  async handleEvent(raw: RawEvent): Promise<Outcome> {
    const accepted = await acceptEvent(this.deps, raw, CONSUMER);
    if (!accepted.ok) return accepted.outcome;
    const event = accepted.event;
    const customerId = event.detail.customerId;

    if (event.detailType === 'customer.deleted') {
      const deleted = await this.deps.store.eraseCustomer(customerId);
      return {
        status: 'applied',
        trace: [{ journeyId: '-', instanceId: '-', note: `erased ${deleted} items` }],
        effects: 0,
      };
    }

    return retryOnConflict(
      `profile ${customerId}`,
      async (): Promise<Outcome | typeof CONFLICT> => {
        const retention = this.deps.orderRetention;
        const stored = await this.deps.store.loadCustomerFacts(customerId, retention);
        const { profileVersion, ordersVersion, legacyOrders } = stored;
        const view = await this.withOrderOfEvent(customerId, stored.view, event);
        const projection = projectEvent(view, event, retention);
        // A customer stored before order summaries gets theirs now, and their order items move out
        // of the decision range a batch at a time (the summary counted them all already). Once none
        // is left there, the profile says so and decisions stop looking.
        const moving = legacyOrders.slice(0, LEGACY_ORDERS_PER_DECISION);
        const marking =
          projection.profile !== undefined &&
          !projection.profile.ordersSummarised &&
          legacyOrders.length === moving.length;
        const ordersChanged = projection.changedOrders.length > 0 || moving.length > 0;
        if (!projection.profileChanged && !ordersChanged && !marking)
          return { status: 'unchanged', trace: [] };
        const changed = new Set(projection.changedOrders.map((o) => o.orderId));
        let profile = marking
          ? { ...(projection.profile as Profile), ordersSummarised: true }
          : projection.profile;
        const referral: { profile?: Profile; effects: EmitEffect[]; link?: SaveRequest['referralLink'] } =
          event.detailType === 'customer.registered' && profile
            ? await this.referral(view, event, profile)
            : { effects: [] };
        if (referral.profile) profile = referral.profile;
        const result = await this.deps.store.save({
          customerId,
          processed: { eventId: event.id, consumer: CONSUMER },
          profile:
            (projection.profileChanged || marking) && profile
              ? { next: profile, expectedVersion: profileVersion }
              : undefined,
          orders: [...projection.changedOrders, ...moving.filter((o) => !changed.has(o.orderId))],
          retireLegacyOrders: moving.map((o) => o.orderId),
          orderSummary:
            ordersChanged && projection.orderSummary
              ? { next: projection.orderSummary, expectedVersion: ordersVersion }
              : undefined,
          effects: referral.effects,
          referralLink: referral.link,
          now: this.deps.now(),
        });
        return outcomeOfSave(result, { status: 'applied', trace: [], effects: referral.effects.length });
      },
      { backoff: this.deps.backoff },
    );
  }

  /**
   * The view with the order the event is about, read from its own item when the summary no longer
   * holds it in full (a refund of an order from long ago): a placement is counted once, a delivery
   * or refund lands on the order as stored.
   */
  private async withOrderOfEvent(
    customerId: string,
    view: CustomerView,
    event: ShopEvent,
  ): Promise<CustomerView> {
    const detail = event.detail as { orderId?: unknown; placedAt?: unknown };
    const { orderId } = detail;
    const summary = view.orderSummary;
    if (!event.detailType.startsWith('order.') || typeof orderId !== 'string' || !summary) return view;
    if (view.orders.some((o) => o.orderId === orderId)) return view;
    const placedAt = typeof detail.placedAt === 'string' ? detail.placedAt : undefined;
    if (!mayBeBeyondRecent(summary, orderId, placedAt)) return view;
    const [stored] = await this.deps.store.getOrders(customerId, [orderId]);
    return stored ? { ...view, orders: [...view.orders, stored] } : view;
  }

  /**
   * At registration: the customer's own referral code (claimed in its own item so codes stay unique),
   * and — for a first registration carrying `referredByCode` — whether the referral counts.
   */
  private async referral(
    before: CustomerView,
    event: Extract<ShopEvent, { detailType: 'customer.registered' }>,
    profile: Profile,
  ): Promise<{ profile?: Profile; effects: EmitEffect[]; link?: SaveRequest['referralLink'] }> {
    const customerId = profile.customerId;
    // A late registration of an erased customer must not claim a code (its item names the owner);
    // the save that follows is refused by the erasure tombstone anyway.
    if (await this.deps.store.isErased(customerId)) return { effects: [] };
    const effects: EmitEffect[] = [];
    const next: Profile = { ...profile };
    if (!next.referralCode) {
      for (let attempt = 0; !next.referralCode; attempt++) {
        if (attempt > 20) throw new Error(`no free referral code for customer ${customerId}`);
        const code = referralCode(this.deps.secret, customerId, attempt);
        if (await this.deps.store.claimReferralCode(codeRecord(code, customerId, next.email)))
          next.referralCode = code;
      }
      effects.push({
        kind: 'emit',
        outboxId: 'profile#referral.code.created',
        detailType: 'referral.code.created',
        detail: { customerId, code: next.referralCode },
      });
    }
    const first = !before.profile?.registeredAt;
    const code = event.detail.referredByCode ? normaliseCode(event.detail.referredByCode) : undefined;
    let link: SaveRequest['referralLink'];
    if (first && code) {
      const record = await this.deps.store.getReferralCode(code);
      // An erased referrer's code is on its way out (erasure deletes it last): it counts as unknown.
      const live = record && !(await this.deps.store.isErased(record.ownerId)) ? record : undefined;
      const attribution = attributeReferral({
        code,
        record: live,
        referee: {
          customerId,
          email: event.detail.email,
          isNew: placedOrders(before.orders).length === 0,
        },
      });
      if (attribution.ok) {
        next.referrerId = attribution.referrerId;
        // The referrer's partition gets a link item in the same transaction: erasure of either end
        // finds the other through it (adapters/erasure.ts).
        link = { referrerId: attribution.referrerId, code };
      }
      effects.push({
        kind: 'emit',
        outboxId: 'profile#referral.attribution',
        detailType: attribution.ok ? 'referral.attributed' : 'referral.rejected',
        detail: attribution.ok
          ? { customerId, code, referrerId: attribution.referrerId }
          : { customerId, code, reason: attribution.reason },
      });
    }
    return { profile: next, effects, ...(link ? { link } : {}) };
  }
}
