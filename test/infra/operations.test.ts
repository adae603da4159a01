/**
 * What operators and a security reviewer look for in the template: the public preferences endpoint,
 * SES events, the archive, the partner bus, alarms (with the thresholds we chose and why) and the
 * dashboard rows per journey.
 */
import { Duration } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { RetentionDays } from 'aws-cdk-lib/aws-logs';
import { AwsSolutionsChecks } from 'cdk-nag';
import { describe, expect, it } from 'vitest';
import { EMITTED_METRICS, JOURNEY_REJECTED_METRIC, METRIC_NAMESPACE } from '../../functions/metrics.ts';
import {
  SES_BOUNCE_RATE_ALARM_THRESHOLD,
  SES_COMPLAINT_RATE_ALARM_THRESHOLD,
} from '../../lib/cloudwatch-metrics.ts';
import { PREFERENCES_RESERVED_CONCURRENCY } from '../../lib/retention-journeys.ts';
import { RetentionJourneysStack } from '../../lib/retention-journeys-stack.ts';
import { baseProps, buildStack, onboarding, postPurchase, testApp } from './fixture.ts';

// biome-ignore lint/suspicious/noExplicitAny: template JSON has no static type
type Json = any;

const stack = buildStack();
const template = Template.fromStack(stack);
const functions: Record<string, Json> = template.findResources('AWS::Lambda::Function');
const alarms: Json[] = Object.values(template.findResources('AWS::CloudWatch::Alarm'));

function functionDescribed(description: RegExp): [string, Json] {
  const found = Object.entries(functions).filter(([, fn]) => description.test(fn.Properties.Description));
  if (found.length !== 1)
    throw new Error(`expected one function described ${description}, got ${found.length}`);
  return found[0] as [string, Json];
}

/** The dashboard body with every token replaced by a placeholder, parsed. */
function dashboardBody(t: Template): { widgets: Json[] } {
  const [dashboard] = Object.values(t.findResources('AWS::CloudWatch::Dashboard')) as Json[];
  const parts: Json[] = dashboard.Properties.DashboardBody['Fn::Join'][1];
  return JSON.parse(parts.map((p) => (typeof p === 'string' ? p : 'TOKEN')).join(''));
}

describe('preferences endpoint', () => {
  const [preferencesId, preferences] = functionDescribed(/preferences endpoint/);

  it('is a public, buffered Function URL with CORS closed to every origin', () => {
    // Act
    const urls: Json[] = Object.values(template.findResources('AWS::Lambda::Url'));

    // Assess
    expect(urls).toHaveLength(1);
    const url = urls[0].Properties;
    expect(url.TargetFunctionArn).toEqual({ 'Fn::GetAtt': [preferencesId, 'Arn'] });
    expect(url.AuthType).toBe('NONE');
    expect(url.InvokeMode).toBe('BUFFERED');
    expect(url.Cors).toEqual({ AllowCredentials: false, AllowMethods: ['GET', 'POST'] });
    expect(url.Cors.AllowOrigins).toBeUndefined();
    expect(url.Cors.AllowHeaders).toBeUndefined();
  });

  it('may be invoked through its URL by anyone, and only that way', () => {
    template.hasResourceProperties('AWS::Lambda::Permission', {
      Action: 'lambda:InvokeFunctionUrl',
      FunctionName: { 'Fn::GetAtt': [preferencesId, 'Arn'] },
      Principal: '*',
      FunctionUrlAuthType: 'NONE',
    });
    template.hasResourceProperties('AWS::Lambda::Permission', {
      Action: 'lambda:InvokeFunction',
      FunctionName: { 'Fn::GetAtt': [preferencesId, 'Arn'] },
      Principal: '*',
      InvokedViaFunctionUrl: true,
    });
  });

  it('has its concurrency capped, so a flood of requests cannot run up the bill', () => {
    expect(preferences.Properties.ReservedConcurrentExecutions).toBe(PREFERENCES_RESERVED_CONCURRENCY);
  });

  it('gives the dispatcher its URL without the trailing slash', () => {
    // Prepare
    const [urlId] = Object.keys(template.findResources('AWS::Lambda::Url'));
    const [, dispatcher] = functionDescribed(/Sends outbox emails/);

    // Assess
    expect(dispatcher.Properties.Environment.Variables.PREFERENCES_URL).toEqual({
      'Fn::Join': [
        '',
        ['https://', { 'Fn::Select': [2, { 'Fn::Split': ['/', { 'Fn::GetAtt': [urlId, 'FunctionUrl'] }] }] }],
      ],
    });
  });
});

