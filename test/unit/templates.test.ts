/**
 * Every message of the four journeys (plus onboarding) in all five shipped locales: compiles cleanly,
 * renders with sample data, shows what it promises (coupon code, NPS links, items), keeps the unsubscribe
 * link to marketing messages, and follows each language's typography. Compiled from an inline journey
 * list, so these checks do not depend on the journey definitions in journeys/.
 */
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { type CompileJourney, compileTemplates } from '../../functions/email/compile.ts';
import {
  createRenderer,
  type EmailRenderer,
  type RenderData,
  type TemplateCatalog,
} from '../../functions/email/index.ts';
import { createLiquid, formatGlobals, parsePluralForms } from '../../functions/email/liquid.ts';

const templatesDir = join(import.meta.dirname, '..', '..', 'templates');
const LOCALES = ['de', 'en', 'es', 'fr', 'it'];

const M = { class: 'marketing' } as const;
const T = { class: 'transactional' } as const;
const journeys: CompileJourney[] = [
  { id: 'onboarding', messages: { welcome: T, 'getting-started': M, 'first-order-offer': M } },
  {
    id: 'post-purchase',
    messages: {
      'thank-you-first': T,
      'thank-you-returning': T,
      'review-request': M,
      sorry: T,
      'you-might-like': M,
    },
  },
  { id: 'referral', messages: { 'invite-friends': M, 'referral-welcome': M, 'referral-reward': T } },
  {
    id: 'win-back',
    messages: { 'we-miss-you': M, 'comeback-offer': M, 'last-chance': M, 'last-chance-vip': M },
  },
  { id: 'birthday', messages: { birthday: M } },
];
const allMessages = journeys.flatMap((j) =>
  Object.entries(j.messages).map(([message, spec]) => ({ journeyId: j.id, message, class: spec.class })),
);
const COUPON_MESSAGES = [
  'onboarding/first-order-offer',
  'referral/referral-welcome',
  'win-back/comeback-offer',
  'win-back/last-chance',
  'win-back/last-chance-vip',
  'birthday/birthday',
];
const ORDER_ITEMS_MESSAGES = ['post-purchase/thank-you-first', 'post-purchase/thank-you-returning'];

const UNSUBSCRIBE = 'https://u.example/t/unsub-123';
const feedbackLinks = Array.from(
  { length: 11 },
  (_, score) => `https://f.example/nps/ord-1042/${score}?s=sig`,
);

function sample(overrides: Record<string, unknown> = {}): RenderData {
  return {
    customer: { firstName: 'Anna', email: 'anna@example.com', orderCount: 3 },
    shop: { name: 'Kaffee & Co', url: 'https://shop.example', address: 'Hauptstraße 1, 10115 Berlin' },
    links: {
      shop: 'https://shop.example/?utm_source=email',
      unsubscribe: UNSUBSCRIBE,
      feedback: feedbackLinks,
    },
    coupon: { code: 'COME-BACK-7K2Q', percentOff: 15, expiresAt: '2026-03-19T10:00:00Z' },
    order: {
      orderId: '1042',
      placedAt: '2026-02-03T09:30:00Z',
      total: { amount: '1234.50', currency: 'EUR' },
      items: [
        {
          sku: 'ESP-250',
          name: 'Espresso Blend 250 g',
          quantity: 2,
          unitPrice: { amount: '12.90', currency: 'EUR' },
        },
        { sku: 'MUG-BLUE', quantity: 1 },
      ],
      itemCount: 3,
    },
    feedback: { score: 4 },
    referral: { code: 'ANNA-X7KQ', shareUrl: 'https://shop.example/r/ANNA-X7KQ' },
    invitation: { code: 'BEN-K4QZ' },
    reward: { amount: '15.00', currency: 'EUR' },
    ...overrides,
  } as RenderData;
}

