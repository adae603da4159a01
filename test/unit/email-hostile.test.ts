/**
 * Hostile customer data in emails (issue 8): whatever a shop puts into a name, an item, an order id
 * or an address must come out as text — never as markup, evaluated Liquid, an extra header line or
 * direction-changing control characters — and must never make rendering throw.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { cleanData } from '../../functions/email/clean.ts';
import { type CompileJourney, compileTemplates } from '../../functions/email/compile.ts';
import {
  cleanCustomerText,
  createRenderer,
  type RenderData,
  type TemplateCatalog,
} from '../../functions/email/index.ts';
import { memberData } from '../support/loyalty-data.ts';

const repo = join(import.meta.dirname, '..', '..');

function shippedJourneys(): CompileJourney[] {
  const dir = join(repo, 'journeys');
  return readdirSync(dir)
    .filter((name) => /\.ya?ml$/.test(name))
    .map((name) => parse(readFileSync(join(dir, name), 'utf8')) as CompileJourney);
}

let catalog: TemplateCatalog;

beforeAll(async () => {
  const result = await compileTemplates(join(repo, 'templates'), shippedJourneys(), { defaultLocale: 'en' });
  expect(result.errors).toEqual([]);
  catalog = result.catalog;
});

/** The catalog with customer data put into every subject, as a marketer may write it. */
function withPersonalSubjects(base: TemplateCatalog): TemplateCatalog {
  const copy = structuredClone(base);
  for (const message of Object.values(copy.messages)) {
    for (const strings of Object.values(message.strings)) {
      if (strings.subject !== undefined)
        strings.subject = `{{ customer.firstName }} · {{ order.orderId }} · ${strings.subject}`;
    }
  }
  return copy;
}

function data(
  customer: Partial<RenderData['customer']>,
  order: Partial<NonNullable<RenderData['order']>> = {},
): RenderData {
  return {
    customer: { firstName: 'Anna', email: 'anna@example.com', orderCount: 1, ...customer },
    coupon: { code: 'WELCOME-7K2Q', percentOff: 10, expiresAt: '2026-03-19T10:00:00Z' },
    shop: { name: 'Example Shop', url: 'https://shop.example' },
    links: {
      shop: 'https://shop.example/',
      unsubscribe: 'https://u.example/t/abc',
      feedback: Array.from({ length: 11 }, (_, score) => `https://f.example/nps/${score}`),
    },
    order: {
      orderId: '1042',
      placedAt: '2026-02-03T09:30:00Z',
      total: { amount: '59.90', currency: 'EUR' },
      items: [{ sku: 'ESP-250', name: 'Espresso Blend', quantity: 2 }],
      itemCount: 2,
      ...order,
    },
    feedback: { score: 5 },
    referral: { code: 'ANNA-X7KQ', shareUrl: 'https://shop.example/r/ANNA-X7KQ' },
    invitation: { code: 'BEN-K4QZ' },
    reward: { amount: '15.00', currency: 'EUR' },
    loyalty: memberData(),
    redemption: { rewardId: 'five-off', points: 500 },
  };
}

const BIDI_AND_INVISIBLE = /[\u202a-\u202e\u2066-\u2069\u200b\u2060\ufeff]/;

