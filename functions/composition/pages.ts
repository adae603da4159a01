/**
 * The preferences endpoint: unsubscribe, feedback and member pages, rendered from the catalog's
 * shared strings only (no email messages), and the loyalty program behind the member page.
 */
import type { ComplianceStore } from '../adapters/compliance-store.ts';
import { FeedbackStore } from '../adapters/feedback-store.ts';
import type { DocumentSender, JourneyStore } from '../adapters/store.ts';
import type { AppConfig } from '../config.ts';
import type { TemplateCatalog } from '../email/index.ts';
import type { LoyaltyService } from '../services/loyalty.ts';
import { PreferencesService } from '../services/preferences.ts';
import { createPageRenderer, type PageRenderer } from '../services/preferences-pages.ts';

export function pageRenderer(templates: Pick<TemplateCatalog, 'defaultLocale' | 'shared'>): PageRenderer {
  return createPageRenderer(templates);
}

export interface PagesParts {
  doc: DocumentSender;
  store: JourneyStore;
  compliance: ComplianceStore;
  pages: PageRenderer;
  now: () => string;
  signingSecret: string;
  /** Only while the program runs: without it the member page is not found. */
  loyalty: LoyaltyService | undefined;
}

export function preferencesService(
  parts: PagesParts,
  config: Pick<AppConfig, 'tableName' | 'preferencesUrl' | 'shop' | 'shopEventSource'>,
): PreferencesService {
  const { store } = parts;
  return new PreferencesService({
    store,
    compliance: parts.compliance,
    feedback: new FeedbackStore(parts.doc, config.tableName, (customerId) => store.timerShard(customerId)),
    pages: parts.pages,
    now: parts.now,
    signingSecret: parts.signingSecret,
    preferencesUrl: config.preferencesUrl,
    shop: config.shop,
    shopEventSource: config.shopEventSource,
    loyalty: parts.loyalty,
  });
}
