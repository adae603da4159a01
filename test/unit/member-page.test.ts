/**
 * The loyalty member page of the preferences endpoint: the signed link every email carries, the page
 * (balance, tier, progress, rewards, coupons) in the member's language and formats, redemption by POST
 * (303 to the coupon; the same form again shows the same coupon; not enough points is said plainly),
 * and every refusal (forged, expired, wrong purpose, cross-site, malformed form) changing nothing.
 */
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { memberLink } from '../../functions/core/links.ts';
import { loyaltyProgramSchema } from '../../functions/core/loyalty/program.ts';
import { DEMO_SHOP } from '../../functions/core/shop.ts';
import { signToken, verifyToken } from '../../functions/core/tokens.ts';
import { compileTemplates } from '../../functions/email/compile.ts';
import { renderData } from '../../functions/email/render-data.ts';
import type { TemplateCatalog } from '../../functions/email/types.ts';
import { type HttpRequest, PreferencesService } from '../../functions/services/preferences.ts';
import { createPageRenderer } from '../../functions/services/preferences-pages.ts';
import { account, InMemoryLoyalty, TEST_PROGRAM } from '../support/member-loyalty.ts';

const ROOT = path.resolve(import.meta.dirname, '../..');
const SECRET = 'member-test-secret-0123456789';
const NOW = '2026-03-02T08:00:00Z';
const PREFS = 'https://shop.example.com/preferences';
const SHOP = { name: 'Bean & Leaf', url: 'https://shop.example.com' };
let templates: TemplateCatalog;

beforeAll(async () => {
  const result = await compileTemplates(path.join(ROOT, 'templates'), [], { defaultLocale: 'en' });
  expect(result.errors).toEqual([]);
  templates = result.catalog;
});

function world(options: { loyalty?: InMemoryLoyalty | null; program?: typeof TEST_PROGRAM } = {}) {
  const loyalty =
    options.loyalty === null
      ? undefined
      : (options.loyalty ??
        new InMemoryLoyalty(options.program ?? TEST_PROGRAM, () => NOW).add(
          { customerId: 'anna', locale: 'de-AT', timeZone: 'Europe/Vienna', marketingConsent: true },
          account('anna', {
            available: 1234,
            pending: 80,
            tier: 'silver',
            qualifying: { '2026-02': 700, '2026-03': 120 },
          }),
        ));
  const service = new PreferencesService({
    store: { getProfile: async (id) => loyalty?.worlds.get(id)?.profile },
    compliance: { withdrawConsent: async () => 'withdrawn' },
    feedback: {
      recorded: async () => false,
      click: async () => 'held',
      confirm: async () => 'recorded',
    } as unknown as ConstructorParameters<typeof PreferencesService>[0]['feedback'],
    pages: createPageRenderer(templates),
    now: () => NOW,
    signingSecret: SECRET,
    preferencesUrl: PREFS,
    shop: SHOP,
    shopEventSource: 'shop',
    loyalty,
  });
  return { service, loyalty: loyalty as InMemoryLoyalty };
}

// Anna is de-AT: Austrian German groups digits and places the euro sign its own way.
const atNumber = (n: number) => new Intl.NumberFormat('de-AT').format(n);
const atMoney = (amount: string) =>
  (new Intl.NumberFormat('de-AT', { style: 'currency', currency: 'EUR' }).format as (v: string) => string)(
    amount,
  );

const linkOf = (customerId: string) => new URL(memberLink(SECRET, PREFS, { customerId, now: NOW }));

function get(url: URL | string, headers: Record<string, string> = {}): HttpRequest {
  const u = new URL(url, PREFS);
  return {
    method: 'GET',
    path: u.pathname,
    query: Object.fromEntries(u.searchParams),
    body: '',
    headers,
  };
}

/** The form the page shows for `reward`, as the browser would submit it. */
function formOf(body: string, reward: string): Record<string, string> {
  const form = new RegExp(
    `<form method="post" action="([^"]*)"><input type="hidden" name="token" value="([^"]*)"><input type="hidden" name="reward" value="${reward}"><input type="hidden" name="request" value="([^"]*)">`,
  ).exec(body);
  if (!form) throw new Error(`no form for ${reward}`);
  return { action: form[1] as string, token: form[2] as string, reward, request: form[3] as string };
}

