/**
 * The EventBridge rules of the stack as the local runtime's routes: the same patterns, each handing a
 * matching event to the service its Lambda runs (profile, loyalty, SES events, each journey, the
 * Shopify partner rule, the analytics log).
 */

import { analyticsEventPatterns } from '../../functions/analytics/routing.ts';
import type { Catalog } from '../../functions/catalog/catalog.ts';
import type { AppConfig } from '../../functions/config.ts';
import type { RawEvent } from '../../functions/core/events.ts';
import { loyaltyEventPatterns } from '../../functions/core/loyalty/routing.ts';
import {
  journeyEventPatterns,
  matchesPattern,
  profileEventPattern,
  sesEventPattern,
} from '../../functions/core/routing.ts';
import type { Services } from '../../functions/services/container.ts';
import type { Outcome } from '../../functions/services/journeys.ts';
import type { LoyaltyService } from '../../functions/services/loyalty.ts';
import { shopifyRoute } from './connectors.ts';

/** The configuration set the local runtime sends through unless SES_CONFIGURATION_SET names another. */
export const LOCAL_CONFIGURATION_SET = 'retention-journeys';

export interface Route {
  /** `profile`, `loyalty`, `ses-events`, `journey:<id>`, `connector:shopify` or `analytics`. */
  target: string;
  matches: (e: RawEvent) => boolean;
  run: (e: RawEvent) => Promise<Outcome>;
}

/** Every rule, in the order a delivery visits them. */
export function eventRoutes(services: Services, config: AppConfig, catalog: Catalog): Route[] {
  const source = config.shopEventSource;
  const { journeys, profiles, sesEvents, analytics, loyalty } = services;
  const profilePattern = profileEventPattern(source);
  const sesPattern = sesEventPattern(config.configurationSetName ?? LOCAL_CONFIGURATION_SET);
  return [
    {
      target: 'profile',
      matches: (e) => matchesPattern(profilePattern, e),
      run: (e) => profiles.handleEvent(e),
    },
    // After the profile, before the journeys: a journey deciding on the same order or registration
    // then reads the account as the program left it (in AWS the rules run in no particular order;
    // every consumer is correct either way, this only makes local runs read the freshest account).
    // Like the stack, which deploys the loyalty function only while the program is switched on.
    ...(catalog.loyalty?.enabled ? [loyaltyRoute(loyalty, source)] : []),
    {
      // SES sending events: the CDK rule's pattern (source, detail-types, this configuration set).
      target: 'ses-events',
      matches: (e) => matchesPattern(sesPattern, e),
      run: async (e): Promise<Outcome> => {
        const outcome = await sesEvents.handle(e);
        if (outcome.status === 'recorded') return { status: 'applied', trace: [], effects: 0 };
        return outcome.status === 'duplicate' ? { status: 'duplicate' } : { status: 'unchanged', trace: [] };
      },
    },
    ...catalog.journeys.map(({ definition }) => {
      const patterns = journeyEventPatterns(definition, source);
      return {
        target: `journey:${definition.id}`,
        matches: (e: RawEvent) => patterns.some((p) => matchesPattern(p, e)),
        run: (e: RawEvent) => journeys.handleEvent(definition.id, e),
      };
    }),
    // Shopify's partner envelopes (the partner bus rule in AWS): canonical events back onto the bus.
    shopifyRoute(services.connectors, {
      defaultLocale: config.defaultLocale,
      defaultTimeZone: config.defaultTimeZone,
    }),
    // Last: a registration's record then finds the profile (its locale) the profile route wrote.
    ...(analytics
      ? [analyticsRoute(analytics, source, config.configurationSetName ?? LOCAL_CONFIGURATION_SET)]
      : []),
  ];
}

/** The loyalty function's two rules (shop events, the system's referral rewards), as one route. */
function loyaltyRoute(loyalty: LoyaltyService, shopSource: string): Route {
  const patterns = loyaltyEventPatterns(shopSource);
  return {
    target: 'loyalty',
    matches: (e) => patterns.some((p) => matchesPattern(p, e)),
    run: (e) => loyalty.handleEvent(e),
  };
}

/** The analytics function's rules, as a route: the same patterns as in AWS. */
function analyticsRoute(
  analytics: NonNullable<Services['analytics']>,
  shopSource: string,
  configurationSetName: string,
) {
  const patterns = analyticsEventPatterns(shopSource, configurationSetName);
  return {
    target: 'analytics',
    matches: (e: RawEvent) => patterns.some((p) => matchesPattern(p, e)),
    run: async (e: RawEvent): Promise<Outcome> => {
      const outcome = await analytics.record(e);
      return outcome.status === 'recorded'
        ? { status: 'applied', trace: [], effects: 0 }
        : { status: 'unchanged', trace: [] };
    },
  };
}
