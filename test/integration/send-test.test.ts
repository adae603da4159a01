/**
 * `journeys send-test` against a local runtime as `npm start` runs it: the integration run's SES v2
 * emulator and DynamoDB Local (global-setup.ts), the runtime's preferences service on a real port
 * (local-world.ts, closed after each test). The test email must arrive with its subject marked, in the
 * recipient's language, tagged with journey and message like a real send (and as a test, with no
 * outbox), and its List-Unsubscribe must work against the local preferences service.
 */
import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { sendTestCommand } from '../../local/send-test/cli.ts';
import type { LocalTarget } from '../../local/send-test/running.ts';
import type { SesEmail } from '../../local/servers/ses-emulator.ts';
import { type LocalWorld, localWorlds } from '../support/local-world.ts';
import { registration } from '../support/scenario.ts';
import { testEnv } from './env.ts';

const START = '2026-03-02T08:00:00Z';
const newWorld = localWorlds(START);

/** What `runningRuntime` would read from npm start's data directory, for this world. */
function target(w: LocalWorld): LocalTarget {
  const env = testEnv();
  return {
    running: {
      url: 'http://127.0.0.1:1',
      sesEndpoint: env.sesEndpoint,
      dynamoEndpoint: env.dynamoEndpoint,
      tableName: w.tableName,
      preferencesUrl: w.preferencesUrl,
      senderAddress: w.runtime.config.senderAddress,
      shop: w.runtime.config.shop,
      defaultTimeZone: w.runtime.config.defaultTimeZone,
    },
    signingSecret: w.runtime.config.signingSecret as string,
    now: w.clock.now(),
  };
}

async function sendTest(
  w: LocalWorld,
  ref: string,
  options: { to: string; locale?: string; customer?: string },
) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await sendTestCommand(
    ref,
    { ...options, defaultLocale: 'en' },
    {
      out: (line) => out.push(line),
      err: (line) => err.push(line),
      root: process.cwd(),
      env: {},
      local: async () => target(w),
    },
  );
  return { code, out: out.join('\n'), err: err.join('\n') };
}

const header = (email: SesEmail, name: string) =>
  email.headers?.find((h) => h.name.toLowerCase() === name.toLowerCase())?.value;

async function received(to: string): Promise<SesEmail> {
  const emails = await testEnv().sesEmails(to);
  expect(emails).toHaveLength(1);
  return emails[0] as SesEmail;
}

describe('journeys send-test, locally', () => {
  it('sends a sample message in the asked locale, marked [test], tagged like a real send; its unsubscribe link opens the local page', async () => {
    // Prepare
    const w = await newWorld();
    const to = `test-${randomUUID().slice(0, 8)}@example.com`;

    // Act
    const result = await sendTest(w, 'onboarding/getting-started', { to, locale: 'de-AT' });

    // Assess: the report, then the email as the emulator holds it
    expect(result).toMatchObject({ code: 0, err: '' });
    expect(result.out).toContain(`✓ onboarding/getting-started [de-AT → de] sent to ${to}`);
    const email = await received(to);
    expect(email.subject).toMatch(/^\[test\] /);
    expect(email.subject).not.toMatch(/[{}]/);
    expect(email.from).toBe(w.runtime.config.senderAddress);
    expect(email.body.html).toMatch(/<html[^>]*\slang="de/);
    expect(email.body.text).toMatch(/Hallo /);
    expect(header(email, 'X-SES-MESSAGE-TAGS')).toBe(
      'journey=onboarding, message=getting-started, test=true',
    );
    const link = /^<(.+)>$/.exec(header(email, 'List-Unsubscribe') ?? '')?.[1] as string;
    expect(link.startsWith(`${w.preferencesUrl}/unsubscribe?token=`)).toBe(true);
    expect(header(email, 'List-Unsubscribe-Post')).toBe('List-Unsubscribe=One-Click');
    const page = await fetch(link);
    expect(page.status).toBe(200);
  });

  it("renders with a local customer's own data, and its one-click unsubscribe withdraws that customer's consent", async () => {
    // Prepare: a registered customer of the local table (an Austrian, in German)
    const w = await newWorld();
    const id = `c-${randomUUID().slice(0, 8)}`;
    await w.runtime.deliver({
      id: `reg-${id}`,
      source: 'shop',
      detailType: 'customer.registered',
      time: w.clock.now(),
      detail: registration(id, { firstName: 'Lea', locale: 'de-AT', timeZone: 'Europe/Vienna' }),
    });
    const to = `test-${randomUUID().slice(0, 8)}@example.com`;

    // Act: no --locale, so the customer's own
    const result = await sendTest(w, 'onboarding/first-order-offer', { to, customer: id });

    // Assess: sent to --to (never to the customer), in their language, with their name
    expect(result).toMatchObject({ code: 0, err: '' });
    expect(result.out).toContain(`Data:        customer ${id} (npm start's table)`);
    const email = await received(to);
    expect(email.destination.to).toEqual([to]);
    expect(email.subject).toMatch(/^\[test\] .*Rabatt/);
    expect(email.body.text).toContain('Hallo Lea');
    expect(header(email, 'X-SES-MESSAGE-TAGS')).toBe(
      'journey=onboarding, message=first-order-offer, test=true',
    );

    // Act: what Gmail's unsubscribe button sends (RFC 8058)
    const link = /^<(.+)>$/.exec(header(email, 'List-Unsubscribe') ?? '')?.[1] as string;
    const response = await fetch(link, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'List-Unsubscribe=One-Click',
    });

    // Assess
    expect(response.status).toBe(200);
    expect((await w.runtime.services.store.getProfile(id))?.marketingConsent).toBe(false);
  });

  it('an unknown --customer: exit 1, named, with the customer meant; nothing sent', async () => {
    // Prepare: one customer in the table, asked for with a typo
    const w = await newWorld();
    await w.runtime.deliver({
      id: 'reg-anna-weber',
      source: 'shop',
      detailType: 'customer.registered',
      time: w.clock.now(),
      detail: registration('anna-weber'),
    });
    const to = `test-${randomUUID().slice(0, 8)}@example.com`;

    // Act
    const result = await sendTest(w, 'onboarding/welcome', { to, customer: 'ana-weber' });

    // Assess
    expect(result.code).toBe(1);
    expect(result.err).toBe(
      `journeys send-test: there is no customer "ana-weber" in npm start's table (${w.tableName}) (did you mean "anna-weber"?); its log names every customer an event is about (← customer.registered customer …)`,
    );
    expect(await testEnv().sesEmails(to)).toEqual([]);
  });
});
