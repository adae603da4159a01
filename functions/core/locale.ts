/**
 * Locale fallback (DESIGN.md §7): `de-AT -> de -> <default locale>`. Pure, no I/O.
 */

/** Whether `tag` is exactly one well-formed BCP 47 language tag (no repairs: the event contract's rule). */
export function isLocale(tag: string): boolean {
  return canonical(tag, true) !== undefined;
}

/**
 * `Intl.getCanonicalLocales` of each tag, remembered (a pure function of the tag, and a decision asks
 * for the same few tags over and over); `exact` keeps the tag as given, else spaces and `_` are fixed.
 */
const canonicalTags = new Map<string, string | null>();
function canonical(tag: string, exact: boolean): string | undefined {
  const key = exact ? `=${tag}` : `~${tag}`;
  let known = canonicalTags.get(key);
  if (known === undefined) {
    try {
      const tags = Intl.getCanonicalLocales(exact ? tag : tag.trim().replace(/_/g, '-'));
      known = exact ? (tags.length === 1 ? (tags[0] ?? null) : null) : (tags[0] ?? null);
    } catch {
      known = null;
    }
    if (canonicalTags.size < 10_000) canonicalTags.set(key, known);
  }
  return known ?? undefined;
}

/** Canonical BCP 47 form of a tag (`de-at` -> `de-AT`), or undefined for something that is not a tag. */
export function canonicalLocale(tag: string | undefined): string | undefined {
  if (!tag) return undefined;
  return canonical(tag, false);
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
