/**
 * The SES rules in the template are the one pattern the local runtime routes with
 * (functions/core/routing.ts), so SES events cannot be routed differently locally and in AWS.
 */
import { Template } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { SES_EVENT_DETAIL_TYPES, SES_SOURCE, sesEventPattern } from '../../functions/core/routing.ts';
import { SES_EVENT_DETAIL_TYPES as PUBLISHED_DETAIL_TYPES } from '../../lib/email.ts';
import { buildStack } from './fixture.ts';

// biome-ignore lint/suspicious/noExplicitAny: template JSON has no static type
type Json = any;

describe('SES event rules', () => {
  it('have exactly the shared pattern as their EventPattern', () => {
    // Prepare
    const template = Template.fromStack(buildStack({ configurationSetName: 'shop-marketing' }));

    // Act
    const rules = (Object.values(template.findResources('AWS::Events::Rule')) as Json[]).filter((rule) =>
      rule.Properties.EventPattern?.source?.includes(SES_SOURCE),
    );

    // Assess
    expect(rules.length).toBeGreaterThan(0);
    for (const rule of rules) expect(rule.Properties.EventPattern).toEqual(sesEventPattern('shop-marketing'));
  });

  it('expect the detail-types of exactly the events the configuration set publishes', () => {
    expect([...PUBLISHED_DETAIL_TYPES.values()]).toEqual([...SES_EVENT_DETAIL_TYPES]);
  });
});
