/**
 * Which events reach which function. The CDK rules and the local router both use these patterns,
 * so routing cannot differ between the cloud and the embedded runtime.
 */
import type { JourneyDefinition, Step } from './definition.ts';

export interface EventPattern {
  source: string[];
  'detail-type'?: string[];
}

/** Every detail-type a journey reacts to: its trigger, exits, goal and the events its steps wait for. */
export function journeyEventTypes(definition: JourneyDefinition): string[] {
  const types = new Set<string>([definition.trigger.event, ...definition.exitOn]);
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

export function journeyEventPattern(definition: JourneyDefinition, source: string): EventPattern {
  return { source: [source], 'detail-type': journeyEventTypes(definition) };
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
