/** Composition of a journey function: its own journey's service, nothing that sends or renders. */
import { systemClock } from '../../adapters/clock.ts';
import { configFromEnv } from '../../config.ts';
import type { JourneyService } from '../../services/journeys.ts';
import { bundledCatalog, once } from '../cold-start.ts';
import { type DecidingCatalog, journeyService } from '../deciding.ts';
import { signingSecret } from '../secret.ts';
import { documentClient, journeyStore } from '../store.ts';

export interface JourneyComposition {
  journeys: JourneyService;
}

export async function compose(
  env: Record<string, string | undefined> = process.env,
): Promise<JourneyComposition> {
  const config = configFromEnv(env);
  const [secret, catalog] = await Promise.all([signingSecret(config), bundledCatalog<DecidingCatalog>(env)]);
  const store = journeyStore(documentClient(), config);
  const base = { store, now: () => systemClock.now(), signingSecret: secret };
  return { journeys: journeyService(base, config, catalog) };
}

export const composed = once(() => compose());
