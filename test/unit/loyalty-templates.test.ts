/**
 * The loyalty program's emails (templates/loyalty/*) in all five shipped locales, the member strip the
 * layout shows members in every email, and the grouped strings (`loyalty.tiers.<id>`) they are built
 * from: flattened to dotted keys for the checks, nested under `t` for templates, usable by a message's
 * own strings. The member's data is built by hand (test/support/loyalty-data.ts), not by the ledger.
 */

import { readFileSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { loyaltyProgramSchema } from '../../functions/core/loyalty/program.ts';
import { type CompileJourney, compileTemplates } from '../../functions/email/compile.ts';
import {
  createRenderer,
  type EmailRenderer,
  type RenderData,
  type TemplateCatalog,
  TemplateRenderError,
} from '../../functions/email/index.ts';
import { checkLoyaltyNames } from '../../functions/email/template-checks.ts';
import { memberData } from '../support/loyalty-data.ts';

const templatesDir = join(import.meta.dirname, '..', '..', 'templates');
const LOCALES = ['de', 'en', 'es', 'fr', 'it'];
const T = { class: 'transactional' } as const;
const M = { class: 'marketing' } as const;
const journeys: CompileJourney[] = [
  {
    id: 'loyalty',
    messages: { welcome: T, 'tier-up': T, 'tier-at-risk': M, 'points-expiring': T, reward: T },
  },
  { id: 'onboarding', messages: { welcome: T } },
];
const MEMBER_URL = 'https://preferences.example/p/member?token=abc';
const UNSUBSCRIBE = 'https://u.example/t/unsub-123';
const nbsp = (s: string) => s.replace(/[\u00a0\u202f]/g, ' ');

function sample(overrides: Record<string, unknown> = {}): RenderData {
  return {
    customer: { firstName: 'Anna', email: 'anna@example.com' },
    shop: { name: 'Kaffee & Co', url: 'https://shop.example' },
    links: { shop: 'https://shop.example/?utm_source=email', unsubscribe: UNSUBSCRIBE, member: MEMBER_URL },
    loyalty: memberData(),
    coupon: { code: 'PTS-7K2Q-X9', amountOff: '5.00', currency: 'EUR', expiresAt: '2026-06-03T10:00:00Z' },
    redemption: { rewardId: 'five-off', points: 500 },
    ...overrides,
  } as RenderData;
}

let catalog: TemplateCatalog;
let renderer: EmailRenderer;
const render = (message: string, locale: string, data: RenderData = sample(), journeyId = 'loyalty') =>
  renderer.render({ journeyId, message, locale, timeZone: 'Europe/Berlin', data });

beforeAll(async () => {
  const result = await compileTemplates(templatesDir, journeys, { defaultLocale: 'en' });
  expect(result.errors).toEqual([]);
  catalog = result.catalog;
  renderer = createRenderer(catalog);
});

describe('the loyalty emails', () => {
  it('exist in all five locales and declare the data they need', () => {
    const requires = Object.fromEntries(Object.entries(catalog.messages).map(([k, m]) => [k, m.requires]));
    expect(requires).toEqual({
      'loyalty/welcome': ['loyalty'],
      'loyalty/tier-up': ['loyalty'],
      'loyalty/tier-at-risk': ['loyalty'],
      'loyalty/points-expiring': ['loyalty'],
      'loyalty/reward': ['coupon', 'loyalty', 'redemption'],
      // The layout's member strip shows `loyalty` when it is there: no message must have it for that.
      'onboarding/welcome': [],
    });
    for (const key of Object.keys(requires))
      expect(Object.keys(catalog.messages[key]?.strings ?? {}).sort(), key).toEqual(LOCALES);
  });

  it('render in every locale with nothing left of Liquid, and unsubscribe only in the at-risk note', async () => {
    for (const message of ['welcome', 'tier-up', 'tier-at-risk', 'points-expiring', 'reward']) {
      for (const locale of LOCALES) {
        const out = await render(message, locale);
        for (const part of [out.subject, out.preheader, out.html, out.text]) {
          expect(part, `${message} ${locale}`).not.toMatch(/\{\{|\{%|%\}|\}\}|undefined|NaN|\[object/);
          expect(part.trim().length, `${message} ${locale}`).toBeGreaterThan(0);
        }
        expect(out.text.includes(UNSUBSCRIBE), `${message} ${locale}`).toBe(message === 'tier-at-risk');
      }
    }
  });

  it('name the tiers in the recipient’s language', async () => {
    const want: Record<string, [string, string]> = {
      en: ['Silver', 'Gold'],
      de: ['Silber', 'Gold'],
      fr: ['Argent', 'Or'],
      es: ['Plata', 'Oro'],
      it: ['Argento', 'Oro'],
    };
    for (const locale of LOCALES) {
      const [silver, gold] = want[locale] ?? [];
      const out = await render('tier-up', locale);
      expect(out.subject, locale).toContain(silver);
      // The way on to gold: points still needed and a progress bar at 62 %.
      expect(nbsp(out.text), locale).toContain(gold);
      expect(out.text, locale).toMatch(/380/);
      expect(out.html, locale).toContain('width: 62%');
    }
    const en = await render('tier-up', 'en');
    expect(en.subject).toBe("You've reached Silver!");
    expect(en.text).toContain('1.25× points on every order, 10% member coupons and free shipping.');
    expect(en.text).toContain('380 points more and you reach Gold.');
    expect(en.text).toContain('Your balance: 1,240 points.');
  });

  it('tell a member at the top tier that there is nothing above', async () => {
    const top = sample({ loyalty: memberData({ tier: 'gold', nextTier: undefined, progress: 1 }) });
    const out = await render('tier-up', 'en', top);
    expect(out.subject).toBe("You've reached Gold!");
    expect(out.text).toContain('This is our highest tier');
    expect(out.html).not.toMatch(/width: \d+%; height: 8px/);
  });

  it('explain the program in the welcome: status, pending points, the next tier and the rewards', async () => {
    const en = await render('welcome', 'en');
    expect(en.subject).toBe('Welcome to Kaffee & Co Rewards');
    expect(en.text).toContain('Silver · 1,240 points');
    expect(en.text).toContain('Plus 59 points on the way from your latest order.');
    expect(en.text).toContain('Your next tier: Gold');
    expect(en.text).toContain('early access to new products. 380 points to go.');
    expect(en.text).toContain('- Starter voucher · €5.00 · 500 points');
    expect(en.text).toContain('- Member discount · 20% · 2,000 points');
    const de = await render('welcome', 'de');
    expect(nbsp(de.text)).toContain('- Mitgliederrabatt · 20 % · 2.000 Punkte');
    expect(de.text).toContain('Dazu kommen 59 Punkte aus Ihrer letzten Bestellung.');
    // Nothing pending, nothing said about it; one point is singular.
    const none = await render('welcome', 'en', sample({ loyalty: memberData({ pending: 0, balance: 1 }) }));
    expect(none.text).not.toContain('on the way');
    expect(none.text).toContain('Silver · 1 point\n');
    // A new member who has not ordered yet has no currency: fixed-amount rewards show their points only.
    const noCurrency = memberData({
      rewards: memberData().rewards.map(({ amountOff: _, ...r }) => ({ ...r, amountOff: undefined })),
    });
    const fresh = await render('welcome', 'en', sample({ loyalty: noCurrency }));
    expect(fresh.text).toContain('- Starter voucher · 500 points\n');
    expect(fresh.text).toContain('- Member discount · 20% · 2,000 points\n');
  });

  it('warn before points expire, with what the balance already buys', async () => {
    const en = await render('points-expiring', 'en');
    expect(en.subject).toBe('Your points expire on April 4, 2026');
    expect(en.text).toContain('240 points on your account will expire on April 4, 2026.');
    expect(en.text).toContain('- Starter voucher · €5.00 · 500 points');
    expect(en.text).toContain('- Treat voucher · €15.00 · 1,200 points');
    expect(en.text).not.toContain('Member discount');
    const it_ = await render('points-expiring', 'it');
    expect(it_.text).toContain('Scadenza: 4 aprile 2026.');
    const poor = sample({
      loyalty: memberData({
        balance: 120,
        rewards: memberData().rewards.map((r) => ({ ...r, affordable: false })),
      }),
    });
    const few = await render('points-expiring', 'en', poor);
    expect(few.text).not.toContain('You can redeem right now');
    expect(few.text).toContain('Your next order keeps your points');
  });

  it('note a tier at risk with its date and the tier below, or without them once no longer at risk', async () => {
    const risky = sample({
      loyalty: memberData({ atRisk: { downgradeAt: '2026-04-30T22:00:00Z', to: 'member' } }),
    });
    const en = await render('tier-at-risk', 'en', risky);
    expect(en.text).toContain('Your status stays until May 1, 2026; after that you would move to Member.');
    const fr = await render('tier-at-risk', 'fr', risky);
    expect(nbsp(fr.text)).toContain('jusqu’au 1 mai 2026 ; ensuite, vous passeriez au niveau Membre.');
    const calm = await render('tier-at-risk', 'en');
    expect(calm.preheader).toBe('A quick note about your member status.');
    expect(calm.text).not.toContain('after that');
  });

  it('show the redeemed reward’s coupon, the points it took and the balance left', async () => {
    const expected: Record<string, string[]> = {
      en: ['500 points for your Starter voucher (€5.00)', 'Points left on your account: 1,240 points.'],
      de: [
        '500 Punkte gegen Ihren Startgutschein (5,00 €)',
        'Verbleibende Punkte auf Ihrem Konto: 1.240 Punkte.',
      ],
      fr: ['500 points contre votre récompense « Bon découverte » (5,00 €)', 'compte : 1 240 points.'],
      es: ['500 puntos por tu recompensa «Vale de inicio» (5,00 €)', 'Puntos que te quedan: 1240 puntos.'],
      it: [
        '500 punti con il tuo premio «Buono di benvenuto» (5,00 €)',
        'Punti rimasti sul tuo conto: 1240 punti.',
      ],
    };
    for (const locale of LOCALES) {
      const out = await render('reward', locale);
      expect(out.text, locale).toContain('PTS-7K2Q-X9');
      expect(out.html, locale).toContain('PTS-7K2Q-X9');
      for (const want of expected[locale] ?? []) expect(nbsp(out.text), locale).toContain(nbsp(want));
    }
    const percent = await render(
      'reward',
      'en',
      sample({
        coupon: { code: 'PTS-20', percentOff: 20, expiresAt: '2026-06-03T10:00:00Z' },
        redemption: { rewardId: 'twenty-percent', points: 2000 },
      }),
    );
    expect(percent.subject).toBe('Your 20% voucher is ready');
    expect(percent.text).toContain('2,000 points for your Member discount (20%)');
  });

  it('cannot be rendered without the member’s data', async () => {
    await expect(render('welcome', 'en', sample({ loyalty: undefined }))).rejects.toThrow(
      TemplateRenderError,
    );
    await expect(render('reward', 'en', sample({ redemption: undefined }))).rejects.toThrow(/redemption/);
  });
});

describe('the member strip of the layout', () => {
  it('shows tier, points and the member page link to members, in every email', async () => {
    for (const [locale, strip] of [
      ['en', 'Silver · 1,240 points'],
      ['de', 'Silber · 1.240 Punkte'],
      ['fr', 'Argent · 1 240 points'],
      ['es', 'Plata · 1240 puntos'],
      ['it', 'Argento · 1240 punti'],
    ] as const) {
      const out = await render('welcome', locale, sample(), 'onboarding');
      expect(nbsp(out.text), locale).toContain(nbsp(strip));
      expect(out.text, locale).toContain(MEMBER_URL);
      expect(out.html, locale).toContain(`href="${MEMBER_URL}"`);
    }
    const en = await render('welcome', 'en', sample(), 'onboarding');
    expect(en.text).toContain(`Silver · 1,240 points\nYour points and rewards\n${MEMBER_URL}`);
  });

  it('is absent for a customer who is not a member, and without a member page link', async () => {
    const guest = await render('welcome', 'en', sample({ loyalty: undefined }), 'onboarding');
    const noLink = await render(
      'welcome',
      'en',
      sample({ links: { shop: 'https://shop.example/' } }),
      'onboarding',
    );
    for (const out of [guest, noLink]) {
      expect(out.text).not.toContain('Your points and rewards');
      expect(out.html).not.toContain('Your points and rewards');
      expect(out.text).not.toMatch(/\bpoints?\b/);
    }
  });

  it('falls back to the tier id for a tier without a name', async () => {
    const out = await render(
      'welcome',
      'en',
      sample({ loyalty: memberData({ tier: 'platinum' }) }),
      'onboarding',
    );
    expect(out.text).toContain('platinum · 1,240 points');
  });
});

describe('grouped strings', () => {
  let dir: string;
  const files = async (tree: Record<string, string>) => {
    dir = await mkdtemp(join(tmpdir(), 'loyalty-strings-'));
    for (const [file, content] of Object.entries(tree)) {
      await mkdir(join(dir, file, '..'), { recursive: true });
      await writeFile(join(dir, file), content);
    }
    return dir;
  };
  const layout = {
    'layout.mjml': '<mjml><mj-body><!-- @message-body --></mj-body></mjml>',
    'layout.txt': '<!-- @message-body -->',
  };
  const demo: CompileJourney[] = [{ id: 'demo', messages: { hello: T } }];

  afterAll(async () => {
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('are checked key by key in every locale, and named by their dotted key', async () => {
    const root = await files({
      ...layout,
      'locales/en.yaml': 'loyalty:\n  tiers:\n    member: Member\n    gold: Gold\n',
      'locales/de.yaml': 'loyalty:\n  tiers:\n    member: Mitglied\n',
      'demo/hello.mjml':
        '<mj-section><mj-column><mj-text>{{ t.loyalty.tiers.gold }}</mj-text></mj-column></mj-section>',
      'demo/hello.txt': '{{ t.loyalty.tiers[loyalty.tier] }} {{ t.loyalty.tier.gold }}',
      'demo/hello.en.yaml': 'subject: "{{ t.loyalty.tiers[loyalty.tier] }}"\npreheader: x\n',
      'demo/hello.de.yaml': 'subject: "{{ t.loyalty.tiers[loyalty.tier] }}"\npreheader: x\n',
    });
    const { errors, catalog: built } = await compileTemplates(root, demo, { defaultLocale: 'en' });
    expect(built.shared.en).toEqual({ 'loyalty.tiers.member': 'Member', 'loyalty.tiers.gold': 'Gold' });
    expect(errors).toEqual([
      {
        file: 'locales/de.yaml',
        path: 'loyalty.tiers.gold',
        message: 'missing key "loyalty.tiers.gold" that locales/en.yaml has',
      },
      {
        file: 'demo/hello.txt',
        path: 't.loyalty.tier.gold',
        message:
          'uses {{ t.loyalty.tier.gold }}, which neither locales/en.yaml nor demo/hello.en.yaml defines (did you mean t.loyalty.tiers.gold?)',
      },
    ]);
    // A message's strings may use the shared ones; the name is picked by the data.
    const out = await createRenderer(built).render({
      journeyId: 'demo',
      message: 'hello',
      locale: 'de',
      data: sample({ loyalty: memberData({ tier: 'member' }) }),
    });
    expect(out.subject).toBe('Mitglied');
  });

  it('refuse keys that are not names, at any depth', async () => {
    const root = await files({
      ...layout,
      'locales/en.yaml': 'loyalty:\n  rewards:\n    five-off: Voucher\n    "five off": x\n    list: [a, b]\n',
      'demo/hello.mjml': '<mj-section><mj-column><mj-text>x</mj-text></mj-column></mj-section>',
      'demo/hello.txt': 'x',
      'demo/hello.en.yaml': 'subject: x\npreheader: x\nfive-off: x\n',
    });
    const { errors } = await compileTemplates(root, demo, { defaultLocale: 'en' });
    expect(errors.map((e) => `${e.file} ${e.path}`)).toEqual([
      'locales/en.yaml loyalty.rewards.five off',
      'locales/en.yaml loyalty.rewards.list',
      'demo/hello.en.yaml five-off',
    ]);
  });
});

describe('names of the program’s tiers and rewards', () => {
  const program = loyaltyProgramSchema.parse(
    parse(readFileSync(join(import.meta.dirname, '..', '..', 'loyalty.yaml'), 'utf8')),
  );

  it('exist in every shipped locale for the shipped program', () => {
    expect(checkLoyaltyNames(program, catalog.shared, 'en')).toEqual([]);
  });

  it('are missing for a tier the templates do not know, in every locale; a regional locale inherits them', () => {
    const grown = {
      ...program,
      tiers: { ...program.tiers, levels: [...program.tiers.levels, { id: 'platinum' }] },
    };
    const shared = { ...catalog.shared, 'de-AT': { 'loyalty.tiers.platinum': 'Platin' } };
    const errors = checkLoyaltyNames(grown, shared, 'en');
    expect(errors.map((e) => `${e.file} ${e.path}`)).toEqual(
      LOCALES.map((l) => `locales/${l}.yaml loyalty.tiers.platinum`),
    );
    expect(errors[0]?.message).toBe(
      'loyalty.yaml names "platinum", which has no loyalty.tiers.platinum here',
    );
  });
});
