/**
 * The dispatcher as a process of its own, for the `kill -9 mid-batch` fault row: a local runtime on
 * the given table and SES endpoint drains the outbox once, then idles until it is killed. Started by
 * faults/rows/kill-dispatcher.ts with `node --import tsx`; settings come from the environment.
 */
import { VirtualClock } from '../functions/adapters/clock.ts';
import { onboardingOnly, runtime } from './ses-harness.ts';

const need = (name: string) => {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set`);
  return value;
};

const rt = await runtime({
  catalog: await onboardingOnly(),
  clock: new VirtualClock(need('FAULT_START')),
  dynamoEndpoint: need('FAULT_DYNAMO_ENDPOINT'),
  sesEndpoint: need('FAULT_SES_ENDPOINT'),
  sesStoreEndpoint: need('FAULT_SES_STORE_ENDPOINT'),
  tableName: need('FAULT_TABLE_NAME'),
  env: { OUTBOX_RECONCILE_AFTER: 'PT15M' },
});
process.send?.('ready');
await rt.drainOutbox();
process.send?.('drained');
// Stay alive until the parent kills us, like a Lambda worker frozen mid-batch would not.
setInterval(() => {}, 60_000);
