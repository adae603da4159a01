import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { localeChain } from '../../functions/core/locale.ts';
import { type CompileJourney, compileTemplates } from '../../functions/email/compile.ts';
import {
  createRenderer,
  type EmailRenderer,
  type RenderData,
  type TemplateCatalog,
  TemplateNotFoundError,
  TemplateRenderError,
} from '../../functions/email/index.ts';
import { memberData } from '../support/loyalty-data.ts';

const repo = join(import.meta.dirname, '..', '..');
const templatesDir = join(repo, 'templates');
const fixtureDir = join(repo, 'test', 'fixtures', 'templates-missing-key');

/** Compiles the fixture's `demo/hello` with some of its files replaced (`{ 'demo/hello.mjml': … }`). */
async function compileHelloWith(files: Record<string, string>) {
  const { mkdtempSync, cpSync, writeFileSync } = await import('node:fs');
  const { tmpdir } = await import('node:os');
  const dir = mkdtempSync(join(tmpdir(), 'templates-'));
  cpSync(fixtureDir, dir, { recursive: true });
  for (const [file, text] of Object.entries(files)) writeFileSync(join(dir, file), text);
  return compileTemplates(dir, [{ id: 'demo', messages: { hello: { class: 'transactional' } } }], {
    defaultLocale: 'en',
  });
}

/** The journeys as the repo ships them: every message of every definition must have templates. */
function shippedJourneys(): CompileJourney[] {
  const dir = join(repo, 'journeys');
  return readdirSync(dir)
    .filter((name) => /\.ya?ml$/.test(name))
    .map((name) => parse(readFileSync(join(dir, name), 'utf8')) as CompileJourney);
}

