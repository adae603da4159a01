/**
 * Run time: renders one email from the compiled catalog. Only liquidjs here, never MJML: this module
 * goes into Lambda bundles. Templates are parsed once per (message, part) and cached for the life of the
 * renderer (one per Lambda container).
 */
import type { Liquid, Template } from 'liquidjs';
import { canonicalLocale, localeChain, resolveLocale } from '../core/locale.ts';
import { isTimeZone } from '../core/time.ts';
import { cleanData, oneLine } from './clean.ts';
import { TemplateNotFoundError, TemplateRenderError } from './errors.ts';
import { createLiquid, formatGlobals } from './liquid.ts';
import type {
  CatalogMessage,
  EmailRenderer,
  LocaleStrings,
  RenderedEmail,
  RenderRequest,
  TemplateCatalog,
} from './types.ts';

export function validTimeZone(timeZone: string | undefined): string {
  return timeZone && isTimeZone(timeZone) ? timeZone : 'UTC';
}

const language = (tag: string) => tag.split('-')[0]?.toLowerCase();

/**
 * Intl formats in the recipient's own locale (de-AT writes "Jänner") as long as it is the language the
 * email is written in; a pt-BR recipient who gets the English email gets English dates, not a mix.
 */
export function formatLocale(requested: string | undefined, resolved: string): string {
  const canonical = canonicalLocale(requested);
  return canonical && language(canonical) === language(resolved) ? canonical : resolved;
}

/**
 * The message and locale a request renders, after the checks that depend on its data (a field the
 * template needs, a marketing email's unsubscribe link). Every render makes them; the simulator,
 * which renders each (message, locale) in full only once, makes them for every send.
 */
export function renderTarget(
  catalog: TemplateCatalog,
  req: RenderRequest,
): { key: string; msg: CatalogMessage; locale: string } {
  const key = `${req.journeyId}/${req.message}`;
  const msg = catalog.messages[key];
  if (!msg) throw new TemplateNotFoundError(req.journeyId, req.message);

  for (const field of msg.requires) {
    if (req.data[field] === undefined || req.data[field] === null) {
      throw new TemplateRenderError(key, `the template uses "${field}" but the data has none`);
    }
  }
  if (msg.class === 'marketing' && !req.data.links?.unsubscribe) {
    throw new TemplateRenderError(key, 'a marketing message needs links.unsubscribe');
  }
  return { key, msg, locale: resolveLocale(Object.keys(msg.strings), req.locale, catalog.defaultLocale) };
}

export function createRenderer(catalog: TemplateCatalog): EmailRenderer {
  const html = createLiquid({ html: true });
  const text = createLiquid({ html: false });
  const parsed = new Map<string, Template[]>();

  const parse = (engine: Liquid, cacheKey: string, source: string): Template[] => {
    let templates = parsed.get(cacheKey);
    if (!templates) {
      templates = engine.parse(source);
      parsed.set(cacheKey, templates);
    }
    return templates;
  };

  /** Shared strings, then message strings, from the default locale up to the resolved one. */
  const rawStrings = (msg: CatalogMessage, locale: string): LocaleStrings => {
    const merged: LocaleStrings = {};
    for (const l of localeChain(locale, catalog.defaultLocale).reverse()) {
      Object.assign(merged, catalog.shared[l], msg.strings[l]);
    }
    return merged;
  };

  return {
    async render(req: RenderRequest): Promise<RenderedEmail> {
      const { key, msg, locale } = renderTarget(catalog, req);
      const globals = formatGlobals({
        locale: formatLocale(req.locale, locale),
        timeZone: validTimeZone(req.timeZone),
      });
      const scope: Record<string, unknown> = {
        // Customer data is text: no line breaks, direction overrides or invisible characters (clean.ts).
        ...cleanData(req.data),
        locale,
        message: { journeyId: msg.journeyId, id: msg.message, class: msg.class },
      };

      const t: LocaleStrings = {};
      const raw = rawStrings(msg, locale);
      const own = new Set(
        localeChain(locale, catalog.defaultLocale).flatMap((l) => Object.keys(msg.strings[l] ?? {})),
      );
      // Shared strings first: a message's strings may use them (`{{ t.loyalty.tiers[loyalty.tier] }}`
      // in a subject); shared strings see only the data.
      const renderString = (name: string, source: string, stringScope: Record<string, unknown>) => {
        try {
          // Strings render unescaped: they are escaped once, where the HTML part outputs them.
          t[name] = source.includes('{')
            ? text.renderSync(parse(text, `s:${source}`, source), stringScope, { globals })
            : source;
        } catch (error) {
          throw new TemplateRenderError(`${key} (${locale}) ${name}`, (error as Error).message, {
            cause: error,
          });
        }
      };
      for (const [name, source] of Object.entries(raw)) if (!own.has(name)) renderString(name, source, scope);
      const sharedScope = { ...scope, t: nestStrings(t) };
      for (const [name, source] of Object.entries(raw))
        if (own.has(name)) renderString(name, source, sharedScope);
      const withStrings = { ...scope, t: nestStrings(t) };

      try {
        // Synchronous: every filter is, and the promise machinery of async rendering was a third of its cost.
        const htmlOut = html.renderSync(parse(html, `h:${key}`, msg.html), withStrings, { globals });
        const textOut = text.renderSync(parse(text, `t:${key}`, msg.text), withStrings, { globals });
        return {
          locale,
          // Headers are one line, whatever a marketer's string or the data brought in.
          subject: oneLine(t.subject ?? ''),
          preheader: oneLine(t.preheader ?? ''),
          html: withBrandColor(htmlOut as string, req.data.shop.brandColor),
          text: tidyText(textOut as string),
        };
      } catch (error) {
        throw new TemplateRenderError(key, (error as Error).message, { cause: error });
      }
    },
  };
}

/**
 * Strings as templates see them under `t`: dotted keys become nested objects, so a template can pick
 * one by data (`{{ t.loyalty.tiers[loyalty.tier] }}`).
 */
function nestStrings(flat: LocaleStrings): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  // Own data properties only: a key never reaches a prototype, whatever a marketer names it.
  for (const [key, value] of Object.entries(flat)) {
    const parts = key.split('.');
    let node = out;
    for (const part of parts.slice(0, -1)) {
      const next = Object.hasOwn(node, part) ? node[part] : undefined;
      if (typeof next === 'object' && next !== null) node = next as Record<string, unknown>;
      else {
        const created: Record<string, unknown> = {};
        Object.defineProperty(node, part, { value: created, enumerable: true, writable: true });
        node = created;
      }
    }
    Object.defineProperty(node, parts.at(-1) as string, { value, enumerable: true, writable: true });
  }
  return out;
}

/**
 * The accent colour of the templates (layout.mjml: buttons, links; bodies: coupon boxes). MJML checks colour attributes when the catalog
 * is built, so Liquid cannot stand there: the shop's brand colour replaces the accent after rendering.
 */
export const LAYOUT_ACCENT = '#0f766e';
const BRAND_COLOR = /^#[0-9a-fA-F]{6}$/;

function withBrandColor(html: string, brandColor: string | undefined): string {
  return brandColor && BRAND_COLOR.test(brandColor) ? html.replaceAll(LAYOUT_ACCENT, brandColor) : html;
}

/** Liquid tags leave blank lines behind; keep at most one empty line and no trailing spaces. */
function tidyText(value: string): string {
  return `${value
    .split('\n')
    .map((line) => line.trimEnd())
    .join('\n')
    .replace(/\n{3,}/g, '\n\n')
    .trim()}\n`;
}
