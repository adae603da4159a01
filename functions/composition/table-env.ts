/**
 * The table's part of the configuration, read without zod: config.ts's schema pulls in zod, luxon
 * and the event contract (hundreds of KB to initialise), which a function that only records SES
 * events has no use for. Same variables, defaults and limits as config.ts.
 */
import type { StoreConfig } from './store.ts';

/** Default of RETENTION_DAYS, as in config.ts. */
export const DEFAULT_RETENTION_DAYS = 30;

export function tableConfigFromEnv(env: Record<string, string | undefined>): StoreConfig {
  const tableName = env.TABLE_NAME;
  if (!tableName) throw new Error('invalid configuration: TABLE_NAME: required (the environment)');
  const days = env.RETENTION_DAYS === undefined ? DEFAULT_RETENTION_DAYS : Number(env.RETENTION_DAYS);
  if (!Number.isInteger(days) || days < 1)
    throw new Error(
      `invalid configuration: RETENTION_DAYS: must be a whole number of days ≥ 1 (got ${env.RETENTION_DAYS})`,
    );
  return { tableName, retentionDays: days };
}