const LEFTOVER_LIQUID = /\{\{|\{%|%\}|\}\}/;
const nbsp = (s: string) => s.replace(/[\u00a0\u202f]/g, ' ');
/** The sample order's total, as each locale writes it. */
const ORDER_TOTALS: Record<string, string> = {
  en: '€1,234.50',
  de: '1.234,50 €',
  fr: '1 234,50 €',
  es: '1234,50 €',
  it: '1234,50 €',
};

let catalog: TemplateCatalog;
let renderer: EmailRenderer;

beforeAll(async () => {
  const result = await compileTemplates(templatesDir, journeys, { defaultLocale: 'en' });
  expect(result.errors).toEqual([]);
  // Only files of these journeys and the shared strings: other helpers may add template folders.
  const dirs = new Set([...journeys.map((j) => j.id), 'locales']);
  expect(result.warnings.filter((w) => dirs.has(w.file.split('/')[0] ?? ''))).toEqual([]);
  catalog = result.catalog;
  renderer = createRenderer(catalog);
});

describe('the journey templates', () => {
  it('exist for every message, in all five locales', () => {
    expect(catalog.locales).toEqual(LOCALES);
    for (const m of allMessages) {
      const msg = catalog.messages[`${m.journeyId}/${m.message}`];
      expect(msg, `${m.journeyId}/${m.message}`).toBeDefined();
      expect(Object.keys(msg?.strings ?? {}).sort(), `${m.journeyId}/${m.message}`).toEqual(LOCALES);
    }
  });

  it('declare the data each message gets', () => {
    const requires = Object.fromEntries(Object.entries(catalog.messages).map(([k, m]) => [k, m.requires]));
    expect(requires).toMatchObject({
      'onboarding/welcome': [],
      'onboarding/first-order-offer': ['coupon'],
      'post-purchase/thank-you-first': ['order'],
      'post-purchase/thank-you-returning': ['order'],
      'post-purchase/review-request': ['order'],
      'post-purchase/sorry': ['feedback', 'order'],
      'post-purchase/you-might-like': ['order'],
      'referral/invite-friends': ['referral'],
      'referral/referral-welcome': ['coupon', 'invitation'],
      'referral/referral-reward': ['reward'],
      'win-back/we-miss-you': [],
      'win-back/comeback-offer': ['coupon'],
      'win-back/last-chance': ['coupon'],
      'win-back/last-chance-vip': ['coupon'],
      'birthday/birthday': ['coupon'],
    });
  });

  for (const m of allMessages) {
    const key = `${m.journeyId}/${m.message}`;
    it(`${key} (${m.class}) renders in every locale`, async () => {
      for (const locale of LOCALES) {
        const where = `${key} ${locale}`;
        for (const customer of [
          { firstName: 'Anna', email: 'anna@example.com', orderCount: 3 },
          { email: 'x@example.com', orderCount: 3 },
        ]) {
          const out = await renderer.render({
            journeyId: m.journeyId,
            message: m.message,
            locale,
            timeZone: 'Europe/Berlin',
            data: sample({ customer }),
          });
          expect(out.locale, where).toBe(locale);
          for (const part of [out.subject, out.preheader, out.html, out.text]) {
            expect(part, where).not.toMatch(LEFTOVER_LIQUID);
            expect(part, where).not.toMatch(/undefined|NaN|\[object Object\]/);
          }
          expect(out.subject.length, where).toBeGreaterThan(0);
          expect(out.preheader.length, where).toBeGreaterThan(0);
          expect(out.text.trim().length, where).toBeGreaterThan(0);
          expect(out.html, where).toContain(`lang="${locale}"`);
          expect(out.html, where).toContain('<meta name="viewport"');
          if (m.class === 'marketing') {
            expect(out.html, where).toContain(`href="${UNSUBSCRIBE}"`);
            expect(out.text, where).toContain(UNSUBSCRIBE);
          } else {
            expect(out.html, where).not.toContain(UNSUBSCRIBE);
            expect(out.text, where).not.toContain(UNSUBSCRIBE);
          }
        }
      }
    });
  }

  it('show the coupon code and expiry date in every coupon message, for percent and amount coupons', async () => {
    const amount = {
      code: 'FIVE-OFF-9Z',
      amountOff: '5',
      currency: 'EUR',
      expiresAt: '2026-03-19T10:00:00Z',
    };
    const expected: Record<string, { date: string; percent: string; amount: string }> = {
      en: { date: 'March 19, 2026', percent: '15%', amount: '€5.00' },
      de: { date: '19. März 2026', percent: '15 %', amount: '5,00 €' },
      fr: { date: '19 mars 2026', percent: '15 %', amount: '5,00 €' },
      es: { date: '19 de marzo de 2026', percent: '15 %', amount: '5,00 €' },
      it: { date: '19 marzo 2026', percent: '15%', amount: '5,00 €' },
    };
    for (const key of COUPON_MESSAGES) {
      const [journeyId = '', message = ''] = key.split('/');
      for (const locale of LOCALES) {
        const want = expected[locale];
        if (!want) throw new Error(locale);
        const pct = await renderer.render({ journeyId, message, locale, data: sample() });
        for (const part of [pct.html, pct.text]) {
          expect(part, `${key} ${locale}`).toContain('COME-BACK-7K2Q');
          expect(nbsp(part), `${key} ${locale}`).toContain(want.date);
        }
        expect(nbsp(`${pct.subject} ${pct.preheader} ${pct.text}`), `${key} ${locale}`).toContain(
          want.percent,
        );
        const amt = await renderer.render({ journeyId, message, locale, data: sample({ coupon: amount }) });
        expect(amt.text, `${key} ${locale}`).toContain('FIVE-OFF-9Z');
        expect(nbsp(`${amt.subject} ${amt.text}`), `${key} ${locale}`).toContain(want.amount);
        expect(nbsp(amt.text), `${key} ${locale}`).not.toContain(want.percent);
      }
    }
  });

  it('list what was bought, with quantities, SKU fallback and the total', async () => {
    const counts: Record<string, string> = {
      en: '3 items',
      de: '3 Artikel',
      fr: '3 articles',
      es: '3 artículos',
      it: '3 articoli',
    };
    for (const key of ORDER_ITEMS_MESSAGES) {
      const [journeyId = '', message = ''] = key.split('/');
      for (const locale of LOCALES) {
        const out = await renderer.render({ journeyId, message, locale, data: sample() });
        const where = `${key} ${locale}`;
        expect(out.text, where).toContain('2 × Espresso Blend 250 g');
        expect(out.text, where).toContain('1 × MUG-BLUE');
        expect(out.html, where).toContain('Espresso Blend 250 g');
        expect(out.html, where).toContain('MUG-BLUE');
        expect(out.text, where).toContain('1042');
        expect(nbsp(out.text), where).toContain(nbsp(ORDER_TOTALS[locale] ?? '?'));
        expect(nbsp(out.html), where).toContain(nbsp(ORDER_TOTALS[locale] ?? '?'));
        expect(nbsp(out.text), where).toContain(counts[locale]);
      }
    }
    const one = await renderer.render({
      journeyId: 'post-purchase',
      message: 'thank-you-first',
      locale: 'en',
      data: sample({
        order: {
          ...(sample().order as object),
          items: [{ sku: 'A', name: 'Tea', quantity: 1 }],
          itemCount: 1,
        },
      }),
    });
    expect(one.text).toContain('Your order: 1 item\n');
  });

  it('leaves out the list of what was bought when the shop sent no items, keeping the total', async () => {
    // Items are optional in the contract: "Your order: 0 items" above a total read as a mistake.
    const titles: Record<string, string> = {
      en: 'Your order:',
      de: 'Ihre Bestellung:',
      fr: 'Votre commande :',
      es: 'Tu pedido:',
      it: 'Il tuo ordine:',
    };
    for (const key of ORDER_ITEMS_MESSAGES) {
      const [journeyId = '', message = ''] = key.split('/');
      for (const locale of LOCALES) {
        const order = { ...(sample().order as object), items: [], itemCount: 0 };
        const out = await renderer.render({ journeyId, message, locale, data: sample({ order }) });
        const where = `${key} ${locale}`;
        expect(nbsp(out.text), where).not.toContain(titles[locale] ?? '?');
        expect(nbsp(out.html), where).not.toContain(titles[locale] ?? '?');
        expect(nbsp(out.text), where).toContain(nbsp(ORDER_TOTALS[locale] ?? '?'));
      }
    }
  });

  it('greets first-time and returning buyers differently', async () => {
    for (const locale of LOCALES) {
      const [first, returning] = await Promise.all(
        ['thank-you-first', 'thank-you-returning'].map((message) =>
          renderer.render({ journeyId: 'post-purchase', message, locale, data: sample() }),
        ),
      );
      expect(first?.subject, locale).not.toBe(returning?.subject);
      expect(first?.text, locale).not.toBe(returning?.text);
    }
  });

  it('asks the NPS question with eleven score links 0-10', async () => {
    for (const locale of LOCALES) {
      const out = await renderer.render({
        journeyId: 'post-purchase',
        message: 'review-request',
        locale,
        data: sample(),
      });
      feedbackLinks.forEach((url, score) => {
        expect(out.html, `${locale} ${score}`).toMatch(
          new RegExp(`<a href="${url.replace(/[.?]/g, '\\$&')}"[^>]*>${score}</a>`),
        );
        expect(out.text, `${locale} ${score}`).toContain(`${score} – ${url}`);
      });
      expect(out.text).toContain('Kaffee & Co');
    }
    const en = await renderer.render({
      journeyId: 'post-purchase',
      message: 'review-request',
      locale: 'en',
      data: sample(),
    });
    expect(en.text).toContain('How likely are you to recommend Kaffee & Co to a friend?');
    expect(en.text).toContain('0 = not likely at all');
    expect(en.text).toContain('10 = very likely');
  });

  it('says sorry with the score and promises a personal follow-up', async () => {
    const en = await renderer.render({
      journeyId: 'post-purchase',
      message: 'sorry',
      locale: 'en',
      data: sample(),
    });
    expect(en.text).toContain('Your rating of 4 out of 10');
    expect(en.text).toContain('get in touch with you personally');
    const de = await renderer.render({
      journeyId: 'post-purchase',
      message: 'sorry',
      locale: 'de',
      data: sample(),
    });
    expect(de.text).toContain('4 von 10 Punkten');
  });

  it('shows the referral code, the share link, the invitation code and the reward', async () => {
    for (const locale of LOCALES) {
      const invite = await renderer.render({
        journeyId: 'referral',
        message: 'invite-friends',
        locale,
        data: sample(),
      });
      expect(invite.html, locale).toContain('ANNA-X7KQ');
      expect(invite.html, locale).toContain('href="https://shop.example/r/ANNA-X7KQ"');
      expect(invite.text, locale).toContain('https://shop.example/r/ANNA-X7KQ');
      expect(nbsp(invite.text), locale).toMatch(/10 ?%/);
      const welcome = await renderer.render({
        journeyId: 'referral',
        message: 'referral-welcome',
        locale,
        data: sample({ coupon: { code: 'FRIEND-10', percentOff: 10, expiresAt: '2026-03-19T10:00:00Z' } }),
      });
      expect(welcome.text, locale).toContain('FRIEND-10');
      // The code the referee was invited with (the referrer's), not the referee's own.
      expect(welcome.text, locale).toContain('BEN-K4QZ');
      expect(welcome.text, locale).not.toContain('ANNA-X7KQ');
      const reward = await renderer.render({
        journeyId: 'referral',
        message: 'referral-reward',
        locale,
        data: sample(),
      });
      expect(nbsp(`${reward.subject} ${reward.text}`), locale).toMatch(/15[.,]00/);
    }
  });

  it('counts a VIP customer’s orders with the right plural', async () => {
    const cases: [string, number, string][] = [
      ['en', 3, '3 orders'],
      ['en', 1, '1 order with'],
      ['de', 3, '3 Bestellungen'],
      ['de', 1, '1 Bestellung bei'],
      ['fr', 12, '12 commandes'],
      ['fr', 1, '1 commande chez'],
      ['es', 5, '5 pedidos'],
      ['es', 1, '1 pedido en'],
      ['it', 4, '4 ordini'],
      ['it', 1, '1 ordine su'],
    ];
    for (const [locale, orderCount, want] of cases) {
      const out = await renderer.render({
        journeyId: 'win-back',
        message: 'last-chance-vip',
        locale,
        data: sample({ customer: { firstName: 'Anna', email: 'a@example.com', orderCount } }),
      });
      expect(out.text, `${locale} ${orderCount}`).toContain(want);
    }
  });

  it('wishes a happy birthday by name, or without one', async () => {
    const named = await renderer.render({
      journeyId: 'birthday',
      message: 'birthday',
      locale: 'fr',
      data: sample(),
    });
    expect(named.text).toContain('Joyeux anniversaire, Anna\u202f!');
    const anonymous = await renderer.render({
      journeyId: 'birthday',
      message: 'birthday',
      locale: 'es',
      data: sample({ customer: { email: 'x@example.com' } }),
    });
    expect(anonymous.text).toContain('¡Feliz cumpleaños!');
  });
});

