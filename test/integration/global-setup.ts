/**
 * Vitest global setup for the `integration` project: one DynamoDB Local and one SES v2 emulator for the
 * whole run, shared by every integration test file (tests isolate themselves with uniquely named tables
 * and recipients). Endpoints reach the tests through `inject()` (see env.ts). The returned teardown runs
 * whether tests passed or failed; servers/cleanup registry also kills the JVM on Ctrl-C or a crash.
 */
import type { TestProject } from 'vitest/node';
import { startDynamoDbLocal } from '../../local/servers/dynamodb-local.ts';
import { startSesEmulator } from '../../local/servers/ses-emulator.ts';

declare module 'vitest' {
  export interface ProvidedContext {
    dynamoEndpoint: string;
    sesEndpoint: string;
  }
}

async function stopEach(servers: Array<{ stop(): Promise<void> } | undefined>): Promise<void> {
  const results = await Promise.allSettled(servers.map((server) => server?.stop()));
  const failure = results.find((result): result is PromiseRejectedResult => result.status === 'rejected');
  if (failure) throw failure.reason;
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const [dynamo, ses] = await Promise.allSettled([startDynamoDbLocal(), startSesEmulator()]);
  if (dynamo.status === 'rejected' || ses.status === 'rejected') {
    // Don't leave the one that did start running.
    await stopEach([
      dynamo.status === 'fulfilled' ? dynamo.value : undefined,
      ses.status === 'fulfilled' ? ses.value : undefined,
    ]).catch(() => undefined);
    throw dynamo.status === 'rejected' ? dynamo.reason : (ses as PromiseRejectedResult).reason;
  }
  project.provide('dynamoEndpoint', dynamo.value.endpoint);
  project.provide('sesEndpoint', ses.value.endpoint);
  return () => stopEach([dynamo.value, ses.value]);
}
