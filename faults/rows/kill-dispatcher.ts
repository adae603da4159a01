/**
 * kill -9 mid-batch and restart: the dispatcher runs in a child process and is SIGKILLed while SES
 * (the real emulator, behind a proxy that answers each accepted send a little late) holds emails
 * whose outbox entries are still `sending`. A fresh runtime then takes over, as after a restart:
 * the table stream is read from the start, the emulator's accepted emails yield SES's events, and
 * the sweeper reconciles what is left after the grace period (virtual time). Counted in the
 * emulator's own store: lost = welcomes never sent, doubled = sent more than once.
 */
import { fork } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import path from 'node:path';
import { QueryCommand } from '@aws-sdk/client-dynamodb';
import { VirtualClock } from '../../functions/adapters/clock.ts';
import { addDuration } from '../../functions/core/time.ts';
import { startSesFaultProxy } from '../../test/support/ses-fault-proxy.ts';
import {
  onboardingOnly,
  registration,
  runtime,
  runUntil,
  START,
  tally,
  withServers,
} from '../ses-harness.ts';
import type { FaultCheck, FaultRow } from '../types.ts';

const NAME = 'kill -9 mid-batch and restart';
const CHILD = path.join(import.meta.dirname, '../dispatcher-child.ts');

export default {
  name: NAME,
  async run({ size }): Promise<FaultRow> {
    const customers = size === 'small' ? 30 : 300;
    const catalog = await onboardingOnly();
    return withServers(async ({ dynamo, ses }) => {
      // Every send is taken by SES at once and answered 150 ms later: a kill lands between the two.
      const proxy = await startSesFaultProxy({
        target: ses.endpoint,
        decide: () => 'delay-answer',
        delayMs: 150,
      });
      const child: { kill?: () => void } = {};
      try {
        const tableName = `kill-${randomUUID()}`;
        const clock = new VirtualClock(START);
        const common = {
          catalog,
          dynamoEndpoint: dynamo.endpoint,
          sesEndpoint: proxy.endpoint,
          sesStoreEndpoint: ses.endpoint,
          tableName,
        };
        // The decisions are written by the journeys (no dispatch yet).
        const writer = await runtime({ ...common, clock });
        const run = randomUUID().slice(0, 6);
        const ids = Array.from({ length: customers }, (_, i) => `k9-${run}-${i}`);
        let crashed = 0;
        for (let i = 0; i < ids.length; i += 10) {
          const result = await writer.putEvents(ids.slice(i, i + 10).map(registration));
          crashed += result.deliveries.flatMap((d) => d.targets).filter((t) => t.error).length;
        }

        // The dispatcher process, killed once a third of the emails are with SES.
        const proc = fork(CHILD, [], {
          execArgv: ['--import', 'tsx'],
          stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
          env: {
            ...process.env,
            AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
            FAULT_START: START,
            FAULT_DYNAMO_ENDPOINT: dynamo.endpoint,
            FAULT_SES_ENDPOINT: proxy.endpoint,
            FAULT_SES_STORE_ENDPOINT: ses.endpoint,
            FAULT_TABLE_NAME: tableName,
          },
        });
        child.kill = () => proc.kill('SIGKILL');
        const exited = new Promise<void>((resolve) => proc.once('exit', () => resolve()));
        let stderr = '';
        proc.stderr?.on('data', (c: Buffer) => {
          stderr = (stderr + c.toString()).slice(-4000);
        });
        const accepted = async () =>
          (await ses.emails()).filter((e) => e.destination.to[0]?.startsWith(`k9-${run}-`)).length;
        const deadline = Date.now() + 120_000;
        let drained = false;
        proc.on('message', (m) => {
          if (m === 'drained') drained = true;
        });
        while ((await accepted()) < customers / 3) {
          if (drained || proc.exitCode !== null)
            throw new Error(`dispatcher child finished before the kill: ${stderr}`);
          if (Date.now() > deadline) throw new Error(`dispatcher child made no progress: ${stderr}`);
          await new Promise((resolve) => setTimeout(resolve, 10));
        }
        proc.kill('SIGKILL');
        await exited;
        const statuses = await outboxStatuses(dynamo.endpoint, tableName, ids);
        const atKill = await accepted();

        // Restart: a new runtime reads the stream from the start and the emulator's whole store.
        const restarted = await runtime({ ...common, clock, sesEventsSince: 0 });
        const loop = await runUntil(restarted, clock, addDuration(START, 'PT1H', 'UTC'));
        const { lost, doubled } = await tally(ses, ids);
        return {
          name: NAME,
          cases: customers,
          lost,
          doubled,
          crashed: crashed + loop.failures + loop.sweepFailures,
          leaked: 0,
          note:
            `${customers} welcomes; killed with ${atKill} accepted by SES, ` +
            `${statuses.sending ?? 0} sending, ${statuses.pending ?? 0} pending, ${statuses.sent ?? 0} sent`,
        };
      } finally {
        child.kill?.();
        await proxy.stop();
      }
    });
  },
} satisfies FaultCheck;

/** How many welcome entries are in each status (read straight from the table). */
async function outboxStatuses(endpoint: string, tableName: string, ids: string[]) {
  const { DynamoDBClient } = await import('@aws-sdk/client-dynamodb');
  const client = new DynamoDBClient({
    endpoint,
    region: 'eu-central-1',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  });
  const counts: Record<string, number> = {};
  try {
    for (const id of ids) {
      const page = await client.send(
        new QueryCommand({
          TableName: tableName,
          KeyConditionExpression: 'PK = :pk AND begins_with(SK, :out)',
          ExpressionAttributeValues: { ':pk': { S: `C#${id}` }, ':out': { S: 'OUT#onboarding#' } },
          ConsistentRead: true,
        }),
      );
      for (const item of page.Items ?? []) {
        if (!item.SK?.S?.endsWith('#0')) continue;
        const status = item.status?.S ?? '?';
        counts[status] = (counts[status] ?? 0) + 1;
      }
    }
  } finally {
    client.destroy();
  }
  return counts;
}
