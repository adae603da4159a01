/** Composition of the loyalty function: the program from its catalog part, nothing else. */
import type { Catalog } from '../../catalog/catalog.ts';
import type { LoyaltyService } from '../../services/loyalty.ts';
import { once } from '../cold-start.ts';
import { loyaltyService } from '../deciding.ts';
import { signedStart } from '../signed-start.ts';

export interface LoyaltyComposition {
  loyalty: LoyaltyService;
}

export async function compose(
  env: Record<string, string | undefined> = process.env,
): Promise<LoyaltyComposition> {
  const { config, catalog, base } = await signedStart<Pick<Catalog, 'loyalty'>>(env);
  return { loyalty: loyaltyService(base, config, catalog) };
}

export const composed = once(() => compose());
