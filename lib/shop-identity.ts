/**
 * Refusing to deploy a shop identity that is still the sample's. `cdk synth` must keep working on a
 * fresh clone (CI, tests, the README's quick start run it offline with cdk.json as shipped), so the
 * refusal is a CloudFormation rule: the template synthesises, and CloudFormation rejects the deploy —
 * before it creates anything — with a message naming each context key and how to fix it.
 */
import { CfnRule, Fn, type Stack } from 'aws-cdk-lib';
import { isPlaceholderDomain } from '../functions/core/shop.ts';
import { parseSenderAddress } from './email.ts';

export interface ShopIdentityContext {
  senderAddress: string;
  shopUrl?: string | undefined;
  shopAddress?: string | undefined;
}

/** One sentence per context key that still holds a placeholder (or nothing, where something is required). */
export function placeholderIdentity(identity: ShopIdentityContext): string[] {
  const problems: string[] = [];
  const sender = parseSenderAddress(identity.senderAddress);
  if (sender && isPlaceholderDomain(sender.domain)) {
    problems.push(
      `context "senderAddress" is the placeholder "${identity.senderAddress}": set your verified SES sender in cdk.json or pass -c senderAddress="Shop <news@your-shop.com>"`,
    );
  }
  const shopHost = identity.shopUrl ? URL.parse(identity.shopUrl)?.hostname : undefined;
  if (shopHost && isPlaceholderDomain(shopHost)) {
    problems.push(
      `context "shopUrl" is the placeholder "${identity.shopUrl}": set your shop's address, -c shopUrl=https://your-shop.com`,
    );
  }
  if (!identity.shopAddress?.trim()) {
    problems.push(
      `context "shopAddress" is empty: marketing email must show the sender's postal address (imprint, CAN-SPAM); set it in cdk.json or pass -c shopAddress="Street 1, 12345 City, Country"`,
    );
  }
  return problems;
}

/** Makes CloudFormation refuse to create or update the stack, saying why. */
export function refuseDeploy(stack: Stack, problems: readonly string[]): void {
  if (problems.length === 0) return;
  new CfnRule(stack, 'ShopIdentityIsNotAPlaceholder', {
    assertions: [
      {
        // Never holds: the template is fine to look at, not to deploy.
        assert: Fn.conditionEquals('placeholder', 'configured'),
        assertDescription: `Not deployed: the shop identity is a placeholder. ${problems.join('; ')}.`,
      },
    ],
  });
}
