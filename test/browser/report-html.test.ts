/**
 * The HTML report in a real browser: Debian's Chromium, headless, with every network request blocked
 * and counted. Missing Chromium skips the test on a workstation and fails it in CI (`CI` set), where
 * `.ci/run` installs it.
 */
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it, type TestContext } from 'vitest';
import { renderReportHtml } from '../../analytics/html/render.ts';
import type { ReportData } from '../../analytics/report-types.ts';
import { CHROMIUM, launchChromium, needChromium as needBrowser } from '../support/chromium.ts';

const present = existsSync(CHROMIUM);

let browser: Browser | undefined;
let dir = '';
const files: Record<'en' | 'de', string> = { en: '', de: '' };

beforeAll(async () => {
  if (!present) return;
  const data: ReportData = JSON.parse(
    await readFile(new URL('../fixtures/analytics/report-sample.json', import.meta.url), 'utf8'),
  );
  dir = await mkdtemp(path.join(tmpdir(), 'report-html-'));
  for (const locale of ['en', 'de'] as const) {
    files[locale] = path.join(dir, `report.${locale}.html`);
    await writeFile(files[locale], renderReportHtml(data, { locale, shopName: 'Bean & Leaf' }));
  }
  browser = await launchChromium();
});

afterAll(async () => {
  await browser?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
});

const needChromium = (ctx: TestContext): Browser => needBrowser(browser, ctx);

interface Opened {
  page: Page;
  /** Every request other than the report file itself: must stay empty. */
  requests: string[];
  /** Console errors and uncaught page errors: must stay empty. */
  errors: string[];
  close: () => Promise<void>;
}

async function open(b: Browser, locale: 'en' | 'de', width: number): Promise<Opened> {
  const context = await b.newContext({ viewport: { width, height: 900 }, offline: true });
  const page = await context.newPage();
  const self = pathToFileURL(files[locale]).href;
  const requests: string[] = [];
  const errors: string[] = [];
  await context.route('**/*', (route) => {
    const url = route.request().url();
    if (url === self) return route.continue();
    requests.push(url);
    return route.abort('blockedbyclient');
  });
  page.on('request', (r) => {
    if (r.url() !== self && !requests.includes(r.url())) requests.push(r.url());
  });
  page.on('console', (m) => {
    if (m.type() === 'error' || m.type() === 'warning') errors.push(`${m.type()}: ${m.text()}`);
  });
  page.on('pageerror', (e) => errors.push(`pageerror: ${e.message}`));
  await page.goto(self, { waitUntil: 'load' });
  return { page, requests, errors, close: () => context.close() };
}

/** Visible charts and their rendered sizes. */
async function chartSizes(page: Page) {
  return page.$$eval('.chart svg', (svgs) =>
    svgs
      .map((svg) => svg.getBoundingClientRect())
      .filter((r) => r.width > 0 || r.height > 0)
      .map((r) => ({ width: r.width, height: r.height })),
  );
}

/** The page's width against the viewport's (scrollWidth > clientWidth means a horizontal scrollbar). */
async function overflow(page: Page) {
  return page.$eval('html', (root) => ({ scroll: root.scrollWidth, client: root.clientWidth }));
}

describe('HTML report in headless Chromium', () => {
  it('renders at 1280 px offline: charts drawn, KPI cards visible, no overflow, no request, no error', async (ctx) => {
    const b = needChromium(ctx);
    const { page, requests, errors, close } = await open(b, 'en', 1280);
    try {
      const charts = await chartSizes(page);
      // 8 trends, the wide forest plot, 2 cohort revenue charts, 2 loyalty charts, the wide market chart.
      expect(charts).toHaveLength(14);
      for (const c of charts) {
        expect(c.width).toBeGreaterThan(150);
        expect(c.height).toBeGreaterThan(60);
      }
      const cards = page.locator('.kpi');
      expect(await cards.count()).toBe(8);
      for (let i = 0; i < 8; i++) await expect.poll(() => cards.nth(i).isVisible()).toBe(true);
      expect(await page.locator('.kpi h3').first().textContent()).toBe('Retention rate');
      expect(await page.locator('.heatmap tbody tr').count()).toBe(12);
      const tiles = page.locator('#loyalty .tile');
      expect(await tiles.count()).toBe(8);
      for (let i = 0; i < 8; i++) await expect.poll(() => tiles.nth(i).isVisible()).toBe(true);
      const bar = await page.locator('#loyalty .tier-bar').boundingBox();
      expect(bar?.width).toBeGreaterThan(300);
      const { scroll, client } = await overflow(page);
      expect(scroll).toBeLessThanOrEqual(client);
      expect(requests).toEqual([]);
      expect(errors).toEqual([]);
    } finally {
      await close();
    }
  });

  it('fits a 390 px phone: no horizontal overflow, the narrow charts shown', async (ctx) => {
    const b = needChromium(ctx);
    const { page, requests, errors, close } = await open(b, 'en', 390);
    try {
      const { scroll, client } = await overflow(page);
      expect(scroll).toBeLessThanOrEqual(client);
      const charts = await chartSizes(page);
      expect(charts).toHaveLength(14);
      for (const c of charts) {
        expect(c.width).toBeGreaterThan(200);
        expect(c.width).toBeLessThanOrEqual(390);
      }
      expect(await page.locator('.chart-narrow').first().isVisible()).toBe(true);
      expect(await page.locator('.chart-wide').first().isVisible()).toBe(false);
      const kpi = await page.locator('.kpi').first().boundingBox();
      expect(kpi?.width).toBeGreaterThan(300);
      expect(requests).toEqual([]);
      expect(errors).toEqual([]);
    } finally {
      await close();
    }
  });

  it('shows German labels in the German report', async (ctx) => {
    const b = needChromium(ctx);
    const { page, requests, errors, close } = await open(b, 'de', 1280);
    try {
      expect(await page.getAttribute('html', 'lang')).toBe('de');
      expect(await page.locator('#overview h2').textContent()).toBe('November 2026 im Überblick');
      expect(await page.locator('.kpi h3').allTextContents()).toEqual([
        'Kundenbindungsrate',
        'Abwanderungsrate',
        'Wiederkaufrate',
        'Kaufhäufigkeit',
        'Durchschnittlicher Bestellwert',
        'Kundenlebenszeitwert',
        'Net Promoter Score',
        'Umsatz',
      ]);
      expect(await page.locator('#email h2').textContent()).toBe('E-Mail-Zustellung');
      expect(await page.locator('#loyalty h2').textContent()).toBe('Treueprogramm');
      const { scroll, client } = await overflow(page);
      expect(scroll).toBeLessThanOrEqual(client);
      expect(requests).toEqual([]);
      expect(errors).toEqual([]);
    } finally {
      await close();
    }
  });
});
