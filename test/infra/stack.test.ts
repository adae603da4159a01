import { Duration } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import type { RetentionDays } from 'aws-cdk-lib/aws-logs';
import { describe, expect, it } from 'vitest';
import { keys } from '../../functions/adapters/store.ts';
import { DEFAULT_TIMER_SHARDS, TABLE } from '../../functions/adapters/table-schema.ts';
import { journeyEventPatterns, profileEventPattern } from '../../functions/core/routing.ts';
import { dispatcherSizing, OUTBOX_PREFIX, SYSTEM_EVENT_SOURCE } from '../../lib/retention-journeys.ts';
import { RetentionJourneysPropsError } from '../../lib/retention-journeys-props.ts';
import { buildStack, onboarding, postPurchase } from './fixture.ts';

/** Synthesized CloudFormation is untyped JSON; the assertions below say what they expect of it. */
// biome-ignore lint/suspicious/noExplicitAny: template JSON has no static type
type Json = any;
type Resource = {
  Type: string;
  Properties: Record<string, Json>;
  DeletionPolicy?: string;
  UpdateReplacePolicy?: string;
};

const template = Template.fromStack(buildStack());
const functions = template.findResources('AWS::Lambda::Function') as Record<string, Resource>;

function functionWithEnv(name: string, value?: string): [string, Resource] {
  const found = Object.entries(functions).filter(([, fn]) => {
    const env = fn.Properties.Environment?.Variables ?? {};
    return name in env && (value === undefined || env[name] === value);
  });
  if (found.length !== 1)
    throw new Error(`expected one function with ${name}=${value}, found ${found.length}`);
  return found[0] as [string, Resource];
}

function handlerOf(description: RegExp): [string, Resource] {
  const found = Object.entries(functions).filter(([, fn]) => description.test(fn.Properties.Description));
  if (found.length !== 1)
    throw new Error(`expected one function described ${description}, found ${found.length}`);
  return found[0] as [string, Resource];
}

const statements = Object.values(
  template.findResources('AWS::IAM::Policy') as Record<string, Resource>,
).flatMap(
  (policy) =>
    policy.Properties.PolicyDocument.Statement as {
      Action: string | string[];
      Resource: unknown;
      Condition?: unknown;
    }[],
);
const asArray = <T>(value: T | T[]): T[] => (Array.isArray(value) ? value : [value]);

