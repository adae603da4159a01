/**
 * A parallel simulation sorts each worker's part and merges the sorted parts (local/simulate/order.ts):
 * that must give exactly the order of sorting all parts joined in worker order — ties included, and
 * customer ids the collator orders differently from code units.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { listOrders, mergeOrderedParts, type OrderedLists } from '../../local/simulate/order.ts';
import type { SimulatedEmail, TimelineLine } from '../../local/simulate/timeline.ts';

const customers = ['c-1', 'c-10', 'c-2', 'C-2', 'é', 'e', 'z', ''];
const moment = fc
  .integer({ min: 0, max: 3 })
  .map((s) => new Date(Date.UTC(2026, 0, 1, 9, 0, s)).toISOString());
const customer = fc.constantFrom(...customers);

const line = fc.record({
  at: moment,
  customerId: fc.option(customer, { nil: undefined }),
  kind: fc.constantFrom<TimelineLine['kind']>('event', 'email', 'emit', 'note', 'rejected', 'error'),
  text: fc.string({ maxLength: 3 }),
});
const email = fc.record({
  sentAt: moment,
  customerId: customer,
  journey: fc.constantFrom('onboarding', 'win-back'),
  message: fc.constantFrom('welcome', 'Welcome', 'offer'),
  text: fc.string({ maxLength: 3 }),
});
const event = fc.record({
  at: moment,
  source: fc.constant('retention-journeys'),
  detailType: fc.constantFrom('journey.entered', 'coupon.issued', 'Coupon.issued'),
  detail: fc.record({ customerId: customer, n: fc.nat(5) }),
});
const lists = fc
  .record({
    timeline: fc.array(line, { maxLength: 25 }),
    emails: fc.array(email, { maxLength: 10 }),
    events: fc.array(event, { maxLength: 10 }),
  })
  .chain((l) =>
    fc
      .array(fc.nat(2), { minLength: l.timeline.length, maxLength: l.timeline.length })
      .map((generations) => ({ ...l, generations })),
  ) as unknown as fc.Arbitrary<OrderedLists>;

const inOrder = (l: OrderedLists) => {
  const o = listOrders(l);
  return {
    timeline: Array.from(o.timeline, (i) => l.timeline[i]),
    emails: Array.from(o.emails, (i) => l.emails[i]),
    events: Array.from(o.events, (i) => l.events[i]),
  };
};

const joined = (parts: OrderedLists[]): OrderedLists => ({
  timeline: parts.flatMap((p) => p.timeline),
  generations: parts.flatMap((p) => p.generations),
  emails: parts.flatMap((p) => p.emails),
  events: parts.flatMap((p) => p.events),
});

describe('the order of a simulation report', () => {
  it('merging sorted worker parts gives the order of sorting them joined', () => {
    fc.assert(
      fc.property(fc.array(lists, { minLength: 1, maxLength: 4 }), (parts) => {
        const merged = mergeOrderedParts(parts.map((p) => ({ ...p, orders: listOrders(p) })));
        expect(merged).toEqual(inOrder(joined(parts)));
      }),
      { numRuns: 300 },
    );
  });

  it('orders by time, then generation, then customer as the collator does, then kind; ties keep their order', () => {
    const at = '2026-01-01T09:00:00.000Z';
    const lines: TimelineLine[] = [
      { at, customerId: 'c-2', kind: 'email', text: 'first email' },
      { at, customerId: 'c-10', kind: 'note', text: 'note' },
      { at, customerId: 'c-2', kind: 'event', text: 'event' },
      { at, customerId: 'c-2', kind: 'email', text: 'second email' },
      { at: '2026-01-01T08:59:59.000Z', customerId: 'z', kind: 'emit', text: 'earlier' },
    ];
    const sorted = inOrder({ timeline: lines, generations: [0, 0, 0, 0, 1], emails: [], events: [] });
    expect(sorted.timeline.map((l) => l?.text)).toEqual([
      'earlier',
      'note', // c-10 before c-2: the collator compares numbers in ids as text
      'event',
      'first email',
      'second email',
    ]);
    const emails = [
      { sentAt: at, customerId: 'c-2', journey: 'win-back', message: 'offer' },
    ] as SimulatedEmail[];
    expect(listOrders({ timeline: [], generations: [], emails, events: [] }).emails).toEqual(
      Int32Array.from([0]),
    );
  });
});
