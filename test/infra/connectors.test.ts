/**
 * The shop connectors' AWS side (lib/connectors.ts): the Shopify partner bus and its rule, the public
 * webhook receiver with its secret, the grants of both functions, validation, and cdk-nag.
 */
import { Template } from 'aws-cdk-lib/assertions';
import { AwsSolutionsChecks } from 'cdk-nag';
import { describe, expect, it } from 'vitest';
import { SHOPIFY_DETAIL_TYPE } from '../../functions/connectors/index.ts';
import {
  validateConnectorOptions,
  WEBHOOKS_RESERVED_CONCURRENCY,
  webhooksFromList,
} from '../../lib/connectors.ts';
import { RetentionJourneysPropsError } from '../../lib/retention-journeys.ts';
import { buildStack } from './fixture.ts';

// biome-ignore lint/suspicious/noExplicitAny: template JSON has no static type
type Json = any;
type Resource = { Type: string; Properties: Record<string, Json> };
type Statement = { Action: string | string[]; Resource: Json; Effect: string };

const asArray = <T>(value: T | T[]): T[] => (Array.isArray(value) ? value : [value]);

const SOURCE = 'aws.partner/shopify.com/1234567/my-shop';
const connectorStack = buildStack({
  shopify: { partnerEventSourceName: SOURCE },
  webhooks: { woocommerce: true, shopware: true },
});
const full = Template.fromStack(connectorStack);
const shopwareOnlyStack = buildStack({ webhooks: { shopware: true, woocommerce: false } });
const shopwareOnly = Template.fromStack(shopwareOnlyStack);
const defaults = Template.fromStack(buildStack());

const shopifyFn = /^Translates Shopify webhooks/;
const webhooksFn = /^Public receiver of signed shop webhooks/;

function resources(template: Template, type: string): [string, Resource][] {
  return Object.entries(template.findResources(type) as Record<string, Resource>);
}

function logicalIdOf(template: Template, type: string, match: (r: Resource) => boolean): string {
  const found = resources(template, type).filter(([, r]) => match(r));
  if (found.length !== 1) throw new Error(`expected one matching ${type}, found ${found.length}`);
  return (found[0] as [string, Resource])[0];
}

const functionId = (template: Template, description: RegExp) =>
  logicalIdOf(template, 'AWS::Lambda::Function', (r) => description.test(r.Properties.Description));

function functionOf(template: Template, description: RegExp): Resource {
  return template.findResources('AWS::Lambda::Function')[functionId(template, description)] as Resource;
}

function statementsOf(template: Template, description: RegExp): Statement[] {
  const roleId = functionOf(template, description).Properties.Role['Fn::GetAtt'][0] as string;
  return resources(template, 'AWS::IAM::Policy')
    .filter(([, p]) => p.Properties.Roles.some((r: Json) => r.Ref === roleId))
    .flatMap(([, p]) => p.Properties.PolicyDocument.Statement as Statement[]);
}

/** The resources a statement reaches, as logical ids (`Ref`/`GetAtt`) or literal strings. */
function targetsOf(statement: Statement): string[] {
  return asArray(statement.Resource).map((r: Json) => {
    if (typeof r === 'string') return r;
    if (r.Ref) return r.Ref as string;
    if (r['Fn::GetAtt']) return r['Fn::GetAtt'][0] as string;
    if (r['Fn::Join']) return `${r['Fn::Join'][1][0]['Fn::GetAtt'][0]}${r['Fn::Join'][1][1]}`;
    return JSON.stringify(r);
  });
}

const journeysBusId = logicalIdOf(full, 'AWS::Events::EventBus', (r) => !r.Properties.EventSourceName);
const partnerBusId = logicalIdOf(full, 'AWS::Events::EventBus', (r) => !!r.Properties.EventSourceName);
const tableId = logicalIdOf(full, 'AWS::DynamoDB::GlobalTable', () => true);
const webhookSecretId = logicalIdOf(full, 'AWS::SecretsManager::Secret', (r) =>
  /webhooks/.test(r.Properties.Description),
);
const shopifyRule = (() => {
  const rules = resources(full, 'AWS::Events::Rule').filter(
    ([, r]) => r.Properties.EventBusName?.Ref === partnerBusId,
  );
  expect(rules).toHaveLength(1);
  return (rules[0] as [string, Resource])[1];
})();
const shopifyDlqId = shopifyRule.Properties.Targets[0].DeadLetterConfig.Arn['Fn::GetAtt'][0] as string;