describe('event routing', () => {
  const rules = Object.values(template.findResources('AWS::Events::Rule') as Record<string, Resource>);

  it.each([onboarding, postPurchase])(
    'has one rule per routing-module pattern of journey $id, all targeting its function',
    (definition) => {
      // Prepare
      const [logicalId] = functionWithEnv('JOURNEY_ID', definition.id);
      const expected = journeyEventPatterns(definition, 'shop');

      // Act
      const matching = rules.filter((r) =>
        r.Properties.Targets?.some((t: Json) => t.Arn?.['Fn::GetAtt']?.[0] === logicalId),
      );

      // Assess
      expect(expected.length).toBeGreaterThan(0);
      expect(matching.map((r) => r.Properties.EventPattern)).toEqual(expect.arrayContaining(expected));
      expect(matching).toHaveLength(expected.length);
    },
  );

  it('routes every shop event to the profile projection', () => {
    // Prepare
    const [logicalId] = handlerOf(/profile projection/);

    // Act
    const matching = rules.filter((r) =>
      r.Properties.Targets?.some((t: Json) => t.Arn?.['Fn::GetAtt']?.[0] === logicalId),
    );

    // Assess
    expect(matching).toHaveLength(1);
    expect(matching[0]?.Properties.EventPattern).toEqual(profileEventPattern('shop'));
  });

  it('uses the configured shop event source in every pattern', () => {
    // Prepare
    const custom = Template.fromStack(buildStack({ shopEventSource: 'com.myshop' }));

    // Act
    const patterns = Object.values(custom.findResources('AWS::Events::Rule'))
      .map((r: Json) => r.Properties.EventPattern)
      .filter((p) => p && !['aws.ses', SYSTEM_EVENT_SOURCE].includes(p.source?.[0]));

    // Assess: two journeys, the profile projection and the analytics log
    expect(patterns).toHaveLength(4);
    for (const p of patterns) expect(p.source).toEqual(['com.myshop']);
  });

  it('gives every rule target a dead-letter queue, and every function target retries and a maximum age', () => {
    // Act
    const targets = rules.flatMap((r) => r.Properties.Targets as Json[]);

    // Assess
    expect(targets.length).toBeGreaterThanOrEqual(5);
    for (const target of targets) {
      expect(target.DeadLetterConfig?.Arn).toBeDefined();
      if (target.Arn?.['Fn::GetAtt']?.[1] === 'Arn' && functions[target.Arn['Fn::GetAtt'][0]]) {
        expect(target.RetryPolicy.MaximumRetryAttempts).toEqual(expect.any(Number));
        expect(target.RetryPolicy.MaximumEventAgeInSeconds).toEqual(expect.any(Number));
      }
    }
  });

  it('keeps what a rule-triggered function failed on: async invoke retries end in the dead-letter queue', () => {
    // Act
    const configs = Object.values(template.findResources('AWS::Lambda::EventInvokeConfig'));

    // Assess: two journeys, the profile projection, the SES events handler, the sweeper and the
    // analytics recorder
    expect(configs).toHaveLength(6);
    for (const config of configs as Resource[]) {
      expect(config.Properties.DestinationConfig.OnFailure.Destination).toBeDefined();
      expect(config.Properties.MaximumRetryAttempts).toEqual(expect.any(Number));
    }
  });

  it('runs the sweeper every minute', () => {
    // Prepare
    const [logicalId] = handlerOf(/timers that fell due/);

    // Assess
    template.hasResourceProperties('AWS::Events::Rule', {
      ScheduleExpression: 'rate(1 minute)',
      Targets: [Match.objectLike({ Arn: { 'Fn::GetAtt': [logicalId, 'Arn'] } })],
    });
  });

  it('encrypts every dead-letter queue and refuses plain HTTP to it', () => {
    // Act
    const queues = template.findResources('AWS::SQS::Queue') as Record<string, Resource>;
    const policies = Object.values(
      template.findResources('AWS::SQS::QueuePolicy') as Record<string, Resource>,
    );

    // Assess
    expect(Object.keys(queues).length).toBeGreaterThanOrEqual(5);
    for (const [logicalId, queue] of Object.entries(queues)) {
      expect(queue.Properties.SqsManagedSseEnabled).toBe(true);
      const policy = policies.find((p) => p.Properties.Queues.some((q: Json) => q.Ref === logicalId));
      expect(policy?.Properties.PolicyDocument.Statement).toContainEqual(
        expect.objectContaining({
          Effect: 'Deny',
          Condition: { Bool: { 'aws:SecureTransport': 'false' } },
        }),
      );
    }
  });
});

