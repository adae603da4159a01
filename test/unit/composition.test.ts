/**
 * The Lambda composition roots build what their handler uses from env and their catalog part alone
 * (no network: SIGNING_SECRET instead of an ARN), and each catalog part holds only its role's parts.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildCatalog } from '../../functions/catalog/build.ts';
import type { Catalog } from '../../functions/catalog/catalog.ts';
import { catalogPart, writeCatalogPartFiles } from '../../functions/catalog/part.ts';
import { bundledCatalog, once } from '../../functions/composition/cold-start.ts';
import * as dispatcher from '../../functions/composition/lambda/dispatcher.ts';
import * as journey from '../../functions/composition/lambda/journey.ts';
import * as loyalty from '../../functions/composition/lambda/loyalty.ts';
import * as preferences from '../../functions/composition/lambda/preferences.ts';
import * as profile from '../../functions/composition/lambda/profile.ts';
import * as sesEvents from '../../functions/composition/lambda/ses-events.ts';
import * as sweeper from '../../functions/composition/lambda/sweeper.ts';
import { FUNCTION_ROLES, type RoleName } from '../../functions/composition/roles.ts';
import { compileJourney } from '../../functions/core/compile.ts';
import { orderRetention } from '../../functions/core/order-history.ts';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
let catalog: Catalog;
beforeAll(async () => {
  ({ catalog } = await buildCatalog(ROOT, { defaultLocale: 'en' }));
});

function env(role: RoleName): Record<string, string> {
  const file = writeCatalogPartFiles(
    mkdtempSync(path.join(tmpdir(), 'rj-part-')),
    catalogPart(catalog, FUNCTION_ROLES[role].catalog, { journeyId: 'onboarding' }),
  );
  return {
    TABLE_NAME: 'table',
    SIGNING_SECRET: 'a-signing-secret-of-32-characters',
    JOURNEY_ID: 'onboarding',
    AWS_REGION: 'eu-central-1',
    CATALOG_PATH: file,
  };
}

describe('catalog parts', () => {
  it('gives a journey function its own journey and the order reach over every journey', () => {
    const part = catalogPart(catalog, FUNCTION_ROLES.journey.catalog, { journeyId: 'onboarding' });
    expect(part.journeys?.map((j) => j.definition.id)).toEqual(['onboarding']);
    expect(part.orderRetention).toEqual(
      orderRetention(catalog.journeys.map((j) => compileJourney(j.definition, j.version))),
    );
    expect(part.templates).toBeUndefined();
  });

  it('gives the preferences pages the shared strings without the email messages', () => {
    const part = catalogPart(catalog, FUNCTION_ROLES.preferences.catalog);
    expect(part.templates?.shared).toEqual(catalog.templates.shared);
    expect(part.templates?.messages).toEqual({});
    expect(part.journeys).toBeUndefined();
  });

  it('gives the dispatcher the templates only, and the SES events function nothing', () => {
    const part = catalogPart(catalog, FUNCTION_ROLES.dispatcher.catalog);
    expect(Object.keys(part).sort()).toEqual(['defaultLocale', 'templates']);
    expect(catalogPart(catalog, FUNCTION_ROLES.sesEvents.catalog)).toEqual({});
  });

  it("bundles the dispatcher's messages as files of their own, each read back on first use", async () => {
    const part = catalogPart(catalog, FUNCTION_ROLES.dispatcher.catalog);
    const dir = mkdtempSync(path.join(tmpdir(), 'rj-part-'));
    const file = writeCatalogPartFiles(dir, part);
    const onDisk = JSON.parse(readFileSync(file, 'utf8')) as { templates: Record<string, unknown> };
    expect(onDisk.templates.messages).toEqual({});
    expect(readdirSync(path.join(dir, 'messages'))).toHaveLength(
      Object.keys(part.templates?.messages ?? {}).length,
    );

    // A message file gone: the catalog still loads, only that message cannot be read.
    const read = await bundledCatalog<typeof part>({ CATALOG_PATH: file });
    const gone = (
      JSON.parse(readFileSync(file, 'utf8')) as { templates: { messageFiles: Record<string, string> } }
    ).templates.messageFiles['win-back/last-chance'];
    rmSync(path.join(dir, String(gone)));
    expect(() => read.templates?.messages['win-back/last-chance']).toThrow(/ENOENT/);
    expect(read.templates?.messages['onboarding/welcome']).toEqual(
      part.templates?.messages['onboarding/welcome'],
    );

    const whole = await bundledCatalog<typeof part>({
      CATALOG_PATH: writeCatalogPartFiles(mkdtempSync(path.join(tmpdir(), 'rj-part-')), part),
    });
    expect(JSON.parse(JSON.stringify(whole))).toEqual(part);
  });

  it('refuses a journey the catalog does not have', () => {
    expect(() => catalogPart(catalog, ['journey'], { journeyId: 'nope' })).toThrow(/no journey "nope"/);
  });
});

describe('Lambda composition roots', () => {
  it('compose each handler from env and its catalog part, without network', async () => {
    expect((await journey.compose(env('journey'))).journeys.journey('onboarding').definition.id).toBe(
      'onboarding',
    );
    expect((await profile.compose(env('profile'))).profiles).toBeDefined();
    expect((await loyalty.compose(env('loyalty'))).loyalty).toBeDefined();
    expect((await sweeper.compose(env('sweeper'))).sweeper).toBeDefined();
    expect((await dispatcher.compose(env('dispatcher'))).dispatcher).toBeDefined();
    expect((await sesEvents.compose({ TABLE_NAME: 'table' })).sesEvents).toBeDefined();
    const prefs = await preferences.compose(env('preferences'));
    expect(
      (await prefs.pages.render({ kind: 'notFound', status: 404, locale: 'de', shop: prefs.config.shop }))
        .status,
    ).toBe(404);
  });

  it('names what is missing', async () => {
    await expect(sesEvents.compose({})).rejects.toThrow(/TABLE_NAME/);
    await expect(journey.compose({ TABLE_NAME: 't' })).rejects.toThrow(/SIGNING_SECRET/);
  });

  it('builds once, and again after a failure', async () => {
    let calls = 0;
    const get = once(async () => {
      calls += 1;
      if (calls === 1) throw new Error('throttled');
      return calls;
    });
    await expect(get()).rejects.toThrow('throttled');
    expect(await get()).toBe(2);
    expect(await get()).toBe(2);
    expect(calls).toBe(2);
  });
});
