import { describe, expect, it } from 'vitest';
import { erfc, MIN_ARM, normalCdf, twoProportionUplift, twoSidedP, Z95 } from '../../analytics/stats.ts';

describe('normal distribution', () => {
  it('matches tabulated values of Φ', () => {
    // Reference values: scipy.stats.norm.cdf / math.erfc.
    expect(normalCdf(0)).toBeCloseTo(0.5, 7);
    expect(normalCdf(1.96)).toBeCloseTo(0.9750021048517795, 7);
    expect(normalCdf(-1)).toBeCloseTo(0.15865525393145707, 7);
    expect(normalCdf(-3)).toBeCloseTo(0.0013498980316300957, 8);
    expect(normalCdf(Z95)).toBeCloseTo(0.975, 7);
  });

  it('keeps its relative accuracy in the tail, where p-values are small', () => {
    const p = twoSidedP(6); // erfc(6/√2) = 1.9731752900754024e-9
    expect(Math.abs(p - 1.9731752900754024e-9) / 1.9731752900754024e-9).toBeLessThan(1e-6);
    expect(erfc(0)).toBeCloseTo(1, 7);
    expect(erfc(-1)).toBeCloseTo(2 - 0.15729920705028513, 7);
  });
});

describe('two-proportion uplift', () => {
  it('matches a worked example (60/200 treated vs 40/200 held out)', () => {
    const u = twoProportionUplift({ n: 200, x: 60 }, { n: 200, x: 40 });
    expect(u.absolute).toBeCloseTo(0.1, 12);
    expect(u.relative).toBeCloseTo(0.5, 12);
    // pooled p = 0.25, se = √(0.25·0.75·(2/200)), z = 2.3094 → p = 0.020921
    expect(u.pValue).toBeCloseTo(0.020921335337794028, 6);
    // unpooled se = √(0.3·0.7/200 + 0.2·0.8/200)
    expect(u.ciLow).toBeCloseTo(0.015698761466487757, 9);
    expect(u.ciHigh).toBeCloseTo(0.18430123853351227, 9);
    expect(u.note).toBeUndefined();
  });

  it('gives p = 1 and an interval around 0 when both groups convert alike', () => {
    const u = twoProportionUplift({ n: 100, x: 20 }, { n: 50, x: 10 });
    expect(u.absolute).toBe(0);
    expect(u.pValue).toBeCloseTo(1, 9);
    expect(u.ciLow).toBeLessThan(0);
    expect(u.ciHigh).toBeGreaterThan(0);
  });

  it('says "not enough data" below the stated minimum, with every figure null', () => {
    const small = twoProportionUplift({ n: 500, x: 100 }, { n: MIN_ARM - 1, x: 10 });
    expect(small).toMatchObject({ absolute: null, relative: null, ciLow: null, ciHigh: null, pValue: null });
    expect(small.note).toBe('not enough data: 29 held-out entries (minimum 30 per group)');
    const few = twoProportionUplift({ n: 500, x: 4 }, { n: 100, x: 10 });
    expect(few.note).toMatch(/^not enough data: 4 of 500 treated entries reached the goal/);
    const all = twoProportionUplift({ n: 500, x: 100 }, { n: 100, x: 97 });
    expect(all.note).toMatch(/97 of 100 held-out entries/);
  });
});
