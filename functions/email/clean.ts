/**
 * Customer data is text, whatever the shop sends. Before it reaches a template it is cleaned of
 * what can change the meaning of the email around it rather than its own content:
 * - line breaks and other control characters: one would end the subject's header line and start a
 *   new header (header injection); they become a space;
 * - bidirectional embeddings, overrides and isolates (U+202A–U+202E, U+2066–U+2069): an unclosed
 *   RIGHT-TO-LEFT OVERRIDE in a name reverses the rest of the line it lands in (subject spoofing);
 *   Arabic and Hebrew names do not need them, the bidi algorithm orders them by itself;
 * - invisible characters that carry no letter (ZERO WIDTH SPACE, WORD JOINER, BOM): they hide
 *   text from filters and readers. ZWJ and ZWNJ stay: emoji sequences and Persian or Indic words
 *   need them;
 * - lone surrogates, which cannot be encoded as UTF-8, become U+FFFD.
 * Markup and Liquid need nothing here: output is escaped for HTML, and data is never parsed as a
 * template.
 */

// biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what this removes
const BREAKS_AND_CONTROLS = /\r\n|[\u0000-\u0008\u000a-\u001f\u007f-\u009f\u2028\u2029]/g;
const DIRECTION_AND_INVISIBLE = /[\u202a-\u202e\u2066-\u2069\u200b\u2060\ufeff]/g;
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;

/** Whether a string holds anything `cleanCustomerText` would change (one scan, no copy). */
const NEEDS_CLEANING =
  // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what this finds
  /[\u0000-\u0008\u000a-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069\u200b\u2060\ufeff\ud800-\udfff]/;

export function cleanCustomerText(value: string): string {
  if (!NEEDS_CLEANING.test(value)) return value;
  return value
    .replace(BREAKS_AND_CONTROLS, ' ')
    .replace(DIRECTION_AND_INVISIBLE, '')
    .replace(LONE_SURROGATE, '\ufffd');
}

/**
 * Template data with every string cleaned. Data that needs no cleaning is returned as it is (the
 * common case costs one scan per string, no copy). Otherwise a copy: only own, enumerable properties,
 * into plain data properties, so a `__proto__` key stays a key and never becomes a prototype.
 */
export function cleanData<T>(value: T): T {
  if (typeof value === 'string') return cleanCustomerText(value) as T;
  if (value === null || typeof value !== 'object' || value instanceof Date) return value;
  if (Array.isArray(value)) {
    const items = value.map((v) => cleanData(v));
    return (items.every((v, i) => v === value[i]) ? value : items) as T;
  }
  const entries = Object.entries(value);
  const cleaned = entries.map(([, v]) => cleanData(v));
  if (cleaned.every((v, i) => v === entries[i]?.[1])) return value;
  const out: Record<string, unknown> = {};
  for (const [i, [key]] of entries.entries()) {
    Object.defineProperty(out, key, {
      value: cleaned[i],
      enumerable: true,
      writable: true,
      configurable: true,
    });
  }
  return out as T;
}

/**
 * A header value on one line: what the templates produced, with any break folded into a space.
 * Only tabs and spaces collapse: the no-break spaces of French and German typography stay.
 */
export function oneLine(value: string): string {
  return cleanCustomerText(value)
    .replace(/[\t ]+/g, ' ')
    .trim();
}
