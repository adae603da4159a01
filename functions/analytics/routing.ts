/**
 * Which events the analytics log hears: the rules the CDK stack creates for the analytics function
 * and the local runtime's `analytics` route use these patterns, so the log cannot differ between
 * AWS and the embedded runtime.
 */
import { SHOP_EVENT_TYPES, SYSTEM_SOURCE } from '../core/events.ts';
import type { EventPattern } from '../core/routing.ts';
import { BY_DETAIL_TYPE } from '../core/ses-event.ts';
import { SES_SOURCE, SYSTEM_RECORD_TYPES } from './records.ts';

/** SES's detail-types that become email.* records (rendering failures are operations, not outcomes). */
export const SES_RECORD_DETAIL_TYPES = Object.keys(BY_DETAIL_TYPE).filter(
  (type) => BY_DETAIL_TYPE[type] !== 'renderingFailed',
);

/** On the shop's bus (its source, canonical types; system events) … */
export function analyticsBusPatterns(shopSource: string): EventPattern[] {
  return [
    { source: [shopSource], 'detail-type': [...SHOP_EVENT_TYPES] },
    { source: [SYSTEM_SOURCE], 'detail-type': [...SYSTEM_RECORD_TYPES] },
  ];
}

/** … and on the default bus, where the configuration set's event destination puts SES's events. */
export function analyticsSesPattern(): EventPattern {
  return { source: [SES_SOURCE], 'detail-type': [...SES_RECORD_DETAIL_TYPES] };
}

export function analyticsEventPatterns(shopSource: string): EventPattern[] {
  return [...analyticsBusPatterns(shopSource), analyticsSesPattern()];
}
