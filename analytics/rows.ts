/** Reading SqlRows: both runners return numbers for counts, but NULL and strings must not break a sum. */
export const num = (v: unknown): number =>
  typeof v === 'number' ? v : v === null || v === undefined ? 0 : Number(v);
export const str = (v: unknown): string | null => (v === null || v === undefined ? null : String(v));
/** a / b, or null when b is 0 (a rate with nothing to divide by is undefined, not 0). */
export const ratio = (a: number, b: number): number | null => (b === 0 ? null : a / b);
