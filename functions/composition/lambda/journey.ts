/** Composition of a journey function: its own journey's service, nothing that sends or renders. */
import type { JourneyService } from '../../services/journeys.ts';
import { once } from '../cold-start.ts';
import { type DecidingCatalog, journeyService } from '../deciding.ts';
import { signedStart } from '../signed-start.ts';

export interface JourneyComposition {
  journeys: JourneyService;
}

export async function compose(
  env: Record<string, string | undefined> = process.env,
): Promise<JourneyComposition> {
  const { config, catalog, base } = await signedStart<DecidingCatalog>(env);
  return { journeys: journeyService(base, config, catalog) };
}

export const composed = once(() => compose());
