/** Lining up two lists, and a unified diff of two texts: for `simulate --check --update`. */

/** Pairs of positions (i in a, j in b) of a longest common subsequence under `same`. */
export function align<A, B>(a: A[], b: B[], same: (x: A, y: B) => boolean): [number, number][] {
  const n = a.length;
  const m = b.length;
  const table = Array.from({ length: n + 1 }, () => new Array<number>(m + 1).fill(0));
  for (let i = n - 1; i >= 0; i--)
    for (let j = m - 1; j >= 0; j--)
      (table[i] as number[])[j] = same(a[i] as A, b[j] as B)
        ? ((table[i + 1] as number[])[j + 1] as number) + 1
        : Math.max((table[i + 1] as number[])[j] as number, (table[i] as number[])[j + 1] as number);
  const pairs: [number, number][] = [];
  for (let i = 0, j = 0; i < n && j < m; ) {
    if (same(a[i] as A, b[j] as B)) pairs.push([i++, j++]);
    else if (((table[i + 1] as number[])[j] as number) >= ((table[i] as number[])[j + 1] as number)) i++;
    else j++;
  }
  return pairs;
}

/** A unified diff of two texts, three lines of context. */
export function unifiedDiff(before: string, after: string, label: string): string {
  // Lines without the empty one after a final newline.
  const lines = (text: string) => (text.endsWith('\n') ? text.slice(0, -1) : text).split('\n');
  const a = lines(before);
  const b = lines(after);
  const common = align(a, b, (x, y) => x === y);
  // Walk both texts, marking each line kept, removed or added.
  const ops: { kind: ' ' | '-' | '+'; line: string; ai: number; bi: number }[] = [];
  let i = 0;
  let j = 0;
  for (const [ci, cj] of [...common, [a.length, b.length] as [number, number]]) {
    while (i < ci) ops.push({ kind: '-', line: a[i] as string, ai: i++, bi: j });
    while (j < cj) ops.push({ kind: '+', line: b[j] as string, ai: i, bi: j++ });
    if (ci < a.length) ops.push({ kind: ' ', line: a[i] as string, ai: i++, bi: j++ });
  }
  const changed = ops.map((op, k) => (op.kind === ' ' ? -1 : k)).filter((k) => k >= 0);
  if (!changed.length) return '';
  const out = [`--- ${label} (before)`, `+++ ${label} (from the run)`];
  let k = 0;
  while (k < changed.length) {
    const from = Math.max(0, (changed[k] as number) - 3);
    let to = (changed[k] as number) + 3;
    while (k + 1 < changed.length && (changed[k + 1] as number) - 3 <= to + 1)
      to = (changed[++k] as number) + 3;
    k++;
    const hunk = ops.slice(from, Math.min(ops.length, to + 1));
    const first = hunk[0] as (typeof ops)[number];
    const aLen = hunk.filter((o) => o.kind !== '+').length;
    const bLen = hunk.filter((o) => o.kind !== '-').length;
    out.push(`@@ -${first.ai + 1},${aLen} +${first.bi + 1},${bLen} @@`);
    for (const op of hunk) out.push(`${op.kind}${op.line}`);
  }
  return `${out.join('\n')}\n`;
}
