/**
 * Expected timelines in scenario files: which emails each customer gets (message, customer-local day
 * and hour, locale), which events are emitted or must not be, and which inputs are rejected.
 * `journeys simulate --check` and the scenario tests compare a simulation against them.
 */
import { z } from 'zod';
import { localStamp } from '../../functions/core/time.ts';
import type { Scenario, SimulationResult } from './index.ts';

const localTime = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2} \d{2}:\d{2}$/, 'must be a customer-local "YYYY-MM-DD HH:MM"');

export const expectationSchema = z
  .object({
    /** Every email of the customers named here, in order; customers not named may get anything. */
    emails: z
      .array(
        z
          .object({
            customer: z.string(),
            message: z.string(),
            journey: z.string().optional(),
            local: localTime.optional(),
            locale: z.string().optional(),
            /** Text the subject must contain. */
            subject: z.string().optional(),
            /** Text the plain-text part must contain (a code, a name, an amount). */
            text: z.string().optional(),
          })
          .strict(),
      )
      .default([]),
    /** Customers who must get no email at all. */
    noEmails: z.array(z.string()).default([]),
    /** Events that must be emitted (detail fields listed must match). */
    events: z
      .array(
        z
          .object({
            customer: z.string(),
            type: z.string(),
            local: localTime.optional(),
            detail: z.record(z.string(), z.unknown()).optional(),
            /** How many such events; default at least one. */
            count: z.number().int().min(0).optional(),
          })
          .strict(),
      )
      .default([]),
    /** Event types that must not be emitted (for the customer, or for anyone). */
    noEvents: z
      .array(z.union([z.string(), z.object({ customer: z.string(), type: z.string() }).strict()]))
      .default([]),
    /** Scenario events (by index) that must be rejected, each naming a field. */
    rejected: z.array(z.object({ index: z.number().int(), field: z.string() }).strict()).default([]),
  })
  .strict();

export type Expectations = z.infer<typeof expectationSchema>;

/** Each customer's time zone, from their registration in the scenario. */
export function customerTimeZones(scenario: Pick<Scenario, 'events'>): Map<string, string> {
  const zones = new Map<string, string>();
  for (const e of scenario.events) {
    const id = e.detail.customerId;
    if (typeof id === 'string' && typeof e.detail.timeZone === 'string') zones.set(id, e.detail.timeZone);
  }
  return zones;
}

/** Whether `actual` has every field of `expected` (recursively), as an `events` entry's `detail` means. */
export function matchesDetail(actual: unknown, expected: unknown): boolean {
  if (expected !== null && typeof expected === 'object' && !Array.isArray(expected)) {
    if (actual === null || typeof actual !== 'object') return false;
    return Object.entries(expected).every(([k, v]) =>
      matchesDetail((actual as Record<string, unknown>)[k], v),
    );
  }
  return JSON.stringify(actual) === JSON.stringify(expected);
}

/** Every way the simulation differs from the expectations; empty when it meets them. */
export function checkExpectations(
  scenario: Scenario,
  expected: Expectations,
  result: SimulationResult,
  defaultTimeZone = 'Europe/Berlin',
): string[] {
  const problems: string[] = [];
  const zones = customerTimeZones(scenario);
  const local = (customer: string, at: string) => localStamp(at, zones.get(customer) ?? defaultTimeZone);

  const customers = [...new Set(expected.emails.map((e) => e.customer))];
  for (const customer of customers) {
    const want = expected.emails.filter((e) => e.customer === customer);
    const got = result.emails.filter((e) => e.customerId === customer);
    const describe = (e: SimulationResult['emails'][number]) =>
      `${e.journey}/${e.message} ${local(customer, e.sentAt)} [${e.locale}]`;
    if (got.length !== want.length) {
      problems.push(
        `${customer}: expected ${want.length} email(s) (${want.map((w) => w.message).join(', ')}), got ${got.length}: ${got.map(describe).join('; ') || 'none'}`,
      );
      continue;
    }
    want.forEach((w, i) => {
      const g = got[i] as SimulationResult['emails'][number];
      const wrong: string[] = [];
      if (g.message !== w.message) wrong.push(`message ${g.message} ≠ ${w.message}`);
      if (w.journey && g.journey !== w.journey) wrong.push(`journey ${g.journey} ≠ ${w.journey}`);
      if (w.local && local(customer, g.sentAt) !== w.local)
        wrong.push(`local time ${local(customer, g.sentAt)} ≠ ${w.local}`);
      if (w.locale && g.locale !== w.locale) wrong.push(`locale ${g.locale} ≠ ${w.locale}`);
      if (w.subject && !g.subject.includes(w.subject))
        wrong.push(`subject “${g.subject}” lacks “${w.subject}”`);
      if (w.text && !g.text.includes(w.text)) wrong.push(`the text part lacks “${w.text}”`);
      if (wrong.length) problems.push(`${customer}: email ${i + 1} (${w.message}): ${wrong.join(', ')}`);
    });
  }
  for (const customer of expected.noEmails) {
    const got = result.emails.filter((e) => e.customerId === customer);
    if (got.length)
      problems.push(`${customer}: expected no email, got ${got.map((e) => e.message).join(', ')}`);
  }

  for (const want of expected.events) {
    const found = result.events.filter(
      (e) =>
        e.detailType === want.type &&
        e.detail.customerId === want.customer &&
        (!want.local || local(want.customer, e.at) === want.local) &&
        (!want.detail || matchesDetail(e.detail, want.detail)),
    );
    const ok = want.count === undefined ? found.length > 0 : found.length === want.count;
    if (!ok) {
      const similar = result.events
        .filter((e) => e.detailType === want.type && e.detail.customerId === want.customer)
        .map((e) => `${local(want.customer, e.at)} ${JSON.stringify(e.detail)}`);
      problems.push(
        `${want.customer}: expected ${want.count ?? 'an'} ${want.type}${want.local ? ` at ${want.local}` : ''}${
          want.detail ? ` with ${JSON.stringify(want.detail)}` : ''
        }; found ${found.length}${similar.length ? ` (of this type: ${similar.join('; ')})` : ''}`,
      );
    }
  }
  for (const rule of expected.noEvents) {
    const [customer, type] = typeof rule === 'string' ? [undefined, rule] : [rule.customer, rule.type];
    const found = result.events.filter(
      (e) => e.detailType === type && (!customer || e.detail.customerId === customer),
    );
    if (found.length) problems.push(`${customer ?? 'anyone'}: expected no ${type}, found ${found.length}`);
  }

  for (const want of expected.rejected) {
    const got = result.rejected.find((r) => r.index === want.index);
    if (!got)
      problems.push(
        `event #${want.index}: expected to be rejected naming ${want.field}, but it was accepted`,
      );
    else if (!got.errors.some((e) => e.includes(want.field))) {
      problems.push(
        `event #${want.index}: rejected, but no error names ${want.field}: ${got.errors.join('; ')}`,
      );
    }
  }
  const unexpected = result.rejected.filter((r) => !expected.rejected.some((w) => w.index === r.index));
  for (const r of unexpected)
    problems.push(`event #${r.index} (${r.detailType}) was rejected unexpectedly: ${r.errors.join('; ')}`);
  return problems;
}
