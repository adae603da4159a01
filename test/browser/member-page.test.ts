/**
 * The loyalty member page in a real browser: Debian's Chromium, headless, against the preferences
 * endpoint served by the local runtime's HTTP adapter (local/runtime/preferences-http.ts) on a loopback
 * port. A double click on "redeem" redeems once and shows the coupon; the same form submitted again
 * from a second tab shows the same coupon; a stale form the points no longer cover says so. Nothing
 * outside the page's own origin is requested and nothing errors (a style or form blocked by the
 * Content-Security-Policy would). Missing Chromium skips the test on a workstation and fails it in CI.
 *
 * member/redeem run the loyalty core over an in-memory ledger (test/support/member-loyalty.ts); the
 * service's own reads and writes are tested on DynamoDB Local (test/integration/loyalty-service.test.ts).
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it, type TestContext } from 'vitest';
import type { FeedbackStore } from '../../functions/adapters/feedback-store.ts';
import { memberLink } from '../../functions/core/links.ts';
import { compileTemplates } from '../../functions/email/compile.ts';
import { PreferencesService } from '../../functions/services/preferences.ts';
import { createPageRenderer } from '../../functions/services/preferences-pages.ts';
import { servePreferences } from '../../local/runtime/preferences-http.ts';
import { launchChromium, needChromium as needBrowser } from '../support/chromium.ts';
import { account, InMemoryLoyalty, TEST_PROGRAM } from '../support/member-loyalty.ts';

const ROOT = path.resolve(import.meta.dirname, '../..');
const SECRET = 'browser-member-secret-0123456789';
const NOW = '2026-03-02T08:00:00Z';
const SHOP = { name: 'Bean & Leaf', url: 'https://shop.example.com' };

let browser: Browser | undefined;
let server: Server | undefined;
let origin = '';
let loyalty: InMemoryLoyalty;

beforeAll(async () => {
  const { catalog, errors } = await compileTemplates(path.join(ROOT, 'templates'), [], {
    defaultLocale: 'en',
  });
  expect(errors).toEqual([]);
  loyalty = new InMemoryLoyalty(TEST_PROGRAM, () => NOW)
    .add(
      { customerId: 'anna', locale: 'de-DE', timeZone: 'Europe/Berlin', marketingConsent: true },
      account('anna', { available: 1800, pending: 60, tier: 'silver', qualifying: { '2026-02': 900 } }),
    )
    .add(
      { customerId: 'tom', locale: 'en-GB', timeZone: 'Europe/London', marketingConsent: true },
      account('tom', { available: 2100, tier: 'member', qualifying: { '2026-02': 300 } }),
      'GBP',
    );
  server = createServer();
  await new Promise<void>((resolve) => server?.listen(0, '127.0.0.1', resolve));
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const service = new PreferencesService({
    store: { getProfile: async (id) => loyalty.worlds.get(id)?.profile },
    compliance: { withdrawConsent: async () => 'withdrawn' },
    feedback: {} as Pick<FeedbackStore, 'recorded' | 'click' | 'confirm'>,
    pages: createPageRenderer(catalog),
    now: () => NOW,
    signingSecret: SECRET,
    preferencesUrl: `${origin}/preferences`,
    shop: SHOP,
    shopEventSource: 'shop',
    loyalty,
  });
  server.on('request', (req, res) => {
    servePreferences(service, req, res).catch((error: unknown) => {
      res.writeHead(500);
      res.end(String(error));
    });
  });
  browser = await launchChromium();
});

afterAll(async () => {
  await browser?.close();
  await new Promise((resolve) => server?.close(resolve));
});

const needChromium = (ctx: TestContext): Browser => needBrowser(browser, ctx);

interface Opened {
  context: BrowserContext;
  tab: () => Promise<Page>;
  /** Requests to anything but the preferences endpoint: must stay empty. */
  outside: string[];
  /** Console errors and warnings (CSP violations among them) and page errors: must stay empty. */
  errors: string[];
}

async function open(b: Browser, locale: string): Promise<Opened> {
  const context = await b.newContext({ viewport: { width: 420, height: 900 }, locale });
  const outside: string[] = [];
  const errors: string[] = [];
  await context.route('**/*', (route) => {
    const url = route.request().url();
    if (url.startsWith(`${origin}/preferences/`)) return route.continue();
    outside.push(url);
    return route.abort('blockedbyclient');
  });
  const tab = async () => {
    const page = await context.newPage();
    page.on('console', (m) => {
      if (m.type() === 'error' || m.type() === 'warning') errors.push(`${m.type()}: ${m.text()}`);
    });
    page.on('pageerror', (e) => errors.push(`pageerror: ${e.message}`));
    return page;
  };
  return { context, tab, outside, errors };
}

const rewardItem = (page: Page, name: RegExp) => page.locator('ul.rewards li', { hasText: name });