describe('dispatcher', () => {
  const [dispatcherId, dispatcher] = functionWithEnv('SENDER_ADDRESS');

  it('consumes only outbox inserts and requeues from the stream, bisecting, with bounded retries and an on-failure queue', () => {
    // Act
    const mappings = Object.values(
      template.findResources('AWS::Lambda::EventSourceMapping') as Record<string, Resource>,
    );

    // Assess
    expect(mappings).toHaveLength(1);
    const mapping = mappings[0]?.Properties ?? {};
    expect(mapping.FunctionName).toEqual({ Ref: dispatcherId });
    expect(mapping.EventSourceArn).toEqual({ 'Fn::GetAtt': [expect.any(String), 'StreamArn'] });
    expect(mapping.Filters ?? mapping.FilterCriteria.Filters).toHaveLength(2);
    expect(JSON.parse(mapping.FilterCriteria.Filters[0].Pattern)).toEqual({
      eventName: ['INSERT'],
      dynamodb: { Keys: { [TABLE.sortKey]: { S: [{ prefix: keys.outboxPrefix }] } } },
    });
    // The sweeper's requeues: back to `pending` from a retry or an unsettled send (core/outbox.ts)
    expect(JSON.parse(mapping.FilterCriteria.Filters[1].Pattern)).toEqual({
      eventName: ['MODIFY'],
      dynamodb: {
        Keys: { [TABLE.sortKey]: { S: [{ prefix: keys.outboxPrefix }] } },
        NewImage: { status: { S: ['pending'] } },
        OldImage: { status: { S: ['sending', 'unknown', 'retry'] } },
      },
    });
    expect(mapping.BisectBatchOnFunctionError).toBe(true);
    expect(mapping.FunctionResponseTypes).toEqual(['ReportBatchItemFailures']);
    expect(mapping.MaximumRetryAttempts).toBeGreaterThan(0);
    expect(mapping.MaximumRetryAttempts).toBeLessThanOrEqual(10);
    expect(mapping.ParallelizationFactor).toBe(1);
    expect(mapping.BatchSize).toBeLessThanOrEqual(25);
    expect(mapping.DestinationConfig.OnFailure.Destination).toEqual({
      'Fn::GetAtt': [expect.any(String), 'Arn'],
    });
  });

  it('filters on the same outbox prefix the store writes', () => {
    expect(OUTBOX_PREFIX).toBe(keys.outboxPrefix);
  });

  it('is sized from sendRatePerSecond: one worker by default, more for higher rates', () => {
    // Prepare
    const fast = Template.fromStack(buildStack({ sendRatePerSecond: 50 }));

    // Assess
    expect(dispatcher.Properties.ReservedConcurrentExecutions).toBe(1);
    expect(dispatcher.Properties.Environment.Variables.SENDS_PER_SECOND_PER_WORKER).toBe('1');
    fast.hasResourceProperties('AWS::Lambda::Function', {
      ReservedConcurrentExecutions: 5,
      Environment: { Variables: Match.objectLike({ SENDS_PER_SECOND_PER_WORKER: '10' }) },
    });
    fast.hasResourceProperties('AWS::Lambda::EventSourceMapping', { BatchSize: 25 });
    expect(dispatcherSizing(1)).toEqual({ reservedConcurrency: 1, sendsPerSecondPerWorker: 1, batchSize: 5 });
    expect(dispatcherSizing(0.2).batchSize).toBe(1);
  });

  it('may send only as the sender, through the configuration set', () => {
    // Act
    const ses = statements.filter((s) => asArray(s.Action).some((a) => a.startsWith('ses:')));

    // Assess
    expect(ses).toHaveLength(1);
    expect(ses[0]?.Action).toBe('ses:SendEmail');
    const resources = JSON.stringify(ses[0]?.Resource);
    expect(resources).toContain(':identity/shop.example');
    expect(resources).toContain(':identity/news@shop.example');
    expect(resources).toContain(':configuration-set/');
    expect(ses[0]?.Condition).toEqual({ StringEquals: { 'ses:FromAddress': 'news@shop.example' } });
  });

  it('hands a custom frequency cap to every function', () => {
    const capped = Template.fromStack(
      buildStack({ frequencyCap: { maxMarketingEmails: 2, per: Duration.days(14) } }),
    );
    const envs = Object.values(capped.findResources('AWS::Lambda::Function')).map(
      (fn: Json) => fn.Properties.Environment?.Variables ?? {},
    );
    const journeyEnvs = envs.filter((env: Json) => env.FREQUENCY_CAP_MAX !== undefined);
    expect(journeyEnvs.length).toBeGreaterThan(0);
    for (const env of journeyEnvs)
      expect([env.FREQUENCY_CAP_MAX, env.FREQUENCY_CAP_PER]).toEqual(['2', 'P14D']);
  });

  it('names an existing configuration set in its policy and environment', () => {
    // Prepare
    const existing = Template.fromStack(buildStack({ configurationSetName: 'shop-marketing' }));

    // Assess
    existing.resourceCountIs('AWS::SES::ConfigurationSet', 0);
    existing.hasResourceProperties('AWS::Lambda::Function', {
      Environment: { Variables: Match.objectLike({ SES_CONFIGURATION_SET: 'shop-marketing' }) },
    });
    const send = Object.values(existing.findResources('AWS::IAM::Policy'))
      .flatMap((p: Json) => p.Properties.PolicyDocument.Statement)
      .filter((st: Json) => st.Action === 'ses:SendEmail');
    expect(send).toHaveLength(1);
    expect(JSON.stringify(send[0].Resource)).toContain(':configuration-set/shop-marketing');
  });
});

