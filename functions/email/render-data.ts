/**
 * What templates see: the engine's `TemplateData` extended at send time with what only the sender
 * knows — the recipient as they are now, the shop's identity, tracked shop links and signed links.
 * The dispatcher and the preview both call `renderData`, so the gallery shows what is sent.
 */
import { feedbackLinks, memberLink } from '../core/links.ts';
import type { Recipient } from '../core/model.ts';
import { type ShopIdentity, trackedLink } from '../core/shop.ts';
import type { TemplateData } from '../core/template-data.ts';
import { addDuration } from '../core/time.ts';
import { signToken } from '../core/tokens.ts';
import type { RenderData } from './types.ts';

/** How long an unsubscribe link stays valid. */
const UNSUBSCRIBE_LINK_VALIDITY = 'P90D';

export interface SendContext {
  shop: ShopIdentity;
  preferencesUrl: string;
  signingSecret: string;
  customerId: string;
  recipient: Pick<Recipient, 'email' | 'firstName'>;
  /** The email: its unsubscribe link names it, so the unsubscribe is counted against it. */
  email: { journey: string; message: string; outbox: string; marketing: boolean };
  now: string;
}

/** The one-click unsubscribe link of a marketing email. */
export function unsubscribeUrl(context: Omit<SendContext, 'recipient' | 'shop'>): string {
  const { journey, message, outbox } = context.email;
  const token = signToken(context.signingSecret, {
    customerId: context.customerId,
    purpose: 'unsubscribe',
    expiresAt: addDuration(context.now, UNSUBSCRIBE_LINK_VALIDITY, 'UTC'),
    journey,
    message,
    outbox,
  });
  return `${context.preferencesUrl}/unsubscribe?token=${token}`;
}

export function renderData(data: TemplateData, context: SendContext): RenderData {
  const { shop, email } = context;
  const { orderCount, referral, ...rest } = data;
  const tracked = (url: string) => trackedLink(url, shop.linkTracking, email);
  const shopUrl = shop.url.replace(/\/+$/, '');
  return {
    ...rest,
    customer: { firstName: context.recipient.firstName, email: context.recipient.email, orderCount },
    referral: referral
      ? { code: referral.code, shareUrl: `${shopUrl}/?ref=${encodeURIComponent(referral.code)}` }
      : undefined,
    shop: {
      name: shop.name,
      url: shop.url,
      address: shop.address,
      logoUrl: shop.logoUrl,
      brandColor: shop.brandColor,
    },
    links: {
      shop: tracked(shop.url),
      unsubscribe: email.marketing ? unsubscribeUrl(context) : undefined,
      // Every email, transactional too: the layout shows the member strip when there is loyalty data.
      member: memberLink(context.signingSecret, context.preferencesUrl, {
        customerId: context.customerId,
        now: context.now,
      }),
      feedback: data.order
        ? feedbackLinks(context.signingSecret, context.preferencesUrl, {
            customerId: context.customerId,
            orderId: data.order.orderId,
            now: context.now,
          })
        : undefined,
    },
  };
}
