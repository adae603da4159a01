import { Template } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { journeyEventPatterns } from '../../functions/core/routing.ts';
import { buildStack, onboarding, postPurchase } from './fixture.ts';

describe('a disabled journey', () => {
  // Customers inside it still need its exits, awaited events and goal: it keeps function and rules.
  const disabled = { ...postPurchase, enabled: false };
  const template = Template.fromStack(buildStack({ journeys: [onboarding, disabled] }));

  it('keeps its function and its rules, enabled, as an enabled journey has them', () => {
    // Prepare
    const functions = template.findResources('AWS::Lambda::Function', {
      Properties: { Environment: { Variables: { JOURNEY_ID: disabled.id } } },
    });
    const [logicalId] = Object.keys(functions);
    // Act
    const rules = Object.values(template.findResources('AWS::Events::Rule')).filter((r) =>
      r.Properties.Targets?.some(
        (t: { Arn?: { 'Fn::GetAtt'?: string[] } }) => t.Arn?.['Fn::GetAtt']?.[0] === logicalId,
      ),
    );
    // Assess
    expect(Object.keys(functions)).toHaveLength(1);
    expect(rules.map((r) => r.Properties.EventPattern)).toEqual(journeyEventPatterns(disabled, 'shop'));
    expect(rules.map((r) => r.Properties.State ?? 'ENABLED')).toEqual(rules.map(() => 'ENABLED'));
  });
});