describe('member page in headless Chromium', () => {
  it('shows the member’s points, tier and progress, styled, and a double click on redeem gives one coupon', async (ctx) => {
    const b = needChromium(ctx);
    const { context, tab, outside, errors } = await open(b, 'de-DE');
    try {
      // Prepare
      const page = await tab();
      await page.goto(memberLink(SECRET, `${origin}/preferences`, { customerId: 'anna', now: NOW }));
      expect(await page.locator('h1').textContent()).toBe('Ihre Prämien bei Bean & Leaf');
      expect(await page.locator('.points').textContent()).toBe('1.800');
      expect(await page.locator('.tier strong').textContent()).toBe('Ihr Status: Silber');
      const progress = page.locator('progress');
      expect([await progress.getAttribute('value'), await progress.getAttribute('max')]).toEqual([
        '900',
        '1500',
      ]);
      expect(await progress.isVisible()).toBe(true);
      // The style block ran (allowed by its hash): the balance is in the brand colour.
      expect(await page.evaluate('getComputedStyle(document.querySelector(".points")).color')).toBe(
        'rgb(15, 118, 110)',
      );
      expect(
        await rewardItem(page, /20\s?%/)
          .locator('button')
          .isDisabled(),
      ).toBe(true);

      // Act: a double click on the 5 € reward
      const five = rewardItem(page, /(^|\D)5,00/).locator('button');
      expect(await five.textContent()).toBe('Für 500 Punkte einlösen');
      await five.dblclick();
      await page.locator('section.coupon code').waitFor();
      // To look at it: SCREENSHOT_DIR=/tmp/shots npx vitest run test/browser/member-page.test.ts
      if (process.env.SCREENSHOT_DIR)
        await page.screenshot({
          path: path.join(process.env.SCREENSHOT_DIR, 'member-page.png'),
          fullPage: true,
        });

      // Assess: one redemption, whatever number of POSTs the double click made, and its coupon shown
      const stored = loyalty.account('anna');
      expect(stored?.recent).toHaveLength(1);
      expect(stored?.available).toBe(1300);
      expect(
        new Set(loyalty.redeemCalls.filter((c) => c.customerId === 'anna').map((c) => c.requestId)),
      ).toEqual(new Set(['page-five-off-1']));
      const code = stored?.recent[0]?.coupon.code as string;
      expect(await page.locator('section.coupon code').textContent()).toBe(code);
      expect(await page.locator('section.coupon').textContent()).toContain('gültig bis 31. Mai 2026');
      expect(await page.locator('.points').textContent()).toBe('1.300');
      expect(await page.locator('ul.coupons code').allTextContents()).toEqual([code]);
      expect(new URL(page.url()).searchParams.get('redeemed')).toBe('page-five-off-1');
      // Reloading the coupon page is a GET: it shows the coupon again and redeems nothing.
      await page.reload();
      expect(await page.locator('section.coupon code').textContent()).toBe(code);
      expect(loyalty.account('anna')?.recent).toHaveLength(1);
      expect(outside).toEqual([]);
      expect(errors).toEqual([]);
    } finally {
      await context.close();
    }
  });

  it('shows the same coupon when the same form is sent again from a second tab, and says when points no longer cover a stale one', async (ctx) => {
    const b = needChromium(ctx);
    const { context, tab, outside, errors } = await open(b, 'en-GB');
    try {
      // Prepare: three tabs of the same page, opened before any redemption
      const link = memberLink(SECRET, `${origin}/preferences`, { customerId: 'tom', now: NOW });
      const [first, second, third] = [await tab(), await tab(), await tab()] as [Page, Page, Page];
      for (const page of [first, second, third]) await page.goto(link);
      expect(await first.locator('.points').textContent()).toBe('2,100');
      expect(await first.locator('.tier p.muted').textContent()).toBe('200 points more to reach Silver');
      // The EUR-only reward is not offered to a member who pays in pounds.
      expect(await first.locator('ul.rewards li').count()).toBe(2);

      // Act: the 20 % reward from the first tab, then the same form from the second
      await rewardItem(first, /20% off/)
        .locator('button')
        .click();
      await first.locator('section.coupon code').waitFor();
      await rewardItem(second, /20% off/)
        .locator('button')
        .click();
      await second.locator('section.coupon code').waitFor();

      // Assess: one redemption, the same code in both tabs
      const code = await first.locator('section.coupon code').textContent();
      expect(code).toMatch(/^[A-Z2-9]{4}-[A-Z2-9]{4}$/);
      expect(await second.locator('section.coupon code').textContent()).toBe(code);
      expect(loyalty.account('tom')?.recent.map((r) => r.coupon.code)).toEqual([code]);
      expect(loyalty.account('tom')?.available).toBe(100);

      // The third tab still offers £4 for 500 points, which the 100 left no longer cover.
      await rewardItem(third, /£4\.00/)
        .locator('button')
        .click();
      await third.locator('[role=alert]').waitFor();
      expect(await third.locator('[role=alert]').textContent()).toBe(
        'Not enough points for this reward yet: you need 400 points more.',
      );
      expect(await third.locator('section.coupon').count()).toBe(0);
      expect(await third.locator('.points').textContent()).toBe('100');
      expect(loyalty.account('tom')?.available).toBe(100);
      expect(outside).toEqual([]);
      // The refusal is answered 409, which Chromium logs as a failed resource; nothing else may be there.
      expect(errors.filter((e) => !/status of 409/.test(e))).toEqual([]);
    } finally {
      await context.close();
    }
  });
});
