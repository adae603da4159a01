import { MetricUnit } from '@aws-lambda-powertools/metrics';
import middy from '@middy/core';
import type { Context } from 'aws-lambda';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { metrics, publishStoredMetrics } from '../../functions/handlers/runtime.ts';

const context = { functionName: 'test', awsRequestId: 'r-1' } as Context;

/** Everything the handler wrote to stdout and stderr (Powertools' logger and EMF both write there). */
async function written(run: () => Promise<unknown>): Promise<string> {
  const lines: string[] = [];
  const capture = (chunk: unknown) => {
    lines.push(String(chunk));
    return true;
  };
  vi.spyOn(process.stdout, 'write').mockImplementation(capture);
  vi.spyOn(process.stderr, 'write').mockImplementation(capture);
  try {
    await run().catch(() => undefined);
  } finally {
    vi.restoreAllMocks();
  }
  return lines.join('');
}

/** The EMF documents among the lines written (a missing namespace in tests adds a warning line). */
const emf = (text: string) =>
  text
    .split('\n')
    .filter((line) => line.includes('"_aws"'))
    .map((line) => JSON.parse(line) as Record<string, unknown>);

afterEach(() => metrics.clearMetrics());

describe('publishStoredMetrics middleware', () => {
  it('writes nothing when the invocation stored no metric (no warning line per invocation)', async () => {
    const handler = middy(async () => 'ok').use(publishStoredMetrics());
    expect(await written(() => handler({}, context))).toBe('');
  });

  it('publishes what was stored, after success and after a failure', async () => {
    const ok = middy(async () => {
      metrics.addMetric('OutboxRetried', MetricUnit.Count, 1);
    }).use(publishStoredMetrics());
    expect(emf(await written(() => ok({}, context)))).toMatchObject([{ OutboxRetried: 1 }]);

    const failing = middy(async () => {
      metrics.addMetric('JourneyRejected', MetricUnit.Count, 1);
      throw new Error('boom');
    }).use(publishStoredMetrics());
    expect(emf(await written(() => failing({}, context)))).toMatchObject([{ JourneyRejected: 1 }]);
    expect(metrics.hasStoredMetrics()).toBe(false);
  });
});
