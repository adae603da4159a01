/**
 * `npm start` as a user runs it, in its own process: its /events endpoint under hostile requests, its
 * signing secret, and what a crash, SIGTERM and SIGKILL (of the runtime or of npm) leave behind.
 * Each test has its own data directory (a temp dir) and ports; nothing depends on a `.data/` here.
 */
import { readdir, readFile, stat } from 'node:fs/promises';
import { request } from 'node:http';
import path from 'node:path';
import { DynamoDBClient, GetItemCommand } from '@aws-sdk/client-dynamodb';
import { afterEach, describe, expect, it } from 'vitest';
import { signToken } from '../../functions/core/tokens.ts';
import { alive, exited, newDataDir, post, type Started, start, stopStarted } from '../support/local-start.ts';
import { registration } from '../support/scenario.ts';
import { LOCAL_AWS } from './env.ts';

/** Each test starts the runtime (a JVM) once or twice; generous, for a two-core machine under load. */
const SLOW = 240_000;

afterEach(stopStarted);

/** The secret every local runtime used to sign with (local/runtime/runtime.ts before issue 8). */
const OLD_CONSTANT_SECRET = 'local-signing-secret-not-for-production';

/** A POST with a Host header of our choosing (fetch does not let a caller set Host). */
function statusWithHost(port: number, host: string, body: string): Promise<number | undefined> {
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: '127.0.0.1',
        port,
        path: '/events',
        method: 'POST',
        headers: { host, 'content-type': 'application/json' },
      },
      (res) => {
        res.resume();
        resolve(res.statusCode);
      },
    );
    req.once('error', reject);
    req.end(body);
  });
}

const registrationEntries = (customerId: string) =>
  JSON.stringify({
    Entries: [
      { Source: 'shop', DetailType: 'customer.registered', Detail: JSON.stringify(registration(customerId)) },
    ],
  });

async function storedProfile(data: string, customerId: string) {
  const { dynamoPort } = JSON.parse(await readFile(path.join(data, 'runtime.json'), 'utf8')) as {
    dynamoPort: number;
  };
  const client = new DynamoDBClient({ ...LOCAL_AWS, endpoint: `http://127.0.0.1:${dynamoPort}` });
  try {
    const { Item } = await client.send(
      new GetItemCommand({
        TableName: 'retention-journeys',
        Key: { PK: { S: `C#${customerId}` }, SK: { S: '#PROFILE' } },
      }),
    );
    return Item;
  } finally {
    client.destroy();
  }
}

const unsubscribeWith = (port: number, secret: string, customerId: string) =>
  fetch(
    `http://127.0.0.1:${port}/preferences/unsubscribe?token=${signToken(secret, {
      customerId,
      purpose: 'unsubscribe',
      expiresAt: '2099-01-01T00:00:00Z',
    })}`,
  );

/** Every line of the data directory's analytics log (`analytics/dt=…/<writer>.jsonl`). */
async function analyticsLines(data: string): Promise<string[]> {
  const root = path.join(data, 'analytics');
  const lines: string[] = [];
  const partitions = await readdir(root).catch(() => [] as string[]);
  for (const partition of partitions)
    for (const file of await readdir(path.join(root, partition)))
      lines.push(...(await readFile(path.join(root, partition, file), 'utf8')).split('\n').filter(Boolean));
  return lines;
}

