/**
 * The loyalty emails and the member strip in a real browser (Debian's Chromium, headless, offline), on a
 * desktop mail pane and a phone: nothing overflows sideways, the strip is a visible link to the member
 * page under the logo, and the progress bar to the next tier is drawn to its share. Missing Chromium
 * skips the test on a workstation and fails it in CI (`CI` set).
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { compileTemplates } from '../../functions/email/compile.ts';
import { createRenderer, type EmailRenderer, type RenderData } from '../../functions/email/index.ts';
import { launchChromium, needChromium } from '../support/chromium.ts';
import { memberData } from '../support/loyalty-data.ts';

const templatesDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../templates');
const MEMBER_URL = 'https://preferences.example/p/member?token=abc';
const T = { class: 'transactional' } as const;

let browser: Browser | undefined;
let renderer: EmailRenderer;

beforeAll(async () => {
  const { catalog, errors } = await compileTemplates(
    templatesDir,
    [
      {
        id: 'loyalty',
        messages: {
          welcome: T,
          'tier-up': T,
          'tier-at-risk': { class: 'marketing' },
          'points-expiring': T,
          reward: T,
        },
      },
      { id: 'onboarding', messages: { welcome: T } },
    ],
    { defaultLocale: 'en' },
  );
  expect(errors).toEqual([]);
  renderer = createRenderer(catalog);
  browser = await launchChromium();
});

afterAll(async () => {
  await browser?.close();
});

const data = {
  customer: { firstName: 'Giulia', email: 'giulia@example.it' },
  shop: { name: 'Kaffee & Co', url: 'https://shop.example' },
  links: { shop: 'https://shop.example/', unsubscribe: 'https://u.example/x', member: MEMBER_URL },
  loyalty: memberData(),
  coupon: { code: 'PTS-7K2Q-X9', amountOff: '15.00', currency: 'EUR', expiresAt: '2026-06-03T10:00:00Z' },
  redemption: { rewardId: 'fifteen-off', points: 1200 },
} as unknown as RenderData;

describe('loyalty emails in headless Chromium', () => {
  for (const width of [600, 390]) {
    it(`fit a ${width} px wide pane, with the member strip and the progress bar drawn`, async (ctx) => {
      const b = needChromium(browser, ctx);
      const context = await b.newContext({ viewport: { width, height: 900 }, offline: true });
      const page = await context.newPage();
      try {
        for (const [journeyId, message] of [
          ['loyalty', 'welcome'],
          ['loyalty', 'tier-up'],
          ['loyalty', 'tier-at-risk'],
          ['loyalty', 'points-expiring'],
          ['loyalty', 'reward'],
          ['onboarding', 'welcome'],
        ] as const) {
          const where = `${journeyId}/${message} at ${width}px`;
          const out = await renderer.render({
            journeyId,
            message,
            locale: 'it',
            timeZone: 'Europe/Rome',
            data,
          });
          await page.setContent(out.html, { waitUntil: 'load' });
          const { scroll, client } = await page.$eval('html', (root) => ({
            scroll: root.scrollWidth,
            client: root.clientWidth,
          }));
          expect(scroll, where).toBeLessThanOrEqual(client);
          const strip = page.locator(`a[href="${MEMBER_URL}"]`);
          expect(await strip.isVisible(), where).toBe(true);
          expect((await strip.innerText()).replace(/\s+/g, ' '), where).toBe(
            'Argento · 1240 punti · I tuoi punti e premi',
          );
          const box = await strip.boundingBox();
          expect(box && box.x >= 0 && box.x + box.width <= width && box.y < 200, where).toBe(true);
        }
        // tier-up: the bar to gold is drawn at 62 % of its track.
        const out = await renderer.render({ journeyId: 'loyalty', message: 'tier-up', locale: 'it', data });
        await page.setContent(out.html, { waitUntil: 'load' });
        const bar = await page.locator('div[style*="width: 62%"]').boundingBox();
        const track = await page.locator('div:has(> div[style*="width: 62%"])').boundingBox();
        const share = bar && track ? bar.width / track.width : 0;
        expect(share).toBeCloseTo(0.62, 2);
      } finally {
        await context.close();
      }
    });
  }
});
