/** "Did you mean …" (functions/core/suggest.ts): close names are offered, far ones never. */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { closest, didYouMean, editDistance } from '../../functions/core/suggest.ts';

describe('closest', () => {
  it('offers the name one or two letters off, a swap counting one', () => {
    expect(closest('ctaa', ['subject', 'cta', 'preheader'])).toBe('cta');
    expect(closest('valdate', ['simulate', 'validate', 'preview'])).toBe('validate');
    expect(closest('sbuject', ['subject', 'cta'])).toBe('subject');
    expect(closest('welcom', ['welcome', 'getting-started'])).toBe('welcome');
  });

  it('offers nothing for a different word, or for the name itself', () => {
    expect(closest('ship', ['cta', 'subject'])).toBeUndefined();
    expect(closest('ab', ['xy'])).toBeUndefined();
    expect(closest('cta', ['cta'])).toBeUndefined();
    expect(didYouMean('zzz', ['cta'])).toBe('');
    expect(didYouMean('ctaa', ['cta'], (k) => `t.${k}`)).toBe(' (did you mean t.cta?)');
  });

  it('measures a distance that is a metric on the strings it compares', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 8 }), fc.string({ maxLength: 8 }), (a, b) => {
        expect(editDistance(a, b)).toBe(editDistance(b, a));
        expect(editDistance(a, a)).toBe(0);
        expect(editDistance(a, b)).toBeLessThanOrEqual(Math.max(a.length, b.length));
        expect(editDistance(a, b) === 0).toBe(a === b);
      }),
    );
  });
});