describe('npm start: /events, links and the data directory against hostile or careless use', () => {
  it(
    '/events: 403/415/413/400 for cross-site, non-JSON, oversized, malformed; links need the directory secret; one runtime per directory',
    async () => {
      const runtime = await start(await newDataDir());
      const { port } = runtime;
      const id = `c-start-${Date.now()}`;

      // A web page's "simple" POST: text/plain, with the browser's Origin and Sec-Fetch-Site.
      const crossSite = await post(port, registrationEntries(id), {
        'content-type': 'text/plain',
        origin: 'https://evil.example',
        'sec-fetch-site': 'cross-site',
      });
      expect(crossSite.status).toBe(403);
      const textPlain = await post(port, registrationEntries(id), { 'content-type': 'text/plain' });
      expect(textPlain.status).toBe(415);
      const formPost = await post(port, registrationEntries(id), {
        'content-type': 'application/x-www-form-urlencoded',
      });
      expect(formPost.status).toBe(415);
      // JSON with a foreign Origin (a page that got a preflight-free JSON request out somehow).
      expect((await post(port, registrationEntries(id), { origin: 'https://evil.example' })).status).toBe(
        403,
      );
      // DNS rebinding: the page's own host name, resolved to 127.0.0.1.
      expect(await statusWithHost(port, `evil.example:${port}`, registrationEntries(id))).toBe(403);
      expect(await storedProfile(runtime.data, id)).toBeUndefined();

      // Bodies past EventBridge's 256 KB, and far past the old 1 MiB limit.
      const padded = (bytes: number) => JSON.stringify({ Entries: [{ Detail: 'x'.repeat(bytes) }] });
      const tooLarge = await post(port, padded(300_000));
      expect(tooLarge.status).toBe(413);
      expect(((await tooLarge.json()) as { message: string }).message).toMatch(/256 KB/);
      expect((await post(port, padded(2 * 1_048_576))).status).toBe(413);

      // Malformed entries: 400 naming the entry and the field, not a 500 TypeError.
      const malformed = async (body: unknown) => {
        const response = await post(port, JSON.stringify(body));
        return { status: response.status, message: ((await response.json()) as { message: string }).message };
      };
      expect(await malformed({ Entries: [null] })).toEqual({
        status: 400,
        message: expect.stringMatching(/Entries\[0\]/),
      });
      expect(await malformed({ Entries: [{ Source: 'shop' }, 'text'] })).toEqual({
        status: 400,
        message: expect.stringMatching(/Entries\[1\] must be an object/),
      });
      expect(await malformed({ Entries: [{ Source: 'shop', DetailType: 'x', Detail: { a: 1 } }] })).toEqual({
        status: 400,
        message: expect.stringMatching(/Entries\[0\]\.Detail must be a string/),
      });
      expect(await malformed([])).toEqual({ status: 400, message: expect.stringMatching(/JSON object/) });

      // What the shop (curl, fetch, the AWS SDK's content type) sends is accepted.
      const ok = await post(port, registrationEntries(id), { 'content-type': 'application/x-amz-json-1.1' });
      expect(ok.status).toBe(200);
      expect(await ok.json()).toMatchObject({ FailedEntryCount: 0 });
      expect(await storedProfile(runtime.data, id)).toBeDefined();

      // Links: signed with the data directory's own secret (0600); the old constant forges nothing.
      const file = path.join(runtime.data, 'signing-secret');
      expect((await stat(file)).mode & 0o777).toBe(0o600);
      const secret = (await readFile(file, 'utf8')).trim();
      expect(secret).not.toBe(OLD_CONSTANT_SECRET);
      expect(secret.length).toBeGreaterThanOrEqual(32);
      expect((await unsubscribeWith(port, OLD_CONSTANT_SECRET, id)).status).toBe(400);
      expect((await unsubscribeWith(port, secret, id)).status).toBe(200);

      // A second runtime on the same data directory is refused while this one runs.
      await expect(start(runtime.data)).rejects.toThrow(
        new RegExp(`in use by another local runtime \\(pid ${runtime.runtimePid}\\)`),
      );
      expect(alive(runtime.javaPid)).toBe(true);
    },
    SLOW,
  );
});

describe('npm start: state in the data directory, nothing left after a crash', () => {
  it(
    'after kill -9 of the runtime: no Java left; the restart has the data, the port and the secret',
    async () => {
      // Prepare
      const data = await newDataDir();
      const first = await start(data);
      const id = `c-crash-${Date.now()}`;
      expect((await post(first.port, registrationEntries(id))).status).toBe(200);
      const before = JSON.parse(await readFile(path.join(data, 'runtime.json'), 'utf8'));
      // Where it answers, for journeys send-test (the SES port is a free one in these tests).
      expect(before.running).toMatchObject({
        url: `http://127.0.0.1:${first.port}`,
        dynamoEndpoint: `http://127.0.0.1:${before.dynamoPort}`,
        preferencesUrl: `http://127.0.0.1:${first.port}/preferences`,
        tableName: 'retention-journeys',
      });
      const secret = await readFile(path.join(data, 'signing-secret'), 'utf8');
      // Act: the crash
      first.process.kill('SIGKILL');
      // Assess: DynamoDB Local went with it
      expect(await exited(first.javaPid)).toBe(true);
      // Act: the restart
      const second = await start(data);
      // Assess: same DynamoDB Local port, same secret, the customer is still there
      const after = JSON.parse(await readFile(path.join(data, 'runtime.json'), 'utf8'));
      expect(after.dynamoPort).toBe(before.dynamoPort);
      expect(after.running.url).toBe(`http://127.0.0.1:${second.port}`);
      expect(await readFile(path.join(data, 'signing-secret'), 'utf8')).toBe(secret);
      expect(await storedProfile(data, id)).toMatchObject({ email: { S: `${id}@example.de` } });
      expect((await unsubscribeWith(second.port, secret.trim(), id)).status).toBe(200);
      // SIGHUP (the terminal closed) stops everything.
      second.process.kill('SIGHUP');
      expect(await exited(second.runtimePid)).toBe(true);
      expect(await exited(second.javaPid)).toBe(true);
    },
    SLOW,
  );

  it(
    'npm start -- --fresh starts empty; kill -9 of npm stops the runtime and Java',
    async () => {
      const data = await newDataDir();
      const first = await start(data, { npm: true });
      const id = `c-fresh-${Date.now()}`;
      expect((await post(first.port, registrationEntries(id))).status).toBe(200);
      const oldSecret = await readFile(path.join(data, 'signing-secret'), 'utf8');
      // The analytics log, in Firehose's layout under the data directory.
      expect((await analyticsLines(data)).map((line) => JSON.parse(line).type)).toContain(
        'customer.registered',
      );
      // SIGKILL of npm itself: no signal reaches the runtime.
      first.process.kill('SIGKILL');
      expect(await exited(first.runtimePid)).toBe(true);
      expect(await exited(first.javaPid)).toBe(true);

      const fresh = await start(data, { npm: true, fresh: true });
      expect(await storedProfile(data, id)).toBeUndefined();
      expect(await readFile(path.join(data, 'signing-secret'), 'utf8')).not.toBe(oldSecret);
      // Its customers' secrets went with the database: so did the log they keyed.
      expect(await analyticsLines(data)).toEqual([]);
      // SIGTERM to npm alone (as a process manager sends it).
      fresh.process.kill('SIGTERM');
      expect(await exited(fresh.runtimePid)).toBe(true);
      expect(await exited(fresh.javaPid)).toBe(true);
    },
    SLOW,
  );
});

