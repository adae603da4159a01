/**
 * The fault suite's "fuzzed events" row at small size, on the run's DynamoDB Local: no handler
 * crashes, no event is accepted by some handlers and rejected by others, every rejection is on the log.
 */
import { describe, expect, it } from 'vitest';
import { runFuzz } from '../../faults/rows/fuzz.ts';
import { testEnv } from './env.ts';

describe('fault row: fuzzed events', () => {
  it.each([1])('seed %i: 0 crashed, 0 lost', { timeout: 240_000 }, async (seed) => {
    const { row, samples } = await runFuzz(
      { size: 'small', seed },
      { dynamoEndpoint: testEnv().dynamoEndpoint },
    );
    expect(row.cases).toBeGreaterThanOrEqual(150);
    expect(samples).toEqual([]);
    expect(row).toMatchObject({ crashed: 0, lost: 0, doubled: 0, leaked: 0 });
  });
});
