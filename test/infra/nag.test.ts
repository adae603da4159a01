/**
 * cdk-nag v3 runs as a CDK validation plugin (`Validations.of(app).addPlugins(...)`) and reports
 * through the validation report, not through annotations; `validateScope` is its documented entry
 * point for tests. Every acknowledged finding carries its reason next to the resource (lib/).
 */
import { Annotations, Match } from 'aws-cdk-lib/assertions';
import { AwsSolutionsChecks } from 'cdk-nag';
import { describe, expect, it } from 'vitest';
import { buildStack } from './fixture.ts';

describe('cdk-nag AwsSolutions', () => {
  it('reports no unacknowledged error or warning for the default stack', () => {
    // Prepare
    const stack = buildStack();

    // Act
    const report = new AwsSolutionsChecks().validateScope(stack);

    // Assess
    const findings = report.violations.map(
      (v) => `${v.severity} ${v.ruleName} at ${v.violatingResources.map((r) => r.constructPath).join(', ')}`,
    );
    expect(findings).toEqual([]);
    expect(report.success).toBe(true);
  });

  it('reports nothing for an existing bus and configuration set with a high send rate either', () => {
    // Prepare
    const stack = buildStack({
      eventBusName: 'shop-events',
      configurationSetName: 'shop-marketing',
      sendRatePerSecond: 50,
    });

    // Act
    const report = new AwsSolutionsChecks().validateScope(stack);

    // Assess
    expect(report.violations.map((v) => v.ruleName)).toEqual([]);
  });

  it('reports nothing for the analytics log with the monthly report either', () => {
    // Prepare
    const stack = buildStack({
      analytics: { reportRecipients: ['owner@shop.example'], reportLocale: 'de', retentionMonths: 13 },
    });

    // Act
    const report = new AwsSolutionsChecks().validateScope(stack);

    // Assess
    const findings = report.violations.map(
      (v) => `${v.severity} ${v.ruleName} at ${v.violatingResources.map((r) => r.constructPath).join(', ')}`,
    );
    expect(findings).toEqual([]);
  });

  it('leaves no error or warning annotation from the constructs themselves', () => {
    // Prepare
    const stack = buildStack();

    // Act
    const annotations = Annotations.fromStack(stack);

    // Assess
    expect(annotations.findError('*', Match.stringLikeRegexp('.*'))).toEqual([]);
    expect(annotations.findWarning('*', Match.stringLikeRegexp('.*'))).toEqual([]);
  });
});
