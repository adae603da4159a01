/**
 * A fault-injecting HTTP proxy in front of the real SES v2 emulator, for tests and the fault suite.
 * Loopback only, bounded: every held connection is destroyed by `stop()`, so a "hung" request never
 * outlives the test. What it does with each request is the caller's choice (`decide`):
 *
 * - `pass`: forwarded, the emulator's answer returned.
 * - `throttle`: answered 429 TooManyRequestsException without forwarding (SES did not send).
 * - `accept-then-500`: forwarded (the emulator keeps the email), then answered 500 InternalFailure.
 * - `accept-then-reset`: forwarded, then the connection is reset without an answer.
 * - `hang`: held open without forwarding and never answered (the client's timeout must end it).
 * - `accept-then-hang`: forwarded, then held open and never answered.
 * - `delay-answer`: forwarded at once, answered after `delayMs` (a window in which SES has the
 *   email but the caller does not know yet: what a crash between send and mark looks like).
 *
 * `outage(true)` closes the listening socket (new connections are refused: ECONNREFUSED, before
 * anything was sent); `outage(false)` listens on the same port again.
 */
import { createServer, type IncomingMessage, request, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

export type FaultDecision =
  | 'pass'
  | 'throttle'
  | 'accept-then-500'
  | 'accept-then-reset'
  | 'hang'
  | 'accept-then-hang'
  | 'delay-answer';

export interface SesFaultProxy {
  endpoint: string;
  /** Requests seen per decision (SendEmail calls only; other paths always pass). */
  counts: Record<FaultDecision, number>;
  outage(down: boolean): Promise<void>;
  stop(): Promise<void>;
}

export interface SesFaultProxyOptions {
  /** The emulator's endpoint, e.g. http://127.0.0.1:8005 */
  target: string;
  /** What to do with the n-th SendEmail request (0-based). Default: pass. */
  decide?: (n: number) => FaultDecision;
  /** For `delay-answer`. */
  delayMs?: number;
}

const isSend = (req: IncomingMessage) =>
  req.method === 'POST' && (req.url ?? '').startsWith('/v2/email/outbound-emails');

export async function startSesFaultProxy(options: SesFaultProxyOptions): Promise<SesFaultProxy> {
  const target = new URL(options.target);
  const counts: SesFaultProxy['counts'] = {
    pass: 0,
    throttle: 0,
    'accept-then-500': 0,
    'accept-then-reset': 0,
    hang: 0,
    'accept-then-hang': 0,
    'delay-answer': 0,
  };
  const sockets = new Set<Socket>();
  const timers = new Set<NodeJS.Timeout>();
  let sends = 0;

  const forward = (req: IncomingMessage, body: Buffer) =>
    new Promise<{ status: number; headers: Record<string, string>; body: Buffer }>((resolve, reject) => {
      const upstream = request(
        {
          hostname: target.hostname,
          port: target.port,
          path: req.url,
          method: req.method,
          headers: { ...req.headers, host: target.host },
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () => {
            const headers: Record<string, string> = {};
            for (const [k, v] of Object.entries(res.headers))
              if (typeof v === 'string' && k !== 'transfer-encoding' && k !== 'connection') headers[k] = v;
            resolve({ status: res.statusCode ?? 502, headers, body: Buffer.concat(chunks) });
          });
          res.on('error', reject);
        },
      );
      upstream.on('error', reject);
      upstream.end(body);
    });

  const answer = (res: ServerResponse, status: number, headers: Record<string, string>, body: Buffer) => {
    if (res.destroyed) return;
    res.writeHead(status, { ...headers, 'content-length': String(body.length) }).end(body);
  };
  const awsError = (res: ServerResponse, status: number, type: string, message: string) =>
    answer(
      res,
      status,
      { 'content-type': 'application/json', 'x-amzn-errortype': type },
      Buffer.from(JSON.stringify({ message })),
    );

  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const body = Buffer.concat(chunks);
    const decision: FaultDecision = isSend(req) ? (options.decide?.(sends++) ?? 'pass') : 'pass';
    if (isSend(req)) counts[decision]++;
    switch (decision) {
      case 'throttle':
        return awsError(res, 429, 'TooManyRequestsException', 'Maximum sending rate exceeded.');
      case 'hang':
        return; // held until the client gives up or the proxy stops
    }
    const upstream = await forward(req, body);
    switch (decision) {
      case 'accept-then-500':
        return awsError(res, 500, 'InternalFailure', 'The request processing has failed.');
      case 'accept-then-reset':
        req.socket.resetAndDestroy();
        return;
      case 'accept-then-hang':
        return;
      case 'delay-answer': {
        const timer = setTimeout(() => {
          timers.delete(timer);
          answer(res, upstream.status, upstream.headers, upstream.body);
        }, options.delayMs ?? 100);
        timers.add(timer);
        return;
      }
      default:
        return answer(res, upstream.status, upstream.headers, upstream.body);
    }
  };

  let server: Server = createServer();
  const listen = (port: number) =>
    new Promise<Server>((resolve, reject) => {
      const s = createServer((req, res) => {
        handle(req, res).catch(() => res.destroy());
      });
      s.on('connection', (socket) => {
        sockets.add(socket);
        socket.on('close', () => sockets.delete(socket));
      });
      s.once('error', reject);
      s.listen(port, '127.0.0.1', () => resolve(s));
    });
  server = await listen(0);
  const port = (server.address() as AddressInfo).port;
  let down = false;

  const closeServer = () =>
    new Promise<void>((resolve) => {
      for (const socket of sockets) socket.destroy();
      server.close(() => resolve());
    });

  return {
    endpoint: `http://127.0.0.1:${port}`,
    counts,
    async outage(goDown) {
      if (goDown === down) return;
      down = goDown;
      if (goDown) await closeServer();
      else server = await listen(port);
    },
    async stop() {
      for (const timer of timers) clearTimeout(timer);
      timers.clear();
      if (!down) await closeServer();
      down = true;
    },
  };
}
