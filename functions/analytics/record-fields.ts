/**
 * The building blocks every analytics record is made of: the context it is built in, the closed
 * checks that turn event fields into identifiers, money, scores and times (or null — never text),
 * and the record itself with its keyed id.
 */
import type { RawEvent } from '../core/events.ts';
import { canonicalLocale } from '../core/locale.ts';
import type { AnalyticsKeys } from './keys.ts';
import { ANALYTICS_SCHEMA_VERSION, type AnalyticsRecord, nullColumns, type RecordType } from './record.ts';

export interface RecordContext {
  /** The customer's keys; absent only for a keyless record (customer.deleted). */
  keys: AnalyticsKeys | undefined;
  /** The customer's locale as the profile holds it now (null when unknown). */
  locale: string | undefined;
  /** Processing time (`recorded`): the clock's now, virtual in the simulator. */
  now: string;
}

export type Detail = Record<string, unknown>;

const ID_LIMIT = 200;
export const isId = (value: unknown): value is string =>
  typeof value === 'string' && value.length > 0 && value.length <= ID_LIMIT;

/**
 * The journey instance an outbox id belongs to: the engine writes `<journey>#<instance>#<step>`,
 * where the step is the program counter, `<pc>#coupon`, `<pc>#reward` or a lifecycle event type.
 */
export function instanceOf(journey: string, outboxId: string): string | undefined {
  if (!outboxId.startsWith(`${journey}#`)) return undefined;
  const match = /^(.+)#(?:\d+(?:#[a-z]+)?|journey\.[a-z.]+)$/.exec(outboxId.slice(journey.length + 1));
  return match?.[1];
}

/** An email.* record: journey, message, send key and — when the outbox id names it — instance. */
export function emailRecord(
  type: RecordType,
  email: Detail,
  keys: AnalyticsKeys,
  context: RecordContext,
  time: unknown,
  idParts: string[],
  fields: Partial<AnalyticsRecord>,
): AnalyticsRecord[] {
  const journey = identifier(email.journey);
  const outboxId = isId(email.outboxId) ? email.outboxId : undefined;
  const instanceId = journey && outboxId ? instanceOf(journey, outboxId) : undefined;
  return [
    record(type, keys, context, instant(time, context.now), idParts, {
      journey,
      message: identifier(email.message),
      send: outboxId ? keys.send(outboxId) : null,
      instance: journey && instanceId ? keys.instance(journey, instanceId) : null,
      ...fields,
    }),
  ];
}

export function empty(): AnalyticsRecord {
  return {
    ...nullColumns(),
    id: '',
    v: ANALYTICS_SCHEMA_VERSION,
    type: 'customer.deleted',
    time: '',
    recorded: '',
  };
}

export function record(
  type: RecordType,
  keys: AnalyticsKeys,
  context: RecordContext,
  time: string,
  idParts: string[],
  fields: Partial<AnalyticsRecord>,
): AnalyticsRecord {
  return {
    ...empty(),
    ...where(context.locale),
    ...fields,
    id: keys.recordId(type, idParts),
    type,
    time,
    recorded: instant(context.now, context.now),
    customer: keys.customer,
  };
}

/** Locale (canonical BCP 47) and market (its region, `de-AT` → `AT`), both null when unknown. */
export function where(tag: string | undefined): { locale: string | null; market: string | null } {
  const locale = typeof tag === 'string' ? canonicalLocale(tag) : undefined;
  if (!locale || locale.length > 35) return { locale: null, market: null };
  let region: string | undefined;
  try {
    region = new Intl.Locale(locale).region;
  } catch {
    region = undefined;
  }
  return { locale, market: region && /^[A-Z]{2}$/.test(region) ? region : null };
}

/** The first of the candidates that is a time, as `Date#toISOString` (the columns compare as strings). */
export function instant(...candidates: unknown[]): string {
  for (const candidate of candidates) {
    if (typeof candidate !== 'string') continue;
    const ms = Date.parse(candidate);
    if (!Number.isNaN(ms)) return new Date(ms).toISOString();
  }
  return new Date(0).toISOString();
}

const NAME = /^[A-Za-z0-9._:-]{1,100}$/;
/** A journey, message or goal name: an identifier, or null — never text. */
export function identifier(value: unknown): string | null {
  return typeof value === 'string' && NAME.test(value) ? value : null;
}

export function scoreOf(value: unknown): number | null {
  const n = typeof value === 'string' && /^\d{1,2}$/.test(value) ? Number(value) : value;
  return typeof n === 'number' && Number.isInteger(n) && n >= 0 && n <= 10 ? n : null;
}

export function moneyOf(
  amount: unknown,
  currency: unknown,
): { amount: string | null; currency: string | null } {
  const valid =
    typeof amount === 'string' &&
    /^\d{1,12}(\.\d{1,4})?$/.test(amount) &&
    typeof currency === 'string' &&
    /^[A-Z]{3}$/.test(currency);
  return valid ? { amount, currency } : { amount: null, currency: null };
}

export function detailOf(event: RawEvent): Detail | undefined {
  const d = event.detail;
  return typeof d === 'object' && d !== null && !Array.isArray(d) ? (d as Detail) : undefined;
}