function post(form: Record<string, string>, headers: Record<string, string> = {}): HttpRequest {
  const { action, ...fields } = form;
  return {
    method: 'POST',
    path: action ?? '/preferences/member',
    query: {},
    body: new URLSearchParams(fields).toString(),
    headers: {
      'content-type': 'application/x-www-form-urlencoded',
      'sec-fetch-site': 'same-origin',
      ...headers,
    },
  };
}

describe('the member link', () => {
  it('is signed for the member page, names the customer and expires after 90 days', () => {
    const link = linkOf('anna');
    expect(link.origin + link.pathname).toBe('https://shop.example.com/preferences/member');
    const token = link.searchParams.get('token') ?? '';
    expect(verifyToken(SECRET, token, 'member', NOW)).toEqual({
      ok: true,
      claims: { customerId: 'anna', purpose: 'member', expiresAt: '2026-05-31T08:00:00Z' },
    });
    expect(verifyToken(SECRET, token, 'member', '2026-05-31T08:00:01Z')).toEqual({
      ok: false,
      reason: 'expired',
    });
    expect(verifyToken(SECRET, token, 'unsubscribe', NOW)).toEqual({ ok: false, reason: 'wrong purpose' });
  });

  it('is in every email, transactional and marketing', () => {
    for (const marketing of [false, true]) {
      const data = renderData({} as Parameters<typeof renderData>[0], {
        shop: DEMO_SHOP,
        preferencesUrl: PREFS,
        signingSecret: SECRET,
        customerId: 'anna',
        recipient: { email: 'anna@example.at' },
        email: { journey: 'loyalty-welcome', message: 'welcome', outbox: 'o1', marketing },
        now: NOW,
      });
      expect(data.links.member).toBe(linkOf('anna').href);
    }
  });
});

