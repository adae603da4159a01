/**
 * `journeys send-test --aws`: what the stack sends as, read from the same CDK context the stack is
 * synthesised from (cdk.json's `context`: senderAddress, shopName, shopUrl, …), with the stack's own
 * parsing and defaults (lib/). Imported only for --aws: lib/ loads aws-cdk-lib.
 */
import { readFile } from 'node:fs/promises';
import { isPlaceholderDomain, parseLinkTracking, type ShopIdentity } from '../../functions/core/shop.ts';
import { parseSenderAddress } from '../../lib/email.ts';
import { displayName } from '../../lib/validate-props.ts';
import { SendTestError } from './errors.ts';

export interface AwsSender {
  senderAddress: string;
  shop: ShopIdentity;
}

/** The sender and shop identity of the stack's context in `file` (cdk.json); refuses a placeholder sender. */
export async function awsSender(file: string): Promise<AwsSender> {
  const context = ((JSON.parse(await readFile(file, 'utf8')) as { context?: Record<string, unknown> })
    .context ?? {}) as Record<string, unknown>;
  const text = (key: string) => {
    const value = context[key];
    return value === undefined || value === null || value === '' ? undefined : String(value);
  };
  const senderAddress = text('senderAddress') ?? '';
  const sender = parseSenderAddress(senderAddress);
  if (!sender) {
    throw new SendTestError(
      `cdk.json's context has no senderAddress to send from ("${senderAddress}"): set your verified SES sender there, e.g. "Shop <news@your-shop.com>"`,
    );
  }
  if (isPlaceholderDomain(sender.domain)) {
    throw new SendTestError(
      `cdk.json's senderAddress is the placeholder "${senderAddress}": SES sends only from an identity verified in your account; set yours there, e.g. "Shop <news@your-shop.com>"`,
    );
  }
  return {
    senderAddress: senderAddress.trim(),
    shop: {
      name: (text('shopName') ?? displayName(senderAddress) ?? sender.domain).trim(),
      url: text('shopUrl') ?? `https://${sender.domain}`,
      address: text('shopAddress'),
      logoUrl: text('shopLogoUrl'),
      brandColor: text('shopBrandColor'),
      linkTracking: parseLinkTracking(text('shopLinkTracking')),
    },
  };
}
