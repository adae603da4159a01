/**
 * How the SES mailer classifies what happened to a send (functions/adapters/mailer.ts): the one
 * question that decides between "retry", "wait for SES's events" and "failed". Against a local HTTP
 * server answering like SES v2 would; the full path through the real emulator and a fault-injecting
 * proxy is in test/integration/ses-faults.test.ts.
 */
import { createServer, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AmbiguousSendError, RetryableSendError } from '../../functions/adapters/errors.ts';
import { type OutgoingEmail, SesMailer, sesClient } from '../../functions/adapters/mailer.ts';

type Answer = (res: ServerResponse) => void;
let answer: Answer = () => {};
let requests = 0;
let server: Server;
let endpoint: string;
const sockets = new Set<Socket>();

beforeAll(async () => {
  server = createServer((req, res) => {
    requests++;
    req.resume();
    req.on('end', () => answer(res));
  });
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  for (const s of sockets) s.destroy();
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

const email: OutgoingEmail = {
  from: 'hello@shop.example',
  to: 'anna@example.de',
  subject: 'Hi',
  html: '<p>Hi</p>',
  text: 'Hi',
  headers: {},
  tags: { outbox: 'abc' },
};
const mailer = (url = endpoint) =>
  new SesMailer(
    sesClient({
      endpoint: url,
      region: 'eu-central-1',
      credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
      requestTimeoutMs: 300,
    }),
  );
const awsError = (status: number, type: string) => (res: ServerResponse) =>
  res
    .writeHead(status, { 'content-type': 'application/json', 'x-amzn-errortype': type })
    .end(JSON.stringify({ message: type }));

describe('SesMailer', () => {
  it('returns the message id of an accepted email, after exactly one request', async () => {
    answer = (res) => res.writeHead(200, { 'content-type': 'application/json' }).end('{"MessageId":"m-1"}');
    const before = requests;
    await expect(mailer().send(email)).resolves.toEqual({ ok: true, messageId: 'm-1' });
    expect(requests - before).toBe(1);
  });

  it('calls a throttled send retryable: SES did not take it', async () => {
    answer = awsError(429, 'TooManyRequestsException');
    await expect(mailer().send(email)).rejects.toBeInstanceOf(RetryableSendError);
  });

  it('calls a 500 ambiguous and does not let the SDK retry it', async () => {
    answer = awsError(500, 'InternalFailure');
    const before = requests;
    await expect(mailer().send(email)).rejects.toBeInstanceOf(AmbiguousSendError);
    expect(requests - before).toBe(1);
  });

  it('calls a request that is never answered ambiguous once the request timeout passes', async () => {
    answer = () => {}; // never answers
    await expect(mailer().send(email)).rejects.toBeInstanceOf(AmbiguousSendError);
  });

  it('calls a connection reset after the request was sent ambiguous', async () => {
    answer = (res) => res.socket?.resetAndDestroy();
    await expect(mailer().send(email)).rejects.toBeInstanceOf(AmbiguousSendError);
  });

  it('calls a refused connection retryable: nothing reached SES', async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const url = `http://127.0.0.1:${(closed.address() as AddressInfo).port}`;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    await expect(mailer(url).send(email)).rejects.toBeInstanceOf(RetryableSendError);
  });

  it('returns a rejection (400) as a permanent failure with the reason', async () => {
    answer = awsError(400, 'MessageRejected');
    await expect(mailer().send(email)).resolves.toEqual({
      ok: false,
      permanent: true,
      reason: expect.stringContaining('MessageRejected'),
    });
  });
});
