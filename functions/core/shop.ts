/**
 * The shop's identity: who sends the emails. One shape for real sends (config.ts from the stack's
 * settings), the local runtime and the preview, so every email says the same about its sender.
 */

export interface ShopIdentity {
  /** Shown in the header, the sign-off and the footer of every email. */
  name: string;
  /** https:// address of the shop, linked from every email. */
  url: string;
  /**
   * Postal address (imprint) shown in the footer. Marketing email must carry one (CAN-SPAM, the
   * German/Austrian imprint duty), so a deploy without it is refused (bin/app.ts).
   */
  address?: string | undefined;
  /** https:// address of a logo shown instead of the word mark in the header. */
  logoUrl?: string | undefined;
  /** Accent colour of links and buttons, `#rrggbb`. */
  brandColor?: string | undefined;
  /**
   * Query parameters added to links into the shop (`utm_source=newsletter&utm_medium=email`);
   * `{journey}` and `{message}` in a value stand for the email's journey and message.
   */
  linkTracking?: Record<string, string> | undefined;
}

/** The accent colour's form, `#rrggbb`. */
export const BRAND_COLOR = /^#[0-9a-fA-F]{6}$/;

/** Link-tracking parameters' form: `name=value` pairs joined by `&` (a leading `?` allowed). */
export const LINK_TRACKING = /^\??[\w.~%{}-]+=[^&\s]*(&[\w.~%{}-]+=[^&\s]*)*$/;

/** `a=b&c=d` as link-tracking parameters; empty or undefined for none. */
export function parseLinkTracking(query: string | undefined): Record<string, string> | undefined {
  if (!query?.trim()) return undefined;
  return Object.fromEntries(new URLSearchParams(query.trim().replace(/^\?/, '')));
}

/** A link into the shop with the shop's tracking parameters for this email. */
export function trackedLink(
  url: string,
  tracking: ShopIdentity['linkTracking'],
  email: { journey: string; message: string },
): string {
  if (!tracking || Object.keys(tracking).length === 0) return url;
  const target = new URL(url);
  for (const [name, value] of Object.entries(tracking)) {
    target.searchParams.set(
      name,
      value.replaceAll('{journey}', email.journey).replaceAll('{message}', email.message),
    );
  }
  return target.toString();
}

/**
 * Domains reserved for documentation and tests (RFC 2606, RFC 6761): mail to or from them never
 * arrives, so a sender or shop there is a placeholder, not a shop.
 */
const RESERVED_DOMAIN = /(^|\.)(example|test|invalid|localhost)$|(^|\.)example\.(com|net|org)$/i;

export function isPlaceholderDomain(domain: string): boolean {
  return RESERVED_DOMAIN.test(domain.trim().replace(/\.$/, ''));
}

/** The identity the preview and the local runtime show: a made-up shop, never deployed. */
export const DEMO_SHOP: Required<Pick<ShopIdentity, 'name' | 'url' | 'address'>> & ShopIdentity = {
  name: 'Example Shop',
  url: 'https://shop.example.com',
  address: 'Torstraße 110, 10119 Berlin, Germany',
  linkTracking: { utm_source: 'email', utm_medium: 'email', utm_campaign: '{journey}' },
};
