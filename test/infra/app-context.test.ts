/**
 * The CDK app (bin/app.ts) as `cdk synth -c key=value` runs it: every problem with the context at
 * once, named as the user wrote it (`logRetentionDays`, not the construct's `logRetention`), and no
 * stack trace. The context reaches the app as the CDK CLI passes it, in CDK_CONTEXT_JSON.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const ROOT = path.resolve(import.meta.dirname, '../..');

async function synth(context: Record<string, string>): Promise<{ code: number; stderr: string }> {
  const out = await mkdtemp(path.join(tmpdir(), 'cdk-out-'));
  try {
    await promisify(execFile)(process.execPath, ['--import', 'tsx', 'bin/app.ts'], {
      cwd: ROOT,
      env: { ...process.env, CDK_CONTEXT_JSON: JSON.stringify(context), CDK_OUTDIR: out },
    });
    return { code: 0, stderr: '' };
  } catch (error) {
    const e = error as { code?: number; stderr?: string };
    return { code: e.code ?? -1, stderr: e.stderr ?? '' };
  } finally {
    await rm(out, { recursive: true, force: true });
  }
}

describe('cdk synth with a wrong context', () => {
  it('names every problem as the user wrote it, without a stack trace', async () => {
    const { code, stderr } = await synth({
      senderAddress: '',
      logRetentionDays: '45',
      timerShards: 'many',
      frequencyCapMax: '0',
      webhooks: 'woocommerce,magento',
    });
    expect(code).toBe(1);
    const lines = stderr.trim().split('\n');
    expect(lines[0]).toBe('cdk synth: 5 problems with the context (cdk.json or -c key=value):');
    expect(lines.slice(1).map((l) => l.trim().split(':')[0])).toEqual([
      'senderAddress',
      'webhooks',
      'timerShards',
      'frequencyCapMax',
      'logRetentionDays',
    ]);
    expect(stderr).toContain('  timerShards: "many" is not a number');
    expect(stderr).toContain('  webhooks: names unknown platforms (magento)');
    expect(stderr).toContain('  logRetentionDays: 45 is not a CloudWatch Logs retention period');
    expect(stderr).not.toMatch(/\n\s+at |node:internal|RetentionJourneysPropsError/);
  }, 120_000);
});
