/**
 * The small HTML pages of the preferences endpoint: localised from the shared template strings
 * (`templates/locales/<locale>.yaml`, keys `preferences*`), everything HTML-escaped, no scripts, one
 * inline style block allowed by its hash in the Content-Security-Policy. The member page's body is
 * built in preferences-member.ts with the same kit.
 */
import { createHash } from 'node:crypto';
import type { Template } from 'liquidjs';
import { localeChain, resolveLocale } from '../core/locale.ts';
import { createLiquid, type FormatContext, formatGlobals } from '../email/liquid.ts';
import { formatLocale, validTimeZone } from '../email/render.ts';
import type { LocaleStrings, TemplateCatalog } from '../email/types.ts';
import { escapeHtml, safeUrl } from './preferences-html.ts';
import { MEMBER_STYLE, type MemberPageRequest, memberPageParts } from './preferences-member.ts';

export { escapeHtml } from './preferences-html.ts';

export interface HttpResponse {
  status: number;
  headers: Record<string, string>;
  body: string;
}

const STYLE = [
  'body{margin:0;background:#f4f4f5;color:#18181b;font:16px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif}',
  'main{max-width:32rem;margin:3rem auto;padding:2rem;background:#fff;border-radius:12px}',
  'h1{font-size:1.375rem;line-height:1.3;margin:0 0 1rem}',
  'p{color:#3f3f46;margin:0 0 1rem}',
  '.muted{color:#71717a;font-size:.875rem}',
  '.score{font-size:1.25rem;font-weight:700;color:#0f766e;margin:0 0 1.5rem}',
  'label{display:block;margin:0 0 .5rem;color:#3f3f46}',
  'textarea{box-sizing:border-box;width:100%;min-height:7rem;padding:.5rem;font:inherit;border:1px solid #d4d4d8;border-radius:8px}',
  'button{margin-top:1rem;padding:.75rem 1.5rem;font:inherit;font-weight:600;color:#fff;background:#0f766e;border:0;border-radius:8px;cursor:pointer}',
  'a{color:#0f766e}',
  MEMBER_STYLE,
].join('');

const STYLE_HASH = createHash('sha256').update(STYLE).digest('base64');

/** Headers of every page: not cached, not indexed, no referrer (the URL carries a token), no scripts. */
export const PAGE_HEADERS: Readonly<Record<string, string>> = {
  'content-type': 'text/html; charset=utf-8',
  'cache-control': 'no-store',
  'x-robots-tag': 'noindex, nofollow',
  'referrer-policy': 'no-referrer',
  'x-content-type-options': 'nosniff',
  'content-security-policy': [
    "default-src 'none'",
    `style-src 'sha256-${STYLE_HASH}'`,
    "form-action 'self'",
    "base-uri 'none'",
    "frame-ancestors 'none'",
  ].join('; '),
};

export type PageKind =
  | 'unsubscribeConfirm'
  | 'unsubscribed'
  | 'feedbackForm'
  | 'feedbackConfirm'
  | 'feedbackThanks'
  | 'invalidLink'
  | 'expiredLink'
  | 'notFound'
  | 'methodNotAllowed'
  | 'serverError';

export interface PageRequest {
  kind: PageKind;
  status: number;
  /** The requested locale (profile or Accept-Language); resolved through the fallback chain. */
  locale: string | undefined;
  shop: { name: string; url: string };
  /** For forms: where the form posts to (relative, e.g. `?token=…`). */
  action?: string | undefined;
  score?: number | undefined;
  extraHeaders?: Record<string, string> | undefined;
}

/** The string keys each page uses (under the `preferences` prefix in templates/locales/*.yaml). */
const PAGE_KEYS: Record<PageKind, { title: string; lines: string[]; button?: string }> = {
  unsubscribeConfirm: {
    title: 'preferencesUnsubscribeTitle',
    lines: ['preferencesUnsubscribeText', 'preferencesTransactionalNote'],
    button: 'preferencesUnsubscribeButton',
  },
  unsubscribed: {
    title: 'preferencesUnsubscribedTitle',
    lines: ['preferencesUnsubscribedText', 'preferencesTransactionalNote'],
  },
  feedbackForm: {
    title: 'preferencesFeedbackTitle',
    lines: ['preferencesFeedbackScore'],
    button: 'preferencesFeedbackSubmit',
  },
  // Scanners open every score of an email at once: then a score counts only once confirmed here.
  feedbackConfirm: {
    title: 'preferencesFeedbackConfirmTitle',
    lines: ['preferencesFeedbackScore'],
    button: 'preferencesFeedbackConfirmButton',
  },
  feedbackThanks: { title: 'preferencesFeedbackThanksTitle', lines: ['preferencesFeedbackThanksText'] },
  invalidLink: { title: 'preferencesInvalidLinkTitle', lines: ['preferencesInvalidLinkText'] },
  expiredLink: { title: 'preferencesExpiredLinkTitle', lines: ['preferencesExpiredLinkText'] },
  notFound: { title: 'preferencesNotFoundTitle', lines: ['preferencesNotFoundText'] },
  methodNotAllowed: { title: 'preferencesNotFoundTitle', lines: ['preferencesNotFoundText'] },
  serverError: { title: 'preferencesServerErrorTitle', lines: ['preferencesServerErrorText'] },
};

export interface PageRenderer {
  render(page: PageRequest): Promise<HttpResponse>;
  /** The loyalty member page (balance, tier, rewards, coupons). */
  member(page: MemberPageRequest): Promise<HttpResponse>;
}

