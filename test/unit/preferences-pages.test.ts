/** Pages of the preferences endpoint: escaping, locale fallback, security headers. */
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { compileTemplates } from '../../functions/email/compile.ts';
import type { TemplateCatalog } from '../../functions/email/types.ts';
import { acceptLanguage } from '../../functions/services/preferences.ts';
import { createPageRenderer, escapeHtml } from '../../functions/services/preferences-pages.ts';

const ROOT = path.resolve(import.meta.dirname, '../..');
const SHOP = { name: 'Example Shop', url: 'https://shop.example.com' };
let templates: TemplateCatalog;

beforeAll(async () => {
  // Shared strings only (no journey): the pages use nothing else.
  const result = await compileTemplates(path.join(ROOT, 'templates'), [], { defaultLocale: 'en' });
  expect(result.errors).toEqual([]);
  templates = result.catalog;
});

describe('preferences pages', () => {
  it('escapes the shop name and the form action, and allows no script', async () => {
    // Prepare
    const pages = createPageRenderer(templates);
    const shop = { name: '<script>alert("x")</script> & Co', url: 'javascript:alert(1)' };
    // Act
    const page = await pages.render({
      kind: 'unsubscribeConfirm',
      status: 200,
      locale: 'en',
      shop,
      action: '?token=a"><script>',
    });
    // Assess
    expect(page.body).not.toContain('<script');
    expect(page.body).toContain('&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; Co');
    expect(page.body).toContain('action="?token=a&quot;&gt;&lt;script&gt;"');
    expect(page.body).toContain('href="#"'); // a javascript: shop URL is not linked
    expect(page.headers['content-security-policy']).toMatch(/default-src 'none'/);
    expect(page.headers['content-security-policy']).not.toMatch(/script-src|unsafe-inline/);
  });

  it('sets the headers every page needs', async () => {
    const page = await createPageRenderer(templates).render({
      kind: 'unsubscribed',
      status: 200,
      locale: 'en',
      shop: SHOP,
    });
    expect(page.headers).toMatchObject({
      'content-type': 'text/html; charset=utf-8',
      'cache-control': 'no-store',
      'referrer-policy': 'no-referrer',
      'x-robots-tag': expect.stringContaining('noindex'),
    });
    expect(page.body).toContain('<html lang="en">');
    expect(page.body).toContain('You are unsubscribed');
    expect(page.body).toContain('orders and deliveries');
  });

  it('asks the question with the shop name and a button that posts, in German for de-AT', async () => {
    const page = await createPageRenderer(templates).render({
      kind: 'unsubscribeConfirm',
      status: 200,
      locale: 'de-AT',
      shop: SHOP,
      action: '?token=abc',
    });
    expect(page.body).toContain('<html lang="de">');
    expect(page.body).toContain('Marketing-E-Mails von Example Shop abbestellen?');
    expect(page.body).toMatch(
      /<form method="post" action="\?token=abc">[\s\S]*<button type="submit">Abbestellen</,
    );
  });

  it('falls back to English for a locale no file covers (pt-BR) and for none', async () => {
    const pages = createPageRenderer(templates);
    for (const locale of ['pt-BR', undefined, 'not a locale']) {
      const page = await pages.render({ kind: 'expiredLink', status: 410, locale, shop: SHOP });
      expect(page.status).toBe(410);
      expect(page.body).toContain('<html lang="en">');
      expect(page.body).toContain('This link has expired');
    }
  });

  it('shows the signed score on the feedback form', async () => {
    const page = await createPageRenderer(templates).render({
      kind: 'feedbackForm',
      status: 200,
      locale: 'de',
      shop: SHOP,
      score: 7,
      action: '?token=t',
    });
    expect(page.body).toContain('Ihre Bewertung: 7 von 10');
    expect(page.body).toContain('<textarea id="comment" name="comment"');
  });

  it('has every preferences string in every shipped locale', () => {
    const keys = Object.keys(templates.shared.en ?? {}).filter((k) => k.startsWith('preferences'));
    expect(keys.length).toBeGreaterThan(10);
    for (const locale of templates.locales) {
      for (const key of keys) expect(templates.shared[locale], `${locale}: ${key}`).toHaveProperty(key);
    }
  });
});

describe('escapeHtml and acceptLanguage', () => {
  it('escapes the five HTML-significant characters', () => {
    expect(escapeHtml(`<a href="x" title='y'>&</a>`)).toBe(
      '&lt;a href=&quot;x&quot; title=&#39;y&#39;&gt;&amp;&lt;/a&gt;',
    );
  });

  it('takes the first language of an Accept-Language header', () => {
    expect(acceptLanguage('de-AT,de;q=0.9,en;q=0.8')).toBe('de-AT');
    expect(acceptLanguage('*')).toBeUndefined();
    expect(acceptLanguage(undefined)).toBeUndefined();
  });
});

describe('the feedback confirmation page (mail scanners)', () => {
  it('asks for a confirmation with the score, a comment box and a button, in every locale', async () => {
    const pages = createPageRenderer(templates);
    for (const [locale, title] of [
      ['en', 'Please confirm your rating'],
      ['de', 'Bitte bestätigen Sie Ihre Bewertung'],
      ['fr', 'Merci de confirmer votre note'],
      ['es', 'Confirma tu valoración'],
      ['it', 'Conferma la tua valutazione'],
    ] as const) {
      const page = await pages.render({
        kind: 'feedbackConfirm',
        status: 200,
        locale,
        shop: SHOP,
        action: '?token=abc',
        score: 7,
      });
      expect(page.body, locale).toContain(`<h1>${escapeHtml(title)}</h1>`);
      expect(page.body, locale).toMatch(/<p class="score">[^<]*7[^<]*<\/p>/);
      expect(page.body, locale).toMatch(
        /<form method="post" action="\?token=abc">[\s\S]*<textarea[\s\S]*<button/,
      );
    }
  });
});
