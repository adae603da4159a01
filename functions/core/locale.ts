/**
 * Locale fallback (DESIGN.md §7): `de-AT -> de -> <default locale>`. Pure, no I/O.
 */

/** Whether `tag` is exactly one well-formed BCP 47 language tag (no repairs: the event contract's rule). */
export function isLocale(tag: string): boolean {
  try {
    return Intl.getCanonicalLocales(tag).length === 1;
  } catch {
    return false;
  }
}

/** Canonical BCP 47 form of a tag (`de-at` -> `de-AT`), or undefined for something that is not a tag. */
export function canonicalLocale(tag: string | undefined): string | undefined {
  if (!tag) return undefined;
  try {
    return Intl.getCanonicalLocales(tag.trim().replace(/_/g, '-'))[0];
  } catch {
    return undefined;
  }
}

/**
 * The locales to try for a requested one, most specific first, ending with the default:
 * `localeChain('de-AT', 'en')` is `['de-AT', 'de', 'en']`. Subtags are dropped one at a time
 * (`zh-Hant-TW -> zh-Hant -> zh`). An invalid request yields just the default.
 */
export function localeChain(requested: string, defaultLocale: string): string[] {
  const chain: string[] = [];
  const add = (tag: string | undefined) => {
    if (tag && !chain.some((c) => c.toLowerCase() === tag.toLowerCase())) chain.push(tag);
  };
  const canonical = canonicalLocale(requested);
  if (canonical) {
    const parts = canonical.split('-');
    for (let n = parts.length; n >= 1; n--) {
      // Never end a candidate on a singleton such as `-u` or `-x`: it is not a tag on its own.
      if (n > 1 && (parts[n - 1] ?? '').length === 1) continue;
      add(canonicalLocale(parts.slice(0, n).join('-')));
    }
  }
  add(canonicalLocale(defaultLocale) ?? defaultLocale);
  return chain;
}

/**
 * The first locale of the chain that is available (compared case-insensitively), returned as spelled
 * in `available`; otherwise `defaultLocale`. `resolveLocale(['en', 'de'], 'pt-BR', 'en')` is `'en'`.
 */
export function resolveLocale(
  available: readonly string[],
  requested: string | undefined,
  defaultLocale: string,
): string {
  const byLower = new Map(available.map((a) => [(canonicalLocale(a) ?? a).toLowerCase(), a]));
  for (const candidate of localeChain(requested ?? defaultLocale, defaultLocale)) {
    const hit = byLower.get(candidate.toLowerCase());
    if (hit !== undefined) return hit;
  }
  return defaultLocale;
}
