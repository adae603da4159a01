/**
 * Erasure complete (issue 8): after `customer.deleted`, a scan of the whole table finds the customer's
 * id, address and first name nowhere — not in their own partition, and not in the items of the
 * customer who referred them or of the customer they referred (profiles, reward instances and their
 * keys, outbox entries, link items). Reproduces "the referee's items keep the referrer's id".
 */
import { describe, expect, it } from 'vitest';
import { erasureScan } from '../../faults/rows/erasure-scan.ts';
import { pseudonym } from '../../functions/core/erasure.ts';
import { testEnv } from './env.ts';

describe('erasure scan', () => {
  it('leaves no trace of an erased customer who was referred and referred someone', {
    timeout: 180_000,
  }, async () => {
    // Act
    const report = await erasureScan(testEnv(), 1);

    // Assess: the history was rich (both rewards paid, other partitions named the customer) ...
    expect(report.crashed).toBe(0);
    expect(report.rewards).toBe(2);
    expect(report.crossReferencesBefore).toBeGreaterThanOrEqual(4);
    // ... and nothing of it is left.
    expect(report.leaks).toEqual([]);
    const [x] = report.erased;
    const stand = pseudonym(x?.id ?? '');
    const byKey = (pk: string) => report.items.filter((i) => String(i.PK).startsWith(pk));
    expect(byKey(`C#${x?.id}`)).toEqual([]);
    // The other ends keep their history, naming the pseudonym: the referrer's reward instance (its
    // key was the referee's id) and the link items, the referee's profile and its referrer.
    const others = report.items.filter((i) => JSON.stringify(i).includes(stand));
    expect(others.map((i) => i.type)).toEqual(
      expect.arrayContaining(['referral-link', 'instance', 'outbox', 'profile']),
    );
    expect(others.some((i) => i.type === 'instance' && String(i.SK) === `J#referral-reward#${stand}`)).toBe(
      true,
    );
    expect(others.some((i) => i.type === 'profile' && i.referrerId === stand)).toBe(true);
  });
});
