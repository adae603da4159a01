/**
 * The one conflict-retry loop: load, decide, write conditionally; when the write lost a race, wait a
 * little and do it all again from a fresh read. Services, adapters and the local tools use this, so
 * the attempt count, the backoff and the error at the end are the same everywhere.
 */
import { ConflictRetriesExhaustedError } from './errors.ts';

/** What one attempt returns when its conditional write lost a race and must be redone. */
export const CONFLICT: unique symbol = Symbol('conflict');
export type Attempt<T> = T | typeof CONFLICT;

export interface RetryOptions {
  /** Attempts, the first included. @default 6 */
  maxAttempts?: number;
  /** Waits before the next attempt; tests and the simulator pass a no-op. @default jitteredBackoff */
  backoff?: ((attempt: number) => Promise<void>) | undefined;
}

/** Full jitter, doubling from 20 ms: racing writers spread out instead of colliding again. */
export const jitteredBackoff = (attempt: number) =>
  new Promise<void>((resolve) => setTimeout(resolve, Math.random() * 20 * 2 ** attempt));

/**
 * Runs `attempt` until it returns something other than CONFLICT. `what` names the work in the error
 * thrown when every attempt conflicted (e.g. "journey onboarding, customer c-1").
 */
export async function retryOnConflict<T>(
  what: string,
  attempt: (n: number) => Promise<Attempt<T>>,
  options: RetryOptions = {},
): Promise<T> {
  const maxAttempts = options.maxAttempts ?? 6;
  for (let n = 0; n < maxAttempts; n++) {
    const result = await attempt(n);
    if (result !== CONFLICT) return result;
    if (n + 1 < maxAttempts) await (options.backoff ?? jitteredBackoff)(n);
  }
  throw new ConflictRetriesExhaustedError(`${what}: still conflicting after ${maxAttempts} attempts`);
}
