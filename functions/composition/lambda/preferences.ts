/** Composition of the preferences endpoint: pages from the shared strings, and the member page's program. */
import type { Catalog } from '../../catalog/catalog.ts';
import type { AppConfig } from '../../config.ts';
import type { PreferencesService } from '../../services/preferences.ts';
import type { PageRenderer } from '../../services/preferences-pages.ts';
import { once } from '../cold-start.ts';
import { loyaltyService } from '../deciding.ts';
import { pageRenderer, preferencesService } from '../pages.ts';
import { signedStart } from '../signed-start.ts';
import { complianceStore } from '../store.ts';

export interface PreferencesComposition {
  preferences: PreferencesService;
  pages: PageRenderer;
  config: Pick<AppConfig, 'shop'>;
}

export async function compose(
  env: Record<string, string | undefined> = process.env,
): Promise<PreferencesComposition> {
  const { config, catalog, doc, base } = await signedStart<Pick<Catalog, 'templates' | 'loyalty'>>(env);
  const pages = pageRenderer(catalog.templates);
  // The member page exists only while the program runs.
  const loyalty = catalog.loyalty?.enabled ? loyaltyService(base, config, catalog) : undefined;
  const parts = { ...base, doc, compliance: complianceStore(doc, config), pages, loyalty };
  return { preferences: preferencesService(parts, config), pages, config };
}

export const composed = once(() => compose());
