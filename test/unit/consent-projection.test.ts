/**
 * Consent withdrawals and suppressions as pure projection rules (core/profile.ts): the same clocks as
 * the shop's events, whatever order things arrive in.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseShopEvent, type ShopEvent } from '../../functions/core/events.ts';
import type { Profile } from '../../functions/core/model.ts';
import { addressHash } from '../../functions/core/privacy.ts';
import { projectEvent, suppressAddress, withdrawConsent } from '../../functions/core/profile.ts';

let seq = 0;
function consentChanged(time: string, marketingConsent: boolean): ShopEvent {
  const parsed = parseShopEvent(
    {
      id: `evt-${++seq}`,
      source: 'shop',
      detailType: 'customer.consent.changed',
      time,
      detail: { customerId: 'c1', marketingConsent },
    },
    { now: '2030-01-01T00:00:00Z' },
  );
  if (!parsed.ok) throw new Error(parsed.errors.join('; '));
  return parsed.event;
}

const at = (hour: number, minute = 0) =>
  `2026-03-02T${String(hour).padStart(2, '0')}:${String(minute).padStart(2, '0')}:00Z`;
const profile = (fields: Partial<Profile> = {}): Profile => ({
  customerId: 'c1',
  email: 'anna@example.de',
  marketingConsent: true,
  consentAt: at(8),
  updatedAt: at(8),
  ...fields,
});

describe('withdrawConsent', () => {
  it('withdraws and tells the shop; a stub profile when none is stored yet', () => {
    expect(withdrawConsent(profile(), 'c1', at(10))).toEqual({
      profile: profile({ marketingConsent: false, consentAt: at(10) }),
      notify: true,
    });
    expect(withdrawConsent(undefined, 'c1', at(10))).toEqual({
      profile: { customerId: 'c1', marketingConsent: false, consentAt: at(10) },
      notify: true,
    });
  });

  it('changes nothing when a newer consent fact stands (a re-consent at 11:00, an unsubscribe of 10:00)', () => {
    expect(withdrawConsent(profile({ consentAt: at(11) }), 'c1', at(10))).toEqual({
      profile: undefined,
      notify: false,
    });
  });

  it('a second withdrawal tells nobody but moves consent’s clock on', () => {
    const withdrawn = profile({ marketingConsent: false, consentAt: at(9) });
    expect(withdrawConsent(withdrawn, 'c1', at(10))).toEqual({
      profile: { ...withdrawn, consentAt: at(10) },
      notify: false,
    });
    // So an older re-consent arriving later loses.
    const after = withdrawConsent(withdrawn, 'c1', at(10)).profile;
    expect(projectEvent({ profile: after, orders: [] }, consentChanged(at(9, 30), true)).profileChanged).toBe(
      false,
    );
  });

  it('keeps updatedAt apart from consentAt', () => {
    expect(withdrawConsent(profile({ updatedAt: at(12) }), 'c1', at(10)).profile?.updatedAt).toBe(at(12));
  });

  it('the newest consent fact wins in every arrival order (property)', () => {
    const fact = fc.record({
      minute: fc.integer({ min: 0, max: 600 }),
      kind: fc.constantFrom('consent-true', 'consent-false', 'unsubscribe'),
    });
    fc.assert(
      fc.property(
        fc.uniqueArray(fact, { minLength: 1, maxLength: 8, selector: (f) => f.minute }),
        fc.context(),
        (facts, ctx) => {
          let current: Profile | undefined;
          for (const f of facts) {
            const time = new Date(Date.parse(at(0)) + f.minute * 60_000).toISOString().replace('.000Z', 'Z');
            if (f.kind === 'unsubscribe') current = withdrawConsent(current, 'c1', time).profile ?? current;
            else {
              const p = projectEvent(
                { profile: current, orders: [] },
                consentChanged(time, f.kind === 'consent-true'),
              );
              if (p.profileChanged) current = p.profile;
            }
            ctx.log(`${f.kind}@${time} -> ${current?.marketingConsent}`);
          }
          const newest = [...facts].sort((a, b) => b.minute - a.minute)[0];
          expect(current?.marketingConsent).toBe(newest?.kind === 'consent-true');
        },
      ),
    );
  });
});

describe('suppressAddress', () => {
  it('marks the profile whose address it is, once', () => {
    const hash = addressHash('Anna@Example.de ');
    expect(suppressAddress(profile(), hash)).toEqual(profile({ suppressed: true }));
    expect(suppressAddress(profile({ suppressed: true }), hash)).toBeUndefined();
    expect(suppressAddress(undefined, hash)).toBeUndefined();
  });

  it('does nothing for an address the customer no longer has', () => {
    expect(
      suppressAddress(profile({ email: 'anna@example.com' }), addressHash('anna@example.de')),
    ).toBeUndefined();
  });

  it('stays with its address: a new address starts unsuppressed, the same address in other case does not', () => {
    const suppressed = { profile: profile({ suppressed: true }), orders: [] };
    const update = (email: string) =>
      parseShopEvent(
        {
          id: `u-${++seq}`,
          source: 'shop',
          detailType: 'customer.updated',
          time: at(12),
          detail: { customerId: 'c1', email },
        },
        { now: at(13) },
      );
    const moved = update('anna@example.com');
    const recased = update('ANNA@example.de');
    if (!moved.ok || !recased.ok) throw new Error('invalid fixture');
    expect(projectEvent(suppressed, moved.event).profile?.suppressed).toBeUndefined();
    expect(projectEvent(suppressed, recased.event).profile?.suppressed).toBe(true);
  });
});
