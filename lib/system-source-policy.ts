/**
 * The journeys bus refuses `source: retention-journeys` from anyone but the project's own publishers.
 * System events move value (a `referral.reward.earned` pays a referrer); whoever may call PutEvents on
 * the bus for shop events must not be able to forge them. The handlers also check value-moving events
 * against stored state (functions/core/value-checks.ts); this policy is the first of the two walls.
 *
 * An explicit Deny in the bus's resource policy wins over any Allow in an identity policy of the
 * same account. `events:source` is multi-valued for PutEvents (one request, many entries), hence
 * `ForAnyValue`; `aws:PrincipalArn` is the role ARN for a Lambda function's assumed-role session.
 */
import { CfnEventBusPolicy, type IEventBus } from 'aws-cdk-lib/aws-events';
import { AnyPrincipal, Effect, type IRole, PolicyStatement } from 'aws-cdk-lib/aws-iam';
import type { Construct } from 'constructs';
import { SYSTEM_SOURCE } from '../functions/core/events.ts';

export const SYSTEM_SOURCE_STATEMENT_ID = 'OnlyProjectFunctionsPutSystemSource';

export function reserveSystemSource(
  scope: Construct,
  eventBus: IEventBus,
  publishers: readonly IRole[],
): CfnEventBusPolicy {
  if (publishers.length === 0) throw new Error('reserveSystemSource: name at least one publishing role');
  // The L1 resource: the L2 `EventBusPolicy` does not render a PolicyStatement (circular token).
  // One statement (PutPermission) added to the bus's policy, so an existing bus keeps its others.
  return new CfnEventBusPolicy(scope, 'SystemSourcePolicy', {
    eventBusName: eventBus.eventBusName,
    statementId: SYSTEM_SOURCE_STATEMENT_ID,
    statement: new PolicyStatement({
      sid: SYSTEM_SOURCE_STATEMENT_ID,
      effect: Effect.DENY,
      principals: [new AnyPrincipal()],
      actions: ['events:PutEvents'],
      resources: [eventBus.eventBusArn],
      conditions: {
        'ForAnyValue:StringEquals': { 'events:source': [SYSTEM_SOURCE] },
        ArnNotEquals: { 'aws:PrincipalArn': publishers.map((role) => role.roleArn) },
      },
    }).toJSON(),
  });
}
