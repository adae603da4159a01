import { describe, expect, it } from 'vitest';
import { SendPacer } from '../../functions/services/pacer.ts';

describe('SendPacer', () => {
  it('spaces sends 1/rate seconds apart on a virtual clock', async () => {
    // Prepare
    let now = 0;
    const waits: number[] = [];
    const pacer = new SendPacer(
      4,
      () => now,
      async (ms) => {
        waits.push(ms);
        now += ms;
      },
    );
    // Act
    for (let i = 0; i < 5; i++) await pacer.pace();
    // Assess: the first goes at once, then one every 250 ms.
    expect(waits).toEqual([250, 250, 250, 250]);
    expect(now).toBe(1000);
  });

  it('does not wait when sends are already slower than the rate', async () => {
    let now = 0;
    const waits: number[] = [];
    const pacer = new SendPacer(
      2,
      () => now,
      async (ms) => void waits.push(ms),
    );
    await pacer.pace();
    now = 600;
    await pacer.pace();
    expect(waits).toEqual([]);
  });

  it('refuses a rate that is not positive', () => {
    expect(() => new SendPacer(0)).toThrow(/positive/);
  });
});