describe('typography of the strings', () => {
  /** Every string of one locale, with Liquid tags removed (they hold quotes and colons of their own). */
  const stringsOf = (locale: string): [string, string][] => {
    const out: [string, string][] = [];
    for (const [key, msg] of Object.entries(catalog.messages)) {
      for (const [name, value] of Object.entries(msg.strings[locale] ?? {}))
        out.push([`${key} ${name}`, value]);
    }
    for (const [name, value] of Object.entries(catalog.shared[locale] ?? {})) {
      out.push([`locales/${locale} ${name}`, value]);
    }
    return out.map(([where, value]) => [where, value.replace(/\{\{[\s\S]*?\}\}|\{%[\s\S]*?%\}/g, 'X')]);
  };

  it('French: non-breaking space before ! ? ; : and typographic apostrophes', () => {
    for (const [where, s] of stringsOf('fr')) {
      expect(s, where).not.toMatch(/[^\u202f][!?;]/);
      expect(s, where).not.toMatch(/[^\u00a0]:/);
      expect(s, where).not.toMatch(/ [!?;:]/);
      expect(s, where).not.toContain("'");
    }
  });

  it('Spanish: opening ¡ and ¿ for every ! and ?', () => {
    for (const [where, s] of stringsOf('es')) {
      expect((s.match(/¡/g) ?? []).length, where).toBe((s.match(/!/g) ?? []).length);
      expect((s.match(/¿/g) ?? []).length, where).toBe((s.match(/\?/g) ?? []).length);
    }
  });

  it('German: formal address, no straight quotes', () => {
    for (const [where, s] of stringsOf('de')) {
      expect(s, where).not.toMatch(/\b(du|dich|dir|dein|deine|deinen|deinem|deiner)\b/i);
      expect(s, where).not.toContain('"');
    }
  });

  it('Italian and Spanish: one form of address throughout (tu / tú)', () => {
    for (const [where, s] of stringsOf('it')) {
      expect(s, where).not.toMatch(/\b(Lei|Suo|Sua|Suoi|La ringraziamo)\b/);
      expect(s, where).not.toContain("'");
    }
    for (const [where, s] of stringsOf('es')) expect(s, where).not.toMatch(/\b(usted|su cuenta|le damos)\b/i);
  });
});

