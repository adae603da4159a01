/**
 * A recorded event history for `journeys backtest`: one EventBridge event per line, as the bus
 * delivers it to a target (`{"version":"0","id":…,"detail-type":…,"source":…,"time":…,"detail":{…}}`).
 *
 * How a shop gets one: EventBridge replays an archive only onto its own bus, so add a rule on the
 * journeys bus that matches the shop's source and targets a CloudWatch Logs group (or Firehose to S3
 * with newline delimiters), replay the archive with `--destination FilterArns=<that rule>` so no
 * journey runs again, and export the log group's messages: each is one envelope. Events the system
 * emitted are left out here (the backtest emits its own).
 */
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { createInterface } from 'node:readline';
import { z } from 'zod';
import { formatIssues } from '../../functions/core/events.ts';
import { BacktestError } from '../errors.ts';
import type { Scenario } from '../simulate/index.ts';

/** The envelope fields a backtest reads; the rest (account, region, resources, replay-name) may be there. */
const envelopeSchema = z.object({
  id: z.string().min(1).optional(),
  source: z.string().min(1),
  'detail-type': z.string().min(1),
  time: z.iso.datetime({
    offset: true,
    message: 'must be an ISO 8601 timestamp such as 2026-03-02T08:00:00Z',
  }),
  detail: z.record(z.string(), z.unknown()),
});

export interface EventHistory {
  /** The shop's events, in the order of the file (the simulation orders them by time). */
  events: Scenario['events'];
  /** Lines whose source is not the shop's (the system's own events, SES's …): left out. */
  otherSources: number;
  first: string;
  last: string;
  customers: number;
}

/** Reads the file; every malformed line is an error naming its number and field. */
export async function readEventHistory(file: string, shopSource: string): Promise<EventHistory> {
  try {
    if (!(await stat(file)).isFile()) throw new BacktestError(`--events ${file} is not a file`);
  } catch (error) {
    if (error instanceof BacktestError) throw error;
    throw new BacktestError(`--events ${file}: no such file`);
  }
  const events: Scenario['events'] = [];
  const problems: string[] = [];
  const customers = new Set<string>();
  let otherSources = 0;
  let first: number | undefined;
  let last: number | undefined;
  let number = 0;
  const lines = createInterface({
    input: createReadStream(file, 'utf8'),
    crlfDelay: Number.POSITIVE_INFINITY,
  });
  for await (const line of lines) {
    number++;
    if (!line.trim()) continue;
    let raw: unknown;
    try {
      raw = JSON.parse(line);
    } catch (error) {
      problems.push(`${file}:${number}: not JSON (${(error as Error).message})`);
      // Enough to fix a file; a wrong format would otherwise print one line per event.
      if (problems.length >= 20) break;
      continue;
    }
    const parsed = envelopeSchema.safeParse(raw);
    if (!parsed.success) {
      for (const issue of formatIssues(parsed.error.issues, 'an EventBridge event'))
        problems.push(`${file}:${number}: ${issue}`);
      if (problems.length >= 20) break;
      continue;
    }
    const envelope = parsed.data;
    if (envelope.source !== shopSource) {
      otherSources++;
      continue;
    }
    const time = Date.parse(envelope.time);
    first = Math.min(first ?? time, time);
    last = Math.max(last ?? time, time);
    if (typeof envelope.detail.customerId === 'string') customers.add(envelope.detail.customerId);
    events.push({
      at: envelope.time,
      ...(envelope.id ? { id: envelope.id } : {}),
      // The simulation's shop source: the history's own may be any name (`--source`).
      source: 'shop',
      detailType: envelope['detail-type'],
      detail: envelope.detail,
    });
  }
  if (problems.length)
    throw new BacktestError(
      `${file} has malformed lines (one EventBridge event as JSON per line):\n  ${problems.join('\n  ')}`,
    );
  if (first === undefined || last === undefined)
    throw new BacktestError(
      `${file} holds no events from source "${shopSource}"${otherSources ? ` (${otherSources} from other sources; --source names the shop's)` : ''}`,
    );
  return {
    events,
    otherSources,
    first: new Date(first).toISOString(),
    last: new Date(last).toISOString(),
    customers: customers.size,
  };
}