describe('SES events', () => {
  const [sesEventsId] = functionDescribed(/Records SES events/);
  const rules: Json[] = Object.values(template.findResources('AWS::Events::Rule'));
  const sesRule = rules.find((r) =>
    r.Properties.Targets.some((t: Json) => t.Arn?.['Fn::GetAtt']?.[0] === sesEventsId),
  );

  it('reach the SES events handler from the default bus, only those of our configuration set', () => {
    // Prepare
    const [configurationSetId] = Object.keys(template.findResources('AWS::SES::ConfigurationSet'));

    // Assess
    expect(sesRule).toBeDefined();
    expect(sesRule.Properties.EventBusName ?? 'default').toBe('default');
    expect(sesRule.Properties.EventPattern).toEqual({
      source: ['aws.ses'],
      'detail-type': [
        'Email Sent',
        'Email Delivered',
        'Email Bounced',
        'Email Complaint Received',
        'Email Rejected',
        'Email Rendering Failed',
        'Email Opened',
        'Email Clicked',
      ],
      detail: { mail: { tags: { 'ses:configuration-set': [{ Ref: configurationSetId }] } } },
    });
    expect(sesRule.Properties.Targets[0]).toMatchObject({
      DeadLetterConfig: { Arn: expect.anything() },
      RetryPolicy: { MaximumRetryAttempts: 8, MaximumEventAgeInSeconds: 21600 },
    });
  });

  it('are published by the configuration set for every event type the handler records', () => {
    template.hasResourceProperties('AWS::SES::ConfigurationSetEventDestination', {
      EventDestination: Match.objectLike({
        MatchingEventTypes: [
          'send',
          'delivery',
          'bounce',
          'complaint',
          'reject',
          'renderingFailure',
          'open',
          'click',
        ],
      }),
    });
  });

  it('of an existing configuration set are matched by its name', () => {
    // Prepare
    const existing = Template.fromStack(buildStack({ configurationSetName: 'shop-marketing' }));

    // Assess
    existing.hasResourceProperties('AWS::Events::Rule', {
      EventPattern: Match.objectLike({
        detail: { mail: { tags: { 'ses:configuration-set': ['shop-marketing'] } } },
      }),
    });
  });
});

describe('event archive', () => {
  it('keeps every event of the journeys bus for the configured retention', () => {
    // Prepare
    const [busId] = Object.keys(template.findResources('AWS::Events::EventBus'));

    // Assess
    template.resourceCountIs('AWS::Events::Archive', 1);
    template.hasResourceProperties('AWS::Events::Archive', {
      SourceArn: { 'Fn::GetAtt': [busId, 'Arn'] },
      RetentionDays: 30,
      EventPattern: { account: ['123456789012'] },
    });
    Template.fromStack(
      buildStack({ eventArchiveRetention: Duration.days(7), idempotencyRetentionDays: 7 }),
    ).hasResourceProperties('AWS::Events::Archive', { RetentionDays: 7 });
  });
});

describe('partner event bus', () => {
  const partner = 'aws.partner/shopify.com/1234567/my-shop';
  const partnerTemplate = Template.fromStack(buildStack({ partnerEventBusName: partner }));

  it('forwards the partner source to the journeys bus, with a dead-letter queue', () => {
    // Prepare
    const [busId] = Object.keys(partnerTemplate.findResources('AWS::Events::EventBus'));

    // Assess
    partnerTemplate.hasResourceProperties('AWS::Events::Rule', {
      EventBusName: partner,
      EventPattern: { source: [partner] },
      Targets: [
        Match.objectLike({
          Arn: { 'Fn::GetAtt': [busId, 'Arn'] },
          DeadLetterConfig: { Arn: Match.anyValue() },
        }),
      ],
    });
  });

  it('makes the partner source the shop event source of every function and journey rule', () => {
    partnerTemplate.hasResourceProperties('AWS::Lambda::Function', {
      Environment: { Variables: Match.objectLike({ SHOP_EVENT_SOURCE: partner }) },
    });
    partnerTemplate.hasResourceProperties('AWS::Events::Rule', {
      EventPattern: { source: [partner], 'detail-type': Match.arrayWith(['customer.registered']) },
    });
  });
});

