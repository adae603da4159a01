/**
 * What every Lambda handler shares: telemetry, and the services built once per cold start from the
 * environment, the bundled catalog and the signing secret. Nothing is read at import time, so tests
 * can build handlers with their own services.
 */
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import type { EventBridgeEvent } from 'aws-lambda';
import { systemClock } from '../adapters/clock.ts';
import { readCatalog } from '../catalog/catalog.ts';
import { configFromEnv } from '../config.ts';
import type { RawEvent } from '../core/events.ts';
import { redactEmails } from '../core/privacy.ts';
import { createServices, type Services } from '../services/container.ts';
import type { Outcome } from '../services/journeys.ts';

// Customer data stays out of logs: handlers log ids, statuses and counts, never addresses or names.
export const logger = new Logger();
export const metrics = new Metrics();

let services: Promise<Services> | undefined;

export function lambdaServices(): Promise<Services> {
  services ??= (async () => {
    const config = configFromEnv(process.env);
    let signingSecret = config.signingSecret;
    if (!signingSecret && config.signingSecretArn) {
      const secret = await new SecretsManagerClient({}).send(
        new GetSecretValueCommand({ SecretId: config.signingSecretArn }),
      );
      signingSecret = secret.SecretString;
    }
    if (!signingSecret) throw new Error('the signing secret is empty');
    const here = dirname(fileURLToPath(import.meta.url));
    const catalog = await readCatalog(process.env.CATALOG_PATH ?? join(here, 'catalog.json'));
    return createServices({ ...config, signingSecret }, catalog, systemClock);
  })().catch((error: unknown) => {
    services = undefined; // let the next invocation try again
    throw error;
  });
  return services;
}

/** The envelope fields every service takes from an EventBridge event. */
export function rawEvent(event: EventBridgeEvent<string, unknown>): RawEvent {
  return {
    id: event.id,
    source: event.source,
    detailType: event['detail-type'],
    time: event.time,
    detail: event.detail,
  };
}

/**
 * One log line per event a rule delivered: a rejection with its reasons (addresses redacted) — it is
 * kept on the rejected log, and retrying a malformed or unconfirmed event cannot help, so the
 * invocation succeeds — or else what became of it.
 */
export function logOutcome(event: EventBridgeEvent<string, unknown>, outcome: Outcome): void {
  const about = { eventId: event.id, detailType: event['detail-type'] };
  if (outcome.status === 'rejected')
    logger.warn('event rejected', { ...about, errors: outcome.errors.map(redactEmails) });
  else logger.info('event processed', { ...about, status: outcome.status });
}