describe('hostile customer data', () => {
  it('keeps a subject on one line when customer data with CR/LF reaches it', async () => {
    const renderer = createRenderer(withPersonalSubjects(catalog));
    const out = await renderer.render({
      journeyId: 'post-purchase',
      message: 'thank-you-first',
      locale: 'en',
      data: data(
        { firstName: 'Anna\r\nBcc: victim@example.com' },
        { orderId: 'o-1\nX-Injected: yes\u2028\u2029\u0085' },
      ),
    });
    expect(out.subject).not.toMatch(/[\r\n\u2028\u2029\u0085]/);
    expect(out.subject).toMatch(/^Anna Bcc: victim@example\.com · o-1 X-Injected: yes/);
  });

  it('removes direction overrides and invisible characters from customer data, keeps joiners', async () => {
    const renderer = createRenderer(withPersonalSubjects(catalog));
    const out = await renderer.render({
      journeyId: 'post-purchase',
      message: 'thank-you-first',
      locale: 'en',
      data: data(
        { firstName: '\u202eAnna\u202c\u2066x\u2069\u200bB\ufeffob\u2060' },
        { items: [{ sku: 'S\u202e1', name: 'Family 👨‍👩‍👧 \u200cمی‌خواهم', quantity: 1 }] },
      ),
    });
    for (const part of [out.subject, out.html, out.text]) expect(part).not.toMatch(BIDI_AND_INVISIBLE);
    expect(out.subject).toMatch(/^AnnaxBob · /);
    // Zero-width joiners hold emoji sequences and Persian words together: they stay.
    expect(out.html).toContain('Family 👨‍👩‍👧 \u200cمی‌خواهم');
  });

  it('replaces lone surrogates instead of sending ill-formed text', async () => {
    const renderer = createRenderer(withPersonalSubjects(catalog));
    const out = await renderer.render({
      journeyId: 'onboarding',
      message: 'welcome',
      locale: 'en',
      data: data({ firstName: 'A\ud800nna🦄\udfff' }),
    });
    expect(out.subject).toMatch(/^A\ufffdnna🦄\ufffd · /);
    expect(out.html).not.toMatch(/[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/);
  });

  it('renders markup and Liquid in data as text, in every message', async () => {
    const renderer = createRenderer(withPersonalSubjects(catalog));
    const hostile =
      '<script>alert(1)</script>{{ "a1b2" | upcase }}{% if true %}T0P{% endif %}"><img src=x onerror=alert(1)>';
    for (const message of Object.values(catalog.messages)) {
      const out = await renderer.render({
        journeyId: message.journeyId,
        message: message.message,
        locale: 'de-AT',
        data: data(
          { firstName: hostile },
          { orderId: hostile, items: [{ sku: hostile, name: hostile, quantity: 1 }] },
        ),
      });
      const key = `${message.journeyId}/${message.message}`;
      expect(out.html, key).not.toContain('<script>');
      expect(out.html, key).not.toContain('<img src=x');
      for (const part of [out.subject, out.html, out.text]) expect(part, key).not.toContain('A1B2');
      expect(out.text, key).not.toMatch(/(?<!%\})T0P/);
      expect(out.subject, key).toContain('{{ "a1b2" | upcase }}');
    }
  });

  it('takes __proto__ and friends as plain data', async () => {
    const renderer = createRenderer(catalog);
    const item = JSON.parse('{"sku":"S1","name":"__proto__","quantity":1,"__proto__":{"polluted":"yes"}}');
    const out = await renderer.render({
      journeyId: 'post-purchase',
      message: 'thank-you-first',
      locale: 'en',
      data: data({ firstName: 'constructor' }, { items: [item] }),
    });
    expect(out.html).toContain('__proto__');
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('cleanData copies only what needs cleaning and keeps a __proto__ key a key', () => {
    const clean = { customer: { firstName: 'Anna' }, items: [{ name: 'Tea' }] };
    expect(cleanData(clean)).toBe(clean);
    const dirty = JSON.parse('{"items":[{"name":"Tea\\u202e","__proto__":{"polluted":"yes"}}],"n":1}');
    const out = cleanData(dirty) as { items: Record<string, unknown>[]; n: number };
    expect(out).not.toBe(dirty);
    expect(out.items[0]?.name).toBe('Tea');
    expect(Object.hasOwn(out.items[0] as object, '__proto__')).toBe(true);
    expect(Object.getPrototypeOf(out.items[0])).toBe(Object.prototype);
    expect(out.n).toBe(1);
  });

  it('cleanCustomerText leaves ordinary text alone', () => {
    for (const text of ['Anna', 'Zoë-Chloé', 'José Ñúñez', 'דוד', 'محمد', 'Ίκαρος', '山田', 'a\tb']) {
      expect(cleanCustomerText(text)).toBe(text);
    }
  });
});
