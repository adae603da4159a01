/**
 * What every Lambda handler shares: telemetry and the event envelope. Each handler composes its own
 * services (functions/composition/lambda/), once per cold start; nothing is read at import time, so
 * tests can build handlers with their own services.
 */
import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';
import type { MiddlewareObj } from '@middy/core';
import type { EventBridgeEvent } from 'aws-lambda';
import type { RawEvent } from '../core/events.ts';
import { redactEmails } from '../core/privacy.ts';
import type { Outcome } from '../services/journeys.ts';

// Customer data stays out of logs: handlers log ids, statuses and counts, never addresses or names.
export const logger = new Logger();
export const metrics = new Metrics({ logger });

/**
 * Powertools' `logMetrics` middleware, except that an invocation that stored no metric flushes
 * nothing. Most publish none (only failures are metrics, functions/metrics.ts), and Powertools warns
 * on every empty flush: a log line per invocation that CloudWatch bills.
 */
export function publishStoredMetrics(): MiddlewareObj {
  const flush = async () => {
    if (metrics.hasStoredMetrics()) metrics.publishStoredMetrics();
  };
  return { after: flush, onError: flush };
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
