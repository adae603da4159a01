/**
 * The start every composition root of a function that signs or checks tokens shares: configuration
 * from the environment, the signing secret and the bundled catalog part (read side by side), the
 * document client, the journey store and the clock. Functions without the secret (SES events,
 * analytics, connectors) do not import this file, so Secrets Manager stays out of their bundles.
 */

import { systemClock } from '../adapters/clock.ts';
import type { JourneyStore } from '../adapters/store.ts';
import type { DocumentSender } from '../adapters/table-keys.ts';
import { type AppConfig, configFromEnv } from '../config.ts';
import { bundledCatalog } from './cold-start.ts';
import { signingSecret } from './secret.ts';
import { documentClient, journeyStore } from './store.ts';

export interface SignedStart<C> {
  config: AppConfig;
  /** The catalog part synth bundled for this function. */
  catalog: C;
  doc: DocumentSender;
  /** What the services built from the pieces take: the store, the clock and the secret. */
  base: { store: JourneyStore; now: () => string; signingSecret: string };
}

export async function signedStart<C>(env: Record<string, string | undefined>): Promise<SignedStart<C>> {
  const config = configFromEnv(env);
  const [secret, catalog] = await Promise.all([signingSecret(config), bundledCatalog<C>(env)]);
  const doc = documentClient();
  const base = { store: journeyStore(doc, config), now: () => systemClock.now(), signingSecret: secret };
  return { config, catalog, doc, base };
}