describe('GET /member', () => {
  it('shows balance, tier, progress, pending and expiring points in the member’s language, time zone and formats', async () => {
    // Prepare
    const { service } = world();
    // Act
    const { response, action } = await service.handle(get(linkOf('anna')));
    // Assess
    expect(action).toBe('member-page');
    expect(response.status).toBe(200);
    expect(response.headers['cache-control']).toBe('no-store');
    expect(response.headers['content-security-policy']).toMatch(/default-src 'none'.*form-action 'self'/);
    const body = response.body;
    expect(body).toContain('<html lang="de">');
    expect(body).toContain('<h1>Ihre Prämien bei Bean &amp; Leaf</h1>');
    expect(body).toContain(`<p class="points">${atNumber(1234)}</p>`);
    expect(atNumber(1234)).not.toBe(new Intl.NumberFormat('de-DE').format(1234));
    expect(body).toContain('Ihr Status: Silber');
    expect(body).toMatch(
      /<progress value="820" max="1500" aria-label="Noch 680 Punkte bis Gold"><\/progress>/,
    );
    expect(body).toContain('80 Punkte unterwegs');
    // de-AT formats its months its own way; the expiry is a year after the last activity.
    expect(body).toContain(`${atNumber(1234)} Punkte verfallen am 20. Februar 2027.`);
    expect(body).not.toMatch(/\{\{|\}\}|\{%/);
    expect(body).not.toContain('<script');
  });

  it('offers each reward with one POST form carrying the token and its request id; what the balance does not cover is disabled', async () => {
    const { service } = world();
    const link = linkOf('anna');
    const { body } = (await service.handle(get(link))).response;
    const five = formOf(body, 'five-off');
    expect(five).toEqual({
      action: '/preferences/member',
      token: link.searchParams.get('token'),
      reward: 'five-off',
      request: 'page-five-off-1',
    });
    expect(body).toMatch(/value="page-five-off-1"><button type="submit">Für 500 Punkte einlösen<\/button>/);
    expect(body).toContain(`${atMoney('5.00')} Rabatt auf Ihre nächste Bestellung`);
    expect(body).toContain(
      `value="page-twenty-percent-1"><button type="submit" disabled>Für ${atNumber(2000)} Punkte einlösen`,
    );
    expect(body).toContain('Noch 766 Punkte');
    expect(body).toContain('20\u00a0% Rabatt');
  });

  it('does not offer a reward that has no amount in the member’s currency', async () => {
    const loyalty = new InMemoryLoyalty(TEST_PROGRAM, () => NOW).add(
      { customerId: 'tom', locale: 'en-GB', timeZone: 'Europe/London', marketingConsent: true },
      account('tom', { available: 5000 }),
      'GBP',
    );
    const { body } = (await world({ loyalty }).service.handle(get(linkOf('tom')))).response;
    expect(body).toContain('£4.00 off your next order');
    expect(body.match(/<li>/g)).toHaveLength(2); // £4 off and 20 % off, not the EUR-only 15 off
    expect(() => formOf(body, 'fifteen-off')).toThrow();
    expect(formOf(body, 'five-off').request).toBe('page-five-off-1');
  });

  it('shows the top tier, a tier at risk and a negative balance for what they are', async () => {
    const loyalty = new InMemoryLoyalty(TEST_PROGRAM, () => NOW).add(
      { customerId: 'lea', locale: 'en', timeZone: 'UTC', marketingConsent: true },
      account('lea', {
        available: -40,
        tier: 'gold',
        qualifying: { '2026-02': 900 },
        risk: { since: '2026-02-01T00:00:00Z', downgradeAt: '2026-03-31T00:00:00Z', to: 'silver' },
      }),
    );
    const { body } = (await world({ loyalty }).service.handle(get(linkOf('lea')))).response;
    expect(body).toContain('<p class="points negative">-40</p>');
    expect(body).toContain('You have reached our highest tier');
    expect(body).not.toContain('<progress');
    expect(body).toContain(
      'To keep Gold, collect more points by March 31, 2026; otherwise you move to Silver.',
    );
    expect(body).toContain('Your balance is below zero');
    expect(body).not.toMatch(/<button type="submit">/); // nothing is affordable
    expect(body).not.toContain('expire on'); // no positive balance to lose
  });

  it('renders in all five languages with nothing left of Liquid', async () => {
    for (const [locale, title] of [
      ['en', 'Your rewards at'],
      ['de', 'Ihre Prämien bei'],
      ['fr', 'Vos avantages chez'],
      ['es', 'Tus ventajas en'],
      ['it', 'I tuoi vantaggi da'],
    ] as const) {
      const loyalty = new InMemoryLoyalty(TEST_PROGRAM, () => NOW).add(
        { customerId: 'x', locale, marketingConsent: true },
        account('x', {
          available: 1,
          pending: 1,
          recent: [
            {
              movementId: 'redeem:r1',
              requestId: 'r1',
              rewardId: 'five-off',
              points: 500,
              at: '2026-02-01T10:00:00Z',
              coupon: {
                code: 'LOY-OLD1',
                amountOff: '5.00',
                currency: 'EUR',
                expiresAt: '2026-05-02T10:00:00Z',
              },
            },
          ],
        }),
      );
      const { body } = (await world({ loyalty }).service.handle(get(linkOf('x')))).response;
      expect(body, locale).toContain(`<html lang="${locale}">`);
      expect(body, locale).toContain(title);
      expect(body, locale).toContain('<code>LOY-OLD1</code>');
      expect(body, locale).not.toMatch(/\{\{|\}\}|\{%|\{#/);
      // "1 point" takes the singular in every language.
      expect(body, locale).toMatch(/>1 (point|Punkt|punto) /);
    }
  });

  it('says so when the customer is not a member yet, or the program is switched off', async () => {
    const notYet = new InMemoryLoyalty(TEST_PROGRAM, () => NOW).add({
      customerId: 'new',
      locale: 'fr-FR',
      marketingConsent: false,
    });
    const page = (await world({ loyalty: notYet }).service.handle(get(linkOf('new')))).response;
    expect(page.status).toBe(200);
    expect(page.body).toContain('<h1>Pas encore de points</h1>');
    expect(page.body).not.toContain('<form');

    const off = loyaltyProgramSchema.parse({ ...TEST_PROGRAM, enabled: false });
    const disabled = new InMemoryLoyalty(off, () => NOW).add(
      { customerId: 'anna', locale: 'de', marketingConsent: true },
      account('anna', { available: 900 }),
    );
    const closed = (await world({ loyalty: disabled }).service.handle(get(linkOf('anna')))).response;
    expect(closed.body).toContain('<h1>Derzeit kein Prämienprogramm</h1>');
    expect(closed.body).not.toContain('<form');
  });

  it('is not there when no loyalty program is wired in', async () => {
    const { response, action } = await world({ loyalty: null }).service.handle(get(linkOf('anna')));
    expect(action).toBe('not-found');
    expect(response.status).toBe(404);
  });
});

describe('a member grown by shop events through the loyalty core', () => {
  it('shows the registration bonus, an order pending through its hold, then its points to spend', async () => {
    // Prepare: the registration bonus on, a clock the test moves
    const program = loyaltyProgramSchema.parse({
      ...TEST_PROGRAM,
      earning: { ...TEST_PROGRAM.earning, bonuses: { ...TEST_PROGRAM.earning.bonuses, registration: 100 } },
    });
    let now = '2026-03-01T09:00:00Z';
    const loyalty = new InMemoryLoyalty(program, () => now).add({
      customerId: 'zoe',
      locale: 'fr-FR',
      timeZone: 'Europe/Paris',
      marketingConsent: true,
    });
    const zoe = loyalty.worlds.get('zoe') as NonNullable<ReturnType<typeof loyalty.worlds.get>>;
    const { service } = world({ loyalty });
    const link = memberLink(SECRET, PREFS, { customerId: 'zoe', now: NOW });
    const page = async () => (await service.handle(get(link))).response.body;

    // Act: registration, then an order of 459.90 EUR
    zoe.event(
      'customer.registered',
      { email: 'zoe@example.fr', locale: 'fr-FR', marketingConsent: true },
      now,
    );
    now = '2026-03-01T10:00:00Z';
    zoe.event(
      'order.placed',
      { orderId: 'o1', placedAt: now, total: { amount: '459.90', currency: 'EUR' } },
      now,
    );

    // Assess: 100 to spend, 459 on the way, 5 € not yet within reach
    let body = await page();
    expect(body).toContain('<p class="points">100</p>');
    expect(body).toContain('459 points en attente');
    expect(body).toMatch(/value="page-five-off-1"><button type="submit" disabled>/);

    // The hold passes without a refund: the points are released and cover the 5 € reward.
    now = '2026-03-16T10:00:00Z';
    zoe.runUntil(now);
    body = await page();
    expect(body).toContain('<p class="points">559</p>');
    expect(body).not.toContain('en attente');
    const redeemed = await service.handle(post(formOf(body, 'five-off')));
    expect(redeemed.action).toBe('member-redeemed');
    body = (await service.handle(get(redeemed.response.headers.location ?? ''))).response.body;
    expect(body).toContain('<p class="points">59</p>');
    expect(body).toContain(`<code>${loyalty.account('zoe')?.recent[0]?.coupon.code}</code>`);
    expect(zoe.events('loyalty.reward.redeemed')).toHaveLength(1);
  });
});

describe('POST /member (redemption)', () => {
  it('redeems, redirects to the page with the coupon, and the same form again shows the same coupon', async () => {
    // Prepare
    const { service, loyalty } = world();
    const page = (await service.handle(get(linkOf('anna')))).response.body;
    const form = formOf(page, 'five-off');

    // Act: the click, and the same form submitted again (a double click, a resubmitted tab)
    const first = await service.handle(post(form));
    const second = await service.handle(post(form));

    // Assess
    expect(first.action).toBe('member-redeemed');
    expect(second.action).toBe('member-repeat');
    expect(first.response.status).toBe(303);
    const location = first.response.headers.location ?? '';
    expect(second.response.headers.location).toBe(location);
    expect(location).toBe(
      `/preferences/member?token=${encodeURIComponent(form.token ?? '')}&redeemed=page-five-off-1`,
    );
    expect(first.response.headers['cache-control']).toBe('no-store');
    expect(loyalty.account('anna')?.available).toBe(734);
    expect(loyalty.redeemCalls.map((c) => c.requestId)).toEqual(['page-five-off-1', 'page-five-off-1']);

    const shown = await service.handle(get(location));
    const code = loyalty.account('anna')?.recent[0]?.coupon.code as string;
    expect(shown.response.body).toMatch(
      new RegExp(
        `<section class="coupon"[^>]*>\\s*<h2>Ihr Gutschein</h2>\\s*<p class="code"><code>${code}</code>`,
      ),
    );
    expect(shown.response.body).toContain(`${atMoney('5.00')} Rabatt, gültig bis 31. Mai 2026.`);
    expect(shown.response.body).toContain('<p class="points">734</p>');
    // The next form is a new request: a deliberate second redemption stays possible.
    expect(formOf(shown.response.body, 'five-off').request).toBe('page-five-off-2');
  });

  it('says clearly that the points do not cover the reward, and takes nothing', async () => {
    const { service, loyalty } = world();
    const page = (await service.handle(get(linkOf('anna')))).response.body;
    const form = formOf(page, 'twenty-percent'); // disabled in the page; a stale tab could still send it
    const { response, action, reason } = await service.handle(post(form));
    expect(action).toBe('member-refused');
    expect(reason).toBe('not enough points');
    expect(response.status).toBe(409);
    expect(response.body).toContain(
      '<p class="alert" role="alert">Für diese Prämie reichen Ihre Punkte noch nicht: Es fehlen 766 Punkte.</p>',
    );
    expect(loyalty.account('anna')?.available).toBe(1234);
  });

  it('refuses a form from another site, a token in the wrong purpose, a forged or malformed form', async () => {
    const { service, loyalty } = world();
    const form = formOf((await service.handle(get(linkOf('anna')))).response.body, 'five-off');
    const unsubscribeToken = signToken(SECRET, {
      customerId: 'anna',
      purpose: 'unsubscribe',
      expiresAt: '2026-06-01T00:00:00Z',
    });
    const cases: [HttpRequest, number, string][] = [
      [post(form, { 'sec-fetch-site': 'cross-site' }), 403, 'cross-site'],
      [post({ ...form, token: unsubscribeToken }), 400, 'wrong purpose'],
      [post({ ...form, token: `${form.token}x` }), 400, 'forged'],
      [post({ ...form, request: '' }), 400, 'bad form'],
      [post({ ...form, reward: '<script>' }), 400, 'bad form'],
    ];
    for (const [request, status, reason] of cases) {
      const result = await service.handle(request);
      expect(result, reason).toMatchObject({ action: 'refused', reason });
      expect(result.response.status, reason).toBe(status);
    }
    expect(loyalty.redeemCalls).toEqual([]);
    expect(loyalty.account('anna')?.available).toBe(1234);
  });

  it('answers an expired link with 410 in the member’s language', async () => {
    const { service } = world();
    const token = signToken(SECRET, {
      customerId: 'anna',
      purpose: 'member',
      expiresAt: '2026-03-01T00:00:00Z',
    });
    const { response, reason } = await service.handle(get(`/preferences/member?token=${token}`));
    expect(reason).toBe('expired');
    expect(response.status).toBe(410);
    expect(response.body).toContain('Dieser Link ist abgelaufen');
  });

  it('escapes everything it shows: a hostile token and coupon code stay text', async () => {
    const loyalty = new InMemoryLoyalty(TEST_PROGRAM, () => NOW).add(
      { customerId: 'eve', locale: 'en', marketingConsent: true },
      account('eve', {
        available: 600,
        recent: [
          {
            movementId: 'redeem:r1',
            requestId: 'r1',
            rewardId: 'five-off',
            points: 500,
            at: NOW,
            coupon: { code: '<img src=x>', percentOff: 5, expiresAt: '2026-05-02T10:00:00Z' },
          },
        ],
      }),
    );
    const pages = createPageRenderer(templates);
    const snapshot = await loyalty.member('eve');
    const page = await pages.member({
      status: 200,
      locale: 'en',
      timeZone: 'UTC',
      shop: { name: '<b>Shop</b>', url: 'javascript:alert(1)' },
      action: '/member"><script>',
      token: 'a"><script>alert(1)</script>',
      snapshot,
      redeemed: snapshot.account?.recent[0],
    });
    expect(page.body).not.toMatch(/<script|<img|<b>/);
    expect(page.body).toContain('<code>&lt;img src=x&gt;</code>');
    expect(page.body).toContain('value="a&quot;&gt;&lt;script&gt;alert(1)&lt;/script&gt;"');
    expect(page.body).toContain('href="#"');
  });
});