describe('Shopify partner event source', () => {
  it('creates the partner event bus from the event source, which associates it', () => {
    // Act
    const bus = full.findResources('AWS::Events::EventBus')[partnerBusId] as Resource;

    // Assess
    expect(bus.Properties.EventSourceName).toBe(SOURCE);
    expect(bus.Properties.Name).toBe(SOURCE);
    expect(resources(defaults, 'AWS::Events::EventBus').map(([, b]) => b.Properties.EventSourceName)).toEqual(
      [undefined],
    );
  });

  it('routes exactly the Shopify webhooks of that source to the Shopify function', () => {
    // Act
    const { EventPattern, Targets } = shopifyRule.Properties;

    // Assess
    expect(EventPattern).toEqual({ source: [SOURCE], 'detail-type': [SHOPIFY_DETAIL_TYPE] });
    expect(Targets).toHaveLength(1);
    expect(Targets[0].Arn).toEqual({ 'Fn::GetAtt': [functionId(full, shopifyFn), 'Arn'] });
  });

  it('retries delivery and the function, then keeps failed events in a dead-letter queue that alarms', () => {
    // Act
    const [target] = shopifyRule.Properties.Targets;
    const invokeConfig = resources(full, 'AWS::Lambda::EventInvokeConfig').find(
      ([, c]) => c.Properties.FunctionName.Ref === functionId(full, shopifyFn),
    )?.[1];
    const alarms = resources(full, 'AWS::CloudWatch::Alarm').filter(([, a]) =>
      (a.Properties.Dimensions ?? []).some(
        (d: Json) => d.Name === 'QueueName' && d.Value['Fn::GetAtt']?.[0] === shopifyDlqId,
      ),
    );

    // Assess
    expect(target.RetryPolicy).toEqual({ MaximumRetryAttempts: 8, MaximumEventAgeInSeconds: 21600 });
    expect(full.findResources('AWS::SQS::Queue')[shopifyDlqId]).toBeDefined();
    expect(invokeConfig?.Properties).toMatchObject({
      MaximumRetryAttempts: 2,
      DestinationConfig: { OnFailure: { Destination: { 'Fn::GetAtt': [shopifyDlqId, 'Arn'] } } },
    });
    expect(alarms).toHaveLength(1);
    expect(full.toJSON().Outputs.ShopifyDeadLetterQueueName.Value).toEqual({
      'Fn::GetAtt': [shopifyDlqId, 'QueueName'],
    });
  });

  it('archives the webhooks as delivered, as long as the journeys bus archive keeps events', () => {
    // Act
    const archives = resources(full, 'AWS::Events::Archive').map(([, a]) => a.Properties);
    const shopify = archives.find((a) => a.SourceArn['Fn::GetAtt']?.[0] === partnerBusId);
    const journeys = archives.find((a) => a.SourceArn['Fn::GetAtt']?.[0] === journeysBusId);

    // Assess
    expect(archives).toHaveLength(2);
    expect(shopify?.EventPattern).toEqual({ source: [SOURCE] });
    expect(shopify?.RetentionDays).toBe(journeys?.RetentionDays);
    expect(shopify?.RetentionDays).toBe(30);
  });

  it('outputs the partner bus and its archive', () => {
    const outputs = full.toJSON().Outputs;
    expect(outputs.ShopifyEventBusName.Value).toEqual({ Ref: partnerBusId });
    expect(outputs.ShopifyArchiveName.Value).toEqual({
      Ref: expect.stringMatching(/ConnectorsShopifyEventBusArchive/),
    });
  });
});

