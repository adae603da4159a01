/** Composition of the profile function: the projection, with the order summary's reach from synth. */
import { DEFAULT_RETENTION, type OrderRetention } from '../../core/order-history.ts';
import type { ProfileService } from '../../services/profiles.ts';
import { once } from '../cold-start.ts';
import { profileService } from '../deciding.ts';
import { signedStart } from '../signed-start.ts';

export interface ProfileComposition {
  profiles: ProfileService;
}

export async function compose(
  env: Record<string, string | undefined> = process.env,
): Promise<ProfileComposition> {
  const { catalog, base } = await signedStart<{ orderRetention?: OrderRetention }>(env);
  return { profiles: profileService(base, catalog.orderRetention ?? DEFAULT_RETENTION) };
}

export const composed = once(() => compose());
