/**
 * The local analytics sink: JSON Lines in the same partition layout as the S3 prefix Firehose
 * writes, `<dir>/dt=YYYY-MM-DD/<writer>.jsonl` (record.ts `partitionOf`), which DuckDB reads with
 * `read_json('<dir>/*\/*.jsonl', hive_partitioning = true)`.
 *
 * One file per writer process (its `writer` name), appended to, never rewritten. Appends of one
 * process are serialised per file — concurrent `write` calls (customers handled side by side) never
 * interleave inside a line — and a record's line is written whole or not at all by one append.
 */
import { appendFile, mkdir } from 'node:fs/promises';
import { hostname } from 'node:os';
import path from 'node:path';
import { type AnalyticsRecord, type AnalyticsSink, COLUMNS, partitionOf } from '../analytics/record.ts';

/** Appends per file, in call order, across every sink of the process writing that file. */
const queues = new Map<string, Promise<void>>();

function serialised(file: string, work: () => Promise<void>): Promise<void> {
  const previous = queues.get(file) ?? Promise.resolve();
  const next = previous.catch(() => undefined).then(work);
  queues.set(file, next);
  // Forget a file's queue once it is idle, so a long-running process holds no map of old days.
  void next
    .catch(() => undefined)
    .then(() => {
      if (queues.get(file) === next) queues.delete(file);
    });
  return next;
}

/** A writer name safe as a file name: the host and the process, by default. */
export function defaultWriterName(): string {
  return `${hostname()}-${process.pid}`.replace(/[^A-Za-z0-9._-]/g, '_');
}

/** Every column in COLUMNS order, so files written by any version of a writer look alike. */
export function recordLine(record: AnalyticsRecord): string {
  const row: Record<string, unknown> = {};
  for (const column of Object.keys(COLUMNS) as (keyof typeof COLUMNS)[]) row[column] = record[column] ?? null;
  return JSON.stringify(row);
}

export class JsonLinesSink implements AnalyticsSink {
  private readonly writer: string;

  constructor(
    private readonly dir: string,
    options: { writer?: string } = {},
  ) {
    this.writer = options.writer ?? defaultWriterName();
    if (!/^[A-Za-z0-9._-]{1,100}$/.test(this.writer))
      throw new Error(
        `analytics writer name "${this.writer}" must be letters, digits, dot, dash or underscore`,
      );
  }

  async write(records: readonly AnalyticsRecord[]): Promise<void> {
    const byFile = new Map<string, string[]>();
    for (const record of records) {
      const file = path.join(this.dir, partitionOf(record), `${this.writer}.jsonl`);
      byFile.set(file, [...(byFile.get(file) ?? []), recordLine(record)]);
    }
    await Promise.all(
      [...byFile].map(([file, lines]) =>
        serialised(file, async () => {
          await mkdir(path.dirname(file), { recursive: true });
          await appendFile(file, `${lines.join('\n')}\n`, 'utf8');
        }),
      ),
    );
  }
}
