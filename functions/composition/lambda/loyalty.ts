/** Composition of the loyalty function: the program from its catalog part, nothing else. */
import { systemClock } from '../../adapters/clock.ts';
import type { Catalog } from '../../catalog/catalog.ts';
import { configFromEnv } from '../../config.ts';
import type { LoyaltyService } from '../../services/loyalty.ts';
import { bundledCatalog, once } from '../cold-start.ts';
import { loyaltyService } from '../deciding.ts';
import { signingSecret } from '../secret.ts';
import { documentClient, journeyStore } from '../store.ts';

export interface LoyaltyComposition {
  loyalty: LoyaltyService;
}

export async function compose(
  env: Record<string, string | undefined> = process.env,
): Promise<LoyaltyComposition> {
  const config = configFromEnv(env);
  const [secret, catalog] = await Promise.all([
    signingSecret(config),
    bundledCatalog<Pick<Catalog, 'loyalty'>>(env),
  ]);
  const store = journeyStore(documentClient(), config);
  const base = { store, now: () => systemClock.now(), signingSecret: secret };
  return { loyalty: loyaltyService(base, config, catalog) };
}

export const composed = once(() => compose());