describe('alarms', () => {
  const [topicId] = Object.keys(template.findResources('AWS::SNS::Topic'));

  it('all notify the alarm topic, on alarm and on recovery, with missing data handled deliberately', () => {
    expect(alarms.length).toBeGreaterThan(0);
    for (const alarm of alarms) {
      expect(alarm.Properties.AlarmActions).toEqual([{ Ref: topicId }]);
      expect(alarm.Properties.OKActions).toEqual([{ Ref: topicId }]);
      expect(['notBreaching', 'breaching']).toContain(alarm.Properties.TreatMissingData);
      expect(alarm.Properties.AlarmDescription).toEqual(expect.any(String));
    }
  });

  it('watch every dead-letter queue for its first message', () => {
    // Prepare
    const queueIds = Object.keys(template.findResources('AWS::SQS::Queue'));

    // Act
    const depthAlarms = alarms.filter(
      (a) => a.Properties.MetricName === 'ApproximateNumberOfMessagesVisible',
    );

    // Assess
    expect(queueIds.length).toBeGreaterThanOrEqual(5);
    for (const queueId of queueIds) {
      const alarm = depthAlarms.find((a) =>
        a.Properties.Dimensions.some((d: Json) => d.Value?.['Fn::GetAtt']?.[0] === queueId),
      );
      expect(alarm, queueId).toBeDefined();
      expect(alarm.Properties).toMatchObject({
        Namespace: 'AWS/SQS',
        Threshold: 0,
        ComparisonOperator: 'GreaterThanThreshold',
        EvaluationPeriods: 1,
      });
    }
  });

  it('watch errors and throttles of the function callers wait for, and of no function that retries into a queue', () => {
    // Prepare: the preferences endpoint answers its caller; every other function retries, then keeps
    // the event in a dead-letter queue (alarmed above) or shows as OutboxLagging.
    const [preferencesId] = functionDescribed(/preferences/i);
    const onFunction = (metric: string) =>
      alarms.filter((a) => a.Properties.Namespace === 'AWS/Lambda' && a.Properties.MetricName === metric);

    // Assess
    expect(onFunction('Errors').map((a) => a.Properties.Dimensions[0].Value.Ref)).toEqual([preferencesId]);
    expect(onFunction('Throttles').map((a) => a.Properties.Dimensions[0].Value.Ref)).toEqual([preferencesId]);
  });

  it('are the ones an operator acts on: one per dead-letter queue, six on the pipeline, two on SES, two on the endpoint', () => {
    // Prepare
    const queues = Object.keys(template.findResources('AWS::SQS::Queue')).length;
    const firehose = alarms.filter((a) => a.Properties.Namespace === 'AWS/Firehose').length;

    // Assess: 60 alarms before the cost issue (errors and throttles of every function)
    expect(alarms.length).toBe(queues + 6 + 2 + 2 + firehose);
    template.resourceCountIs('AWS::CloudWatch::CompositeAlarm', 0);
  });

  it.each([
    ['Reputation.BounceRate', SES_BOUNCE_RATE_ALARM_THRESHOLD, 0.04],
    ['Reputation.ComplaintRate', SES_COMPLAINT_RATE_ALARM_THRESHOLD, 0.0008],
  ])(
    'fire on the SES account %s at %s, before SES reviews the account',
    (metricName, threshold, expected) => {
      // Assess: below SES's review lines (bounce 5 %, complaint 0.1 %) and Gmail's 0.1 % spam rate
      expect(threshold).toBe(expected);
      template.hasResourceProperties('AWS::CloudWatch::Alarm', {
        Namespace: 'AWS/SES',
        MetricName: metricName,
        Threshold: threshold,
        ComparisonOperator: 'GreaterThanOrEqualToThreshold',
        Dimensions: Match.absent(),
        TreatMissingData: 'notBreaching',
      });
    },
  );

  it.each([
    ['timers_failed', 'GreaterThanThreshold', 0],
    ['outbox_failed', 'GreaterThanThreshold', 0],
    ['outbox_resent', 'GreaterThanThreshold', 0],
    ['outbox_retrying', 'GreaterThanOrEqualToThreshold', 1],
  ])('fire on any %s', (metricName, comparison, threshold) => {
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      Namespace: METRIC_NAMESPACE,
      MetricName: metricName,
      Dimensions: [{ Name: 'service', Value: 'retention-journeys' }],
      ComparisonOperator: comparison,
      Threshold: threshold,
    });
  });

  it('treat a sweeper that stopped running as breaching', () => {
    // Prepare
    const [sweeperId] = functionDescribed(/timers that fell due/);

    // Assess
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      MetricName: 'Invocations',
      Dimensions: [{ Name: 'FunctionName', Value: { Ref: sweeperId } }],
      ComparisonOperator: 'LessThanThreshold',
      TreatMissingData: 'breaching',
    });
  });

  it('go to a TLS-only topic without a customer-managed key by default, or to the topic given', () => {
    // Prepare
    const own = new RetentionJourneysStack(testApp(), 'Own', {
      ...baseProps(),
      alarmTopicArn: 'arn:aws:sns:eu-central-1:123456789012:on-call',
    });

    // Assess: default topic
    // $1 a month for a key CloudWatch may use, for messages without customer data (npm run cost)
    template.hasResourceProperties('AWS::SNS::Topic', { KmsMasterKeyId: Match.absent() });
    template.resourceCountIs('AWS::KMS::Key', 0);
    template.hasResourceProperties('AWS::SNS::TopicPolicy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
        ]),
      },
    });
    // Assess: a given topic replaces it
    const ownTemplate = Template.fromStack(own);
    ownTemplate.resourceCountIs('AWS::SNS::Topic', 0);
    for (const alarm of Object.values(ownTemplate.findResources('AWS::CloudWatch::Alarm')) as Json[]) {
      expect(alarm.Properties.AlarmActions).toEqual(['arn:aws:sns:eu-central-1:123456789012:on-call']);
    }
  });
});

