/**
 * Erasure complete (issue 8): after `customer.deleted`, a scan of the whole table finds the customer's
 * id, address and first name nowhere — not in their own partition, and not in the items of the
 * customer who referred them or of the customer they referred (profiles, reward instances and their
 * keys, outbox entries, link items). Reproduces "the referee's items keep the referrer's id".
 */
import { randomUUID } from 'node:crypto';
import { PutCommand } from '@aws-sdk/lib-dynamodb';
import { describe, expect, it } from 'vitest';
import { erasureScan } from '../../faults/rows/erasure-scan.ts';
import { keys } from '../../functions/adapters/store.ts';
import { pseudonym } from '../../functions/core/erasure.ts';
import { type LocalWorld, localWorlds } from '../support/local-world.ts';
import { registration } from '../support/scenario.ts';
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
      expect.arrayContaining(['referral-link', 'archived-instance', 'outbox', 'profile']),
    );
    // The reward instance has run its course: it is in the archive, under the pseudonym too.
    expect(
      others.some((i) => i.type === 'archived-instance' && String(i.SK) === `XJ#referral-reward#${stand}`),
    ).toBe(true);
    expect(others.some((i) => i.type === 'profile' && i.referrerId === stand)).toBe(true);
  });
});

describe('attribution and erasure racing', () => {
  const newWorld = localWorlds('2026-05-04T08:00:00Z');
  const register = (w: LocalWorld, id: string, extra: Record<string, unknown> = {}) =>
    w.runtime.deliver({
      id: randomUUID(),
      source: 'shop',
      detailType: 'customer.registered',
      time: w.clock.now(),
      detail: registration(id, extra),
    });

  it('writes the link item with the attribution, and none once the referrer is being erased', async () => {
    // Prepare: a referrer with a code; a referee attributed to them
    const w = await newWorld();
    const [referrer, referee, late] = ['p', 'x', 'y'].map((r) => `${r}-${randomUUID().slice(0, 8)}`) as [
      string,
      string,
      string,
    ];
    await register(w, referrer);
    const code = (await w.runtime.services.store.getProfile(referrer))?.referralCode as string;
    await register(w, referee, { referredByCode: code });
    expect((await w.partition(referrer)).filter((i) => i.type === 'referral-link')).toEqual([
      expect.objectContaining({ SK: `REFEREE#${referee}`, refereeId: referee, code }),
    ]);

    // Act: the referrer's erasure has written its tombstone but not yet deleted the code (a crash
    // part-way, or a registration in between): a registration with the code must not attach to them.
    await w.doc.send(
      new PutCommand({ TableName: w.tableName, Item: { ...keys.erased(referrer), type: 'erased' } }),
    );
    await register(w, late, { referredByCode: code });
    await w.runUntil(w.clock.now());

    // Assess
    expect((await w.runtime.services.store.getProfile(late))?.referrerId).toBeUndefined();
    expect((await w.partition(referrer)).filter((i) => i.type === 'referral-link')).toHaveLength(1);
    expect(
      w.published.filter(
        (e) =>
          e.detail.customerId === late &&
          e.detailType !== 'referral.code.created' &&
          e.detailType.startsWith('referral.'),
      ),
    ).toEqual([
      expect.objectContaining({
        detailType: 'referral.rejected',
        detail: expect.objectContaining({ reason: 'unknown code' }),
      }),
    ]);
  });
});
