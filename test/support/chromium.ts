/** Debian's Chromium for the browser tests: skipped on a workstation without it, required in CI. */
import { existsSync } from 'node:fs';
import { type Browser, chromium } from 'playwright-core';
import type { TestContext } from 'vitest';

export const CHROMIUM = '/usr/bin/chromium';

/** Headless Chromium as every browser test runs it, quiet on the network; undefined when it is missing. */
export async function launchChromium(): Promise<Browser | undefined> {
  if (!existsSync(CHROMIUM)) return undefined;
  return chromium.launch({
    executablePath: CHROMIUM,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
    ],
  });
}

/** The launched browser, or skips the test (fails it when `CI` is set) when Chromium is missing. */
export function needChromium(browser: Browser | undefined, ctx: TestContext): Browser {
  if (browser) return browser;
  if (process.env.CI) throw new Error(`${CHROMIUM} is missing: .ci/run installs the Debian package chromium`);
  ctx.skip(
    `${CHROMIUM} is missing: apt-get install chromium to run the browser test (required when CI is set)`,
  );
  throw new Error('unreachable');
}
