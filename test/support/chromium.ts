/** Debian's Chromium for the browser tests: skipped on a workstation without it, required in CI. */
import type { Browser } from 'playwright-core';
import type { TestContext } from 'vitest';

export const CHROMIUM = '/usr/bin/chromium';

/** The launched browser, or skips the test (fails it when `CI` is set) when Chromium is missing. */
export function needChromium(browser: Browser | undefined, ctx: TestContext): Browser {
  if (browser) return browser;
  if (process.env.CI) throw new Error(`${CHROMIUM} is missing: .ci/run installs the Debian package chromium`);
  ctx.skip(
    `${CHROMIUM} is missing: apt-get install chromium to run the browser test (required when CI is set)`,
  );
  throw new Error('unreachable');
}
