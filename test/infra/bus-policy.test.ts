/**
 * The journeys bus reserves `source: retention-journeys` for the dispatcher's role: anyone else
 * allowed to PutEvents (the shop's integration, an operator) cannot forge a system event such as
 * `referral.reward.earned`.
 */
import { Match, Template } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { SYSTEM_SOURCE } from '../../functions/core/events.ts';
import { SYSTEM_SOURCE_STATEMENT_ID } from '../../lib/system-source-policy.ts';
import { buildStack } from './fixture.ts';

describe('journeys bus resource policy', () => {
  it('denies PutEvents with the system source to every principal but the dispatcher role', () => {
    // Prepare
    const stack = buildStack();
    const template = Template.fromStack(stack);
    const dispatcherRole = stack.resolve(stack.journeys.dispatcherFunction.role.roleArn);

    // Act
    const policies = template.findResources('AWS::Events::EventBusPolicy');

    // Assess
    expect(Object.keys(policies)).toHaveLength(1);
    template.hasResourceProperties('AWS::Events::EventBusPolicy', {
      EventBusName: stack.resolve(stack.journeys.eventBus.eventBusName),
      StatementId: SYSTEM_SOURCE_STATEMENT_ID,
      Statement: {
        Sid: SYSTEM_SOURCE_STATEMENT_ID,
        Effect: 'Deny',
        Principal: { AWS: '*' },
        Action: 'events:PutEvents',
        Resource: stack.resolve(stack.journeys.eventBus.eventBusArn),
        Condition: {
          'ForAnyValue:StringEquals': { 'events:source': [SYSTEM_SOURCE] },
          ArnNotEquals: { 'aws:PrincipalArn': [dispatcherRole] },
        },
      },
    });
  });

  it('puts the same Deny on an existing bus the stack does not own', () => {
    const stack = buildStack({ eventBusName: 'shop-events' });
    Template.fromStack(stack).hasResourceProperties('AWS::Events::EventBusPolicy', {
      EventBusName: 'shop-events',
      Statement: Match.objectLike({ Effect: 'Deny', Action: 'events:PutEvents' }),
    });
  });

  it('grants no function but the dispatcher PutEvents on the bus', () => {
    const template = Template.fromStack(buildStack());
    const withPutEvents = Object.entries(template.findResources('AWS::IAM::Policy')).filter(([, p]) =>
      JSON.stringify(p).includes('events:PutEvents'),
    );
    expect(withPutEvents.map(([id]) => id)).toEqual([expect.stringMatching(/Dispatcher/)]);
  });
});
