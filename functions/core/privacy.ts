/**
 * Keys that must identify a person without naming them: the suppression list keeps a hash of the
 * address (it outlives erasure), the erasure tombstone a hash of the customer id. Pure, no I/O.
 */
import { createHash } from 'node:crypto';

const sha256 = (value: string) => createHash('sha256').update(value, 'utf8').digest('hex');

/** The form an address is compared in: trimmed and lower-cased (mailbox providers ignore case). */
export function normaliseAddress(email: string): string {
  return email.trim().toLowerCase();
}

/** SHA-256 (hex) of the normalised address: what a suppression entry keeps instead of the address. */
export function addressHash(email: string): string {
  return sha256(normaliseAddress(email));
}

/** SHA-256 (hex) of the customer id: the key of the erasure tombstone. */
export function customerHash(customerId: string): string {
  return sha256(customerId);
}

/** A stable id for a link token (e.g. the feedback id): the same link always gives the same id. */
export function tokenHash(token: string): string {
  return sha256(token).slice(0, 32);
}

const EMAIL = /[^\s<>"'(),;:@]+@[^\s<>"'(),;:@]+\.[^\s<>"'(),;:@]+/g;

/** Replaces anything that looks like an email address, for messages that end up in logs. */
export function redactEmails(text: string): string {
  return text.replace(EMAIL, '[email]');
}
