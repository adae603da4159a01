/** Composition of the profile function: the projection, with the order summary's reach from synth. */
import { systemClock } from '../../adapters/clock.ts';
import { configFromEnv } from '../../config.ts';
import { DEFAULT_RETENTION, type OrderRetention } from '../../core/order-history.ts';
import type { ProfileService } from '../../services/profiles.ts';
import { bundledCatalog, once } from '../cold-start.ts';
import { profileService } from '../deciding.ts';
import { signingSecret } from '../secret.ts';
import { documentClient, journeyStore } from '../store.ts';

export interface ProfileComposition {
  profiles: ProfileService;
}

export async function compose(
  env: Record<string, string | undefined> = process.env,
): Promise<ProfileComposition> {
  const config = configFromEnv(env);
  const [secret, catalog] = await Promise.all([
    signingSecret(config),
    bundledCatalog<{ orderRetention?: OrderRetention }>(env),
  ]);
  const store = journeyStore(documentClient(), config);
  const base = { store, now: () => systemClock.now(), signingSecret: secret };
  return { profiles: profileService(base, catalog.orderRetention ?? DEFAULT_RETENTION) };
}

export const composed = once(() => compose());
