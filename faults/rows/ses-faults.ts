/**
 * SES faults: a fault-injecting proxy in front of the real SES v2 emulator answers 30 % of sends
 * "throttled", 10 % "accepted, then 500 / connection reset", lets a few hang forever, and refuses
 * every connection for two minutes (virtual time: the outage is measured on the runtime's clock, so
 * `small` does not sleep). Customers register before and during the outage; the local runtime runs
 * its loop (dispatch, SES events, sweeper) until every deferred send had its turn (six hours of
 * virtual time; the longest backoff is 30 minutes). Counted in the emulator's own store:
 * lost = welcomes never sent, doubled = welcomes sent more than once.
 */
import { randomUUID } from 'node:crypto';
import { VirtualClock } from '../../functions/adapters/clock.ts';
import { addDuration } from '../../functions/core/time.ts';
import { type FaultDecision, startSesFaultProxy } from '../../test/support/ses-fault-proxy.ts';
import {
  onboardingOnly,
  registration,
  runtime,
  runUntil,
  START,
  seeded,
  tally,
  withServers,
} from '../ses-harness.ts';
import type { FaultCheck, FaultRow } from '../types.ts';

const NAME = 'SES faults (30 % throttled, 10 % ambiguous, hung, 2-min outage)';

export default {
  name: NAME,
  async run({ size, seed }): Promise<FaultRow> {
    const customers = size === 'small' ? 40 : 485;
    const random = seeded(seed);
    const decide = (): FaultDecision => {
      const r = random();
      if (r < 0.3) return 'throttle';
      if (r < 0.35) return 'accept-then-500';
      if (r < 0.4) return 'accept-then-reset';
      if (r < 0.42) return 'hang';
      if (r < 0.44) return 'accept-then-hang';
      return 'pass';
    };
    const catalog = await onboardingOnly();
    return withServers(async ({ dynamo, ses }) => {
      const proxy = await startSesFaultProxy({ target: ses.endpoint, decide });
      try {
        const clock = new VirtualClock(START);
        const rt = await runtime({
          catalog,
          clock,
          dynamoEndpoint: dynamo.endpoint,
          sesEndpoint: proxy.endpoint,
          sesStoreEndpoint: ses.endpoint,
          tableName: `ses-faults-${randomUUID()}`,
          // Hung requests cost this much real time each; the grace period is virtual time.
          env: {
            SES_REQUEST_TIMEOUT_MS: size === 'small' ? '1000' : '3000',
            OUTBOX_RECONCILE_AFTER: 'PT15M',
          },
        });
        const run = randomUUID().slice(0, 6);
        const ids = Array.from({ length: customers }, (_, i) => `sf-${run}-${i}`);
        const before = ids.slice(0, Math.ceil(customers / 2));
        const during = ids.slice(before.length);
        const outageFrom = addDuration(START, 'PT1M', 'UTC');
        const outageUntil = addDuration(START, 'PT3M', 'UTC');
        let crashed = 0;
        const put = async (batch: string[]) => {
          for (let i = 0; i < batch.length; i += 10) {
            const result = await rt.putEvents(batch.slice(i, i + 10).map(registration));
            crashed += result.deliveries.flatMap((d) => d.targets).filter((t) => t.error).length;
          }
        };
        await put(before);
        let failures = (await rt.drainOutbox()).failures.length;
        clock.set(outageFrom);
        await proxy.outage(true);
        await put(during);
        // Until every deferred send has had its turn: after the outage an entry may have backed off
        // to 30 minutes between attempts (the journey's own next step is two days on).
        const loop = await runUntil(rt, clock, addDuration(START, 'PT6H', 'UTC'), async (now) => {
          if (Date.parse(now) >= Date.parse(outageUntil)) await proxy.outage(false);
        });
        failures += loop.failures;
        const { lost, doubled } = await tally(ses, ids);
        const counts = proxy.counts;
        return {
          name: NAME,
          cases: customers,
          lost,
          doubled,
          crashed: crashed + failures + loop.sweepFailures,
          leaked: 0,
          note:
            `${customers} welcomes; ${counts.throttle} throttled, ` +
            `${counts['accept-then-500'] + counts['accept-then-reset']} accepted-then-500/reset, ` +
            `${counts.hang + counts['accept-then-hang']} hung, 2-min outage (virtual) for ${during.length}`,
        };
      } finally {
        await proxy.stop();
      }
    });
  },
} satisfies FaultCheck;
