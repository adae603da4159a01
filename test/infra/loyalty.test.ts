/**
 * The loyalty program in the template: a function deployed while the bundled catalog's program is
 * enabled, its two rules (the local runtime's patterns), grants no wider than the table, the signing
 * secret and its own dead-letter queue, the sweeper's part, alarms like its siblings', and no
 * cdk-nag finding.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Template } from 'aws-cdk-lib/assertions';
import { AwsSolutionsChecks } from 'cdk-nag';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { SYSTEM_SOURCE } from '../../functions/core/events.ts';
import { loyaltyProgramSchema } from '../../functions/core/loyalty/program.ts';
import { loyaltyEventPatterns } from '../../functions/core/loyalty/routing.ts';
import { buildStack, stubCatalog } from './fixture.ts';

// biome-ignore lint/suspicious/noExplicitAny: template JSON has no static type
type Json = any;

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
// The shipped program, as a shop that launched it runs it (loyalty.yaml ships switched off).
const program = loyaltyProgramSchema.parse({
  ...parse(readFileSync(path.join(ROOT, 'loyalty.yaml'), 'utf8')),
  enabled: true,
});

/** A catalog file as the catalog builder writes it, with `loyalty` as given. */
function catalogWith(loyalty: unknown): string {
  return stubCatalog(undefined, { loyalty });
}

const stack = buildStack({ catalogPath: catalogWith(program) });
const template = Template.fromStack(stack);
const functions: Record<string, Json> = template.findResources('AWS::Lambda::Function');
const rules: Json[] = Object.values(template.findResources('AWS::Events::Rule'));
const alarms: Json[] = Object.values(template.findResources('AWS::CloudWatch::Alarm'));

function described(description: RegExp): [string, Json] {
  const found = Object.entries(functions).filter(([, fn]) => description.test(fn.Properties.Description));
  if (found.length !== 1)
    throw new Error(`expected one function described ${description}, got ${found.length}`);
  return found[0] as [string, Json];
}

const [loyaltyId, loyalty] = described(/^Loyalty program/);
const roleId: string = loyalty.Properties.Role['Fn::GetAtt'][0];

/** Every statement of the policies attached to `role`. */
function statementsOf(role: string): Json[] {
  return Object.values(template.findResources('AWS::IAM::Policy'))
    .filter((p: Json) => p.Properties.Roles.some((r: Json) => r.Ref === role))
    .flatMap((p: Json) => p.Properties.PolicyDocument.Statement);
}

const asArray = <T>(value: T | T[]): T[] => (Array.isArray(value) ? value : [value]);
const targetsOf = (rule: Json): Json[] => rule.Properties.Targets ?? [];
const rulesTo = (logicalId: string) =>
  rules.filter((r) => targetsOf(r).some((t) => t.Arn?.['Fn::GetAtt']?.[0] === logicalId));

describe('loyalty function', () => {
  it('hears exactly what the local runtime routes to it: the shop events and the referral rewards', () => {
    // Act
    const patterns = rulesTo(loyaltyId).map((r) => r.Properties.EventPattern);

    // Assess: the shared patterns, in CloudFormation's spelling
    expect(patterns).toEqual(loyaltyEventPatterns('shop'));
    expect(patterns[0]['detail-type']).toEqual([
      'customer.registered',
      'customer.updated',
      'order.placed',
      'order.refunded',
      'feedback.submitted',
      'loyalty.redemption.requested',
    ]);
    expect(patterns[1]).toEqual({ source: [SYSTEM_SOURCE], 'detail-type': ['referral.reward.earned'] });
  });

  it('uses the configured shop event source', () => {
    // Prepare
    const custom = Template.fromStack(
      buildStack({ catalogPath: catalogWith(program), shopEventSource: 'com.myshop' }),
    );

    // Act
    const sources = Object.values(custom.findResources('AWS::Events::Rule'))
      .map((r: Json) => r.Properties.EventPattern)
      .filter((p: Json) => p?.['detail-type']?.includes('loyalty.redemption.requested'))
      .map((p: Json) => p.source);

    // Assess: the loyalty rule (the analytics log hears the shop's types as well)
    expect(sources).toContainEqual(['com.myshop']);
    expect(sources).not.toContainEqual(['shop']);
  });

  it('keeps what it failed on: bounded rule retries, Lambda retries, then its own dead-letter queue', () => {
    // Prepare
    const dlqs = new Set(
      rulesTo(loyaltyId).flatMap((r) => targetsOf(r).map((t) => t.DeadLetterConfig.Arn['Fn::GetAtt'][0])),
    );
    const [config] = Object.values(template.findResources('AWS::Lambda::EventInvokeConfig')).filter(
      (c: Json) => c.Properties.FunctionName.Ref === loyaltyId,
    ) as Json[];

    // Assess
    expect(dlqs.size).toBe(1);
    for (const target of rulesTo(loyaltyId).flatMap(targetsOf)) {
      expect(target.RetryPolicy.MaximumRetryAttempts).toBeGreaterThan(0);
      expect(target.RetryPolicy.MaximumEventAgeInSeconds).toBeGreaterThan(0);
    }
    expect(config.Properties.DestinationConfig.OnFailure.Destination).toEqual({
      'Fn::GetAtt': [[...dlqs][0], 'Arn'],
    });
    expect(stack.journeys.deadLetterQueues.get('Loyalty')?.redrive).toBe('sqs');
  });

  it('gets the shared settings and the table and secret, and reads the program from the bundled catalog', () => {
    // Act
    const env = loyalty.Properties.Environment.Variables;

    // Assess
    expect(env.TABLE_NAME).toEqual({ Ref: expect.any(String) });
    expect(env.SIGNING_SECRET_ARN).toEqual({ Ref: expect.any(String) });
    expect(env.DEFAULT_TIME_ZONE).toBe('Europe/Berlin');
    expect(env.SHOP_EVENT_SOURCE).toBe('shop');
    expect(loyalty.Properties.Handler).toBe('index.handler');
  });
});

