/**
 * The package's main entry (`import … from 'retention-journeys'`): the construct, its props and the
 * helper that turns a project's journeys and templates folders into those props. What is public API
 * and what a version number promises: docs/semver.md.
 */

export type { JourneyDefinition } from '../functions/core/definition.ts';
export type { AnalyticsOptions, ReportLocale } from './analytics-options.ts';
export {
  CatalogError,
  type JourneysCatalog,
  type JourneysCatalogOptions,
  loadJourneysCatalog,
  SHIPPED_JOURNEYS_DIR,
  SHIPPED_TEMPLATES_DIR,
} from './catalog.ts';
export type { ShopifyConnectorOptions, WebhookConnectorOptions } from './connectors.ts';
export { RetentionFunction } from './function.ts';
export {
  type DeadLetterQueueInfo,
  type FrequencyCap,
  RetentionJourneys,
  type RetentionJourneysProps,
  RetentionJourneysPropsError,
  SYSTEM_EVENT_SOURCE,
} from './retention-journeys.ts';
export { RetentionJourneysStack, type RetentionJourneysStackProps } from './retention-journeys-stack.ts';
