/** Small HTML helpers shared by the gallery page and its journey flow. */
import type { MessageClass } from '../../functions/email/index.ts';

export function esc(value: unknown): string {
  return String(value)
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;');
}

export const id = (...parts: string[]) => parts.join('--').replace(/[^A-Za-z0-9_-]/g, '_');
export const msgAnchor = (journeyId: string, messageId: string) => id('m', journeyId, messageId);
export const cellAnchor = (journeyId: string, messageId: string, locale: string) =>
  id('c', journeyId, messageId, locale);

export function badge(messageClass: MessageClass | 'disabled'): string {
  return `<span class="badge ${messageClass}">${messageClass}</span>`;
}
