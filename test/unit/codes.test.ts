/** Readable coupon/referral codes and the seeded hash behind holdout and splits. */
import { describe, expect, it } from 'vitest';
import { readableCode, unitHash } from '../../functions/core/codes.ts';

const SECRET = 'test-secret-0123456789';
const READABLE = /^[A-HJ-NP-Z2-9]{4}-[A-HJ-NP-Z2-9]{4}$/;

describe('readableCode', () => {
  it('uses only letters and digits that cannot be misread: no 0/O, no 1/I', () => {
    // Prepare
    const purposes = Array.from({ length: 500 }, (_, i) => `coupon:c${i}:onboarding:x:5`);
    // Act
    const codes = purposes.map((p) => readableCode(SECRET, p));
    // Assess
    for (const code of codes) {
      expect(code).toMatch(READABLE);
      expect(code).not.toMatch(/[01OI]/);
    }
    // Over 500 codes, the whole alphabet shows up: the mapping is not stuck on a subset.
    const used = new Set(codes.join('').replace(/-/g, ''));
    expect(used.size).toBe(32);
  });

  it('is deterministic: the same secret and purpose give the same code', () => {
    expect(readableCode(SECRET, 'coupon:c1:onboarding:i1:5')).toBe(
      readableCode(SECRET, 'coupon:c1:onboarding:i1:5'),
    );
  });

  it('differs for different purposes and for different secrets', () => {
    const base = readableCode(SECRET, 'coupon:c1:onboarding:i1:5');
    expect(readableCode(SECRET, 'coupon:c2:onboarding:i1:5')).not.toBe(base);
    expect(readableCode(SECRET, 'referral:c1')).not.toBe(base);
    expect(readableCode('another-secret-0123456789', 'coupon:c1:onboarding:i1:5')).not.toBe(base);
  });

  it('does not collide over many customers', () => {
    const codes = new Set(Array.from({ length: 2000 }, (_, i) => readableCode(SECRET, `referral:c${i}`)));
    expect(codes.size).toBe(2000);
  });

  it('groups codes longer than four characters after the fourth; short codes have no dash', () => {
    expect(readableCode(SECRET, 'x', 4)).toMatch(/^[A-HJ-NP-Z2-9]{4}$/);
    expect(readableCode(SECRET, 'x', 12)).toMatch(/^[A-HJ-NP-Z2-9]{4}-[A-HJ-NP-Z2-9]{8}$/);
  });
});

describe('unitHash', () => {
  it('is a stable number in [0, 1)', () => {
    const values = Array.from({ length: 1000 }, (_, i) => unitHash(`holdout:onboarding:c${i}:i1`));
    for (const v of values) {
      expect(v).toBeGreaterThanOrEqual(0);
      expect(v).toBeLessThan(1);
    }
    expect(unitHash('holdout:onboarding:c1:i1')).toBe(unitHash('holdout:onboarding:c1:i1'));
    // Roughly uniform: a 10 % holdout takes roughly 10 % (loose bounds, deterministic inputs).
    const share = values.filter((v) => v < 0.1).length / values.length;
    expect(share).toBeGreaterThan(0.06);
    expect(share).toBeLessThan(0.14);
  });
});