const escapeHtml = (s: string) =>
  s
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&#34;')
    .replace(/'/g, '&#39;');

const nbsp = (s: string) => s.replace(/[\u00a0\u202f]/g, ' ');

function data(overrides: Partial<RenderData> = {}): RenderData {
  return {
    customer: { firstName: 'Anna', email: 'anna@example.com', orderCount: 3 },
    coupon: { code: 'WELCOME-7K2Q', percentOff: 10, expiresAt: '2026-03-19T10:00:00Z' },
    shop: { name: 'Kaffee & Co', url: 'https://shop.example', address: 'Hauptstraße 1, 10115 Berlin' },
    links: {
      shop: 'https://shop.example/?utm_source=email&utm_medium=journey',
      unsubscribe: 'https://u.example/t/abc',
      feedback: Array.from({ length: 11 }, (_, score) => `https://f.example/nps/${score}`),
    },
    // The data of the other journeys' messages (order, NPS feedback, referral, invitation, reward).
    order: {
      orderId: '1042',
      placedAt: '2026-02-03T09:30:00Z',
      total: { amount: '59.90', currency: 'EUR' },
      items: [{ sku: 'ESP-250', name: 'Espresso Blend', quantity: 2 }],
      itemCount: 2,
    },
    feedback: { score: 5 },
    referral: { code: 'ANNA-X7KQ', shareUrl: 'https://shop.example/r/ANNA-X7KQ' },
    invitation: { code: 'BEN-K4QZ' },
    reward: { amount: '15.00', currency: 'EUR' },
    // The loyalty messages' (a member, the redemption a reward email is about).
    loyalty: memberData(),
    redemption: { rewardId: 'five-off', points: 500 },
    ...overrides,
  };
}

let catalog: TemplateCatalog;
let renderer: EmailRenderer;

beforeAll(async () => {
  const result = await compileTemplates(templatesDir, shippedJourneys(), { defaultLocale: 'en' });
  expect(result.errors).toEqual([]);
  catalog = result.catalog;
  renderer = createRenderer(catalog);
});

describe('shipped templates', () => {
  it('compile without errors and cover every message of every journey', () => {
    for (const journey of shippedJourneys()) {
      for (const [message, spec] of Object.entries(journey.messages)) {
        // A message may borrow another journey's template (`template: referral/invite-friends`).
        const key = spec.template ?? `${journey.id}/${message}`;
        expect(catalog.messages[key], `${journey.id}/${message}`).toBeDefined();
      }
    }
    expect(catalog.locales).toEqual(expect.arrayContaining(['en', 'de']));
  });

  it('every shipped locale has every key of every message', () => {
    for (const [key, message] of Object.entries(catalog.messages)) {
      const defaults = Object.keys(message.strings[catalog.defaultLocale] ?? {});
      expect(defaults.length, key).toBeGreaterThan(0);
      for (const locale of catalog.locales) {
        // Own keys plus those of its parents (de-AT inherits from de), never the default's.
        const chain = localeChain(locale, catalog.defaultLocale).filter(
          (l) => l !== catalog.defaultLocale || locale === catalog.defaultLocale,
        );
        const has = new Set(chain.flatMap((l) => Object.keys(message.strings[l] ?? {})));
        for (const k of defaults) expect(has.has(k), `${key} ${locale} ${k}`).toBe(true);
        const shared = new Set(chain.flatMap((l) => Object.keys(catalog.shared[l] ?? {})));
        for (const k of Object.keys(catalog.shared[catalog.defaultLocale] ?? {})) {
          expect(shared.has(k), `locales/${locale}.yaml ${k}`).toBe(true);
        }
      }
    }
  });

  it('render to HTML and text without leftover Liquid, in every locale', async () => {
    for (const [key, message] of Object.entries(catalog.messages)) {
      for (const locale of catalog.locales) {
        const out = await renderer.render({
          journeyId: message.journeyId,
          message: message.message,
          locale,
          data: data(),
        });
        expect(out.locale).toBe(locale);
        for (const part of [out.html, out.text, out.subject, out.preheader]) {
          expect(part, `${key} ${locale}`).not.toMatch(/\{\{|\{%|%\}|\}\}/);
        }
        expect(out.subject.length, key).toBeGreaterThan(0);
        expect(out.preheader.length, key).toBeGreaterThan(0);
        expect(out.text.length, key).toBeGreaterThan(0);
        expect(out.html).toContain(`lang="${locale}"`);
        expect(out.html).toContain(escapeHtml(out.preheader));
      }
    }
  });
});

describe('first-order-offer in German', () => {
  it('shows the code, the discount and a German long date', async () => {
    const out = await renderer.render({
      journeyId: 'onboarding',
      message: 'first-order-offer',
      locale: 'de-DE',
      timeZone: 'Europe/Berlin',
      data: data(),
    });
    expect(out.locale).toBe('de');
    expect(nbsp(out.subject)).toBe('10 % Rabatt auf Ihre erste Bestellung');
    expect(out.text).toContain('WELCOME-7K2Q');
    expect(out.html).toContain('WELCOME-7K2Q');
    expect(out.text).toContain('19. März 2026');
    expect(out.html).toContain('19. März 2026');
    expect(out.html).toContain('href="https://u.example/t/abc"');
    expect(out.text).toContain('https://u.example/t/abc');
  });

  it('formats the date in the recipient time zone', async () => {
    const late = data({ coupon: { code: 'X', percentOff: 10, expiresAt: '2026-01-19T23:30:00Z' } });
    const berlin = await renderer.render({
      journeyId: 'onboarding',
      message: 'first-order-offer',
      locale: 'de',
      timeZone: 'Europe/Berlin',
      data: late,
    });
    expect(berlin.text).toContain('20. Januar 2026');
    const utc = await renderer.render({
      journeyId: 'onboarding',
      message: 'first-order-offer',
      locale: 'de',
      data: late,
    });
    expect(utc.text).toContain('19. Januar 2026');
  });

  it('uses German strings for de-AT with Austrian date formatting', async () => {
    const out = await renderer.render({
      journeyId: 'onboarding',
      message: 'first-order-offer',
      locale: 'de-AT',
      timeZone: 'Europe/Vienna',
      data: data({ coupon: { code: 'X', percentOff: 10, expiresAt: '2026-01-10T10:00:00Z' } }),
    });
    expect(out.locale).toBe('de');
    expect(out.text).toContain('10. Jänner 2026');
  });

  it('falls back to English for pt-BR, with English dates', async () => {
    const out = await renderer.render({
      journeyId: 'onboarding',
      message: 'first-order-offer',
      locale: 'pt-BR',
      data: data(),
    });
    expect(out.locale).toBe('en');
    expect(out.subject).toBe('10% off your first order');
    expect(out.text).toContain('March 19, 2026');
  });
});

describe('rendering', () => {
  it('greets without a name when there is no first name', async () => {
    const anonymous = data({ customer: { email: 'x@example.com' } });
    const de = await renderer.render({
      journeyId: 'onboarding',
      message: 'welcome',
      locale: 'de',
      data: anonymous,
    });
    expect(de.text).toContain('Guten Tag,');
    const en = await renderer.render({
      journeyId: 'onboarding',
      message: 'welcome',
      locale: 'en',
      data: anonymous,
    });
    expect(en.text).toContain('Hi there,');
    const named = await renderer.render({
      journeyId: 'onboarding',
      message: 'welcome',
      locale: 'de',
      data: data(),
    });
    expect(named.text).toContain('Hallo Anna,');
  });

  it('escapes data in the HTML part, not in the text part', async () => {
    const evil = data({ customer: { firstName: '<script>x</script>', email: 'x@example.com' } });
    const out = await renderer.render({
      journeyId: 'onboarding',
      message: 'welcome',
      locale: 'en',
      data: evil,
    });
    expect(out.html).not.toContain('<script>x</script>');
    expect(out.html).toContain('&lt;script&gt;x&lt;/script&gt;');
    expect(out.text).toContain('Hi <script>x</script>,');
    expect(out.html).toContain('Kaffee &amp; Co');
    expect(out.text).toContain('Kaffee & Co');
    expect(out.subject).toBe('Welcome to Kaffee & Co');
  });

  it('puts the unsubscribe link in marketing messages only, and requires it there', async () => {
    const welcome = await renderer.render({
      journeyId: 'onboarding',
      message: 'welcome',
      locale: 'en',
      data: data(),
    });
    expect(welcome.html).not.toContain('https://u.example/t/abc');
    expect(welcome.text).not.toContain('https://u.example/t/abc');
    const tips = await renderer.render({
      journeyId: 'onboarding',
      message: 'getting-started',
      locale: 'en',
      data: data(),
    });
    expect(tips.html).toContain('https://u.example/t/abc');
    await expect(
      renderer.render({
        journeyId: 'onboarding',
        message: 'getting-started',
        locale: 'en',
        data: data({ links: { shop: 'https://shop.example' } }),
      }),
    ).rejects.toBeInstanceOf(TemplateRenderError);
  });

  it('refuses to render a coupon email without a coupon', async () => {
    await expect(
      renderer.render({
        journeyId: 'onboarding',
        message: 'first-order-offer',
        locale: 'en',
        data: data({ coupon: undefined }),
      }),
    ).rejects.toThrow(/coupon/);
  });

  it('throws TemplateNotFoundError for an unknown message', async () => {
    const attempt = renderer.render({ journeyId: 'onboarding', message: 'nope', locale: 'en', data: data() });
    await expect(attempt).rejects.toBeInstanceOf(TemplateNotFoundError);
    await expect(attempt).rejects.toMatchObject({ name: 'TemplateNotFoundError' });
  });

  it('formats money exactly in the recipient locale', async () => {
    const tiny: TemplateCatalog = {
      formatVersion: 1,
      defaultLocale: 'en',
      locales: ['en', 'de'],
      shared: { en: {}, de: {} },
      messages: {
        'demo/money': {
          journeyId: 'demo',
          message: 'money',
          class: 'transactional',
          html: '{{ total | money }}|{{ "1234.5" | money: "EUR" }}|{{ big | money: "EUR" }}|{{ 10 | percent }}',
          text: '{{ total | money }}',
          strings: {
            en: { subject: 'Total {{ total | money }}', preheader: 'p' },
            de: { subject: 's', preheader: 'p' },
          },
          requires: ['total'],
        },
      },
    };
    const r = createRenderer(tiny);
    const base = { journeyId: 'demo', message: 'money' };
    const de = await r.render({
      ...base,
      locale: 'de-DE',
      data: { ...data(), total: { amount: '1234.50', currency: 'EUR' }, big: '12345678901234567.89' },
    });
    expect(nbsp(de.html)).toBe('1.234,50 €|1.234,50 €|12.345.678.901.234.567,89 €|10 %');
    const en = await r.render({
      ...base,
      locale: 'en-US',
      data: { ...data(), total: { amount: '59.90', currency: 'USD' } },
    });
    expect(en.subject).toBe('Total $59.90');
    await expect(
      r.render({ ...base, locale: 'en', data: { ...data(), total: { amount: 'abc', currency: 'EUR' } } }),
    ).rejects.toBeInstanceOf(TemplateRenderError);
  });

  it('survives a JSON round trip of the catalog', async () => {
    const copy = JSON.parse(JSON.stringify(catalog)) as TemplateCatalog;
    expect(copy).toEqual(catalog);
    const fresh = createRenderer(copy);
    const req = { journeyId: 'onboarding', message: 'first-order-offer', locale: 'de', data: data() };
    const [a, b] = await Promise.all([fresh.render(req), renderer.render(req)]);
    expect(a).toEqual(b);
    expect(a.text).toContain('WELCOME-7K2Q');
  });
});

describe('compile errors', () => {
  const journeys: CompileJourney[] = [
    {
      id: 'demo',
      messages: {
        hello: { class: 'transactional' },
        typo: { class: 'marketing' },
        ghost: { class: 'marketing' },
      },
    },
  ];

  it('names the file and the key a locale is missing', async () => {
    const { errors } = await compileTemplates(fixtureDir, journeys, { defaultLocale: 'en' });
    expect(errors).toContainEqual(
      expect.objectContaining({
        file: 'demo/hello.de.yaml',
        path: 'body',
        message: expect.stringContaining('"body"'),
      }),
    );
  });

  it('reports a message with no template files', async () => {
    const { errors } = await compileTemplates(fixtureDir, journeys, { defaultLocale: 'en' });
    expect(errors).toContainEqual(
      expect.objectContaining({
        file: 'demo/ghost.*',
        message: expect.stringContaining('no template files'),
      }),
    );
  });

  it('reports a t.key no locale defines and an unknown filter', async () => {
    const { errors } = await compileTemplates(fixtureDir, journeys, { defaultLocale: 'en' });
    expect(errors).toContainEqual(expect.objectContaining({ file: 'demo/typo.mjml', path: 't.greting' }));
    expect(errors).toContainEqual(
      expect.objectContaining({ file: 'demo/typo.txt', message: expect.stringContaining('no_such_filter') }),
    );
  });

  it('reports a Liquid error at its line and column in the file the marketer edited', async () => {
    // Arrange: line 5 of the body and line 3 of the text part are broken (not the merged layout's lines)
    const files = {
      'demo/hello.mjml':
        '<mj-section>\n  <mj-column>\n    <mj-text>{{ t.greeting }}</mj-text>\n    <mj-text>\n      {% iff customer.firstName %}Hi{% endif %}</mj-text>\n  </mj-column>\n</mj-section>\n',
      'demo/hello.txt': '{{ t.greeting }}\n\n{% if customer.firstName %}Hi\n',
    };
    // Act
    const { errors } = await compileHelloWith(files);
    // Assess
    expect(errors).toContainEqual({
      file: 'demo/hello.mjml',
      path: 'line 5, column 7',
      message: 'Liquid: tag "iff" not found',
    });
    expect(errors).toContainEqual({
      file: 'demo/hello.txt',
      path: 'line 3, column 1',
      message: 'Liquid: tag {% if customer.firstName %} not closed',
    });
    expect(
      errors.filter((e) => e.file.startsWith('demo/hello.') && e.message.startsWith('Liquid')),
    ).toHaveLength(2);
  });

  it('says a misspelt key is probably the missing one, in the template and in a locale file', async () => {
    // Arrange: the template asks for t.body as before; de writes it "bdoy"
    const de = 'subject: "Hallo"\npreheader: "Hallo"\nbdoy: "Schön"\n';
    // Act
    const { errors } = await compileHelloWith({ 'demo/hello.de.yaml': de });
    // Assess
    expect(errors).toContainEqual(
      expect.objectContaining({
        file: 'demo/hello.de.yaml',
        path: 'body',
        message: 'missing key "body" that demo/hello.en.yaml has; "bdoy" looks like it, misspelt',
      }),
    );
    const typo = await compileHelloWith({
      'demo/hello.de.yaml': de,
      'demo/hello.mjml':
        '<mj-section><mj-column><mj-text>{{ t.subjcet }}</mj-text></mj-column></mj-section>\n',
    });
    expect(typo.errors).toContainEqual(
      expect.objectContaining({
        path: 't.subjcet',
        message: expect.stringMatching(/\(did you mean t\.subject\?\)$/),
      }),
    );
  });

  it('reports MJML errors with the body file and line', async () => {
    const { errors } = await compileTemplates(
      templatesDir,
      [{ id: 'onboarding', messages: { welcome: { class: 'transactional' } } }],
      { defaultLocale: 'en' },
    );
    expect(errors).toEqual([]);
    // A broken body: an attribute MJML does not know.
    const broken = await compileHelloWith({
      'demo/hello.mjml':
        '<mj-section>\n  <mj-column>\n    <mj-text colour="red">{{ t.greeting }}</mj-text>\n  </mj-column>\n</mj-section>\n',
    });
    expect(broken.errors).toContainEqual(
      expect.objectContaining({
        file: 'demo/hello.mjml',
        path: 'line 3',
        message: expect.stringContaining('colour'),
      }),
    );
  });
});

describe('bundle boundary', () => {
  it('keeps MJML out of the run-time side', () => {
    for (const file of ['index.ts', 'render.ts', 'liquid.ts', 'types.ts']) {
      const source = readFileSync(join(repo, 'functions', 'email', file), 'utf8');
      expect(source, file).not.toMatch(/from ['"](mjml|\.\/compile\.ts)['"]/);
    }
  });
});
