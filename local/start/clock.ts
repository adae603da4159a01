/**
 * The clock of `npm start`: the wall clock plus an offset the marketer moves forward
 * (`POST /clock/advance` with `{"by": "P5D"}`), so the day-5 offer or the review request a week after
 * delivery arrives in seconds instead of days. It never goes back: decisions and timers already
 * written stay in order. The offset is kept in the data directory, so a restart keeps the day.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { Duration } from 'luxon';
import type { Clock } from '../../functions/adapters/clock.ts';
import { addDuration } from '../../functions/core/time.ts';
import { discardBody, readBody, refusal } from '../runtime/events-http.ts';

/** How far one step may go: a year and a little, enough for a birthday or a win-back cycle. */
const MAX_STEP_DAYS = 400;

export class AdjustableClock implements Clock {
  constructor(private offsetMs = 0) {}

  /** Milliseconds the clock is ahead of the wall clock. */
  get offset(): number {
    return this.offsetMs;
  }

  now = (): string => new Date(Date.now() + this.offsetMs).toISOString().replace(/\.\d{3}Z$/, 'Z');

  /** Moves the clock forward by an ISO 8601 duration (`advanceError` says why one is refused). */
  advance(by: string): { from: string; to: string } {
    const error = advanceError(by);
    if (error) throw new RangeError(error);
    const from = this.now();
    const to = addDuration(from, by, 'UTC');
    this.offsetMs += Date.parse(to) - Date.parse(from);
    return { from, to };
  }
}

/** Why `by` cannot move the clock, naming the field and the rule; undefined when it can. */
export function advanceError(by: unknown): string | undefined {
  const rule = 'an ISO 8601 duration forward such as P5D, P1W or PT12H';
  if (typeof by !== 'string' || by === '') return `by: required (rule: ${rule})`;
  const duration = Duration.fromISO(by);
  if (!duration.isValid) return `by: "${by}" is not a duration (rule: ${rule})`;
  const ms = duration.as('milliseconds');
  if (!(ms > 0)) return `by: "${by}" does not move the clock forward (rule: ${rule})`;
  if (duration.as('days') > MAX_STEP_DAYS)
    return `by: "${by}" is more than ${MAX_STEP_DAYS} days (rule: one step at most ${MAX_STEP_DAYS} days)`;
  return undefined;
}

/** "5 days", "12 hours", "1 week, 2 days": a duration in words, for people. */
export const inWords = (by: string) => Duration.fromISO(by).toHuman({ listStyle: 'long' });

export interface ClockRoutes {
  clock: AdjustableClock;
  /** Keeps the new offset (the data directory), then works what became due (a sweep). */
  advanced(step: { from: string; to: string; by: string }): Promise<void>;
}

function send(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
}

/**
 * `GET /clock` (the time the runtime decides with) and `POST /clock/advance` (`{"by": "P5D"}`);
 * undefined when the request is for neither. A POST must be same-origin JSON, as /events is.
 */
export async function serveClock(
  req: IncomingMessage,
  res: ServerResponse,
  routes: ClockRoutes,
): Promise<string | undefined> {
  const at = (req.url ?? '').split('?')[0]?.replace(/\/$/, '');
  if (at === '/clock' && req.method === 'GET') {
    send(res, 200, { now: routes.clock.now(), aheadOfWallClockMs: routes.clock.offset });
    return 'read';
  }
  if (at !== '/clock/advance') return undefined;
  if (req.method !== 'POST') {
    send(res, 405, { message: 'POST {"by": "P5D"} to move the clock forward' });
    return 'refused';
  }
  const refused = refusal(req);
  if (refused) {
    await discardBody(req);
    send(res, refused.status, { message: refused.message });
    return 'refused';
  }
  let by: unknown;
  try {
    by = (JSON.parse((await readBody(req)) ?? '') as { by?: unknown } | null)?.by;
  } catch {
    send(res, 400, { message: 'the body is not JSON; send {"by": "P5D"}' });
    return 'refused';
  }
  const error = advanceError(by);
  if (error) {
    send(res, 400, { message: error });
    return 'refused';
  }
  const step = { ...routes.clock.advance(by as string), by: by as string };
  await routes.advanced(step);
  send(res, 200, { ...step, inWords: inWords(step.by), now: routes.clock.now() });
  return `advanced ${inWords(step.by)} to ${step.to}`;
}