describe('dashboard', () => {
  const body = dashboardBody(template);
  const metricsOf = (widget: Json): Json[][] => widget.properties?.metrics ?? [];
  const widgetsOf = (journeyId: string) =>
    body.widgets.filter((w) => metricsOf(w).some((m) => m.includes(journeyId)));

  it.each([onboarding, postPurchase])('has a row for journey $id', (definition) => {
    // Act
    const widgets = widgetsOf(definition.id);
    const metrics = widgets.flatMap(metricsOf);
    const named = (name: string) =>
      metrics.some((m) => m[0] === METRIC_NAMESPACE && m[1] === name && m.includes(definition.id));

    // Assess: events handled, errors, rejected events, DLQ depth (volumes are Lambda's own metrics)
    const titles = body.widgets.map((w) => w.properties.title);
    expect(titles).toContain(`${definition.id}: events handled`);
    expect(named(JOURNEY_REJECTED_METRIC)).toBe(true);
    expect(titles).toContain(`${definition.id}: errors, rejected events, dead letters`);
    const errorsWidget = widgets.find((w) => w.properties.title.includes('errors'));
    expect(metricsOf(errorsWidget).some((m) => m[0] === 'AWS/Lambda' && m[1] === 'Errors')).toBe(true);
    expect(
      metricsOf(errorsWidget).some(
        (m) => m[0] === 'AWS/SQS' && m[1] === 'ApproximateNumberOfMessagesVisible',
      ),
    ).toBe(true);
  });

  it('shows only custom metrics of the contract, none per message, each published only on failure', () => {
    // Prepare: a series published every hour costs $0.30 a month (npm run cost)
    const custom = body.widgets.flatMap(metricsOf).filter((m) => m[0] === METRIC_NAMESPACE);
    const alarmed = alarms.filter((a) => a.Properties.Namespace === METRIC_NAMESPACE);

    // Assess
    expect(custom.length).toBeGreaterThan(0);
    for (const name of [...custom.map((m) => m[1]), ...alarmed.map((a) => a.Properties.MetricName)])
      expect(EMITTED_METRICS.find((e) => e.name === name)?.when, name).toBe('failure');
    expect(custom.some((m) => m.includes('message'))).toBe(false);
  });

  it('shows the dispatcher, the sweeper and SES reputation', () => {
    const titles = body.widgets.map((w) => w.properties.title).filter(Boolean);
    expect(titles).toEqual(
      expect.arrayContaining([
        'Dispatcher: entries not sent at once',
        'Sweeper: runs, failed timers, outbox repairs',
        'SES: emails sent, delivered, bounced, complaints (account)',
        'SES reputation: bounce rate (account)',
        'SES reputation: complaint rate (account)',
      ]),
    );
  });
});

describe('cdk-nag with every option', () => {
  it('reports nothing for a partner bus, a given alarm topic and custom retention', () => {
    // Prepare
    const full = buildStack({
      partnerEventBusName: 'aws.partner/shopify.com/1234567/my-shop',
      alarmTopicArn: 'arn:aws:sns:eu-central-1:123456789012:on-call',
      logRetention: RetentionDays.THREE_MONTHS,
      idempotencyRetentionDays: 60,
      eventArchiveRetention: Duration.days(60),
      shopName: 'Beispiel GmbH',
      shopUrl: 'https://www.beispiel.example/de',
    });

    // Act
    const report = new AwsSolutionsChecks().validateScope(full);

    // Assess
    expect(report.violations.map((v) => v.ruleName)).toEqual([]);
  });
});