describe('webhook receiver', () => {
  it('is a Function URL without IAM auth (the handler checks signatures) and without CORS', () => {
    // Act
    const [url, ...others] = resources(full, 'AWS::Lambda::Url')
      .map(([, u]) => u.Properties)
      .filter((u) => u.TargetFunctionArn['Fn::GetAtt'][0] === functionId(full, webhooksFn));

    // Assess
    expect(others).toEqual([]);
    expect(url?.AuthType).toBe('NONE');
    expect(url?.Cors).toBeUndefined();
    expect(full.toJSON().Outputs.WebhookUrl.Value).toEqual({
      'Fn::GetAtt': [expect.stringMatching(/WebhooksFunctionFunctionUrl/), 'FunctionUrl'],
    });
  });

  it('is capped by reserved concurrency and answers within 10 seconds', () => {
    // Act
    const fn = functionOf(full, webhooksFn).Properties;

    // Assess
    expect(fn.ReservedConcurrentExecutions).toBe(WEBHOOKS_RESERVED_CONCURRENCY);
    expect(fn.Timeout).toBe(10);
  });

  it('keeps a generated WooCommerce key and an empty Shopware key (set by the operator) in one secret', () => {
    // Act
    const secret = full.findResources('AWS::SecretsManager::Secret')[webhookSecretId] as Resource;

    // Assess
    expect(secret.Properties.GenerateSecretString).toMatchObject({
      GenerateStringKey: 'woocommerce',
      SecretStringTemplate: JSON.stringify({ shopware: '' }),
      PasswordLength: 64,
    });
    expect(secret.Properties.SecretString).toBeUndefined();
    expect(full.toJSON().Outputs.WebhookSecretArn.Value).toEqual({ Ref: webhookSecretId });
  });

  it('holds no key for a platform that is not enabled', () => {
    // Act
    const secretId = logicalIdOf(shopwareOnly, 'AWS::SecretsManager::Secret', (r) =>
      /webhooks/.test(r.Properties.Description),
    );
    const secret = shopwareOnly.findResources('AWS::SecretsManager::Secret')[secretId] as Resource;
    const fn = functionOf(shopwareOnly, webhooksFn).Properties;

    // Assess
    expect(secret.Properties.GenerateSecretString).toMatchObject({
      GenerateStringKey: 'shopware',
      SecretStringTemplate: '{}',
    });
    expect(fn.Environment.Variables.WEBHOOK_PLATFORMS).toBe('shopware');
    expect(resources(shopwareOnly, 'AWS::Events::EventBus')).toHaveLength(1);
  });
});

