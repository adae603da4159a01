/** What erasure writes into other customers' items (core/erasure.ts). */
import { describe, expect, it } from 'vitest';
import { ERASED_ADDRESS, orderPseudonym, pseudonym, pseudonymiseItem } from '../../functions/core/erasure.ts';
import { isPseudonym } from '../../functions/core/referral.ts';

const who = { customerId: 'r1', email: 'Bea@Example.com', orderIds: ['o-r1-7'] };

describe('pseudonymiseItem', () => {
  it('replaces the id in values, composite keys and map keys, the address in any case, and order ids', () => {
    const item = {
      PK: 'C#r0',
      SK: 'J#referral-reward#r1',
      context: { refereeId: 'r1', orderId: 'o-r1-7', other: 'r10' },
      effect: { outboxId: 'referral-reward#r1#1', data: { to: 'bea@example.com' } },
      marks: { r1: '2026-05-04T08:00:00Z' },
      list: ['r1', 'r11'],
    };
    const next = pseudonymiseItem(item, who);
    const p = pseudonym('r1');
    expect(next).toEqual({
      PK: 'C#r0',
      SK: `J#referral-reward#${p}`,
      context: { refereeId: p, orderId: orderPseudonym('o-r1-7'), other: 'r10' },
      effect: { outboxId: `referral-reward#${p}#1`, data: { to: ERASED_ADDRESS } },
      marks: { [p]: '2026-05-04T08:00:00Z' },
      list: [p, 'r11'],
    });
    expect(JSON.stringify(next)).not.toMatch(/\br1\b|bea@/i);
    expect(isPseudonym(p)).toBe(true);
  });

  it('returns undefined for an item that does not mention the customer', () => {
    expect(
      pseudonymiseItem({ PK: 'C#r10', SK: '#PROFILE', customerId: 'r10', email: 'x@y.z' }, who),
    ).toBeUndefined();
  });

  it('keeps a stored `__proto__` key a plain key', () => {
    const item = JSON.parse('{"PK":"C#r0","SK":"X","__proto__":{"polluted":"r1"}}') as Record<
      string,
      unknown
    >;
    const next = pseudonymiseItem(item, who) as Record<string, unknown>;
    expect(Object.hasOwn(next, '__proto__')).toBe(true);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('gives each id one stable pseudonym, and no two ids the same', () => {
    expect(pseudonym('r1')).toBe(pseudonym('r1'));
    expect(pseudonym('r1')).not.toBe(pseudonym('r2'));
  });
});
