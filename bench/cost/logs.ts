/**
 * Bytes a handler writes to CloudWatch Logs per invocation, measured on the real handlers: the
 * profile and journey functions (most invocations) are built from their own factories with the
 * middleware they are deployed with (Powertools logger context, embedded metrics with the cold-start
 * metric), on the measured runtime's services, and what they write to stdout is counted.
 */
import { gzipSync } from 'node:zlib';
import type { Context, EventBridgeEvent } from 'aws-lambda';
import type { LocalRuntime } from '../../local/runtime/runtime.ts';

export interface LogFigures {
  bytesPerInvocation: number;
  /** gzip size ÷ raw size of the same lines. */
  compression: number;
  invocations: number;
}

const context = (functionName: string): Context =>
  ({
    functionName,
    functionVersion: '$LATEST',
    invokedFunctionArn: `arn:aws:lambda:eu-central-1:123456789012:function:${functionName}`,
    memoryLimitInMB: '512',
    awsRequestId: '2f1ad9a1-7c37-4b1e-9d7e-6a2b57c0e6b1',
    logGroupName: `/aws/lambda/${functionName}`,
    logStreamName: '2026/12/03/[$LATEST]0123456789abcdef0123456789abcdef',
    callbackWaitsForEmptyEventLoop: true,
    getRemainingTimeInMillis: () => 30_000,
  }) as unknown as Context;

export async function measureLogs(
  runtime: LocalRuntime,
  customers: number,
  now: () => string,
): Promise<LogFigures> {
  // As the stack sets them (lib/retention-journeys.ts), before the handlers' telemetry is built.
  process.env.POWERTOOLS_SERVICE_NAME = 'retention-journeys';
  process.env.POWERTOOLS_METRICS_NAMESPACE = 'RetentionJourneys';
  process.env._X_AMZN_TRACE_ID = 'Root=1-6751a1b2-0123456789abcdef01234567;Parent=0123456789abcdef;Sampled=1';
  const [{ default: middy }, { injectLambdaContext }, { logMetrics }, runtimeModule, profile, journey] =
    await Promise.all([
      import('@middy/core'),
      import('@aws-lambda-powertools/logger/middleware'),
      import('@aws-lambda-powertools/metrics/middleware'),
      import('../../functions/handlers/runtime.ts'),
      import('../../functions/handlers/profile.ts'),
      import('../../functions/handlers/journey.ts'),
    ]);
  const { logger, metrics } = runtimeModule;
  const wrap = <E>(handler: (event: E) => Promise<unknown>) =>
    middy(handler)
      .use(injectLambdaContext(logger))
      .use(logMetrics(metrics, { captureColdStartMetric: true }));
  const services = runtime.services;
  const profileHandler = wrap(profile.createProfileHandler(async () => services));
  const onboarding = wrap(journey.createJourneyHandler(async () => services, 'onboarding'));
  const postPurchase = wrap(journey.createJourneyHandler(async () => services, 'post-purchase'));

  // Lambda sends both streams to the function's log group.
  const chunks: Buffer[] = [];
  const streams = [process.stdout, process.stderr] as const;
  const writes = streams.map((s) => s.write.bind(s));
  let invocations = 0;
  const invoke = async (
    handler: (event: EventBridgeEvent<string, unknown>, context: Context) => Promise<unknown>,
    name: string,
    event: EventBridgeEvent<string, unknown>,
  ) => {
    invocations++;
    await handler(event, context(name));
  };
  for (const stream of streams)
    stream.write = ((chunk: string | Uint8Array) => {
      chunks.push(Buffer.from(chunk));
      return true;
    }) as typeof stream.write;
  try {
    for (let i = 0; i < customers; i++) {
      const customerId = `cost-logs-${i}`;
      const at = now();
      const registered = envelope(`cost-logs-reg-${i}`, 'customer.registered', at, {
        customerId,
        email: `${customerId}@example.com`,
        locale: 'en-GB',
        marketingConsent: true,
      });
      const placed = envelope(`cost-logs-order-${i}`, 'order.placed', at, {
        orderId: `${customerId}-o1`,
        customerId,
        placedAt: at,
        total: { amount: '42.00', currency: 'EUR' },
      });
      await invoke(profileHandler, 'Profile', registered);
      await invoke(onboarding, 'JourneyOnboarding', registered);
      await invoke(profileHandler, 'Profile', placed);
      await invoke(postPurchase, 'JourneyPostPurchase', placed);
    }
  } finally {
    streams.forEach((stream, i) => {
      stream.write = writes[i] as typeof stream.write;
    });
  }
  const raw = Buffer.concat(chunks);
  return {
    bytesPerInvocation: raw.length / invocations,
    compression: raw.length ? gzipSync(raw).length / raw.length : 1,
    invocations,
  };
}

const envelope = (
  id: string,
  detailType: string,
  time: string,
  detail: Record<string, unknown>,
): EventBridgeEvent<string, unknown> => ({
  version: '0',
  id,
  'detail-type': detailType,
  source: 'shop',
  account: '123456789012',
  time,
  region: 'eu-central-1',
  resources: [],
  detail,
});
