/** Composition of the sweeper: every journey and the loyalty program, advanced in-process. */
import { systemClock } from '../../adapters/clock.ts';
import { configFromEnv } from '../../config.ts';
import type { Sweeper } from '../../services/sweeper.ts';
import { bundledCatalog, once } from '../cold-start.ts';
import { type DecidingCatalog, journeyService, loyaltyService, sweeper } from '../deciding.ts';
import { signingSecret } from '../secret.ts';
import { documentClient, journeyStore } from '../store.ts';

export interface SweeperComposition {
  sweeper: Sweeper;
}

export async function compose(
  env: Record<string, string | undefined> = process.env,
): Promise<SweeperComposition> {
  const config = configFromEnv(env);
  const [secret, catalog] = await Promise.all([signingSecret(config), bundledCatalog<DecidingCatalog>(env)]);
  const store = journeyStore(documentClient(), config);
  const base = { store, now: () => systemClock.now(), signingSecret: secret };
  const journeys = journeyService(base, config, catalog);
  return { sweeper: sweeper(base, config, journeys, loyaltyService(base, config, catalog)) };
}

export const composed = once(() => compose());
