import { createHmac } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { verifyShopware } from '../../../functions/connectors/shopware/index.ts';
import { bodyDigest, headerValue, verifyHmacSha256 } from '../../../functions/connectors/signatures.ts';
import { verifyWooCommerce } from '../../../functions/connectors/woocommerce/index.ts';

const SECRET = 'test-secret-7f3a';
const BODY = '{"id":727,"status":"processing","total":"29.35","name":"Größe M"}';
const sign = (body: string | Buffer, secret: string, encoding: 'base64' | 'hex') =>
  createHmac('sha256', secret).update(body).digest(encoding);

describe('HMAC-SHA256 verification', () => {
  for (const encoding of ['base64', 'hex'] as const) {
    describe(encoding, () => {
      const valid = sign(BODY, SECRET, encoding);

      it('accepts the signature of the exact bytes, as a string or a Buffer', () => {
        expect(verifyHmacSha256(BODY, SECRET, valid, encoding)).toBe(true);
        expect(verifyHmacSha256(Buffer.from(BODY, 'utf8'), SECRET, valid, encoding)).toBe(true);
        expect(verifyHmacSha256(BODY, SECRET, ` ${valid}\n`, encoding)).toBe(true);
      });

      it('rejects a one-byte change of the body', () => {
        const bytes = Buffer.from(BODY, 'utf8');
        for (const index of [0, 10, bytes.length - 1]) {
          const changed = Buffer.from(bytes);
          changed[index] = (changed[index] ?? 0) ^ 1;
          expect(verifyHmacSha256(changed, SECRET, valid, encoding)).toBe(false);
        }
      });

      it('rejects a one-character change of the signature, a wrong secret, an empty secret', () => {
        const flipped = (valid[5] === 'A' ? 'B' : 'A') as string;
        expect(verifyHmacSha256(BODY, SECRET, valid.slice(0, 5) + flipped + valid.slice(6), encoding)).toBe(
          false,
        );
        expect(verifyHmacSha256(BODY, 'other-secret', valid, encoding)).toBe(false);
        expect(verifyHmacSha256(BODY, '', sign(BODY, '', encoding), encoding)).toBe(false);
      });

      it('rejects missing, wrong-length and garbage signatures without throwing', () => {
        const other = encoding === 'base64' ? 'hex' : 'base64';
        for (const signature of [
          undefined,
          null,
          '',
          42,
          ['x'],
          valid.slice(0, -2),
          `${valid}AA`,
          sign(BODY, SECRET, other),
          '!!!!not-a-signature!!!!',
          '%'.repeat(valid.length),
          createHmac('sha1', SECRET).update(BODY).digest(encoding),
        ]) {
          expect(verifyHmacSha256(BODY, SECRET, signature, encoding)).toBe(false);
        }
      });

      it('rejects non-body inputs', () => {
        for (const body of [undefined, null, 12, { a: 1 }])
          expect(verifyHmacSha256(body, SECRET, valid, encoding)).toBe(false);
      });
    });
  }

  it('base64 with characters Node would skip is not a signature', () => {
    const valid = sign(BODY, SECRET, 'base64');
    // Buffer.from(x, 'base64') ignores '*': a lenient decoder would accept this.
    expect(
      Buffer.from(`${valid.slice(0, 10)}*${valid.slice(10)}`, 'base64').equals(Buffer.from(valid, 'base64')),
    ).toBe(true);
    expect(verifyHmacSha256(BODY, SECRET, `${valid.slice(0, 10)}*${valid.slice(10)}`, 'base64')).toBe(false);
  });

  it('never throws on arbitrary inputs (seeded)', () => {
    fc.assert(
      fc.property(
        fc.anything(),
        fc.anything(),
        fc.anything(),
        fc.constantFrom('base64', 'hex'),
        (body, secret, sig, enc) => {
          expect(typeof verifyHmacSha256(body, secret, sig, enc as 'base64' | 'hex')).toBe('boolean');
        },
      ),
      { seed: 42, numRuns: 1000 },
    );
  });
});

describe('headers', () => {
  it('are found whatever their case; repeated or non-string values count as absent', () => {
    expect(headerValue({ 'X-WC-Webhook-Topic': 'order.created' }, 'x-wc-webhook-topic')).toBe(
      'order.created',
    );
    expect(headerValue({ 'x-wc-webhook-topic': 'order.created' }, 'X-WC-Webhook-Topic')).toBe(
      'order.created',
    );
    expect(headerValue({ 'x-wc-webhook-topic': ['a', 'b'] }, 'x-wc-webhook-topic')).toBeUndefined();
    expect(headerValue(JSON.parse('{"__proto__":"x"}'), '__proto__')).toBe('x');
    expect(headerValue({}, 'constructor')).toBeUndefined();
    expect(headerValue(null, 'a')).toBeUndefined();
    expect(headerValue('a: b', 'a')).toBeUndefined();
  });

  it('WooCommerce reads X-WC-Webhook-Signature (base64), Shopware shopware-shop-signature (hex)', () => {
    expect(verifyWooCommerce(BODY, { 'X-WC-Webhook-Signature': sign(BODY, SECRET, 'base64') }, SECRET)).toBe(
      true,
    );
    expect(verifyWooCommerce(BODY, { 'x-wc-webhook-signature': sign(BODY, SECRET, 'base64') }, SECRET)).toBe(
      true,
    );
    expect(verifyWooCommerce(BODY, { 'X-WC-Webhook-Signature': sign(BODY, SECRET, 'hex') }, SECRET)).toBe(
      false,
    );
    expect(verifyWooCommerce(BODY, {}, SECRET)).toBe(false);
    expect(verifyShopware(BODY, { 'shopware-shop-signature': sign(BODY, SECRET, 'hex') }, SECRET)).toBe(true);
    expect(verifyShopware(BODY, { 'Shopware-Shop-Signature': sign(BODY, SECRET, 'hex') }, SECRET)).toBe(true);
    expect(verifyShopware(BODY, { 'shopware-shop-signature': sign(BODY, SECRET, 'base64') }, SECRET)).toBe(
      false,
    );
    expect(verifyShopware(BODY, { 'X-WC-Webhook-Signature': sign(BODY, SECRET, 'hex') }, SECRET)).toBe(false);
  });

  it('the body digest is stable and distinguishes bodies', () => {
    expect(bodyDigest(BODY)).toBe(bodyDigest(Buffer.from(BODY)));
    expect(bodyDigest(BODY)).not.toBe(bodyDigest(`${BODY} `));
    expect(bodyDigest(BODY)).toMatch(/^[0-9a-f]{64}$/);
  });
});
