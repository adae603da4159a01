/**
 * The pseudonymous keys of one customer's analytics records (BRIEF: agreed semantics). Every key is
 * an HMAC-SHA256 under the customer's own random secret (32 bytes, kept only in the customer's
 * partition, adapters/analytics-keys.ts): without the secret, no key can be computed from a customer
 * id, an order id or an outbox id, and erasure deletes the secret — crypto-shredding. Pure.
 */
import { createHash, createHmac } from 'node:crypto';

export interface AnalyticsKeys {
  /** The customer's key: the same for every record of the customer. */
  customer: string;
  order(orderId: string): string;
  instance(journeyId: string, instanceId: string): string;
  send(outboxId: string): string;
  /** A record id (32 hex): the same fact gives the same id, and only the secret's holder can compute it. */
  recordId(type: string, parts: readonly string[]): string;
}

/** Keys are 22 base64url characters (132 bits): short in every row, far beyond any collision. */
const KEY_LENGTH = 22;

export function analyticsKeys(secret: Uint8Array): AnalyticsKeys {
  if (secret.byteLength < 16) throw new RangeError('an analytics secret has at least 16 bytes');
  const mac = (message: string) => createHmac('sha256', secret).update(message, 'utf8').digest();
  const key = (message: string) => mac(message).toString('base64url').slice(0, KEY_LENGTH);
  return {
    customer: key('customer'),
    order: (orderId) => key(`order:${orderId}`),
    instance: (journeyId, instanceId) => key(`instance:${journeyId}#${instanceId}`),
    send: (outboxId) => key(`send:${outboxId}`),
    recordId: (type, parts) =>
      mac(`id:${type}\n${parts.join('\n')}`)
        .toString('hex')
        .slice(0, 32),
  };
}

/**
 * The id of a record written without a key (customer.deleted): a plain hash of what the envelope
 * says, which names nobody (the event id is EventBridge's, not the customer's).
 */
export function keylessRecordId(type: string, parts: readonly string[]): string {
  return createHash('sha256')
    .update(`id:${type}\n${parts.join('\n')}`, 'utf8')
    .digest('hex')
    .slice(0, 32);
}
