/**
 * Consent and suppression written by the preferences endpoint and SES events go through the profile
 * projection's clock rules (core/profile.ts), whatever order the shop's events arrive in.
 */
import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { ComplianceStore } from '../../functions/adapters/compliance-store.ts';
import { addressHash } from '../../functions/core/privacy.ts';
import { type LocalWorld, localWorlds } from '../support/local-world.ts';
import { registration } from '../support/scenario.ts';

// The clock stands after every event time the tests use: none is judged to come from the future.
const newWorld = localWorlds('2026-03-02T12:00:00Z');
const customer = () => `c-${randomUUID().slice(0, 8)}`;

const shopEvent = (w: LocalWorld, detailType: string, time: string, detail: Record<string, unknown>) =>
  w.runtime.deliver({ id: randomUUID(), source: 'shop', detailType, time, detail });

const compliance = (w: LocalWorld) => new ComplianceStore(w.doc, w.tableName);
const notify = (id: string, at: string) => ({
  kind: 'emit' as const,
  outboxId: `consent#${at}#test`,
  detailType: 'customer.consent.changed',
  detail: { customerId: id, marketingConsent: false },
});

describe('consent through the projection', () => {
  it('an unsubscribe at 10:00 is not undone by a consent change timed 09:30 that arrives later', async () => {
    // Prepare: registered with consent, then the shop withdrew it at 09:00
    const w = await newWorld();
    const id = customer();
    await shopEvent(w, 'customer.registered', '2026-03-02T08:00:00Z', registration(id));
    await shopEvent(w, 'customer.consent.changed', '2026-03-02T09:00:00Z', {
      customerId: id,
      marketingConsent: false,
    });
    // Act: the customer unsubscribes at 10:00; a consent change of 09:30 arrives late
    await compliance(w).withdrawConsent(id, '2026-03-02T10:00:00Z', notify(id, '2026-03-02T10:00:00Z'));
    await shopEvent(w, 'customer.consent.changed', '2026-03-02T09:30:00Z', {
      customerId: id,
      marketingConsent: true,
    });
    // Assess
    expect(await w.runtime.services.store.getProfile(id)).toMatchObject({
      marketingConsent: false,
      consentAt: '2026-03-02T10:00:00Z',
    });
  });

  it('a re-consent at 11:00 after an unsubscribe at 10:00 wins, in either arrival order', async () => {
    const w = await newWorld();
    const id = customer();
    await shopEvent(w, 'customer.registered', '2026-03-02T08:00:00Z', registration(id));
    await shopEvent(w, 'customer.consent.changed', '2026-03-02T11:00:00Z', {
      customerId: id,
      marketingConsent: true,
    });
    // The unsubscribe of 10:00 reaches the table after the 11:00 re-consent.
    const result = await compliance(w).withdrawConsent(
      id,
      '2026-03-02T10:00:00Z',
      notify(id, '2026-03-02T10:00:00Z'),
    );
    expect(result).toBe('unchanged');
    expect(await w.runtime.services.store.getProfile(id)).toMatchObject({
      marketingConsent: true,
      consentAt: '2026-03-02T11:00:00Z',
    });
  });
});

describe('suppression through the projection', () => {
  it('a suppressed address does not follow the customer to a new address', async () => {
    // Prepare: registered with address A, A hard-bounced
    const w = await newWorld();
    const id = customer();
    await shopEvent(w, 'customer.registered', '2026-03-02T08:00:00Z', registration(id));
    const old = `${id}@example.de`;
    expect(await compliance(w).markProfileSuppressed(id, addressHash(old))).toBe(true);
    expect((await w.runtime.services.store.getProfile(id))?.suppressed).toBe(true);
    // Act: the customer changes the address
    await shopEvent(w, 'customer.updated', '2026-03-02T12:00:00Z', {
      customerId: id,
      email: `${id}@example.com`,
    });
    // Assess: the new address is not suppressed on the profile (the list by hash still has the old one)
    const profile = await w.runtime.services.store.getProfile(id);
    expect(profile?.email).toBe(`${id}@example.com`);
    expect(profile?.suppressed).toBeFalsy();
    // A suppression for the address the customer no longer has does nothing.
    expect(await compliance(w).markProfileSuppressed(id, addressHash(old))).toBe(false);
    expect((await w.runtime.services.store.getProfile(id))?.suppressed).toBeFalsy();
  });
});
