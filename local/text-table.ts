/**
 * Columns of text for the command line: each column as wide as its widest cell, cells left-aligned
 * except in the columns named in `right` (numbers), no trailing spaces. `rule` puts a line of `─`
 * under the header. The synth summary, the cost bill and the analytics report print with it.
 */
export function textTable(
  header: readonly string[],
  rows: readonly (readonly string[])[],
  options: { right?: readonly number[]; rule?: boolean } = {},
): string[] {
  const right = options.right ?? [];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: readonly string[]) =>
    cells
      .map((cell, i) => (right.includes(i) ? cell.padStart(widths[i] ?? 0) : cell.padEnd(widths[i] ?? 0)))
      .join('  ')
      .trimEnd();
  return [
    line(header),
    ...(options.rule ? [widths.map((w) => '─'.repeat(w)).join('  ')] : []),
    ...rows.map(line),
  ];
}