describe('loyalty grants', () => {
  const statements = statementsOf(roleId);
  const actions = statements.flatMap((s) => asArray(s.Action) as string[]);
  const tableId = Object.keys(template.findResources('AWS::DynamoDB::GlobalTable'))[0] as string;
  const secretId = Object.keys(template.findResources('AWS::SecretsManager::Secret'))[0] as string;
  const dlqId = stack.resolve(
    (stack.journeys.loyalty?.deadLetterQueue.node.defaultChild as Json | undefined)?.logicalId,
  );

  it('read-write the table (and its timer index), read the signing secret, send to its DLQ; nothing else', () => {
    // Act
    const services = new Set(actions.map((a) => a.split(':')[0]));

    // Assess: logs and X-Ray are every function's; no publishing, no mail, no other secret
    expect([...services].sort()).toEqual(['dynamodb', 'logs', 'secretsmanager', 'sqs', 'xray']);
    expect(actions).not.toContain('events:PutEvents');
    for (const s of statements) {
      const resources = asArray(s.Resource).map((r: Json) => JSON.stringify(r));
      const service = (asArray(s.Action)[0] as string).split(':')[0];
      if (service === 'dynamodb') for (const r of resources) expect(r).toContain(tableId);
      if (service === 'secretsmanager') {
        expect(resources).toEqual([JSON.stringify({ Ref: secretId })]);
        expect(asArray(s.Action).sort()).toEqual([
          'secretsmanager:DescribeSecret',
          'secretsmanager:GetSecretValue',
        ]);
      }
      // Lambda's on-failure destination: the invocation record goes to the function's own DLQ.
      if (service === 'sqs') {
        expect(asArray(s.Action).sort()).toEqual([
          'sqs:GetQueueAttributes',
          'sqs:GetQueueUrl',
          'sqs:SendMessage',
        ]);
        expect(resources).toEqual([JSON.stringify({ 'Fn::GetAtt': [dlqId, 'Arn'] })]);
      }
    }
  });

  it('never on "*" but for X-Ray', () => {
    for (const s of statements.filter((s) => asArray(s.Resource).includes('*')))
      for (const action of asArray(s.Action) as string[]) expect(action).toMatch(/^xray:/);
  });

  it("write the ledger and the account with the journeys' conditional writes", () => {
    expect(actions).toEqual(
      expect.arrayContaining(['dynamodb:BatchGetItem', 'dynamodb:Query', 'dynamodb:PutItem']),
    );
  });
});

