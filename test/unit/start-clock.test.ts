/** The clock `npm start` runs on (local/start/clock.ts): only forward, in bounded steps, named in words. */
import { describe, expect, it } from 'vitest';
import { AdjustableClock, advanceError, inWords } from '../../local/start/clock.ts';

describe('AdjustableClock', () => {
  it('moves forward by calendar durations and keeps the offset', () => {
    const clock = new AdjustableClock();
    const { from, to } = clock.advance('P1W');
    expect(Date.parse(to) - Date.parse(from)).toBe(7 * 86_400_000);
    expect(clock.offset).toBe(7 * 86_400_000);
    expect(Date.parse(clock.now()) - Date.now()).toBeGreaterThan(7 * 86_400_000 - 2_000);
    expect(new AdjustableClock(clock.offset).offset).toBe(clock.offset);
  });

  it('refuses what does not move it forward, or moves it too far at once, naming the field and the rule', () => {
    const clock = new AdjustableClock();
    expect(() => clock.advance('-P1D')).toThrow(/^by: "-P1D" does not move the clock forward \(rule: /);
    expect(() => clock.advance('PT0S')).toThrow(/does not move the clock forward/);
    expect(clock.offset).toBe(0);
    expect(advanceError('P401D')).toMatch(/^by: "P401D" is more than 400 days/);
    expect(advanceError('P2Y')).toMatch(/more than 400 days/);
    expect(advanceError('5 days')).toMatch(/^by: "5 days" is not a duration/);
    expect(advanceError(5)).toMatch(/^by: required/);
    expect(advanceError(undefined)).toMatch(/^by: required/);
    expect(advanceError('PT12H')).toBeUndefined();
  });

  it('says a step in words', () => {
    expect(inWords('P5D')).toBe('5 days');
    expect(inWords('P1W')).toBe('1 week');
    expect(inWords('PT12H')).toBe('12 hours');
  });
});
