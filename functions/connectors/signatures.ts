/**
 * Signed-webhook plumbing shared by the WooCommerce and Shopware connectors: header lookup as HTTP
 * means it (case-insensitive), the raw body as the shop signed it, and HMAC-SHA256 verification that
 * compares in constant time and answers false — never throws — for anything that is not a signature.
 */
import { createHash, createHmac, timingSafeEqual } from 'node:crypto';

export type RawBody = string | Buffer | Uint8Array;
export type Headers = Record<string, string | string[] | undefined>;

/** SHA-256 is 32 bytes: 44 base64 characters (one `=` of padding) or 64 hex digits. */
const BASE64_DIGEST = /^[A-Za-z0-9+/]{43}=$/;
const HEX_DIGEST = /^[0-9a-fA-F]{64}$/;

/** The bytes the shop signed. A string is taken as UTF-8, which is what both shops send. */
export function bodyBytes(rawBody: unknown): Buffer | undefined {
  if (typeof rawBody === 'string') return Buffer.from(rawBody, 'utf8');
  if (rawBody instanceof Uint8Array)
    return Buffer.from(rawBody.buffer, rawBody.byteOffset, rawBody.byteLength);
  return undefined;
}

/** The body as text, for parsing (invalid UTF-8 becomes U+FFFD, which JSON.parse then rejects or keeps). */
export function bodyText(rawBody: unknown): string | undefined {
  return typeof rawBody === 'string' ? rawBody : bodyBytes(rawBody)?.toString('utf8');
}

/**
 * A header's value, whatever the case of its name (Lambda Function URLs lower-case them, Node keeps
 * them, WordPress sends `X-WC-Webhook-Topic`). Only own properties count; a repeated header (an array)
 * is ambiguous and counts as absent rather than picking one.
 */
export function headerValue(headers: unknown, name: string): string | undefined {
  if (typeof headers !== 'object' || headers === null || Array.isArray(headers)) return undefined;
  const wanted = name.toLowerCase();
  for (const key of Object.keys(headers)) {
    if (key.toLowerCase() !== wanted) continue;
    const value: unknown = (headers as Record<string, unknown>)[key];
    return typeof value === 'string' ? value : undefined;
  }
  return undefined;
}

/**
 * Whether `signature` is the HMAC-SHA256 of the raw body under `secret`, in the given encoding.
 * The header is first checked to be exactly one well-formed digest, because Node's decoders skip
 * characters they do not understand — a lenient decode could turn garbage into a matching prefix.
 * An empty secret verifies nothing: anyone could sign with it.
 */
export function verifyHmacSha256(
  rawBody: unknown,
  secret: unknown,
  signature: unknown,
  encoding: 'base64' | 'hex',
): boolean {
  try {
    if (typeof secret !== 'string' || secret.length === 0) return false;
    if (typeof signature !== 'string') return false;
    const text = signature.trim();
    if (!(encoding === 'base64' ? BASE64_DIGEST : HEX_DIGEST).test(text)) return false;
    const body = bodyBytes(rawBody);
    if (!body) return false;
    const given = Buffer.from(text, encoding);
    const expected = createHmac('sha256', secret).update(body).digest();
    return given.length === expected.length && timingSafeEqual(given, expected);
  } catch {
    return false;
  }
}

/** A stable id for a body that names none: the same bytes always give the same id (a retry dedupes). */
export function bodyDigest(rawBody: unknown): string {
  return createHash('sha256')
    .update(bodyBytes(rawBody) ?? Buffer.alloc(0))
    .digest('hex');
}
