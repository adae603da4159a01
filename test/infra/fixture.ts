/** Builds the stack for infra tests: no esbuild (bundling skipped), a stub catalog, two journeys. */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { App } from 'aws-cdk-lib';
import { parse } from 'yaml';
import { type JourneyDefinition, journeyDefinitionSchema } from '../../functions/core/definition.ts';
import {
  RetentionJourneysStack,
  type RetentionJourneysStackProps,
} from '../../lib/retention-journeys-stack.ts';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

export const onboarding: JourneyDefinition = journeyDefinitionSchema.parse(
  parse(readFileSync(path.join(ROOT, 'journeys', 'onboarding.yaml'), 'utf8')),
);

/** A second journey whose steps wait for an event, so routing must include it. */
export const postPurchase: JourneyDefinition = journeyDefinitionSchema.parse({
  id: 'post-purchase',
  name: 'Post purchase',
  trigger: { event: 'order.placed', instanceKey: 'orderId' },
  exitOn: ['order.refunded'],
  messages: { 'ask-review': { class: 'marketing' } },
  steps: [
    {
      waitFor: { event: 'order.delivered', timeout: 'P14D', correlate: 'orderId' },
      onEvent: [{ wait: 'P3D' }, { send: 'ask-review' }],
    },
  ],
});

/**
 * A stub catalog holding `journeys` (each journey function's catalog part is its own journey, so
 * the catalog must have the stack's journeys) and whatever else is given.
 */
export function stubCatalog(
  journeys: readonly JourneyDefinition[] = [onboarding, postPurchase],
  extra: Record<string, unknown> = {},
): string {
  const file = path.join(mkdtempSync(path.join(tmpdir(), 'rj-infra-')), 'catalog.json');
  const entries = journeys.map((definition) => ({ definition, version: 'test' }));
  writeFileSync(file, JSON.stringify({ defaultLocale: 'en', journeys: entries, templates: {}, ...extra }));
  return file;
}

export const catalogPath = stubCatalog();

export function baseProps(): RetentionJourneysStackProps {
  return {
    journeys: [onboarding, postPurchase],
    catalogPath,
    senderAddress: 'Shop <news@shop.example>',
    env: { account: '123456789012', region: 'eu-central-1' },
  };
}

/** The feature flags cdk.json sets (keys starting `@aws-cdk`): the tests synthesise what `cdk synth` does. */
export const FEATURE_FLAGS: Record<string, unknown> = Object.fromEntries(
  Object.entries(
    (JSON.parse(readFileSync(path.join(ROOT, 'cdk.json'), 'utf8')) as { context: Record<string, unknown> })
      .context,
  ).filter(([key]) => key.startsWith('@aws-cdk')),
);

/** A fresh app with cdk.json's feature flags that skips asset bundling (no esbuild run in unit tests). */
export function testApp(): App {
  return new App({ context: { ...FEATURE_FLAGS, 'aws:cdk:bundling-stacks': [] } });
}

export function buildStack(overrides: Partial<RetentionJourneysStackProps> = {}): RetentionJourneysStack {
  const props = { ...baseProps(), ...overrides };
  // Other journeys than the default ones come with a catalog that has them.
  if (overrides.journeys && !overrides.catalogPath) props.catalogPath = stubCatalog(overrides.journeys);
  return new RetentionJourneysStack(testApp(), 'Test', props);
}