describe('email', () => {
  it('creates a TLS-only configuration set whose events go to the default bus and on to the journeys bus', () => {
    template.hasResourceProperties('AWS::SES::ConfigurationSet', {
      DeliveryOptions: { TlsPolicy: 'REQUIRE' },
    });
    template.hasResourceProperties('AWS::SES::ConfigurationSetEventDestination', {
      EventDestination: Match.objectLike({
        Enabled: true,
        MatchingEventTypes: Match.arrayWith(['delivery', 'bounce', 'complaint', 'open', 'click']),
        EventBridgeDestination: Match.anyValue(),
      }),
    });
    template.hasResourceProperties('AWS::Events::Rule', {
      EventPattern: Match.objectLike({ source: ['aws.ses'] }),
      Targets: [Match.objectLike({ DeadLetterConfig: Match.anyValue() })],
    });
  });
});

describe('table', () => {
  it('is the table of table-schema.ts: keys, timer index, stream, TTL, on demand, PITR, retained', () => {
    template.resourceCountIs('AWS::DynamoDB::GlobalTable', 1);
    template.hasResource('AWS::DynamoDB::GlobalTable', {
      DeletionPolicy: 'Retain',
      UpdateReplacePolicy: 'Retain',
      Properties: Match.objectLike({
        BillingMode: 'PAY_PER_REQUEST',
        KeySchema: [
          { AttributeName: TABLE.partitionKey, KeyType: 'HASH' },
          { AttributeName: TABLE.sortKey, KeyType: 'RANGE' },
        ],
        AttributeDefinitions: Match.arrayWith([
          { AttributeName: TABLE.timerIndex.partitionKey, AttributeType: 'N' },
          { AttributeName: TABLE.timerIndex.sortKey, AttributeType: 'S' },
        ]),
        GlobalSecondaryIndexes: [
          {
            IndexName: TABLE.timerIndex.name,
            KeySchema: [
              { AttributeName: TABLE.timerIndex.partitionKey, KeyType: 'HASH' },
              { AttributeName: TABLE.timerIndex.sortKey, KeyType: 'RANGE' },
            ],
            Projection: { ProjectionType: 'KEYS_ONLY' },
          },
        ],
        StreamSpecification: { StreamViewType: 'NEW_AND_OLD_IMAGES' },
        TimeToLiveSpecification: { AttributeName: TABLE.ttlAttribute, Enabled: true },
        Replicas: [
          Match.objectLike({
            PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
            DeletionProtectionEnabled: true,
          }),
        ],
      }),
    });
  });
});

