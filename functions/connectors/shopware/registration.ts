/**
 * The Shopware app registration handshake, pure. Shopware signs app webhooks only for an app that
 * completed registration: the shop GETs the manifest's `registrationUrl` (query `shop-id`, `shop-url`,
 * `timestamp`, signed in `shopware-app-signature` with the app secret), the app answers with a proof
 * and the `shop-secret` the shop will sign every webhook with, and the shop then POSTs a confirmation
 * (signed with that shop secret). Without this, a private app's webhooks carry no signature.
 *
 * This deployment serves one shop, so the shop secret it hands out is the configured Shopware secret
 * (Secrets Manager `shopware`), and the same value is the app secret written into the manifest's
 * `<secret>` (a private app must carry one): one secret for the operator to keep. Shopware requires a
 * shop secret of 64 to 255 characters.
 */
import { createHmac } from 'node:crypto';
import { headerValue, verifyHmacSha256 } from '../signatures.ts';

export const SHOP_SECRET_LENGTH = { min: 64, max: 255 } as const;

/** Whether the registration GET was signed with the app secret (hex HMAC of the raw query string). */
export function verifyShopwareRegistration(rawQuery: unknown, headers: unknown, appSecret: unknown): boolean {
  if (typeof rawQuery !== 'string') return false;
  return verifyHmacSha256(rawQuery, appSecret, headerValue(headers, 'shopware-app-signature'), 'hex');
}

export type RegistrationAnswer =
  | {
      ok: true;
      body: { proof: string; secret: string; confirmation_url: string };
      shopId: string;
      shopUrl: string;
    }
  | { ok: false; errors: string[]; body: { error: string } };

/**
 * The registration response: proof = hex HMAC-SHA256(app secret, shop-id . shop-url . app name), the
 * shop secret, and where to confirm. Call only after `verifyShopwareRegistration` passed.
 */
export function shopwareRegistrationAnswer(
  rawQuery: string,
  options: { appName: string; appSecret: string; shopSecret: string; confirmationUrl: string },
): RegistrationAnswer {
  const errors: string[] = [];
  const query = new URLSearchParams(rawQuery.startsWith('?') ? rawQuery.slice(1) : rawQuery);
  const shopId = query.get('shop-id') ?? '';
  const shopUrl = query.get('shop-url') ?? '';
  if (!shopId) errors.push('shop-id: required');
  if (!shopUrl) errors.push('shop-url: required');
  const { min, max } = SHOP_SECRET_LENGTH;
  if (options.shopSecret.length < min || options.shopSecret.length > max)
    errors.push(`secret: must be ${min} to ${max} characters (rule: Shopware's shop-secret length)`);
  if (!options.appName) errors.push('appName: required (the manifest <name>)');
  if (errors.length) return { ok: false, errors, body: { error: errors.join('; ') } };
  const proof = createHmac('sha256', options.appSecret)
    .update(`${shopId}${shopUrl}${options.appName}`)
    .digest('hex');
  return {
    ok: true,
    shopId,
    shopUrl,
    body: { proof, secret: options.shopSecret, confirmation_url: options.confirmationUrl },
  };
}
