/**
 * Which events reach which function. The CDK rules and the local router both use these patterns,
 * so routing cannot differ between the cloud and the embedded runtime.
 */
import type { JourneyDefinition, Step, Trigger } from './definition.ts';
import { SHOP_EVENT_TYPES, SYSTEM_INPUT_TYPES, SYSTEM_SOURCE } from './events.ts';

export interface EventPattern {
  source: string[];
  'detail-type'?: string[];
}

/** The events that can start an instance (or, for watchers, (re)schedule one). */
export function triggerEventTypes(trigger: Trigger): string[] {
  if ('event' in trigger) return [trigger.event];
  if ('anyOf' in trigger) return trigger.anyOf.map((t) => t.event);
  if ('inactivity' in trigger) return [trigger.inactivity.event];
  // The anniversary comes from the profile: registrations and updates carry the birthday.
  return ['customer.registered', 'customer.updated'];
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
  const visit = (steps: Step[]) => {
    for (const s of steps) {
      if ('waitFor' in s) {
        types.add(s.waitFor.event);
        visit(s.onEvent ?? []);
        visit(s.onTimeout ?? []);
      }
      if ('if' in s) {
        visit(s.then);
        visit(s.else ?? []);
      }
    }
  };
  visit(definition.steps);
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

/** EventBridge's matching for the subset of pattern syntax used here: exact values per field. */
export function matchesPattern(
  pattern: EventPattern,
  event: { source: string; detailType: string },
): boolean {
  const types = pattern['detail-type'];
  return pattern.source.includes(event.source) && (types === undefined || types.includes(event.detailType));
}
