/**
 * `npm run synth`'s closing line (bin/synth-summary.ts): the cdk-nag outcome read from what
 * `cdk synth` leaves in cdk.out — CDK's validation report and the acknowledgements in the metadata.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { nagOutcome } from '../../bin/synth-summary.ts';

function cdkOut(report: unknown): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'rj-synth-summary-'));
  writeFileSync(path.join(dir, 'validation-report.json'), JSON.stringify(report));
  writeFileSync(
    path.join(dir, 'Shop.metadata.json'),
    JSON.stringify({
      '/Shop/Fn/Role': [
        { type: 'aws:cdk:acknowledged-rules', data: { 'AwsSolutions-IAM5[Resource::*]': 'X-Ray needs *' } },
        { type: 'aws:cdk:logicalId', data: 'FnRole' },
      ],
      '/Shop/Topic': [{ type: 'aws:cdk:acknowledged-rules', data: { 'AwsSolutions-SNS3': 'TLS enforced' } }],
    }),
  );
  return dir;
}

describe('nagOutcome', () => {
  it('calls an empty validation report a pass and counts the acknowledged findings', () => {
    // Prepare
    const dir = cdkOut({ version: '55.0.0', title: 'Validation Report', pluginReports: [] });

    // Act
    const lines = nagOutcome(dir);

    // Assess
    expect(lines).toEqual([
      'cdk-nag AwsSolutions: passed, no unacknowledged findings (2 findings acknowledged in lib/, each with its reason)',
    ]);
  });

  it('names every finding cdk-nag reported, with its severity and construct', () => {
    // Prepare
    const dir = cdkOut({
      pluginReports: [
        {
          pluginName: 'cdk-nag-AwsSolutions',
          conclusion: 'failure',
          violations: [
            {
              ruleName: 'AwsSolutions-S1',
              severity: 'error',
              violatingConstructs: [{ constructPath: 'Shop/Bucket/Resource' }],
            },
            {
              ruleName: 'AwsSolutions-SQS3',
              severity: 'warning',
              violatingConstructs: [{ constructPath: 'Shop/Queue/Resource' }],
            },
          ],
        },
      ],
    });

    // Act
    const lines = nagOutcome(dir);

    // Assess
    expect(lines).toEqual([
      'cdk-nag AwsSolutions: FAILED with 1 error, 1 warning (2 findings acknowledged in lib/, each with its reason)',
      '  error AwsSolutions-S1 at Shop/Bucket/Resource',
      '  warning AwsSolutions-SQS3 at Shop/Queue/Resource',
    ]);
  });

  it('says so when there is no report to read', () => {
    // Act
    const lines = nagOutcome(mkdtempSync(path.join(tmpdir(), 'rj-synth-summary-')));

    // Assess
    expect(lines).toEqual(['cdk-nag AwsSolutions: no validation-report.json; run cdk synth first']);
  });
});
