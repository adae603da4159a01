/**
 * examples/existing-app synthesises: a shop's own stack (its event bus and operations topic) with
 * RetentionJourneys embedded, the example's own journey and templates in two locales, the package's
 * layout and shared strings. Bundling is skipped (no esbuild run); the package test
 * (test/package/pack.test.ts) bundles from the installed package.
 */
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { App } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { AwsSolutionsChecks } from 'cdk-nag';
import { loadJourneysCatalog } from 'retention-journeys';
import { beforeAll, describe, expect, it } from 'vitest';
import { ShopStack } from '../../examples/existing-app/lib/shop-stack.ts';

const EXAMPLE = fileURLToPath(new URL('../../examples/existing-app/', import.meta.url));

let stack: ShopStack;
let template: Template;
let catalogPath: string;

beforeAll(async () => {
  const cdkJson = JSON.parse(readFileSync(path.join(EXAMPLE, 'cdk.json'), 'utf8')) as {
    context: Record<string, unknown>;
  };
  const catalog = await loadJourneysCatalog({
    projectDir: EXAMPLE,
    catalogPath: path.join(mkdtempSync(path.join(tmpdir(), 'rj-example-')), 'catalog.json'),
  });
  catalogPath = catalog.catalogPath;
  const app = new App({ context: { ...cdkJson.context, 'aws:cdk:bundling-stacks': [] } });
  stack = new ShopStack(app, 'PlantShop', {
    catalog,
    env: { account: '123456789012', region: 'eu-central-1' },
  });
  template = Template.fromStack(stack);
});

describe('examples/existing-app', () => {
  it('reads its own journey and both locales of its template, with the shared strings from the package', () => {
    // Act
    const catalog = JSON.parse(readFileSync(catalogPath, 'utf8'));

    // Assess
    expect(catalog.journeys.map((j: { definition: { id: string } }) => j.definition.id)).toEqual([
      'plant-care',
    ]);
    const message = catalog.templates.messages['plant-care/care-tips'];
    expect(Object.keys(message.strings).sort()).toEqual(['de', 'en']);
    expect(message.strings.de.subject).toBe('Drei Tipps für Ihre neuen Pflanzen');
    expect(Object.keys(catalog.templates.shared).sort()).toEqual(['de', 'en']);
  });

  it("routes the shop's events from the shop's own bus: no second bus, one journey function", () => {
    // Assess
    template.resourceCountIs('AWS::Events::EventBus', 1);
    template.hasResourceProperties('AWS::Events::EventBus', { Name: 'plant-shop-events' });
    const busId = stack.getLogicalId(stack.bus.node.defaultChild as never);
    template.hasResourceProperties('AWS::Events::Rule', {
      EventBusName: { Ref: busId },
      EventPattern: Match.objectLike({
        source: ['plant-shop'],
        'detail-type': Match.arrayWith(['order.delivered']),
      }),
    });
    expect([...stack.journeys.journeyFunctions.keys()]).toEqual(['plant-care']);
  });

  it("sends the alarms to the shop's operations topic instead of a topic of its own", () => {
    // Assess
    template.resourceCountIs('AWS::SNS::Topic', 1);
    const topicId = stack.getLogicalId(stack.operations.node.defaultChild as never);
    template.hasResourceProperties('AWS::CloudWatch::Alarm', { AlarmActions: [{ Ref: topicId }] });
  });

  it('creates no analytics log when asked not to', () => {
    // Assess
    template.resourceCountIs('AWS::KinesisFirehose::DeliveryStream', 0);
    template.resourceCountIs('AWS::Athena::WorkGroup', 0);
  });

  it('passes cdk-nag AwsSolutions with nothing unacknowledged', () => {
    // Act
    const report = new AwsSolutionsChecks().validateScope(stack);

    // Assess
    const findings = report.violations.map(
      (v) => `${v.severity} ${v.ruleName} at ${v.violatingResources.map((r) => r.constructPath).join(', ')}`,
    );
    expect(findings).toEqual([]);
  });
});
