/**
 * Which events the analytics log hears: the rules the CDK stack creates for the analytics function
 * and the local runtime's `analytics` route use these patterns, so the log cannot differ between
 * AWS and the embedded runtime.
 */
import { SHOP_EVENT_TYPES, SYSTEM_SOURCE } from '../core/events.ts';
import { type EventPattern, sesEventPattern } from '../core/routing.ts';
import { SYSTEM_HEARD_TYPES } from './system-records.ts';

/** On the shop's bus (its source, canonical types; system events) … */
export function analyticsBusPatterns(shopSource: string): EventPattern[] {
  return [
    { source: [shopSource], 'detail-type': [...SHOP_EVENT_TYPES] },
    { source: [SYSTEM_SOURCE], 'detail-type': [...SYSTEM_HEARD_TYPES] },
  ];
}

/**
 * … and on the default bus, the configuration set's SES events: the SES rule's own pattern
 * (core/routing.ts). Rendering failures reach the function too and become no record.
 */
export function analyticsEventPatterns(shopSource: string, configurationSetName: string): EventPattern[] {
  return [...analyticsBusPatterns(shopSource), sesEventPattern(configurationSetName)];
}
