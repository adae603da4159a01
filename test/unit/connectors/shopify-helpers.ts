/** Shared by the Shopify connector tests: the fixtures as envelopes, and the contract check. */
import { readdirSync, readFileSync } from 'node:fs';
import { expect } from 'vitest';
import { type ShopifyEnvelope, translateShopify } from '../../../functions/connectors/shopify/index.ts';
import type { ConnectorSettings, TranslationResult } from '../../../functions/connectors/translation.ts';
import { parseShopEvent } from '../../../functions/core/events.ts';

export const FIXTURES = new URL('../../fixtures/shopify/', import.meta.url);
export const SETTINGS: ConnectorSettings = { defaultLocale: 'de-DE', defaultTimeZone: 'Europe/Berlin' };
/** The customer the connector service would look up for an event with `customerOf`. */
export const LOOKED_UP = 'gid://shopify/Customer/42';

export const fixtureNames = (): string[] =>
  readdirSync(FIXTURES)
    .filter((name) => name.endsWith('.json'))
    .sort();

/** A fixture file (the EventBridge event as delivered) as the translator's envelope. */
export function envelope(
  name: string,
): ShopifyEnvelope & { detail: { payload: Record<string, unknown>; metadata: Record<string, unknown> } } {
  const raw = JSON.parse(readFileSync(new URL(name, FIXTURES), 'utf8'));
  return { source: raw.source, detailType: raw['detail-type'], time: raw.time, detail: raw.detail };
}

/** The same envelope with the payload replaced (the metadata, and so the topic, kept). */
export function withPayload(
  name: string,
  edit: (payload: Record<string, unknown>) => unknown,
): ShopifyEnvelope {
  const base = envelope(name);
  return { ...base, detail: { ...base.detail, payload: edit(structuredClone(base.detail.payload)) } };
}

export const translate = (input: ShopifyEnvelope): TranslationResult => translateShopify(input, SETTINGS);

/**
 * Every event of an accepted translation passes the public contract, with the looked-up customer
 * filled in where the event names only an order (no `now`: the samples' times are in the past).
 */
export function expectContractEvents(result: TranslationResult): void {
  if (!result.ok) return;
  for (const event of result.translation.events) {
    if (event.customerOf) expect(event.detail).not.toHaveProperty('customerId');
    const detail = event.customerOf ? { ...event.detail, customerId: LOOKED_UP } : event.detail;
    const parsed = parseShopEvent({
      id: result.translation.deliveryId,
      source: 'shopify',
      detailType: event.detailType,
      time: event.time,
      detail,
    });
    expect(
      parsed.ok ? [] : parsed.errors,
      `${event.detailType} ${JSON.stringify(detail).slice(0, 300)}`,
    ).toEqual([]);
  }
}

/** The translation of an accepted result, failing the test with the errors otherwise. */
export function accepted(result: TranslationResult) {
  if (!result.ok) throw new Error(`rejected: ${result.errors.join('; ')}`);
  expectContractEvents(result);
  return result.translation;
}

export function rejectedErrors(result: TranslationResult): string[] {
  if (result.ok) throw new Error(`accepted: ${JSON.stringify(result.translation).slice(0, 300)}`);
  return result.errors;
}
