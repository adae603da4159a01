/**
 * Trust no event for money: a value-moving system event (core/value-checks.ts) is checked against
 * the stored partition it talks about before any journey acts on it, with one extra Query. A failed
 * check is kept on the rejected log with its reason and changes nothing else.
 */
import type { ShopEvent } from '../core/events.ts';
import { valueCheck } from '../core/value-checks.ts';
import type { Outcome, ServiceDeps } from './journeys.ts';

export async function verifyValueEvent(
  deps: Pick<ServiceDeps, 'store' | 'now'>,
  event: ShopEvent,
  consumer: string,
): Promise<Outcome | undefined> {
  const check = valueCheck(event);
  if (!check) return undefined;
  const { view } = await deps.store.loadCustomerFacts(check.subject);
  const verdict = check.verify(view);
  if (verdict.ok) return undefined;
  const errors = [`untrusted ${event.detailType}: ${verdict.reason}`];
  await deps.store.recordRejection({
    eventId: event.id,
    detailType: event.detailType,
    source: event.source,
    time: event.time,
    detail: event.detail,
    errors,
    consumer,
    now: deps.now(),
  });
  return { status: 'rejected', errors };
}
