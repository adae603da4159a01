/** Composition of the preferences endpoint: pages from the shared strings, and the member page's program. */
import { systemClock } from '../../adapters/clock.ts';
import type { Catalog } from '../../catalog/catalog.ts';
import { type AppConfig, configFromEnv } from '../../config.ts';
import type { PreferencesService } from '../../services/preferences.ts';
import type { PageRenderer } from '../../services/preferences-pages.ts';
import { bundledCatalog, once } from '../cold-start.ts';
import { loyaltyService } from '../deciding.ts';
import { pageRenderer, preferencesService } from '../pages.ts';
import { signingSecret } from '../secret.ts';
import { complianceStore, documentClient, journeyStore } from '../store.ts';

export interface PreferencesComposition {
  preferences: PreferencesService;
  pages: PageRenderer;
  config: Pick<AppConfig, 'shop'>;
}

export async function compose(
  env: Record<string, string | undefined> = process.env,
): Promise<PreferencesComposition> {
  const config = configFromEnv(env);
  const [secret, catalog] = await Promise.all([
    signingSecret(config),
    bundledCatalog<Pick<Catalog, 'templates' | 'loyalty'>>(env),
  ]);
  const doc = documentClient();
  const store = journeyStore(doc, config);
  const now = () => systemClock.now();
  const pages = pageRenderer(catalog.templates);
  // The member page exists only while the program runs.
  const loyalty = catalog.loyalty?.enabled
    ? loyaltyService({ store, now, signingSecret: secret }, config, catalog)
    : undefined;
  const parts = {
    doc,
    store,
    compliance: complianceStore(doc, config),
    pages,
    now,
    signingSecret: secret,
    loyalty,
  };
  return { preferences: preferencesService(parts, config), pages, config };
}

export const composed = once(() => compose());