describe("npm start: the marketer's clock", () => {
  /** A time zone where it is about noon now, so the moved clock lands outside quiet hours. */
  const noonZone = () => {
    const ahead = (((12 - new Date().getUTCHours()) % 24) + 24) % 24;
    const hours = ahead > 12 ? ahead - 24 : ahead; // Etc/GMT-N is N hours ahead of UTC
    return hours === 0 ? 'UTC' : `Etc/GMT${hours > 0 ? '-' : '+'}${Math.abs(hours)}`;
  };
  const advance = (port: number, body: string, headers: Record<string, string> = {}) =>
    fetch(`http://127.0.0.1:${port}/clock/advance`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers },
      body,
    });
  const clockNow = async (port: number) =>
    ((await (await fetch(`http://127.0.0.1:${port}/clock`)).json()) as { now: string }).now;
  const sent = (runtime: Started, message: string) => runtime.output().includes(`✉ onboarding/${message} `);
  async function until(what: () => boolean, limitMs = 60_000): Promise<boolean> {
    for (const deadline = Date.now() + limitMs; Date.now() < deadline; ) {
      if (what()) return true;
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    return what();
  }

  it(
    'moves forward on request, so the day-2 email comes now; refuses cross-site and backward moves; keeps the day across a restart',
    async () => {
      // Arrange: a customer whose welcome went out
      const data = await newDataDir();
      const first = await start(data);
      const id = `c-clock-${Date.now()}`;
      const entries = JSON.stringify({
        Entries: [
          {
            Source: 'shop',
            DetailType: 'customer.registered',
            Detail: JSON.stringify(registration(id, { timeZone: noonZone(), locale: 'en' })),
          },
        ],
      });
      expect((await post(first.port, entries)).status).toBe(200);
      expect(await until(() => sent(first, 'welcome'))).toBe(true);
      expect(sent(first, 'getting-started')).toBe(false);

      // Act / Assess: what may not move it
      expect((await advance(first.port, '{"by":"P3D"}', { origin: 'https://evil.example' })).status).toBe(
        403,
      );
      expect((await advance(first.port, '{"by":"P3D"}', { 'content-type': 'text/plain' })).status).toBe(415);
      const backward = await advance(first.port, '{"by":"-P1D"}');
      expect(backward.status).toBe(400);
      expect(((await backward.json()) as { message: string }).message).toMatch(
        /^by: "-P1D" does not move the clock forward \(rule: /,
      );
      const garbage = await advance(first.port, '{"by":"five days"}');
      expect(((await garbage.json()) as { message: string }).message).toMatch(
        /^by: "five days" is not a duration/,
      );
      expect(Date.parse(await clockNow(first.port)) - Date.now()).toBeLessThan(60_000);

      // Act: three days on
      const moved = await advance(first.port, '{"by":"P3D"}');
      // Assess: the day-2 email went out at once, and the clock says so
      expect(moved.status).toBe(200);
      expect(await moved.json()).toMatchObject({ by: 'P3D', inWords: '3 days' });
      expect(await until(() => sent(first, 'getting-started'))).toBe(true);
      expect(first.output()).toContain('⏩ clock moved 3 days forward');
      const ahead = Date.parse(await clockNow(first.port)) - Date.now();
      expect(ahead).toBeGreaterThan(3 * 86_400_000 - 60_000);

      // Act: a restart on the same data
      first.process.kill('SIGTERM');
      expect(await exited(first.runtimePid)).toBe(true);
      const second = await start(data);
      // Assess: still three days ahead, and nothing sent twice
      expect(Date.parse(await clockNow(second.port)) - Date.now()).toBeGreaterThan(3 * 86_400_000 - 60_000);
      expect(second.output()).toContain('moved ahead of the wall clock');
      await new Promise((resolve) => setTimeout(resolve, 2_000));
      expect(sent(second, 'welcome')).toBe(false);
      expect(sent(second, 'getting-started')).toBe(false);
      second.process.kill('SIGTERM');
      expect(await exited(second.runtimePid)).toBe(true);
      expect(await exited(second.javaPid)).toBe(true);
    },
    SLOW,
  );
});
