/**
 * The member page through the Lambda Function URL handler: the form body arrives base64-encoded, the
 * redemption answers 303 with its Location, HEAD gets headers only, and the page's headers reach the
 * browser unchanged.
 */
import path from 'node:path';
import type { LambdaFunctionURLEvent } from 'aws-lambda';
import { beforeAll, describe, expect, it } from 'vitest';
import type { FeedbackStore } from '../../functions/adapters/feedback-store.ts';
import { memberLink } from '../../functions/core/links.ts';
import { compileTemplates } from '../../functions/email/compile.ts';
import { createPreferencesHandler } from '../../functions/handlers/preferences.ts';
import type { Services } from '../../functions/services/container.ts';
import { PreferencesService } from '../../functions/services/preferences.ts';
import { createPageRenderer, type PageRenderer } from '../../functions/services/preferences-pages.ts';
import { account, InMemoryLoyalty, TEST_PROGRAM } from '../support/member-loyalty.ts';

const SECRET = 'handler-member-secret-0123456789';
const NOW = '2026-03-02T08:00:00Z';
const PREFS = 'https://abc.lambda-url.eu-central-1.on.aws';
const SHOP = { name: 'Bean & Leaf', url: 'https://shop.example.com' };

type Answer = Exclude<Awaited<ReturnType<ReturnType<typeof createPreferencesHandler>>>, string>;
let call: (event: LambdaFunctionURLEvent) => Promise<Answer>;
let loyalty: InMemoryLoyalty;

beforeAll(async () => {
  const { catalog } = await compileTemplates(path.resolve(import.meta.dirname, '../../templates'), [], {
    defaultLocale: 'en',
  });
  const pages: PageRenderer = createPageRenderer(catalog);
  loyalty = new InMemoryLoyalty(TEST_PROGRAM, () => NOW).add(
    { customerId: 'anna', locale: 'it-IT', timeZone: 'Europe/Rome', marketingConsent: true },
    account('anna', { available: 700 }),
  );
  const preferences = new PreferencesService({
    store: { getProfile: async (id) => loyalty.worlds.get(id)?.profile },
    compliance: { withdrawConsent: async () => 'withdrawn' },
    feedback: {} as Pick<FeedbackStore, 'recorded' | 'click' | 'confirm'>,
    pages,
    now: () => NOW,
    signingSecret: SECRET,
    preferencesUrl: PREFS,
    shop: SHOP,
    shopEventSource: 'shop',
    loyalty,
  });
  const handler = createPreferencesHandler(
    async () => ({ preferences, pages, config: { shop: SHOP } }) as unknown as Services,
  );
  call = async (event) => (await handler(event)) as Answer;
});

function event(method: string, rawQueryString: string, body?: string): LambdaFunctionURLEvent {
  return {
    version: '2.0',
    rawPath: '/member',
    rawQueryString,
    headers: { 'Content-Type': 'application/x-www-form-urlencoded', 'Sec-Fetch-Site': 'same-origin' },
    requestContext: { http: { method } },
    body: body === undefined ? undefined : Buffer.from(body).toString('base64'),
    isBase64Encoded: body !== undefined,
  } as unknown as LambdaFunctionURLEvent;
}

describe('the member page behind a Function URL', () => {
  it('shows the page, takes the base64 form, and redirects to the coupon', async () => {
    const token = new URL(memberLink(SECRET, PREFS, { customerId: 'anna', now: NOW })).searchParams.get(
      'token',
    ) as string;
    const page = await call(event('GET', `token=${token}`));
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('<h1>I tuoi vantaggi da Bean &amp; Leaf</h1>');
    expect(page.body).toContain('action="/member"');

    const head = await call(event('HEAD', `token=${token}`));
    expect(head).toMatchObject({ statusCode: 200, body: '' });

    const form = new URLSearchParams({ token, reward: 'five-off', request: 'page-five-off-1' }).toString();
    const redeemed = await call(event('POST', '', form));
    expect(redeemed.statusCode).toBe(303);
    expect(redeemed.headers?.location).toBe(
      `/member?token=${encodeURIComponent(token)}&redeemed=page-five-off-1`,
    );
    expect(loyalty.account('anna')?.available).toBe(200);

    const shown = await call(event('GET', `token=${token}&redeemed=page-five-off-1`));
    const code = loyalty.account('anna')?.recent[0]?.coupon.code as string;
    expect(shown.body).toContain(`<p class="code"><code>${code}</code></p>`);
    expect(shown.body).toContain('valido fino al 31 maggio 2026');
  });
});