describe('connector functions', () => {
  it('get the handler contract environment, and no signing secret', () => {
    // Act
    const shopify = functionOf(full, shopifyFn).Properties.Environment.Variables;
    const webhooks = functionOf(full, webhooksFn).Properties.Environment.Variables;

    // Assess
    for (const env of [shopify, webhooks]) {
      expect(env).toMatchObject({
        TABLE_NAME: { Ref: tableId },
        EVENT_BUS_NAME: { Ref: journeysBusId },
        SHOP_EVENT_SOURCE: 'shop',
        DEFAULT_LOCALE: 'en',
        DEFAULT_TIME_ZONE: 'Europe/Berlin',
        POWERTOOLS_SERVICE_NAME: 'retention-journeys',
      });
      expect(env.SIGNING_SECRET_ARN).toBeUndefined();
    }
    expect(shopify.WEBHOOK_SECRET_ARN).toBeUndefined();
    expect(webhooks.WEBHOOK_SECRET_ARN).toEqual({ Ref: webhookSecretId });
    expect(webhooks.WEBHOOK_PLATFORMS).toBe('woocommerce,shopware');
  });

  it('keep their logs for the configured retention', () => {
    // Act
    const retention = (description: RegExp) => {
      const groupId = functionOf(full, description).Properties.LoggingConfig.LogGroup.Ref as string;
      return (full.findResources('AWS::Logs::LogGroup')[groupId] as Resource).Properties.RetentionInDays;
    };

    // Assess
    expect(retention(shopifyFn)).toBe(30);
    expect(retention(webhooksFn)).toBe(30);
  });

  it.each([
    ['Shopify', shopifyFn],
    ['Webhooks', webhooksFn],
  ])(
    '%s may write its logs, use the table, put events on the journeys bus only, and nothing more',
    (label, description) => {
      // Act
      const statements = statementsOf(full, description);
      const reach = new Map<string, string[]>();
      for (const statement of statements) {
        expect(statement.Effect).toBe('Allow');
        for (const action of asArray(statement.Action)) {
          reach.set(action, [...(reach.get(action) ?? []), ...targetsOf(statement)]);
        }
      }
      const services = new Set([...reach.keys()].map((action) => action.split(':')[0]));

      // Assess
      expect(reach.get('events:PutEvents')).toEqual([`${journeysBusId}`]);
      expect(reach.get('dynamodb:PutItem')).toEqual([tableId, `${tableId}/index/*`]);
      expect(
        [...reach.entries()]
          .filter(([, targets]) => targets.includes('*'))
          .map(([a]) => a)
          .sort(),
      ).toEqual(['xray:PutTelemetryRecords', 'xray:PutTraceSegments']);
      if (label === 'Webhooks') {
        expect(services).toEqual(new Set(['logs', 'xray', 'dynamodb', 'events', 'secretsmanager']));
        expect(reach.get('secretsmanager:GetSecretValue')).toEqual([webhookSecretId]);
      } else {
        // The async-invoke failure destination: only its own dead-letter queue.
        expect(services).toEqual(new Set(['logs', 'xray', 'dynamodb', 'events', 'sqs']));
        expect(reach.get('sqs:SendMessage')).toEqual([shopifyDlqId]);
      }
    },
  );

  it('may put shop events on the journeys bus but not forge system events (the Deny spares only the dispatcher)', () => {
    // Prepare
    const dispatcherRole = connectorStack.resolve(connectorStack.journeys.dispatcherFunction.role.roleArn);

    // Act
    const [policy, ...others] = resources(full, 'AWS::Events::EventBusPolicy').map(([, p]) => p.Properties);
    const withPutEvents = resources(full, 'AWS::IAM::Policy')
      .filter(([, p]) => JSON.stringify(p).includes('events:PutEvents'))
      .map(([id]) => id);

    // Assess
    expect(others).toEqual([]);
    expect(policy?.EventBusName).toEqual({ Ref: journeysBusId });
    expect(policy?.Statement.Effect).toBe('Deny');
    expect(policy?.Statement.Condition.ArnNotEquals['aws:PrincipalArn']).toEqual([dispatcherRole]);
    expect(withPutEvents.sort()).toEqual([
      expect.stringMatching(/ConnectorsShopifyRole/),
      expect.stringMatching(/ConnectorsWebhooksRole/),
      expect.stringMatching(/Dispatcher/),
    ]);
  });

  it('alarm on the receiver its callers wait for; the Shopify function ends in its alarmed dead-letter queue', () => {
    // Act
    const alarmed = (description: RegExp) =>
      resources(full, 'AWS::CloudWatch::Alarm')
        .filter(([, a]) =>
          (a.Properties.Dimensions ?? []).some(
            (d: Json) => d.Name === 'FunctionName' && d.Value.Ref === functionId(full, description),
          ),
        )
        .map(([, a]) => a.Properties.MetricName)
        .sort();

    // Assess
    expect(alarmed(shopifyFn)).toEqual([]);
    expect(alarmed(webhooksFn)).toEqual(['Errors', 'Throttles']);
  });

  it('are not created without connector props', () => {
    // Act
    const outputs = Object.keys(defaults.toJSON().Outputs);
    const descriptions = resources(defaults, 'AWS::Lambda::Function').map(
      ([, f]) => f.Properties.Description,
    );

    // Assess
    expect(outputs).not.toContain('WebhookUrl');
    expect(outputs).not.toContain('WebhookSecretArn');
    expect(outputs).not.toContain('ShopifyEventBusName');
    expect(descriptions.filter((d) => shopifyFn.test(d) || webhooksFn.test(d))).toEqual([]);
  });
});

