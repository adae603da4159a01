import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { OutgoingEmail } from '../../functions/adapters/mailer.ts';
import { buildCatalog } from '../../functions/catalog/build.ts';
import type { Catalog } from '../../functions/catalog/catalog.ts';
import { UsageError } from '../../local/errors.ts';
import { parseTags } from '../../local/runtime/ses-event-source.ts';
import { awsSender } from '../../local/send-test/aws.ts';
import { sendTestCommand } from '../../local/send-test/cli.ts';
import { sampleTestData } from '../../local/send-test/data.ts';
import { NotRunningError } from '../../local/send-test/errors.ts';
import { runningRuntime } from '../../local/send-test/running.ts';
import { checkAddress, resolveMessage, resolveTestLocale } from '../../local/send-test/target.ts';
import type { SesEmail } from '../../local/servers/ses-emulator.ts';
import type { RunningRuntime } from '../../local/start/data-dir.ts';
import { viewed } from '../../local/start/mail-viewer.ts';
import { runJourneys } from '../support/cli.ts';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
let catalog: Catalog;
let dir: string;

beforeAll(async () => {
  ({ catalog } = await buildCatalog(root, { defaultLocale: 'en' }));
  dir = await mkdtemp(path.join(tmpdir(), 'send-test-'));
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('send-test: the message', () => {
  it('finds <journey>/<message>', () => {
    // Act
    const message = resolveMessage(catalog, 'post-purchase/review-request');

    // Assess
    expect(message).toMatchObject({
      journeyId: 'post-purchase',
      messageId: 'review-request',
      template: 'post-purchase/review-request',
      messageClass: 'marketing',
    });
  });

  it('finds a message by its template, as journeys preview does', () => {
    expect(resolveMessage(catalog, 'referral/invite-friends')).toMatchObject({
      journeyId: 'referral-invite',
      messageId: 'invite-friends',
    });
  });

  it.each([
    [
      'a misspelt message',
      'onboarding/welcom',
      'journey "onboarding" has no message "welcom" (did you mean "welcome"?); it sends: welcome, getting-started, first-order-offer',
    ],
    [
      'a misspelt journey',
      'onbording/welcome',
      'there is no journey "onbording" (did you mean "onboarding/welcome"?); journeys: birthday,',
    ],
    ['a journey alone', 'onboarding', '"onboarding" is not <journey>/<message>; messages: birthday/'],
  ])('%s is a usage error with a suggestion', (_, ref, message) => {
    // Act
    const act = () => resolveMessage(catalog, ref);

    // Assess
    expect(act).toThrow(UsageError);
    expect(act).toThrow(message);
  });
});

describe('send-test: the address', () => {
  it('takes one address, trimmed', () => {
    expect(checkAddress(' you@example.com ')).toBe('you@example.com');
  });

  it.each(['you', 'you@', 'you@localhost', 'Me <you@example.com>', 'a@example.com,b@example.com'])(
    'refuses %j',
    (to) => {
      expect(() => checkAddress(to)).toThrow(
        `--to "${to}" is not an email address, e.g. --to you@example.com`,
      );
    },
  );
});

describe('send-test: the locale, through the fallback chain', () => {
  const welcome = () => resolveMessage(catalog, 'onboarding/welcome');

  it('canonicalises the tag and resolves it to the shipped language (de-at → de)', () => {
    expect(resolveTestLocale(catalog, welcome(), 'de-at')).toEqual({
      requested: 'de-AT',
      resolved: 'de',
      fallback: false,
    });
  });

  it('says which locale an unshipped one falls back to, and which are shipped', () => {
    // Act
    const act = () => resolveTestLocale(catalog, welcome(), 'pt-BR');

    // Assess
    expect(act).toThrow(UsageError);
    expect(act).toThrow(
      'locale "pt-BR" is not shipped for onboarding/welcome (shipped: de, en, es, fr, it); a pt-BR customer gets the en email: add --fallback to send that',
    );
  });

  it('sends the fallback when asked to', () => {
    expect(resolveTestLocale(catalog, welcome(), 'pt-BR', { fallback: true })).toEqual({
      requested: 'pt-BR',
      resolved: 'en',
      fallback: true,
    });
  });

  it('refuses what is not a locale tag', () => {
    expect(() => resolveTestLocale(catalog, welcome(), 'de_AT!')).toThrow(
      '--locale "de_AT!" is not a locale tag such as de-AT; shipped locales: de, en, es, fr, it',
    );
  });
});

describe('send-test: sample data', () => {
  it("is the gallery's sample customer for the locale, with an issued coupon valid from now", () => {
    // Act
    const sample = sampleTestData(
      catalog,
      resolveMessage(catalog, 'onboarding/first-order-offer'),
      'de-AT',
      '2026-12-03T10:00:00Z',
    );

    // Assess: the coupon keeps the journey's validity (14 days), counted from now
    expect(sample.source).toBe('sample');
    expect(sample.firstName).toBeTruthy();
    expect(sample.data.coupon?.expiresAt.slice(0, 10)).toBe('2026-12-17');
  });
});

describe('send-test: finding the running npm start', () => {
  const running: RunningRuntime = {
    url: 'http://127.0.0.1:3000',
    sesEndpoint: 'http://127.0.0.1:8005',
    dynamoEndpoint: 'http://127.0.0.1:8000',
    tableName: 'retention-journeys',
    preferencesUrl: 'http://127.0.0.1:3000/preferences',
    senderAddress: 'Example Shop <hello@shop.example>',
    shop: { name: 'Example Shop', url: 'https://shop.example.com' },
    defaultTimeZone: 'Europe/Berlin',
  };
  const health = (async () =>
    new Response(JSON.stringify({ status: 'ok', clock: '2026-12-10T08:00:00Z' }))) as unknown as typeof fetch;

  it('is not running when no runtime holds the data directory: says to run npm start or use --aws', async () => {
    // Act
    const act = runningRuntime(path.join(dir, 'never-started'), { fetch: health });

    // Assess
    await expect(act).rejects.toThrow(NotRunningError);
    await expect(act).rejects.toThrow(
      /^npm start is not running \(no runtime holds .*never-started\): start it with `npm start` in another terminal, or send through SES in your AWS account with --aws$/,
    );
  });

  it('is not running when the lock names a process that is gone', async () => {
    // Prepare: a pid no process has
    const data = await mkdtemp(path.join(dir, 'stale-'));
    await writeFile(path.join(data, 'lock'), '2147483646\n');
    await writeFile(path.join(data, 'runtime.json'), JSON.stringify({ running }));

    // Act, Assess
    await expect(runningRuntime(data, { fetch: health })).rejects.toThrow(/npm start is not running/);
  });

  it('is not running when its server does not answer', async () => {
    // Prepare: this process holds the lock, nothing answers
    const data = await mkdtemp(path.join(dir, 'silent-'));
    await writeFile(path.join(data, 'lock'), `${process.pid}\n`);
    await writeFile(path.join(data, 'runtime.json'), JSON.stringify({ running }));
    const refused = (async () => {
      throw new Error('connect ECONNREFUSED 127.0.0.1:3000');
    }) as unknown as typeof fetch;

    // Act, Assess
    await expect(runningRuntime(data, { fetch: refused })).rejects.toThrow(
      'npm start is not running (http://127.0.0.1:3000 does not answer: connect ECONNREFUSED 127.0.0.1:3000)',
    );
  });

  it("gives its endpoints, its signing secret and its clock's time", async () => {
    // Prepare
    const data = await mkdtemp(path.join(dir, 'running-'));
    await writeFile(path.join(data, 'lock'), `${process.pid}\n`);
    await writeFile(path.join(data, 'runtime.json'), JSON.stringify({ dynamoPort: 8000, running }));
    await writeFile(path.join(data, 'signing-secret'), 'the-data-directory-secret\n');

    // Act
    const target = await runningRuntime(data, { fetch: health, env: {} });

    // Assess
    expect(target).toEqual({
      running,
      signingSecret: 'the-data-directory-secret',
      now: '2026-12-10T08:00:00Z',
    });
  });
});

describe('send-test --aws: as the stack sends, through the SES adapter', () => {
  const cdkJson = async (context: Record<string, string>) => {
    const file = path.join(await mkdtemp(path.join(dir, 'cdk-')), 'cdk.json');
    await writeFile(file, JSON.stringify({ app: 'npx tsx bin/app.ts', context }));
    return file;
  };

  it("takes the sender and the shop identity from the stack's context, with the stack's defaults", async () => {
    // Act
    const sender = await awsSender(await cdkJson({ senderAddress: 'Mein Laden <news@mein-laden.de>' }));

    // Assess
    expect(sender).toEqual({
      senderAddress: 'Mein Laden <news@mein-laden.de>',
      shop: { name: 'Mein Laden', url: 'https://mein-laden.de' },
    });
  });

  it('sends one email, subject [test], tagged journey/message/test, with no configuration set and without npm start', async () => {
    // Prepare
    const sent: OutgoingEmail[] = [];
    const out: string[] = [];
    const file = await cdkJson({
      senderAddress: 'news@mein-laden.de',
      shopName: 'Mein Laden',
      shopAddress: 'Hauptstraße 1, 1010 Wien',
    });

    // Act
    const code = await sendTestCommand(
      'onboarding/first-order-offer',
      { to: 'me@mein-laden.de', aws: true, locale: 'de-AT', defaultLocale: 'en' },
      {
        out: (line) => out.push(line),
        err: (line) => out.push(line),
        root,
        env: {},
        cdkJson: file,
        local: async () => {
          throw new Error('npm start must not be needed for --aws without --customer');
        },
        awsMailer: async () => ({
          send: async (email) => {
            sent.push(email);
            return { ok: true, messageId: 'ses-1' };
          },
        }),
      },
    );

    // Assess
    expect(code).toBe(0);
    expect(sent).toHaveLength(1);
    const email = sent[0] as OutgoingEmail;
    expect(email).toMatchObject({
      from: 'news@mein-laden.de',
      to: 'me@mein-laden.de',
      tags: { journey: 'onboarding', message: 'first-order-offer', test: 'true' },
      configurationSetName: undefined,
    });
    // German puts a narrow no-break space between the number and the percent sign.
    expect(email.subject).toMatch(/^\[test\] 10\s% Rabatt auf Ihre erste Bestellung$/);
    expect(email.html).toContain('Hauptstraße 1, 1010 Wien');
    expect(email.headers['List-Unsubscribe-Post']).toBe('List-Unsubscribe=One-Click');
    expect(out.join('\n')).toContain(
      '✓ onboarding/first-order-offer [de-AT → de] sent to me@mein-laden.de through SES v2 in your AWS account',
    );
  });
});

describe('a test email in the mail viewer', () => {
  const email: SesEmail = {
    messageId: 'ses-1',
    from: 'Example Shop <hello@shop.example>',
    replyTo: [],
    destination: { to: ['you@example.com'], cc: [], bcc: [] },
    subject: '[test] Willkommen bei Example Shop',
    body: { html: '<html lang="de-AT"><body>Hallo</body></html>', text: 'Hallo' },
    attachments: [],
    headers: [{ name: 'X-SES-MESSAGE-TAGS', value: 'journey=onboarding, message=welcome, test=true' }],
    at: 1_796_000_000,
  };

  it('shows its journey and message like a real send, with no outbox to settle', () => {
    // Act
    const shown = viewed(email);

    // Assess: the viewer names it; the local SES events leave it alone
    expect(shown).toMatchObject({ journey: 'onboarding', message: 'welcome', locale: 'de-AT', headers: [] });
    expect(parseTags(email)).toBeUndefined();
  });
});

const journeys = (args: string[]) =>
  runJourneys(args, { ...process.env, JOURNEYS_DATA_DIR: path.join(dir, 'no-runtime-here') });

const USAGE =
  'Usage: journeys send-test <journey>/<message> --to <address> [--locale <tag>] [--customer <id>] [--aws] [--fallback] [--data <dir>]';

describe('journeys send-test: mistakes, as a person meets them', () => {
  it.each([
    [
      ['onbording/welcome', '--to', 'you@example.com'],
      'there is no journey "onbording" (did you mean "onboarding/welcome"?)',
    ],
    [['onboarding/welcome', '--to', 'you'], '--to "you" is not an email address'],
    [
      ['onboarding/welcome', '--to', 'you@example.com', '--locale', 'pt-BR'],
      'locale "pt-BR" is not shipped for onboarding/welcome (shipped: de, en, es, fr, it); a pt-BR customer gets the en email',
    ],
    [['onboarding/welcome'], "required option '--to <address>' not specified"],
    [
      ['onboarding/welcome', '--to', 'you@example.com', '--customr', 'c42'],
      "unknown option '--customr' — did you mean --customer?",
    ],
  ])('%j: exit 2, the mistake and the usage', async (args, message) => {
    // Act
    const { code, stdout, stderr } = await journeys(['send-test', ...args]);

    // Assess
    expect(code).toBe(2);
    expect(stdout).toBe('');
    expect(stderr).toContain(`journeys send-test: ${message}`);
    expect(stderr.trimEnd().split('\n').at(-1)).toBe(USAGE);
    expect(stderr).not.toMatch(/\n\s+at /);
  });

  it('without npm start: exit 1, what to do, no stack trace', async () => {
    // Act
    const { code, stderr } = await journeys(['send-test', 'onboarding/welcome', '--to', 'you@example.com']);

    // Assess
    expect(code).toBe(1);
    expect(stderr).toMatch(
      /^journeys send-test: npm start is not running \(no runtime holds .*no-runtime-here\): start it with `npm start` in another terminal, or send through SES in your AWS account with --aws\n$/,
    );
  });

  it('--aws with the placeholder sender of cdk.json: exit 1, says to set the verified sender', async () => {
    // Act
    const { code, stderr } = await journeys([
      'send-test',
      'onboarding/welcome',
      '--to',
      'you@example.com',
      '--aws',
    ]);

    // Assess
    expect(code).toBe(1);
    expect(stderr).toContain(
      `journeys send-test: cdk.json's senderAddress is the placeholder "Your Shop <news@shop.example>"`,
    );
    expect(stderr).not.toMatch(/\n\s+at /);
  });
});
