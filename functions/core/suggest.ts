/**
 * "Did you mean …": the known name closest to a misspelt one, for messages that name a key, a step or
 * a message id the author mistyped (`ctaa` for `cta`). Build time and CLI only.
 */

/** Edit distance (insertions, deletions, substitutions, and swaps of neighbours) between a and b. */
export function editDistance(a: string, b: string): number {
  const rows = Array.from({ length: a.length + 1 }, (_, i) => [i, ...Array<number>(b.length).fill(0)]);
  for (let j = 1; j <= b.length; j++) (rows[0] as number[])[j] = j;
  for (let i = 1; i <= a.length; i++)
    for (let j = 1; j <= b.length; j++) {
      const row = rows[i] as number[];
      const up = rows[i - 1] as number[];
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      row[j] = Math.min((up[j] as number) + 1, (row[j - 1] as number) + 1, (up[j - 1] as number) + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1])
        row[j] = Math.min(row[j] as number, ((rows[i - 2] as number[])[j - 2] as number) + 1);
    }
  return (rows[a.length] as number[])[b.length] as number;
}

/**
 * The candidate closest to `name` if it is close enough to be a typo of it (at most a third of its
 * letters off, and at most 2; none for names under three letters), else undefined. Ties go to the
 * first candidate.
 */
export function closest(name: string, candidates: Iterable<string>): string | undefined {
  // A name of one or two letters is too short to tell a typo from another name.
  const limit = Math.min(2, Math.floor(name.length / 3));
  if (limit === 0) return undefined;
  let best: string | undefined;
  let bestDistance = limit + 1;
  for (const candidate of candidates) {
    if (candidate === name) continue;
    const d = editDistance(name.toLowerCase(), candidate.toLowerCase());
    if (d < bestDistance) {
      best = candidate;
      bestDistance = d;
    }
  }
  return best;
}

/** ` (did you mean "x"?)`, or nothing. */
export const didYouMean = (name: string, candidates: Iterable<string>, quote = (s: string) => `"${s}"`) => {
  const match = closest(name, candidates);
  return match === undefined ? '' : ` (did you mean ${quote(match)}?)`;
};
