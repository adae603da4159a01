/**
 * `POST /events` of the local runtime: shop events in the EventBridge PutEvents request shape, for the
 * shop (or curl, or the AWS SDK pointed at it) on this machine, and for nobody else.
 *
 * Why the checks: a web page the developer visits can make the browser send requests to
 * 127.0.0.1:3000. Without them, a "simple" cross-site POST (`text/plain`, no preflight) could change a
 * customer's consent or email. So:
 * - The content type must be `application/json` or the AWS SDK's `application/x-amz-json-1.1`.
 *   Browsers send those cross-site only after a CORS preflight, which this server never grants.
 * - A request with an `Origin` other than this server's own, or a `Sec-Fetch-Site` of `cross-site` or
 *   `same-site`, is refused: browsers add these headers, curl and the SDK do not.
 * - The `Host` must be a loopback name: a page on a domain re-pointed at 127.0.0.1 (DNS rebinding)
 *   would otherwise pass as same-origin.
 * - Bodies are limited to 256 KiB, EventBridge's PutEvents limit (413 beyond), and a body that is not
 *   the PutEvents shape is answered 400 with the entry index and field at fault.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import {
  type Delivery,
  type LocalRuntime,
  type PutEventsResultEntry,
  validatePutEventsRequest,
} from './runtime.ts';

/** EventBridge PutEvents: 256 KB per request. */
export const EVENTS_BODY_LIMIT = 262_144;

const CONTENT_TYPES = new Set(['application/json', 'application/x-amz-json-1.1']);
const LOOPBACK_HOSTS = new Set(['127.0.0.1', 'localhost', '[::1]']);

export interface EventsAnswer {
  status: number;
  body: { message: string } | { FailedEntryCount: number; Entries: PutEventsResultEntry[] };
  deliveries: Delivery[];
}

const hostName = (host: string) => host.replace(/:\d+$/, '').toLowerCase();

/** Why a request must be refused before its body is read, or undefined. */
export function refusal(req: IncomingMessage): { status: number; message: string } | undefined {
  const host = req.headers.host;
  if (!host || !LOOPBACK_HOSTS.has(hostName(host)))
    return { status: 403, message: 'only requests to 127.0.0.1 or localhost are accepted' };
  const site = req.headers['sec-fetch-site'];
  if (site === 'cross-site' || site === 'same-site')
    return { status: 403, message: 'cross-site requests are refused' };
  const origin = req.headers.origin;
  if (origin !== undefined) {
    let same = false;
    try {
      const url = new URL(origin);
      same = url.protocol === 'http:' && url.host === host;
    } catch {
      // "null" (sandboxed frames, file:) or garbage: not this server.
    }
    if (!same) return { status: 403, message: `cross-site requests are refused (Origin ${origin})` };
  }
  const type = (req.headers['content-type'] ?? '').split(';')[0]?.trim().toLowerCase() ?? '';
  if (!CONTENT_TYPES.has(type))
    return {
      status: 415,
      message: 'content-type must be application/json (or application/x-amz-json-1.1, as the AWS SDK sends)',
    };
  const length = Number(req.headers['content-length']);
  if (Number.isFinite(length) && length > EVENTS_BODY_LIMIT) return tooLarge();
  return undefined;
}

const tooLarge = () => ({
  status: 413,
  message: `the body exceeds ${EVENTS_BODY_LIMIT} bytes (256 KB, EventBridge's PutEvents limit)`,
});

/**
 * How much of a refused body is read and thrown away before answering. A client still writing when
 * the server answers and closes sees EPIPE instead of the 413 / 415; past this much, it does.
 */
const DISCARD_LIMIT = 32 * EVENTS_BODY_LIMIT; // 8 MiB

/** The body, or undefined once it grew past the limit (the rest is discarded, within bounds). */
async function readBody(req: IncomingMessage): Promise<string | undefined> {
  let size = 0;
  const chunks: Buffer[] = [];
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > DISCARD_LIMIT) return undefined;
    if (size <= EVENTS_BODY_LIMIT) chunks.push(chunk as Buffer);
  }
  return size > EVENTS_BODY_LIMIT ? undefined : Buffer.concat(chunks).toString('utf8');
}

/** Reads and drops a refused request's body (bounded), so the client gets to read the answer. */
async function discardBody(req: IncomingMessage): Promise<void> {
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > DISCARD_LIMIT) return;
  }
}

/** Answers a `POST /events` request: checks, then `runtime.putEvents`. */
export async function handleEvents(runtime: LocalRuntime, req: IncomingMessage): Promise<EventsAnswer> {
  const refused = refusal(req);
  const answer = (status: number, message: string): EventsAnswer => ({
    status,
    body: { message },
    deliveries: [],
  });
  if (refused) {
    await discardBody(req);
    return answer(refused.status, refused.message);
  }
  const text = await readBody(req);
  if (text === undefined) {
    const { status, message } = tooLarge();
    return answer(status, message);
  }
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    return answer(400, 'the body is not valid JSON (expected the EventBridge PutEvents request shape)');
  }
  const request = validatePutEventsRequest(body);
  if ('error' in request) return answer(400, request.error);
  const { FailedEntryCount, Entries, deliveries } = await runtime.putEvents(request.entries);
  return { status: 200, body: { FailedEntryCount, Entries }, deliveries };
}

/** `handleEvents`, written to the response. A refused request's connection is closed, its body unread. */
export async function serveEvents(
  runtime: LocalRuntime,
  req: IncomingMessage,
  res: ServerResponse,
): Promise<EventsAnswer> {
  const result = await handleEvents(runtime, req);
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (!req.readableEnded) headers.connection = 'close';
  res.writeHead(result.status, headers);
  res.end(JSON.stringify(result.body));
  return result;
}
