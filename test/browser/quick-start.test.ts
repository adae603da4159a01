/**
 * The README's quick start, as a newcomer walks it, in Debian's Chromium: `npm start` (its own
 * process, DynamoDB Local and the SES emulator), `npm run demo`, then only the mail viewer — the
 * welcome emails, the clock moved forward for the getting-started tips and the review request, and
 * a click on the review request's 0–10 question, which opens the NPS page. No token and no database
 * in sight. Quiet hours hold marketing emails until 08:00 in each customer's time zone, so the clock
 * moves an hour at a time until they come, as a person would press "+1 hour".
 * Missing Chromium skips the test on a workstation and fails it in CI.
 */
import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import type { Browser, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium, needChromium } from '../support/chromium.ts';
import { newDataDir, start, stopStarted } from '../support/local-start.ts';

const ROOT = path.resolve(import.meta.dirname, '../..');
let browser: Browser | undefined;

beforeAll(async () => {
  browser = await launchChromium();
});
afterAll(async () => {
  await browser?.close();
});
afterEach(stopStarted);

/** The journey/message labels in the list (`onboarding/welcome`, …); none while the page reloads. */
async function listed(page: Page): Promise<string[]> {
  // The viewer reloads itself when mail arrives: a read in the middle of that finds no page.
  return page
    .locator('.item .meta b')
    .allTextContents()
    .catch(() => []);
}

/** Waits until no more mail arrives (the count holds for 4 s), then shows the page for that count. */
async function settled(page: Page, port: number): Promise<void> {
  const count = async () =>
    ((await (await fetch(`http://127.0.0.1:${port}/mail/count`)).json()) as { count: number }).count;
  for (let before = -1, now = await count(); now !== before; ) {
    await new Promise((resolve) => setTimeout(resolve, 4_000));
    before = now;
    now = await count();
  }
  await page.reload();
  await page.waitForLoadState('load');
}

/** Waits for the viewer's own reload to show `label`, pressing "+1 hour" while quiet hours hold it. */
async function arrives(page: Page, label: string, count: number): Promise<void> {
  for (let hours = 0; hours <= 12; hours++) {
    for (let wait = 0; wait < 20; wait++) {
      if ((await listed(page)).filter((l) => l === label).length >= count) return;
      await page.waitForTimeout(500);
    }
    await page.locator('button[data-by="PT1H"]').click();
    await page.waitForLoadState('load');
  }
  throw new Error(`${label} did not arrive; listed: ${(await listed(page)).join(', ')}`);
}

describe('the quick start in a browser', () => {
  it('shows the onboarding series, the review request and the NPS page from the mail viewer alone', async (ctx) => {
    const b = needChromium(browser, ctx);
    // Arrange: npm start, then npm run demo
    const runtime = await start(await newDataDir());
    const demo = await promisify(execFile)(process.execPath, ['--import', 'tsx', 'local/start/demo.ts'], {
      cwd: ROOT,
      env: { ...process.env, PORT: String(runtime.port) },
    });
    expect(demo.stdout).toContain(`http://127.0.0.1:${runtime.port}/mail`);
    const context = await b.newContext({ viewport: { width: 1400, height: 1000 }, locale: 'en-GB' });
    const page = await context.newPage();
    const errors: string[] = [];
    page.on('pageerror', (error) => errors.push(String(error)));
    try {
      // Act / Assess: the welcomes and Emma's thank-you, with what she bought
      await page.goto(`http://127.0.0.1:${runtime.port}/mail`);
      await arrives(page, 'onboarding/welcome', 4);
      await arrives(page, 'post-purchase/thank-you-first', 1);
      // Two days on: the getting-started tips (Anna, Lukas; João gave no marketing consent)
      await page.locator('button[data-by="P2D"]').click();
      await arrives(page, 'onboarding/getting-started', 2);
      // A week on: the first-order offer and Emma's review request
      await page.locator('button[data-by="P1W"]').click();
      await arrives(page, 'onboarding/first-order-offer', 2);
      await arrives(page, 'post-purchase/review-request', 1);
      await settled(page, runtime.port);
      await page.locator('.item', { hasText: 'post-purchase/review-request' }).click();
      await page.waitForLoadState('load');
      expect(await page.locator('.facts').textContent()).toContain('emma@example.co.uk');
      expect(await page.locator('.headers').textContent()).toContain('List-Unsubscribe');
      // The 0–10 question: a click on 9 opens the NPS page in a new tab
      const frame = page.frameLocator('iframe[title="HTML part"]');
      const [nps] = await Promise.all([
        context.waitForEvent('page'),
        frame.locator('a', { hasText: /^9$/ }).click(),
      ]);
      await nps.waitForLoadState('load');
      expect(nps.url()).toContain(`http://127.0.0.1:${runtime.port}/preferences/`);
      const confirm = nps.getByRole('button', { name: 'Confirm rating' });
      if (await confirm.count()) await confirm.click();
      await expect
        .poll(() => nps.locator('body').textContent())
        .toMatch(/Thank you for your (rating|feedback)/);
      expect(await nps.locator('body').textContent()).toMatch(/9 out of 10|Thank you for your feedback/);
      expect(errors).toEqual([]);
    } finally {
      await context.close();
    }
  }, 300_000);
});