describe('filters', () => {
  const liquid = createLiquid({ html: false });
  const run = (source: string, locale: string, scope: Record<string, unknown> = {}) =>
    liquid.parseAndRender(source, scope, { globals: formatGlobals({ locale, timeZone: 'UTC' }) });

  it('plural picks the form by the locale’s plural rules and formats the number', async () => {
    const forms = "'one {# order} other {# orders}'";
    expect(await run(`{{ 1 | plural: ${forms} }}`, 'en')).toBe('1 order');
    expect(await run(`{{ 0 | plural: ${forms} }}`, 'en')).toBe('0 orders');
    expect(await run(`{{ n | plural: ${forms} }}`, 'en', { n: 1234 })).toBe('1,234 orders');
    // French counts 0 and 1 as singular.
    const fr = "'one {# commande} other {# commandes}'";
    expect(await run(`{{ 0 | plural: ${fr} }}`, 'fr')).toBe('0 commande');
    expect(await run(`{{ 1 | plural: ${fr} }}`, 'fr')).toBe('1 commande');
    expect(await run(`{{ 2 | plural: ${fr} }}`, 'fr')).toBe('2 commandes');
    expect(await run(`{{ 1234 | plural: ${fr} }}`, 'fr')).toBe('1\u202f234 commandes');
    // The recipient's region formats the number (Austria groups with a space).
    const de = "'one {# Bestellung} other {# Bestellungen}'";
    expect(await run(`{{ 1234 | plural: ${de} }}`, 'de-DE')).toBe('1.234 Bestellungen');
    expect(nbsp(await run(`{{ 1234 | plural: ${de} }}`, 'de-AT'))).toBe('1 234 Bestellungen');
    // Exact matches win; a category a language lacks falls back to other.
    expect(await run(`{{ 0 | plural: '=0 {no orders yet} one {# order} other {# orders}' }}`, 'en')).toBe(
      'no orders yet',
    );
    const pl = "'one {# zamówienie} few {# zamówienia} many {# zamówień} other {# zamówienia}'";
    expect(await run(`{{ 1 | plural: ${pl} }}`, 'pl')).toBe('1 zamówienie');
    expect(await run(`{{ 3 | plural: ${pl} }}`, 'pl')).toBe('3 zamówienia');
    expect(await run(`{{ 5 | plural: ${pl} }}`, 'pl')).toBe('5 zamówień');
    // Forms may come from a string: {{ n | plural: t.orders }}.
    expect(
      await run('{{ n | plural: t.orders }}', 'en', {
        n: 2,
        t: { orders: 'one {# order} other {# orders}' },
      }),
    ).toBe('2 orders');
  });

  it('plural rejects forms it cannot read, and values that are not numbers', async () => {
    await expect(run(`{{ 1 | plural: 'one {# order}' }}`, 'en')).rejects.toThrow(/other/);
    await expect(run(`{{ 1 | plural: 'one # order other # orders' }}`, 'en')).rejects.toThrow(/forms/);
    await expect(run(`{{ 1 | plural: 'one {# order}', 'other {# orders}' }}`, 'en')).rejects.toThrow(
      /one string/,
    );
    await expect(run(`{{ x | plural: 'other {#}' }}`, 'en', { x: 'abc' })).rejects.toThrow(/not a number/);
    expect([...parsePluralForms(' one {a}  other {b} ').entries()]).toEqual([
      ['one', 'a'],
      ['other', 'b'],
    ]);
  });

  it('discount shows a coupon’s percentage or amount in the locale', async () => {
    const pct = { coupon: { percentOff: 10 } };
    const amt = { coupon: { amountOff: '5', currency: 'EUR' } };
    expect(await run('{{ coupon | discount }}', 'en', pct)).toBe('10%');
    expect(nbsp(await run('{{ coupon | discount }}', 'de', pct))).toBe('10 %');
    expect(await run('{{ coupon | discount }}', 'en-IE', amt)).toBe('€5.00');
    expect(nbsp(await run('{{ coupon | discount }}', 'fr', amt))).toBe('5,00 €');
    await expect(run('{{ coupon | discount }}', 'en', { coupon: { code: 'X' } })).rejects.toThrow(/neither/);
    await expect(run('{{ coupon | discount }}', 'en', { coupon: { amountOff: '5' } })).rejects.toThrow(
      /currency/,
    );
  });
});
