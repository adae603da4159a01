/** Stores the customer projection (profile and orders) for every valid shop event. */
import type { RawEvent } from '../core/events.ts';
import { projectEvent } from '../core/profile.ts';
import {
  acceptEvent,
  ConflictRetriesExhaustedError,
  jitteredBackoff,
  type Outcome,
  type ServiceDeps,
} from './journeys.ts';

const CONSUMER = 'profile';
const MAX_ATTEMPTS = 6;

export class ProfileService {
  constructor(private readonly deps: Omit<ServiceDeps, 'journeys' | 'engine'>) {}

  async handleEvent(raw: RawEvent): Promise<Outcome> {
    const accepted = await acceptEvent(this.deps as ServiceDeps, raw, CONSUMER);
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

    for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
      const { view, profileVersion } = await this.deps.store.loadCustomer(customerId);
      const projection = projectEvent(view, event);
      if (!projection.profileChanged && projection.changedOrders.length === 0)
        return { status: 'unchanged', trace: [] };
      const result = await this.deps.store.save({
        customerId,
        processed: { eventId: event.id, consumer: CONSUMER },
        profile:
          projection.profileChanged && projection.profile
            ? { next: projection.profile, expectedVersion: profileVersion }
            : undefined,
        orders: projection.changedOrders,
        now: this.deps.now(),
      });
      if (result === 'saved') return { status: 'applied', trace: [], effects: 0 };
      if (result === 'duplicate') return { status: 'duplicate' };
      if (result === 'erased') return { status: 'erased' };
      await (this.deps.backoff ?? jitteredBackoff)(attempt);
    }
    throw new ConflictRetriesExhaustedError(
      `profile ${customerId}: still conflicting after ${MAX_ATTEMPTS} attempts`,
    );
  }
}