describe('loyalty timers', () => {
  it('are swept by the sweeper, which composes the loyalty service with the table and secret it has', () => {
    // Prepare
    const [sweeperId, sweeper] = described(/journey and loyalty timers that fell due/);
    const statements = statementsOf(sweeper.Properties.Role['Fn::GetAtt'][0]);

    // Assess: still every minute, and able to read and write accounts and read the coupon secret
    expect(
      rules.some(
        (r) =>
          r.Properties.ScheduleExpression === 'rate(1 minute)' &&
          targetsOf(r).some((t) => t.Arn?.['Fn::GetAtt']?.[0] === sweeperId),
      ),
    ).toBe(true);
    const actions = statements.flatMap((s) => asArray(s.Action) as string[]);
    expect(actions).toEqual(expect.arrayContaining(['dynamodb:PutItem', 'secretsmanager:GetSecretValue']));
  });
});

describe('loyalty alarms and dashboard', () => {
  const topicId = Object.keys(template.findResources('AWS::SNS::Topic'))[0];
  const named = (suffix: string) =>
    alarms.filter((a) => String(a.Properties.AlarmDescription).startsWith(`Loyalty: ${suffix}`));

  it('alarm on the first dead letter, where its retried failures end, like every sibling, to the alarm topic', () => {
    // Act
    const errors = alarms.filter(
      (a) => a.Properties.MetricName === 'Errors' && a.Properties.Dimensions?.[0]?.Value?.Ref === loyaltyId,
    );
    const throttles = alarms.filter(
      (a) =>
        a.Properties.MetricName === 'Throttles' && a.Properties.Dimensions?.[0]?.Value?.Ref === loyaltyId,
    );
    const deadLetters = named('the dead-letter queue holds events the loyalty program could not process');

    // Assess
    // Its failures are retried, then kept in the queue: errors alone page for nothing to act on.
    expect(errors).toHaveLength(0);
    expect(throttles).toHaveLength(0);
    expect(deadLetters).toHaveLength(1);
    for (const alarm of [...errors, ...throttles, ...deadLetters]) {
      expect(alarm.Properties.AlarmActions).toEqual([{ Ref: topicId }]);
      expect(alarm.Properties.OKActions).toEqual([{ Ref: topicId }]);
      expect(alarm.Properties.TreatMissingData).toBe('notBreaching');
    }
  });

  it('show a loyalty row on the dashboard', () => {
    // Act
    const [dashboard] = Object.values(template.findResources('AWS::CloudWatch::Dashboard')) as Json[];
    const body = JSON.stringify(dashboard.Properties.DashboardBody);

    // Assess
    expect(body).toContain('## Loyalty program');
    expect(body).toContain('Loyalty: errors, throttles, dead letters');
  });
});

describe('the catalog decides', () => {
  const loyaltyRules = (t: Template) =>
    Object.values(t.findResources('AWS::Events::Rule')).filter((r: Json) =>
      r.Properties.EventPattern?.['detail-type']?.includes('referral.reward.earned'),
    );
  const loyaltyFunctions = (t: Template) =>
    Object.values(t.findResources('AWS::Lambda::Function')).filter((f: Json) =>
      String(f.Properties.Description).startsWith('Loyalty program'),
    );

  it.each([
    ['without a program', undefined],
    ['with a disabled program', { ...program, enabled: false }],
  ])('%s: no loyalty function and no loyalty rule', (_, loyalty) => {
    // Act
    const without = buildStack({ catalogPath: catalogWith(loyalty) });
    const t = Template.fromStack(without);

    // Assess: (the analytics log's system rule does not hear referral.reward.earned)
    expect(without.journeys.loyalty).toBeUndefined();
    expect(loyaltyFunctions(t)).toEqual([]);
    expect(loyaltyRules(t)).toEqual([]);
    expect(without.journeys.deadLetterQueues.has('Loyalty')).toBe(false);
  });

  it('refuses a catalog whose program does not parse, naming the path', () => {
    // Prepare
    const broken = { ...program, tiers: { ...program.tiers, levels: [{ id: 'gold', threshold: 10 }] } };

    // Act + Assess
    expect(() => buildStack({ catalogPath: catalogWith(broken) })).toThrow(
      /loyalty program is not valid \(tiers\.levels\.0\.threshold: .*\).*loyalty\.yaml/,
    );
  });
});

describe('cdk-nag AwsSolutions with the loyalty program', () => {
  it('reports no unacknowledged error or warning', () => {
    // Act
    const report = new AwsSolutionsChecks().validateScope(stack);

    // Assess
    const findings = report.violations.map(
      (v) => `${v.severity} ${v.ruleName} at ${v.violatingResources.map((r) => r.constructPath).join(', ')}`,
    );
    expect(findings).toEqual([]);
    expect(report.success).toBe(true);
  });
});
