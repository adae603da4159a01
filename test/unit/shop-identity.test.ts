/**
 * One shop identity: real sends render its postal address in the footer of marketing email and tag
 * links into the shop as configured; a stack with a placeholder identity synthesises but cannot deploy.
 */

import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildCatalog } from '../../functions/catalog/build.ts';
import type { Catalog } from '../../functions/catalog/catalog.ts';
import { configFromEnv, shopIdentityEnv } from '../../functions/config.ts';
import type { TemplateData } from '../../functions/core/template-data.ts';
import { createRenderer, renderData } from '../../functions/email/index.ts';
import { LAYOUT_ACCENT } from '../../functions/email/render.ts';
import { placeholderIdentity, refuseDeploy } from '../../lib/shop-identity.ts';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const SHOP = {
  name: 'Kaffee & Co',
  url: 'https://kaffee-und-co.de',
  address: 'Hauptstraße 1, 10115 Berlin, Deutschland',
  logoUrl: 'https://kaffee-und-co.de/logo.png',
  brandColor: '#b91c1c',
  linkTracking: { utm_source: 'newsletter', utm_medium: 'email', utm_campaign: '{journey}-{message}' },
};

let catalog: Catalog;
beforeAll(async () => {
  ({ catalog } = await buildCatalog(root, { defaultLocale: 'en' }));
});

function send(message: { journey: string; message: string; marketing: boolean }, data: TemplateData) {
  // The shop identity as the functions read it from the stack's environment.
  const { shop } = configFromEnv({
    TABLE_NAME: 't',
    SIGNING_SECRET: 'x'.repeat(32),
    ...shopIdentityEnv(SHOP),
  });
  return renderData(data, {
    shop,
    preferencesUrl: 'https://kaffee-und-co.de/preferences',
    signingSecret: 'x'.repeat(32),
    customerId: 'c1',
    recipient: { email: 'anna@example.de', firstName: 'Anna' },
    email: { ...message, outbox: 'o1' },
    now: '2026-03-05T09:30:00Z',
  });
}

describe('shop identity in real sends', () => {
  it('puts the postal address in the footer of a marketing email, HTML and text, in every locale', async () => {
    const data = send({ journey: 'win-back', message: 'we-miss-you', marketing: true }, { orderCount: 2 });
    const renderer = createRenderer(catalog.templates);
    for (const locale of catalog.templates.locales) {
      const email = await renderer.render({ journeyId: 'win-back', message: 'we-miss-you', locale, data });
      expect(email.html).toContain('Hauptstraße 1, 10115 Berlin, Deutschland');
      expect(email.text).toContain('Hauptstraße 1, 10115 Berlin, Deutschland');
    }
  });

  it("shows the shop's logo and brand colour instead of the templates' own", async () => {
    const data = send(
      { journey: 'win-back', message: 'comeback-offer', marketing: true },
      {
        orderCount: 2,
        coupon: { code: 'COME-BACK', percentOff: 10, expiresAt: '2026-03-19T09:30:00Z' },
      },
    );
    const email = await createRenderer(catalog.templates).render({
      journeyId: 'win-back',
      message: 'comeback-offer',
      locale: 'de',
      data,
    });
    expect(email.html).toContain('<img src="https://kaffee-und-co.de/logo.png" alt="Kaffee &amp; Co"');
    expect(email.html).toContain('#b91c1c');
    expect(email.html).not.toContain(LAYOUT_ACCENT);
  });

  it("tags links into the shop with the shop's tracking parameters, naming the email", () => {
    const data = send({ journey: 'win-back', message: 'we-miss-you', marketing: true }, { orderCount: 2 });
    const link = new URL(data.links.shop);
    expect(link.origin).toBe('https://kaffee-und-co.de');
    expect(Object.fromEntries(link.searchParams)).toEqual({
      utm_source: 'newsletter',
      utm_medium: 'email',
      utm_campaign: 'win-back-we-miss-you',
    });
    expect(data.links.unsubscribe).toMatch(/^https:\/\/kaffee-und-co\.de\/preferences\/unsubscribe\?token=/);
  });
});

describe('a placeholder shop identity', () => {
  it('is what cdk.json ships: sender on a reserved domain, no postal address', () => {
    const { context } = JSON.parse(readFileSync(path.join(root, 'cdk.json'), 'utf8')) as {
      context: Record<string, string>;
    };
    const problems = placeholderIdentity({
      senderAddress: context.senderAddress ?? '',
      shopUrl: context.shopUrl || undefined,
      shopAddress: context.shopAddress || undefined,
    });
    expect(problems.join('\n')).toMatch(/context "senderAddress" is the placeholder .*-c senderAddress=/);
    expect(problems.join('\n')).toMatch(/context "shopAddress" is empty.*-c shopAddress=/);
  });

  it('is not found in a real one', () => {
    expect(
      placeholderIdentity({
        senderAddress: 'Kaffee & Co <news@kaffee-und-co.de>',
        shopUrl: 'https://kaffee-und-co.de',
        shopAddress: SHOP.address,
      }),
    ).toEqual([]);
    expect(
      placeholderIdentity({
        senderAddress: 'news@real.de',
        shopUrl: 'https://shop.example.com',
        shopAddress: 'x',
      }),
    ).toEqual([expect.stringContaining('context "shopUrl" is the placeholder')]);
  });

  it('synthesises, but CloudFormation refuses to deploy it, saying which context keys to set', () => {
    const stack = new Stack(new App(), 'Placeholder');
    refuseDeploy(stack, placeholderIdentity({ senderAddress: 'Shop <news@shop.example>' }));
    const rules = Template.fromStack(stack).toJSON().Rules as Record<
      string,
      { Assertions: { Assert: unknown; AssertDescription: string }[] }
    >;
    const [assertion] = rules.ShopIdentityIsNotAPlaceholder?.Assertions ?? [];
    expect(assertion?.Assert).toEqual({ 'Fn::Equals': ['placeholder', 'configured'] });
    expect(assertion?.AssertDescription).toContain('senderAddress');
    expect(assertion?.AssertDescription).toContain('shopAddress');
  });

  it('adds nothing to a stack with a real identity', () => {
    const stack = new Stack(new App(), 'Real');
    refuseDeploy(stack, []);
    expect(Template.fromStack(stack).toJSON().Rules).not.toHaveProperty('ShopIdentityIsNotAPlaceholder');
  });
});
