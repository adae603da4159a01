/**
 * Every function's policy holds exactly what its role (functions/composition/roles.ts) says: its
 * table actions and no others, the stream only for the dispatcher, the signing secret only where
 * tokens are signed or checked — in a stack with every optional function (loyalty, connectors,
 * analytics with the monthly report).
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { type CfnElement, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { FUNCTION_ROLES } from '../../functions/composition/roles.ts';
import { loyaltyProgramSchema } from '../../functions/core/loyalty/program.ts';
import { RetentionFunction } from '../../lib/function.ts';
import { buildStack, stubCatalog } from './fixture.ts';

// biome-ignore lint/suspicious/noExplicitAny: CloudFormation templates are untyped JSON
type Json = any;

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const loyalty = loyaltyProgramSchema.parse({
  ...parse(readFileSync(path.join(ROOT, 'loyalty.yaml'), 'utf8')),
  enabled: true,
});
const stack = buildStack({
  catalogPath: stubCatalog(undefined, { loyalty }),
  shopify: { partnerEventSourceName: 'aws.partner/shopify.com/1234567/my-shop' },
  webhooks: { woocommerce: true, shopware: true },
  analytics: { reportRecipients: ['owner@shop.example'] },
});
const template = Template.fromStack(stack);
const functions = stack.node.findAll().filter((c): c is RetentionFunction => c instanceof RetentionFunction);
const policies: Json[] = Object.values(template.findResources('AWS::IAM::Policy'));

const logicalId = (element: unknown) => Stack.of(stack).resolve((element as CfnElement).logicalId) as string;
const signingSecretId = logicalId(
  stack.node.findAll().find((c) => c.node.path.endsWith('/SigningSecret/Resource')),
);
const STREAM_ACTIONS = [
  'dynamodb:DescribeStream',
  'dynamodb:GetRecords',
  'dynamodb:GetShardIterator',
  'dynamodb:ListStreams',
];

/** Every statement of the policies attached to the function's role. */
function statements(fn: RetentionFunction): Json[] {
  const roleId = logicalId(fn.role.node.defaultChild);
  return policies
    .filter((p) => p.Properties.Roles.some((r: Json) => r.Ref === roleId))
    .flatMap((p) => p.Properties.PolicyDocument.Statement);
}

const actionsOf = (statement: Json): string[] => [statement.Action].flat();
const mentions = (value: Json, id: string) => JSON.stringify(value).includes(`"${id}"`);

describe('grants per function', () => {
  it('builds every role there is', () => {
    const roles = new Set(functions.map((fn) => fn.functionRole.handlerFile));
    expect([...roles].sort()).toEqual(
      Object.values(FUNCTION_ROLES)
        .map((r) => r.handlerFile)
        .sort(),
    );
  });

  it.each(functions.map((fn) => [fn.node.path.split('/').slice(-1)[0], fn] as const))(
    '%s has exactly its table actions: no Scan, BatchWriteItem or DescribeTable',
    (_name, fn) => {
      const table = statements(fn)
        .flatMap(actionsOf)
        .filter((a) => a.startsWith('dynamodb:') && !STREAM_ACTIONS.includes(a));
      expect(new Set(table)).toEqual(new Set(fn.functionRole.table));
      for (const never of [
        'dynamodb:Scan',
        'dynamodb:BatchWriteItem',
        'dynamodb:DescribeTable',
        'dynamodb:*',
      ])
        expect(table).not.toContain(never);
    },
  );

  it('lets only the dispatcher read the stream', () => {
    const readers = functions.filter((fn) =>
      statements(fn).some((s) => actionsOf(s).some((a) => STREAM_ACTIONS.includes(a))),
    );
    expect(readers.map((fn) => fn.functionRole.handlerFile)).toEqual(['dispatcher.ts']);
  });

  it('lets only the roles that sign or check tokens read the signing secret, and tells only them where it is', () => {
    for (const fn of functions) {
      const reads = statements(fn).some(
        (s) =>
          actionsOf(s).includes('secretsmanager:GetSecretValue') && mentions(s.Resource, signingSecretId),
      );
      const env =
        template.toJSON().Resources[logicalId(fn.function.node.defaultChild)].Properties.Environment
          .Variables;
      expect(reads, fn.node.path).toBe(fn.functionRole.signingSecret);
      expect('SIGNING_SECRET_ARN' in env, fn.node.path).toBe(fn.functionRole.signingSecret);
    }
    const readers = functions
      .filter((fn) => fn.functionRole.signingSecret)
      .map((fn) => fn.functionRole.handlerFile);
    expect(new Set(readers)).toEqual(
      new Set(['journey.ts', 'profile.ts', 'loyalty.ts', 'sweeper.ts', 'dispatcher.ts', 'preferences.ts']),
    );
  });

  it('gives the SES events function item reads and guarded writes only: no Query, no DeleteItem', () => {
    const sesEvents = functions.find(
      (fn) => fn.functionRole.handlerFile === 'ses-events.ts',
    ) as RetentionFunction;
    const actions = statements(sesEvents).flatMap(actionsOf);
    expect(actions).not.toContain('dynamodb:Query');
    expect(actions).not.toContain('dynamodb:DeleteItem');
    expect(actions.some((a) => a.startsWith('secretsmanager:'))).toBe(false);
  });

  it('gives the monthly report no table access at all', () => {
    const report = functions.find(
      (fn) => fn.functionRole.handlerFile === 'monthly-report.ts',
    ) as RetentionFunction;
    expect(
      statements(report)
        .flatMap(actionsOf)
        .filter((a) => a.startsWith('dynamodb:')),
    ).toEqual([]);
  });
});
