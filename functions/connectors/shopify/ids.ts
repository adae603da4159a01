/**
 * Shopify ids as the canonical strings. One customer must get one id whichever topic names them, and
 * topics differ: customers/create carries `admin_graphql_api_id` ("gid://shopify/Customer/7064…"),
 * customers_email_marketing_consent/update only a numeric `customer_id`, customers/redact only
 * `customer.id`. So every id is written in Shopify's global-id form, `gid://shopify/<Kind>/<digits>`:
 * taken as is from `admin_graphql_api_id`, or built from a numeric id that JSON could carry exactly.
 */
import { type Checked, exactId, own } from '../common.ts';

export type ShopifyKind = 'Customer' | 'Order' | 'LineItem' | 'ProductVariant' | 'Product';

const GID = /^gid:\/\/shopify\/([A-Za-z]+)\/(\d{1,30})$/;

/** `gid://shopify/<kind>/<n>` from a numeric (or digit-string) id, exact or an error naming `field`. */
export function gidFromNumber(value: unknown, kind: ShopifyKind, field: string): Checked<string> {
  const id = exactId(value, field);
  if (!id.ok) return id;
  if (!/^\d{1,30}$/.test(id.value))
    return {
      ok: false,
      error: `${field}: ${JSON.stringify(id.value.slice(0, 40))} is not a Shopify id (rule: digits)`,
    };
  return { ok: true, value: `gid://shopify/${kind}/${id.value}` };
}

/** A `gid://shopify/<kind>/<n>` string of the expected kind, or an error naming `field`. */
export function gidOf(value: unknown, kind: ShopifyKind, field: string): Checked<string> {
  if (typeof value !== 'string')
    return { ok: false, error: `${field}: must be a string such as gid://shopify/${kind}/123` };
  const match = GID.exec(value.trim());
  if (!match || match[1] !== kind)
    return {
      ok: false,
      error: `${field}: ${JSON.stringify(value.slice(0, 60))} is not a gid://shopify/${kind}/… id`,
    };
  return { ok: true, value: value.trim() };
}

/**
 * The id of a Shopify resource object: its `admin_graphql_api_id` when present (exact whatever the
 * size), else its numeric `id` — which must be a safe integer: Shopify's ids can exceed 2^53, and such
 * a number has lost digits in JSON.parse before this code sees it, so it is rejected, never guessed.
 * When both are present they must agree (a mismatch means the payload is not what it claims).
 */
export function resourceId(obj: unknown, kind: ShopifyKind, path: string): Checked<string> {
  const gidField = `${path}.admin_graphql_api_id`;
  const idField = `${path}.id`;
  const gid = own(obj, 'admin_graphql_api_id');
  const numeric = own(obj, 'id');
  if (gid === undefined || gid === null) {
    const built = gidFromNumber(numeric, kind, idField);
    if (built.ok || numeric === undefined || numeric === null) {
      if (!built.ok)
        return { ok: false, error: `${idField}: required (rule: ${gidField} or a numeric ${idField})` };
      return built;
    }
    return { ok: false, error: `${built.error}; and ${gidField} is missing` };
  }
  const exact = gidOf(gid, kind, gidField);
  if (!exact.ok) return exact;
  if (typeof numeric === 'number' && Number.isSafeInteger(numeric) && !exact.value.endsWith(`/${numeric}`))
    return { ok: false, error: `${idField}: ${numeric} does not match ${gidField} ${exact.value}` };
  return exact;
}
