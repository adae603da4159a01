/**
 * The local runtime's PutEvents endpoint: shop events in the EventBridge PutEvents request shape, for
 * the shop (or curl, or the AWS SDK pointed at it) on this machine, and for nobody else. It answers on
 * `POST /events` (and `/events/`) and, for `EventBridgeClient` with `endpoint` set to the runtime, on
 * `POST /` with `X-Amz-Target: AWSEvents.PutEvents` (the SDK's awsJson1_1 protocol). Any other
 * `X-Amz-Target` is answered 400 `UnknownOperationException`; errors carry AWS's JSON error shape
 * (`__type`, `message`) so the SDK throws an error of that name with the message.
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
import { type PutEventsResultEntry, validatePutEventsRequest } from './put-events.ts';
import type { Delivery, LocalRuntime } from './runtime.ts';

/** EventBridge PutEvents: 256 KB per request. */
export const EVENTS_BODY_LIMIT = 262_144;

const CONTENT_TYPES = new Set(['application/json', 'application/x-amz-json-1.1']);
const LOOPBACK_HOSTS = new Set(['127.0.0.1', 'localhost', '[::1]']);

/** The one operation of EventBridge's API the local runtime implements. */
export const PUT_EVENTS_TARGET = 'AWSEvents.PutEvents';

/** AWS's JSON error shape: the SDK names the error it throws after `__type`. */
export interface AwsError {
  __type: string;
  message: string;
}

export interface EventsAnswer {
  status: number;
  body: AwsError | { FailedEntryCount: number; Entries: PutEventsResultEntry[] };
  deliveries: Delivery[];
}

/** Which error name each refusal carries (EventBridge's own where it has one). */
const ERROR_TYPES: Readonly<Record<number, string>> = {
  400: 'ValidationException',
  403: 'AccessDeniedException',
  413: 'RequestEntityTooLargeException',
  415: 'UnsupportedMediaTypeException',
};

const pathOf = (url: string | undefined) => (url ?? '').split('?')[0] ?? '';

/**
 * Whether a request is for the PutEvents endpoint: `serve` it, answer 405 (`/events` by another
 * method), or undefined (another route's). `GET /` stays the health check.
 */
export function eventsRoute(req: IncomingMessage): 'serve' | 'method-not-allowed' | undefined {
  const at = pathOf(req.url);
  if (at === '/events' || at === '/events/') return req.method === 'POST' ? 'serve' : 'method-not-allowed';
  return at === '/' && req.method === 'POST' ? 'serve' : undefined;
}

const hostName = (host: string) => host.replace(/:\d+$/, '').toLowerCase();

/** Why a request must be refused before its body is read, or undefined. */
export function refusal(req: IncomingMessage): { status: number; message: string } | undefined {
  const foreign = foreignRequest(req);
  if (foreign) return foreign;
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

/**
 * Why a request is not this machine's own, or undefined: a `Host` other than loopback (DNS
 * rebinding) or an `Origin`/`Sec-Fetch-Site` of another site. Every local endpoint checks it.
 */
export function foreignRequest(req: IncomingMessage): { status: number; message: string } | undefined {
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
export async function readBody(req: IncomingMessage): Promise<string | undefined> {
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
export async function discardBody(req: IncomingMessage): Promise<void> {
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > DISCARD_LIMIT) return;
  }
}

/**
 * Why the request names no operation this endpoint has, or undefined. On `/` the target is what says
 * the request is PutEvents (it is the SDK's only way to say so); on `/events` it may be left out.
 */
export function unknownOperation(req: IncomingMessage): string | undefined {
  const target = req.headers['x-amz-target'];
  if (target === undefined) {
    return pathOf(req.url) === '/'
      ? `POST / needs the header X-Amz-Target: ${PUT_EVENTS_TARGET} (as the AWS SDK sends); or POST the PutEvents body to /events`
      : undefined;
  }
  if (target === PUT_EVENTS_TARGET) return undefined;
  return `${JSON.stringify(String(target).slice(0, 100))} is not an operation of the local runtime: it implements only ${PUT_EVENTS_TARGET}`;
}

/** Answers a PutEvents request: checks, then `runtime.putEvents`. */
export async function handleEvents(runtime: LocalRuntime, req: IncomingMessage): Promise<EventsAnswer> {
  const answer = (status: number, message: string, type?: string): EventsAnswer => ({
    status,
    body: { __type: type ?? ERROR_TYPES[status] ?? 'InternalException', message },
    deliveries: [],
  });
  // The cross-site checks come first: a refused request learns nothing about operations.
  const refused = refusal(req);
  if (refused) {
    await discardBody(req);
    return answer(refused.status, refused.message);
  }
  const unknown = unknownOperation(req);
  if (unknown) {
    await discardBody(req);
    return answer(400, unknown, 'UnknownOperationException');
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
    return answer(
      400,
      'the body is not valid JSON (expected the EventBridge PutEvents request shape)',
      'SerializationException',
    );
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
  // The SDK's awsJson1_1 protocol answers in its own content type; curl and fetch get plain JSON.
  const amz = req.headers['x-amz-target'] !== undefined;
  const headers: Record<string, string> = {
    'content-type': amz ? 'application/x-amz-json-1.1' : 'application/json',
  };
  if ('__type' in result.body) headers['x-amzn-errortype'] = result.body.__type;
  if (!req.readableEnded) headers.connection = 'close';
  res.writeHead(result.status, headers);
  res.end(JSON.stringify(result.body));
  return result;
}
