/** Composition of the sweeper: every journey and the loyalty program, advanced in-process. */
import type { Sweeper } from '../../services/sweeper.ts';
import { once } from '../cold-start.ts';
import { type DecidingCatalog, journeyService, loyaltyService, sweeper } from '../deciding.ts';
import { signedStart } from '../signed-start.ts';

export interface SweeperComposition {
  sweeper: Sweeper;
}

export async function compose(
  env: Record<string, string | undefined> = process.env,
): Promise<SweeperComposition> {
  const { config, catalog, base } = await signedStart<DecidingCatalog>(env);
  const journeys = journeyService(base, config, catalog);
  return { sweeper: sweeper(base, config, journeys, loyaltyService(base, config, catalog)) };
}

export const composed = once(() => compose());
