/**
 * The preview gallery (`journeys preview`) in a real browser: Debian's Chromium, headless and offline.
 * Every email frame loads from the gallery directory, nothing else is requested, nothing errors, and a
 * disabled journey is shown, marked as disabled. Missing Chromium skips the test on a workstation and
 * fails it in CI (`CI` set).
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it, type TestContext } from 'vitest';
import { buildCatalog } from '../../functions/catalog/build.ts';
import { DEMO_SHOP } from '../../functions/core/shop.ts';
import { buildGallery, type Gallery, writeGallery } from '../../local/preview/index.ts';
import { launchChromium, needChromium as needBrowser } from '../support/chromium.ts';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

let browser: Browser | undefined;
let dir = '';
let gallery: Gallery;

beforeAll(async () => {
  const { catalog } = await buildCatalog(root, { defaultLocale: 'en' });
  // Birthday switched off: its customers still finish, so the gallery still shows it.
  const journeys = catalog.journeys.map((j) =>
    j.definition.id === 'birthday' ? { ...j, definition: { ...j.definition, enabled: false } } : j,
  );
  gallery = await buildGallery({ ...catalog, journeys });
  dir = await mkdtemp(path.join(tmpdir(), 'preview-gallery-'));
  await writeGallery(dir, gallery);
  browser = await launchChromium();
});

afterAll(async () => {
  await browser?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
});

const needChromium = (ctx: TestContext): Browser => needBrowser(browser, ctx);

describe('preview gallery in headless Chromium', () => {
  it('loads every email frame from the gallery offline, requests nothing else, shows no error', async (ctx) => {
    const b = needChromium(ctx);
    const context = await b.newContext({ viewport: { width: 1360, height: 900 }, offline: true });
    const page = await context.newPage();
    const inside = pathToFileURL(dir).href;
    const outside: string[] = [];
    const errors: string[] = [];
    await context.route('**/*', (route) => {
      const url = route.request().url();
      if (url.startsWith(inside)) return route.continue();
      outside.push(url);
      return route.abort('blockedbyclient');
    });
    page.on('console', (m) => {
      if (m.type() === 'error') errors.push(m.text());
    });
    page.on('pageerror', (e) => errors.push(e.message));
    try {
      await page.goto(pathToFileURL(path.join(dir, 'index.html')).href, { waitUntil: 'load' });
      expect(gallery.counts.failures).toBe(0);
      const frames = page.frames().filter((f) => f !== page.mainFrame());
      expect(frames).toHaveLength(gallery.counts.renders);
      const marketing = await page
        .frame({ url: (u) => u.href.endsWith('/win-back/we-miss-you.de.html') })
        ?.content();
      expect(marketing).toContain(DEMO_SHOP.address);
      const disabled = page.locator('section.journey.disabled#j--birthday');
      expect(await disabled.isVisible()).toBe(true);
      expect(await disabled.locator('.badge.disabled').first().textContent()).toBe('disabled');
      expect(outside).toEqual([]);
      expect(errors).toEqual([]);
    } finally {
      await context.close();
    }
  });
});