describe('functions', () => {
  const common = [
    'TABLE_NAME',
    'EVENT_BUS_NAME',
    'SHOP_EVENT_SOURCE',
    'DEFAULT_LOCALE',
    'DEFAULT_TIME_ZONE',
    'TIMER_SHARDS',
    'FREQUENCY_CAP_MAX',
    'FREQUENCY_CAP_PER',
    'RETENTION_DAYS',
    'SHOP_NAME',
    'SHOP_URL',
    'POWERTOOLS_SERVICE_NAME',
    'POWERTOOLS_METRICS_NAMESPACE',
  ];

  it('deploys one function per journey plus profile, sweeper, dispatcher, SES events, preferences and analytics', () => {
    expect(Object.keys(functions)).toHaveLength(2 + 6);
  });

  it('runs every function on the newest Node.js runtime, ARM64, 256 MB, tracing passed through, logging to its own group', () => {
    for (const fn of Object.values(functions)) {
      expect(fn.Properties.Runtime).toBe('nodejs24.x');
      expect(fn.Properties.Architectures).toEqual(['arm64']);
      // Active tracing would cost more than the rest of the stack at 100,000 customers (npm run cost).
      expect(fn.Properties.TracingConfig).toEqual({ Mode: 'PassThrough' });
      expect(fn.Properties.MemorySize).toBe(256);
      expect(fn.Properties.LoggingConfig.SystemLogLevel).toBe('WARN');
      expect(fn.Properties.LoggingConfig.LogGroup).toEqual({ Ref: expect.any(String) });
      expect(fn.Properties.Environment.Variables.NODE_OPTIONS).toBe('--enable-source-maps');
    }
    for (const group of Object.values(template.findResources('AWS::Logs::LogGroup')) as Resource[]) {
      expect(group.Properties.RetentionInDays).toEqual(expect.any(Number));
    }
  });

  it('traces every function actively when the tracing prop asks for it', () => {
    // Act
    const traced = Template.fromStack(buildStack({ tracing: true }));

    // Assess
    for (const fn of Object.values(traced.findResources('AWS::Lambda::Function')) as Resource[])
      expect(fn.Properties.TracingConfig).toEqual({ Mode: 'Active' });
  });

  it('gives every function the shared environment, and only the dispatcher the sender', () => {
    for (const fn of Object.values(functions)) {
      const env = fn.Properties.Environment.Variables;
      for (const name of common) expect(env, name).toHaveProperty(name);
      expect(env.SHOP_EVENT_SOURCE).toBe('shop');
      expect(env.DEFAULT_LOCALE).toBe('en');
      expect(env.DEFAULT_TIME_ZONE).toBe('Europe/Berlin');
      expect(env.TIMER_SHARDS).toBe(String(DEFAULT_TIMER_SHARDS));
      expect([env.FREQUENCY_CAP_MAX, env.FREQUENCY_CAP_PER]).toEqual(['3', 'P7D']);
      expect(env.POWERTOOLS_METRICS_NAMESPACE).toBe('RetentionJourneys');
      expect(env.RETENTION_DAYS).toBe('30');
      expect(env.SHOP_NAME).toBe('Shop');
      expect(env.SHOP_URL).toBe('https://shop.example');
    }
    const [, dispatcher] = functionWithEnv('SENDER_ADDRESS', 'Shop <news@shop.example>');
    expect(dispatcher.Properties.Environment.Variables).toHaveProperty('SES_CONFIGURATION_SET');
    expect(functionWithEnv('JOURNEY_ID', 'onboarding')).toBeDefined();
  });

  it('keeps role descriptions within the characters IAM accepts, whatever the journey is called', () => {
    // Prepare
    const named = Template.fromStack(
      buildStack({ journeys: [onboarding, { ...postPurchase, name: 'Post purchase — “thank you” 🎁' }] }),
    );

    // Act
    const descriptions = Object.values(named.findResources('AWS::IAM::Role')).map(
      (role: Json) => role.Properties.Description as string,
    );

    // Assess
    expect(descriptions).toContain(
      'Journey "Post purchase - "thank you" ?" (post-purchase) (execution role)',
    );
    for (const description of descriptions) {
      expect(description).toMatch(/^[\t\n\r\u0020-\u007E\u00A1-\u00FF]*$/);
    }
  });

  it('uses roles without managed policies (no AWSLambdaBasicExecutionRole)', () => {
    for (const role of Object.values(template.findResources('AWS::IAM::Role')) as Resource[]) {
      expect(role.Properties.ManagedPolicyArns).toBeUndefined();
    }
  });
});

describe('IAM', () => {
  it('never grants DynamoDB, SES, EventBridge or Secrets Manager actions on "*"', () => {
    // Act
    const wildcard = statements.filter((s) => asArray(s.Resource as unknown).includes('*'));

    // Assess: only X-Ray, which has no resource-level permissions
    expect(wildcard.length).toBeGreaterThan(0);
    for (const s of wildcard) {
      for (const action of asArray(s.Action)) {
        expect(action).toMatch(/^xray:/);
        expect(action).not.toMatch(/^(dynamodb|ses|events|secretsmanager):/);
      }
    }
  });

  it('lets only the dispatcher publish, and only to the journeys bus', () => {
    // Prepare: the preferences endpoint records answers and consent with their outbox entries instead
    const [, dispatcher] = functionWithEnv('SENDER_ADDRESS');
    const policies = Object.values(template.findResources('AWS::IAM::Policy') as Record<string, Resource>);
    const busId = Object.keys(template.findResources('AWS::Events::EventBus'))[0];

    // Act
    const publishing = policies.flatMap((p) =>
      p.Properties.PolicyDocument.Statement.filter((s: Json) =>
        asArray(s.Action).includes('events:PutEvents'),
      ).map((s: Json) => ({ roles: p.Properties.Roles.map((r: Json) => r.Ref), resource: s.Resource })),
    );

    // Assess
    expect(publishing.flatMap((p) => p.roles)).toEqual([dispatcher.Properties.Role['Fn::GetAtt'][0]]);
    for (const p of publishing) expect(p.resource).toEqual({ 'Fn::GetAtt': [busId, 'Arn'] });
  });
});