describe('connector props validation', () => {
  it.each([
    ['shopify', /shopify\.partnerEventSourceName "shopify" is not a Shopify partner event source name/],
    ['aws.partner/shopify.com/my-app/my-shop', /aws\.partner\/shopify\.com\/<app id>\/<name>/],
    ['aws.partner/other.example/1234567/my-shop', /not a Shopify partner event source name/],
    ['aws.partner/shopify.com/1234567', /not a Shopify partner event source name/],
    ['aws.partner/shopify.com/1234567/my shop', /not a Shopify partner event source name/],
    [`aws.partner/shopify.com/1234567/${'a'.repeat(240)}`, /not a Shopify partner event source name/],
  ])('rejects the partner event source name %j', (name, message) => {
    expect(() => buildStack({ shopify: { partnerEventSourceName: name } })).toThrow(message);
  });

  it('rejects a missing partner event source name (plain JavaScript callers)', () => {
    expect(() => buildStack({ shopify: {} as never })).toThrow(/shopify\.partnerEventSourceName undefined/);
  });

  it('refuses forwarding and translating the same partner source', () => {
    expect(() =>
      buildStack({ partnerEventBusName: SOURCE, shopify: { partnerEventSourceName: SOURCE } }),
    ).toThrow(
      new RetentionJourneysPropsError([
        `partnerEventBusName and shopify.partnerEventSourceName name the same source "${SOURCE}": partnerEventBusName forwards events that already are canonical, shopify translates Shopify's webhooks; for Shopify use shopify only and remove partnerEventBusName`,
      ]),
    );
  });

  it('refuses a forwarded partner source next to the Shopify connector', () => {
    expect(() =>
      buildStack({
        partnerEventBusName: 'aws.partner/example.com/42/other',
        shopify: { partnerEventSourceName: SOURCE },
      }),
    ).toThrow(
      /shopify cannot be combined with partnerEventBusName \("aws\.partner\/example\.com\/42\/other"\)/,
    );
  });

  it.each([
    [{}, /webhooks enables no platform/],
    [{ woocommerce: false }, /webhooks enables no platform/],
    [{ woocommerce: 'yes' }, /webhooks\.woocommerce must be true or false \(got "yes"\)/],
    [{ magento: true }, /webhooks\.magento is not a supported platform; use woocommerce or shopware/],
    [null, /webhooks must be an object/],
  ])('rejects webhooks %j', (webhooks, message) => {
    expect(() => buildStack({ webhooks: webhooks as never })).toThrow(message);
  });

  it('accepts the webhooks alone, with a partner bus forwarding canonical events', () => {
    // Act
    const settings = validateConnectorOptions(
      { webhooks: { shopware: true, woocommerce: true }, partnerEventBusName: SOURCE },
      (message) => {
        throw new Error(message);
      },
    );

    // Assess
    expect(settings).toEqual({ shopify: undefined, webhooks: { platforms: ['woocommerce', 'shopware'] } });
  });

  it('reads the webhooks context as a comma-separated list', () => {
    expect(webhooksFromList(undefined)).toBeUndefined();
    expect(webhooksFromList(' , ')).toBeUndefined();
    expect(webhooksFromList('WooCommerce, shopware')).toEqual({ woocommerce: true, shopware: true });
    expect(() => webhooksFromList('woocommerce,magento')).toThrow(/unknown platforms \(magento\)/);
  });
});

describe('cdk-nag AwsSolutions with connectors', () => {
  it.each([
    ['Shopify and both webhook platforms', connectorStack],
    ['Shopware webhooks only', shopwareOnlyStack],
  ])('reports no unacknowledged finding for %s', (_label, stack) => {
    // Act
    const report = new AwsSolutionsChecks().validateScope(stack);

    // Assess
    const findings = report.violations.map(
      (v) => `${v.severity} ${v.ruleName} at ${v.violatingResources.map((r) => r.constructPath).join(', ')}`,
    );
    expect(findings).toEqual([]);
  });
});