/** What a page body is built with: the page's strings, rendered in its locale and time zone. */
export interface PageKit {
  /** The locale the strings are in (`de` for a de-AT request). */
  locale: string;
  /** Intl's locale and time zone for numbers, money and dates (de-AT writes "Jänner"). */
  format: FormatContext;
  /** The string `key`, its Liquid rendered with `scope` (plus `shop` and `t`); throws when missing. */
  text(key: string, scope?: Record<string, unknown>): Promise<string>;
  /** Whether the locale chain has the string `key`. */
  has(key: string): boolean;
  /** `n` with the plural form of the string `formsKey` (`one {# point} other {# points}`). */
  count(formsKey: string, n: number): Promise<string>;
}

// Shared strings are also rendered for every email, where a page's variables are absent; so counts
// are formatted here and handed to the strings as text, never through a filter that fails on nothing.
const COUNT = '{{ n | plural: forms }}';

/** Renders pages from the catalog's shared strings; Liquid templates are parsed once and cached. */
export function createPageRenderer(catalog: Pick<TemplateCatalog, 'defaultLocale' | 'shared'>): PageRenderer {
  const liquid = createLiquid({ html: false });
  const parsed = new Map<string, Template[]>();
  const available = Object.keys(catalog.shared);

  const strings = (locale: string): LocaleStrings => {
    const merged: LocaleStrings = {};
    for (const l of localeChain(locale, catalog.defaultLocale).reverse())
      Object.assign(merged, catalog.shared[l]);
    return merged;
  };

  const kit = (
    requested: string | undefined,
    timeZone: string | undefined,
    shop: { name: string; url: string },
  ): PageKit => {
    const locale = resolveLocale(available, requested, catalog.defaultLocale);
    const t = strings(locale);
    const format = { locale: formatLocale(requested, locale), timeZone: validTimeZone(timeZone) };
    const globals = formatGlobals(format);
    return {
      locale,
      format,
      has: (key) => t[key] !== undefined,
      async text(key, scope = {}) {
        const source = t[key];
        if (source === undefined) throw new Error(`templates/locales: missing string "${key}"`);
        if (!source.includes('{')) return source;
        let templates = parsed.get(source);
        if (!templates) {
          templates = liquid.parse(source);
          parsed.set(source, templates);
        }
        return String(await liquid.render(templates, { shop, t, ...scope }, { globals })).trim();
      },
      async count(formsKey, n) {
        const forms = t[formsKey];
        if (forms === undefined) throw new Error(`templates/locales: missing string "${formsKey}"`);
        let templates = parsed.get(COUNT);
        if (!templates) {
          templates = liquid.parse(COUNT);
          parsed.set(COUNT, templates);
        }
        return String(await liquid.render(templates, { n, forms }, { globals }));
      },
    };
  };

  const document = (
    page: { status: number; shop: { name: string; url: string }; extraHeaders?: Record<string, string> },
    locale: string,
    title: string,
    parts: string[],
    back: string,
  ): HttpResponse => {
    const body = [
      '<!doctype html>',
      `<html lang="${escapeHtml(locale)}">`,
      '<head>',
      '<meta charset="utf-8">',
      '<meta name="viewport" content="width=device-width, initial-scale=1">',
      '<meta name="robots" content="noindex, nofollow">',
      `<title>${escapeHtml(title)} – ${escapeHtml(page.shop.name)}</title>`,
      `<style>${STYLE}</style>`,
      '</head>',
      '<body><main>',
      ...parts,
      `<p class="muted"><a href="${escapeHtml(safeUrl(page.shop.url))}">${escapeHtml(back)}</a></p>`,
      '</main></body>',
      '</html>',
      '',
    ].join('\n');
    return { status: page.status, headers: { ...PAGE_HEADERS, ...page.extraHeaders }, body };
  };

  return {
    async render(page) {
      const k = kit(page.locale, undefined, page.shop);
      const scope = { score: page.score };
      const keys = PAGE_KEYS[page.kind];
      const title = await k.text(keys.title, scope);
      const lines = await Promise.all(keys.lines.map((key) => k.text(key, scope)));
      const parts: string[] = [`<h1>${escapeHtml(title)}</h1>`];

      if (page.kind === 'feedbackForm' || page.kind === 'feedbackConfirm') {
        parts.push(`<p class="score">${escapeHtml(lines[0] ?? '')}</p>`);
        const label = await k.text('preferencesFeedbackCommentLabel', scope);
        parts.push(
          `<form method="post" action="${escapeHtml(page.action ?? '')}">`,
          `<label for="comment">${escapeHtml(label)}</label>`,
          '<textarea id="comment" name="comment" maxlength="2000"></textarea>',
          `<button type="submit">${escapeHtml(await k.text(keys.button ?? '', scope))}</button>`,
          '</form>',
        );
      } else {
        lines.forEach((line, i) => {
          // The last line of a two-line page is the small print.
          const muted = lines.length > 1 && i === lines.length - 1;
          parts.push(`<p${muted ? ' class="muted"' : ''}>${escapeHtml(line)}</p>`);
        });
        if (keys.button) {
          parts.push(
            `<form method="post" action="${escapeHtml(page.action ?? '')}">`,
            '<input type="hidden" name="List-Unsubscribe" value="One-Click">',
            `<button type="submit">${escapeHtml(await k.text(keys.button, scope))}</button>`,
            '</form>',
          );
        }
      }
      return document(page, k.locale, title, parts, await k.text('preferencesBackToShop'));
    },

    async member(page) {
      const k = kit(page.locale, page.timeZone, page.shop);
      const { title, parts } = await memberPageParts(k, page);
      return document(page, k.locale, title, parts, await k.text('preferencesBackToShop'));
    },
  };
}