describe('props validation', () => {
  it.each([
    [{ senderAddress: 'not-an-address' }, /senderAddress/],
    [{ senderAddress: 'news@localhost' }, /senderAddress/],
    [{ catalogPath: 'relative/catalog.json' }, /catalogPath/],
    [{ catalogPath: '/nonexistent/catalog.json' }, /catalogPath/],
    [{ shopEventSource: 'aws.partner' }, /shopEventSource/],
    [{ shopEventSource: 'retention-journeys' }, /shopEventSource/],
    [{ defaultLocale: 'not a locale' }, /defaultLocale/],
    [{ defaultTimeZone: 'Mars/Olympus' }, /defaultTimeZone/],
    [{ frequencyCap: { maxMarketingEmails: 0, per: Duration.days(7) } }, /frequencyCap.maxMarketingEmails/],
    [{ frequencyCap: { maxMarketingEmails: 3, per: Duration.minutes(30) } }, /frequencyCap.per/],
    [{ frequencyCap: { maxMarketingEmails: 3, per: Duration.days(400) } }, /frequencyCap.per/],
    [{ timerShards: 0 }, /timerShards/],
    [{ timerShards: 2.5 }, /timerShards/],
    [{ sendRatePerSecond: 0 }, /sendRatePerSecond/],
    [{ sendRatePerSecond: Number.NaN }, /sendRatePerSecond/],
    [{ configurationSetName: 'has spaces' }, /configurationSetName/],
    [{ journeys: [onboarding, onboarding] }, /journeys\[1\].*onboarding/],
    [{ partnerEventBusName: 'shopify' }, /partnerEventBusName "shopify".*aws\.partner\//],
    [
      { partnerEventBusName: 'aws.partner/shopify.com/123/shop', shopEventSource: 'shop' },
      /shopEventSource "shop" differs from partnerEventBusName/,
    ],
    [{ shopEventSource: 'aws.partner/shopify.com/123/shop' }, /shopEventSource.*partnerEventBusName/],
    [{ shopName: '  ' }, /shopName/],
    [{ shopName: 'Shop\nBcc: x@y.z' }, /shopName/],
    [{ shopUrl: 'http://shop.example' }, /shopUrl "http:\/\/shop\.example".*https:\/\//],
    [{ shopUrl: 'https://user:pw@shop.example' }, /shopUrl/],
    [{ logRetention: 45 as RetentionDays }, /logRetention 45.*RetentionDays/],
    [{ idempotencyRetentionDays: 0 }, /idempotencyRetentionDays/],
    [{ idempotencyRetentionDays: 2.5 }, /idempotencyRetentionDays/],
    [{ idempotencyRetentionDays: 7 }, /idempotencyRetentionDays \(7\) is shorter than eventArchiveRetention/],
    [{ eventArchiveRetention: Duration.days(0) }, /eventArchiveRetention/],
    [{ eventArchiveRetention: Duration.hours(36) }, /eventArchiveRetention must be whole days/],
    [{ eventArchiveRetention: Duration.days(400) }, /eventArchiveRetention/],
  ])('rejects %o naming the prop', (override, message) => {
    expect(() => buildStack(override)).toThrow(message);
  });

  it('reports every problem at once, each naming its prop', () => {
    let thrown: unknown;
    try {
      buildStack({ timerShards: 0, logRetention: 45 as RetentionDays, shopName: ' ', defaultLocale: 'x y' });
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(RetentionJourneysPropsError);
    const { problems, message } = thrown as RetentionJourneysPropsError;
    expect(problems.map((p) => p.split(' ')[0])).toEqual([
      'defaultLocale',
      'timerShards',
      'shopName',
      'logRetention',
    ]);
    expect(message).toMatch(/^RetentionJourneys: 4 problems:\n {2}- defaultLocale "x y"/);
  });
});
