import { describe, expect, it } from 'vitest';
import { canonicalLocale, localeChain, resolveLocale } from '../../functions/core/locale.ts';

describe('localeChain', () => {
  it('drops subtags one at a time and ends with the default', () => {
    expect(localeChain('de-AT', 'en')).toEqual(['de-AT', 'de', 'en']);
    expect(localeChain('zh-Hant-TW', 'en')).toEqual(['zh-Hant-TW', 'zh-Hant', 'zh', 'en']);
  });

  it('canonicalises and never repeats a locale', () => {
    expect(localeChain('de-at', 'en')).toEqual(['de-AT', 'de', 'en']);
    expect(localeChain('de_AT', 'en')).toEqual(['de-AT', 'de', 'en']);
    expect(localeChain('en-US', 'en')).toEqual(['en-US', 'en']);
    expect(localeChain('en', 'en')).toEqual(['en']);
    expect(localeChain('EN', 'en')).toEqual(['en']);
  });

  it('skips candidates that would end on a singleton', () => {
    expect(localeChain('de-DE-u-co-phonebk', 'en')).toEqual([
      'de-DE-u-co-phonebk',
      'de-DE-u-co',
      'de-DE',
      'de',
      'en',
    ]);
  });

  it('falls back to the default for something that is not a language tag', () => {
    expect(localeChain('not a locale!', 'en')).toEqual(['en']);
    expect(localeChain('', 'de')).toEqual(['de']);
  });
});

describe('resolveLocale', () => {
  const available = ['en', 'de'];

  it('walks the chain: de-AT -> de', () => {
    expect(resolveLocale(available, 'de-AT', 'en')).toBe('de');
  });

  it('falls back to the default: pt-BR -> en', () => {
    expect(resolveLocale(available, 'pt-BR', 'en')).toBe('en');
  });

  it('prefers the most specific available locale', () => {
    expect(resolveLocale(['en', 'de', 'de-AT'], 'de-AT', 'en')).toBe('de-AT');
    expect(resolveLocale(['en', 'de', 'de-AT'], 'de-CH', 'en')).toBe('de');
  });

  it('compares case-insensitively and returns the available spelling', () => {
    expect(resolveLocale(['en', 'de-at'], 'DE-AT', 'en')).toBe('de-at');
    expect(resolveLocale(['EN', 'DE'], 'de', 'en')).toBe('DE');
  });

  it('uses the default for a missing or invalid request', () => {
    expect(resolveLocale(available, undefined, 'en')).toBe('en');
    expect(resolveLocale(available, '??', 'en')).toBe('en');
    expect(resolveLocale([], 'de', 'en')).toBe('en');
  });
});

describe('canonicalLocale', () => {
  it('canonicalises or rejects', () => {
    expect(canonicalLocale('pt-br')).toBe('pt-BR');
    expect(canonicalLocale(undefined)).toBeUndefined();
    expect(canonicalLocale('x y')).toBeUndefined();
  });
});
