/**
 * Which events reach which function. The CDK rules and the local router both use these patterns,
 * so routing cannot differ between the cloud and the embedded runtime.
 */
import type { JourneyDefinition, Trigger } from './definition.ts';
import { assertNever } from './errors.ts';
import { SHOP_EVENT_TYPES, SYSTEM_INPUT_TYPES, SYSTEM_SOURCE } from './events.ts';
import { forEachStep, matchStep } from './steps.ts';

/**
 * A field of `detail` in a pattern: the values it may have (exact strings), or the pattern of a
 * nested object.
 */
export interface DetailPattern {
  [field: string]: string[] | DetailPattern;
}

export interface EventPattern {
  source: string[];
  'detail-type'?: string[];
  detail?: DetailPattern;
}

/** Where SES publishes configuration-set events (the account's default bus). */
export const SES_SOURCE = 'aws.ses';

/**
 * The SES events the engine and the metrics use (DESIGN.md §7), by the `detail-type` SES gives each
 * on EventBridge (https://docs.aws.amazon.com/eventbridge/latest/ref/events-ref-ses.html). The CDK
 * configuration set publishes exactly these (lib/email.ts); delivery delays and subscriptions are not
 * published, so they match no rule.
 */
export const SES_EVENT_DETAIL_TYPES = [
  'Email Sent',
  'Email Delivered',
  'Email Bounced',
  'Email Complaint Received',
  'Email Rejected',
  'Email Rendering Failed',
  'Email Opened',
  'Email Clicked',
] as const;

/**
 * The SES events of one configuration set, as they arrive on the default bus: SES tags every event
 * with the configuration set the email was sent through, so another set's events (another
 * application in the same account) reach neither the CDK rule nor the local route.
 */
export function sesEventPattern(configurationSetName: string): EventPattern {
  return {
    source: [SES_SOURCE],
    'detail-type': [...SES_EVENT_DETAIL_TYPES],
    detail: { mail: { tags: { 'ses:configuration-set': [configurationSetName] } } },
  };
}

/** The events that can start an instance (or, for watchers, (re)schedule one). */
export function triggerEventTypes(trigger: Trigger): string[] {
  if ('event' in trigger) return [trigger.event];
  if ('anyOf' in trigger) return trigger.anyOf.map((t) => t.event);
  if ('inactivity' in trigger) return [trigger.inactivity.event];
  // The anniversary comes from the profile: registrations and updates carry the birthday.
  if ('anniversary' in trigger) return ['customer.registered', 'customer.updated'];
  return assertNever(trigger, 'trigger');
}

/**
 * Every detail-type a journey reacts to: its trigger, exits, goal and the events its steps wait for;
 * and, when it sends, the events that bring an email address, which resume a send held for one.
 */
export function journeyEventTypes(definition: JourneyDefinition): string[] {
  const types = new Set<string>(triggerEventTypes(definition.trigger));
  if (Object.keys(definition.messages).length > 0) {
    types.add('customer.registered');
    types.add('customer.updated');
  }
  for (const exit of definition.exitOn) types.add(typeof exit === 'string' ? exit : exit.event);
  if (definition.goal) types.add(definition.goal.event);
  forEachStep(definition.steps, (step) =>
    matchStep(step, {
      send: () => {},
      wait: () => {},
      emit: () => {},
      waitFor: (s) => {
        types.add(s.waitFor.event);
      },
      if: () => {},
    }),
  );
  return [...types].sort();
}

/** The journey's rule for shop events; undefined when it listens to none. */
export function journeyEventPattern(definition: JourneyDefinition, source: string): EventPattern | undefined {
  const shop = new Set<string>(SHOP_EVENT_TYPES);
  const types = journeyEventTypes(definition).filter((t) => shop.has(t));
  return types.length ? { source: [source], 'detail-type': types } : undefined;
}

/** The journey's rule for the system's own events (referrals crossing customers); undefined when none. */
export function journeySystemEventPattern(definition: JourneyDefinition): EventPattern | undefined {
  const system = new Set<string>(SYSTEM_INPUT_TYPES);
  const types = journeyEventTypes(definition).filter((t) => system.has(t));
  return types.length ? { source: [SYSTEM_SOURCE], 'detail-type': types } : undefined;
}

/** Both of the journey's patterns, for routers that take a list. */
export function journeyEventPatterns(definition: JourneyDefinition, source: string): EventPattern[] {
  return [journeyEventPattern(definition, source), journeySystemEventPattern(definition)].filter(
    (p): p is EventPattern => p !== undefined,
  );
}

/**
 * The customer-profile projection listens to everything from the shop's source, so an event with an
 * unknown or misspelt detail-type is rejected on the record instead of matching no rule and vanishing.
 */
export function profileEventPattern(source: string): EventPattern {
  return { source: [source] };
}

/**
 * EventBridge's matching for the subset of pattern syntax used here: exact string values per field,
 * `detail` fields nested to any depth. A field the event lacks does not match; an array in the event
 * matches when any of its elements is one of the pattern's values (as EventBridge does for the SES
 * tags, which are arrays). Only own properties are read, so `__proto__` or `constructor` in an
 * event's detail cannot satisfy a pattern.
 */
export function matchesPattern(
  pattern: EventPattern,
  event: { source: string; detailType: string; detail?: unknown },
): boolean {
  const types = pattern['detail-type'];
  return (
    pattern.source.includes(event.source) &&
    (types === undefined || types.includes(event.detailType)) &&
    (pattern.detail === undefined || matchesDetail(pattern.detail, event.detail))
  );
}

function matchesDetail(pattern: DetailPattern, value: unknown): boolean {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  for (const [field, expected] of Object.entries(pattern)) {
    if (!Object.hasOwn(value, field)) return false;
    const actual: unknown = (value as Record<string, unknown>)[field];
    if (Array.isArray(expected)) {
      const candidates = Array.isArray(actual) ? actual : [actual];
      if (!candidates.some((c) => typeof c === 'string' && expected.includes(c))) return false;
    } else if (!matchesDetail(expected, actual)) return false;
  }
  return true;
}
