/**
 * Types shared by the build side (compile.ts, which uses MJML) and the run side (render.ts, which must
 * not). The catalog is plain JSON: it is written into each Lambda bundle as catalog.json.
 */
import type { ShopIdentity } from '../core/shop.ts';
import type { TemplateData } from '../core/template-data.ts';

export type MessageClass = 'transactional' | 'marketing';

/** Locale strings: key -> text, where the text may contain Liquid (`{{ coupon.code }}`). */
export type LocaleStrings = Record<string, string>;

export interface CatalogMessage {
  journeyId: string;
  message: string;
  class: MessageClass;
  /** Layout + body compiled by MJML to HTML; still contains the Liquid tags. */
  html: string;
  /** Plain-text layout + body, Liquid. */
  text: string;
  /** Message strings per locale (subject, preheader and the body's strings). */
  strings: Record<string, LocaleStrings>;
  /** Top-level data fields the templates use (`coupon`, ...): rendering without one is an error. */
  requires: string[];
}

export interface TemplateCatalog {
  formatVersion: 1;
  defaultLocale: string;
  /** Every locale that has shared strings (`templates/locales/<locale>.yaml`). */
  locales: string[];
  /** Shared strings per locale: footer, greeting, unsubscribe label ... */
  shared: Record<string, LocaleStrings>;
  /** Keyed `<journeyId>/<message>`. */
  messages: Record<string, CatalogMessage>;
}

export interface TemplateError {
  /** Path relative to the templates root, e.g. `onboarding/welcome.de.yaml`. */
  file: string;
  /** Key or location inside the file, e.g. `subject` or `line 12`. */
  path?: string;
  message: string;
}

export interface MoneyValue {
  /** Decimal string such as "59.90": money is never a float. */
  amount: string;
  currency: string;
}

/**
 * What templates see: the engine's `TemplateData` (core/template-data.ts) extended at send time
 * (render-data.ts) with the recipient, the shop and the links.
 */
export interface RenderData extends Omit<TemplateData, 'orderCount' | 'referral'> {
  customer: { firstName?: string | undefined; email: string; orderCount?: number | undefined };
  /** The recipient's own referral code and a link to share it. */
  referral?: { code: string; shareUrl: string } | undefined;
  shop: Pick<ShopIdentity, 'name' | 'url' | 'address' | 'logoUrl' | 'brandColor'>;
  links: {
    unsubscribe?: string | undefined;
    shop: string;
    /** Eleven signed NPS links, index = score 0–10. */
    feedback?: string[] | undefined;
    /** The signed loyalty member page (balance, tier, rewards); in every email. */
    member?: string | undefined;
  };
  [k: string]: unknown;
}

export interface RenderRequest {
  journeyId: string;
  message: string;
  /** The recipient's BCP 47 locale as the shop sent it (`de-AT`); resolved through the fallback chain. */
  locale: string | undefined;
  /** IANA time zone for dates; UTC when absent or unknown. */
  timeZone?: string | undefined;
  data: RenderData;
}

export interface RenderedEmail {
  /** The locale whose strings were used, e.g. `de` for a `de-AT` recipient. */
  locale: string;
  subject: string;
  preheader: string;
  html: string;
  text: string;
}

export interface EmailRenderer {
  render(req: RenderRequest): Promise<RenderedEmail>;
}
