/**
 * `npm start`'s own mail viewer (local/start/mail-viewer.ts) in Debian's Chromium, headless: over a
 * real SES v2 emulator holding emails the real mailer sent, it lists them newest first and shows the
 * sender's name, locale, journey and message, both parts and the List-Unsubscribe header; a link in
 * the email opens in a new tab; the clock buttons move the runtime's clock (local/start/clock.ts).
 * Missing Chromium skips the test on a workstation and fails it in CI.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SesMailer, sesClient } from '../../functions/adapters/mailer.ts';
import { type SesEmulator, startSesEmulator } from '../../local/servers/ses-emulator.ts';
import { AdjustableClock, serveClock } from '../../local/start/clock.ts';
import { serveMailViewer, viewed } from '../../local/start/mail-viewer.ts';
import { launchChromium, needChromium } from '../support/chromium.ts';

let browser: Browser | undefined;
let ses: SesEmulator;
let server: Server | undefined;
let origin = '';
const clock = new AdjustableClock();
const moves: string[] = [];
/** Only this test's emails: the emulator's store is module-global. */
const RUN = `viewer-${Date.now()}`;

const email = (to: string, subject: string, journey: string, message: string, locale: string) => ({
  from: 'Bean & Leaf <news@shop.example>',
  to,
  subject,
  html: `<!doctype html><html lang="${locale}"><head><title>${subject}</title></head><body><h1>${subject}</h1><p><a id="unsubscribe" href="${origin}/preferences/unsubscribe?token=t">Abmelden</a></p></body></html>`,
  text: `${subject}\n\nAbmelden: ${origin}/preferences/unsubscribe?token=t`,
  headers: {
    'List-Unsubscribe': `<${origin}/preferences/unsubscribe?token=t>`,
    'List-Unsubscribe-Post': 'List-Unsubscribe=One-Click',
  },
  tags: { journey, message, outbox: `${RUN}-${message}` },
});

beforeAll(async () => {
  ses = await startSesEmulator();
  server = createServer((req, res) => {
    // Stands in for the local preferences service the links point to.
    if (req.url?.startsWith('/preferences/')) {
      res.writeHead(200, { 'content-type': 'text/html' });
      res.end('<!doctype html><title>Preferences</title><p>unsubscribed</p>');
      return;
    }
    const handled = async () =>
      (await serveMailViewer(req, res, {
        emails: async () => (await ses.emails()).filter((e) => e.destination.to[0]?.startsWith(RUN)),
        now: () => clock.now(),
      })) ??
      (await serveClock(req, res, {
        clock,
        advanced: async ({ by }) => {
          moves.push(by);
        },
      }));
    handled()
      .then((answer) => {
        if (!answer) {
          res.writeHead(404);
          res.end();
        }
      })
      .catch((error: unknown) => {
        res.writeHead(500);
        res.end(String(error));
      });
  });
  await new Promise<void>((resolve) => server?.listen(0, '127.0.0.1', resolve));
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const mailer = new SesMailer(
    sesClient({
      endpoint: ses.endpoint,
      region: 'eu-central-1',
      credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    }),
    { tagsHeader: true },
  );
  for (const sent of [
    email(`${RUN}-anna@example.at`, 'Willkommen bei Bean & Leaf', 'onboarding', 'welcome', 'de-AT'),
    email(
      `${RUN}-anna@example.at`,
      'So holen Sie das Beste heraus',
      'onboarding',
      'getting-started',
      'de-AT',
    ),
  ])
    expect((await mailer.send(sent)).ok).toBe(true);
  browser = await launchChromium();
});

afterAll(async () => {
  await browser?.close();
  await new Promise((resolve) => server?.close(resolve));
  await ses?.stop();
});

describe('the local mail viewer', () => {
  it('shows the newest email with sender name, locale, journey, both parts and headers; links open a new tab; buttons move the clock', async (ctx) => {
    const b = needChromium(browser, ctx);
    const context = await b.newContext({ viewport: { width: 1400, height: 1000 } });
    const errors: string[] = [];
    const page = await context.newPage();
    page.on('pageerror', (error) => errors.push(String(error)));
    try {
      // Act
      await page.goto(`${origin}/mail`);
      // Assess: the list, newest first
      await expect.poll(() => page.locator('.count').textContent()).toBe('2 emails');
      const subjects = await page.locator('.item .subject').allTextContents();
      expect(subjects).toEqual(['So holen Sie das Beste heraus', 'Willkommen bei Bean & Leaf']);
      expect(await page.locator('.item').first().textContent()).toContain('onboarding/getting-started');
      // Assess: the selected email's facts, parts and headers
      const detail = page.locator('.detail');
      expect(await detail.locator('h2').textContent()).toBe('So holen Sie das Beste heraus');
      expect(await detail.locator('.from-name').textContent()).toBe('Bean & Leaf');
      expect(await detail.locator('.facts').textContent()).toContain('de-AT');
      expect(await detail.locator('.facts').textContent()).toContain('onboarding/getting-started');
      expect(await detail.locator('.text').textContent()).toContain('Abmelden:');
      const headers = await detail.locator('.headers').textContent();
      expect(headers).toContain('List-Unsubscribe');
      expect(headers).toContain(`${origin}/preferences/unsubscribe`);
      expect(headers).not.toContain('X-SES-MESSAGE-TAGS');
      const frame = page.frameLocator('iframe[title="HTML part"]');
      expect(await frame.locator('h1').textContent()).toBe('So holen Sie das Beste heraus');
      // A link in the email opens a new tab (the frame is sandboxed, popups may leave it).
      const [popup] = await Promise.all([
        context.waitForEvent('page'),
        frame.locator('#unsubscribe').click(),
      ]);
      expect(popup.url()).toBe(`${origin}/preferences/unsubscribe?token=t`);
      await popup.close();
      // Act: the other email, then a day on
      await page.locator('.item').nth(1).click();
      expect(await page.locator('.detail h2').textContent()).toBe('Willkommen bei Bean & Leaf');
      const before = Date.parse((await page.locator('#now').getAttribute('datetime')) ?? '');
      await page.locator('button[data-by="P1D"]').click();
      // Assess: the clock moved by a day, the page says so and shows the new time after its reload
      await expect.poll(() => page.locator('#clock-status').textContent()).toBe('moved 1 day');
      expect(moves).toEqual(['P1D']);
      await expect
        .poll(async () => Date.parse((await page.locator('#now').getAttribute('datetime')) ?? '') - before, {
          timeout: 10_000,
        })
        .toBeGreaterThan(86_400_000 - 10_000);
      expect(errors).toEqual([]);
    } finally {
      await context.close();
    }
  });

  it('names a sender without a display name, and an untagged email, as such', () => {
    const shown = viewed({
      messageId: 'm1',
      from: 'news@shop.example',
      replyTo: [],
      destination: { to: ['a@example.com'], cc: [], bcc: [] },
      subject: 'Hi',
      body: { text: 'Hi' },
      attachments: [],
      at: 1_767_225_600,
    });
    expect(shown).toMatchObject({
      fromName: undefined,
      fromAddress: 'news@shop.example',
      journey: undefined,
      locale: undefined,
      at: '2026-01-01T00:00:00Z',
    });
  });
});
