/** How every bench section shows itself: one status line while it runs (on a terminal), then its rows. */

export type Row = [string, string];

/** Runs `section` with a status line it may rewrite, cleared when it ends (even when it fails). */
export async function withStatusLine<T>(section: (status: (text: string) => void) => Promise<T>): Promise<T> {
  const tty = process.stderr.isTTY;
  try {
    return await section((text) => {
      if (tty) process.stderr.write(`\r\u001b[2K  ${text}`);
    });
  } finally {
    if (tty) process.stderr.write('\r\u001b[2K');
  }
}

/** A titled table of label and figure, labels aligned. */
export function printRows(title: string, rows: readonly Row[]): void {
  const width = Math.max(...rows.map(([k]) => k.length));
  process.stdout.write(`\n${title}\n\n`);
  for (const [k, v] of rows) process.stdout.write(`  ${k.padEnd(width)}  ${v}\n`);
  process.stdout.write('\n');
}
