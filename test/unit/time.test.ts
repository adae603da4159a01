/** Calendar arithmetic in the customer's zone: quiet hours and waits across midnight and DST. */

import fc from 'fast-check';
import { DateTime, Duration } from 'luxon';
import { describe, expect, it } from 'vitest';
import {
  addDuration,
  isAtOrBefore,
  isBefore,
  localStamp,
  quietHoursEnd,
  toIso,
} from '../../functions/core/time.ts';

const NIGHT = { start: '21:00', end: '08:00' };
const LUNCH = { start: '12:00', end: '14:00' };
const BERLIN = 'Europe/Berlin';
const NEW_YORK = 'America/New_York';

describe('quietHoursEnd: window across midnight (21:00-08:00)', () => {
  it.each([
    ['late evening: ends next morning', '2026-01-14T21:30:00Z', '2026-01-15T07:00:00Z'], // 22:30 CET
    ['just after midnight: ends the same morning', '2026-01-14T23:30:00Z', '2026-01-15T07:00:00Z'], // 00:30
    ['early morning: ends the same morning', '2026-01-15T06:00:00Z', '2026-01-15T07:00:00Z'], // 07:00
    ['at the start minute: inside', '2026-01-15T20:00:00Z', '2026-01-16T07:00:00Z'], // 21:00
  ])('%s', (_, instant, end) => {
    expect(quietHoursEnd(instant, BERLIN, NIGHT)).toBe(end);
  });

  it.each([
    ['at the end minute', '2026-01-15T07:00:00Z'], // 08:00 CET
    ['midday', '2026-01-15T11:00:00Z'],
    ['one minute before the start', '2026-01-15T19:59:00Z'], // 20:59
  ])('allows sending %s', (_, instant) => {
    expect(quietHoursEnd(instant, BERLIN, NIGHT)).toBeUndefined();
  });

  it('uses the customer zone, not UTC: 22:00 UTC is quiet in Berlin, afternoon in New York', () => {
    expect(quietHoursEnd('2026-01-15T22:00:00Z', BERLIN, NIGHT)).toBe('2026-01-16T07:00:00Z');
    expect(quietHoursEnd('2026-01-15T22:00:00Z', NEW_YORK, NIGHT)).toBeUndefined(); // 17:00 EST
  });
});

describe('quietHoursEnd: same-day window (12:00-14:00)', () => {
  it('inside: ends the same day', () => {
    expect(quietHoursEnd('2026-01-15T12:30:00Z', BERLIN, LUNCH)).toBe('2026-01-15T13:00:00Z'); // 13:30 CET
  });

  it.each([
    ['before', '2026-01-15T10:59:00Z'], // 11:59
    ['at the end', '2026-01-15T13:00:00Z'], // 14:00
    ['in the evening', '2026-01-15T21:00:00Z'], // 22:00: a same-day window does not wrap
  ])('outside (%s): allowed', (_, instant) => {
    expect(quietHoursEnd(instant, BERLIN, LUNCH)).toBeUndefined();
  });

  it('an empty window (start = end) never holds a send', () => {
    expect(quietHoursEnd('2026-01-15T12:30:00Z', BERLIN, { start: '08:00', end: '08:00' })).toBeUndefined();
  });
});

describe('quietHoursEnd over DST', () => {
  it('Europe/Berlin spring-forward night: ends at 08:00 CEST (06:00Z)', () => {
    // 2026-03-29 02:00 CET -> 03:00 CEST. 22:00 CET on the 28th is 21:00Z.
    const end = quietHoursEnd('2026-03-28T21:00:00Z', BERLIN, NIGHT);
    expect(end).toBe('2026-03-29T06:00:00Z');
    expect(localStamp(end as string, BERLIN)).toBe('2026-03-29 08:00');
  });

  it('Europe/Berlin fall-back night: ends at 08:00 CET (07:00Z)', () => {
    // 2026-10-25 03:00 CEST -> 02:00 CET. 22:00 CEST on the 24th is 20:00Z.
    const end = quietHoursEnd('2026-10-24T20:00:00Z', BERLIN, NIGHT);
    expect(end).toBe('2026-10-25T07:00:00Z');
    expect(localStamp(end as string, BERLIN)).toBe('2026-10-25 08:00');
  });

  it('Europe/Berlin, inside the repeated hour of fall-back: still ends at 08:00 local', () => {
    // 02:30 CET (the second 02:30) is 01:30Z.
    expect(quietHoursEnd('2026-10-25T01:30:00Z', BERLIN, NIGHT)).toBe('2026-10-25T07:00:00Z');
  });

  it('America/New_York spring-forward night: ends at 08:00 EDT (12:00Z)', () => {
    // 2026-03-08 02:00 EST -> 03:00 EDT. 23:00 EST on the 7th is 04:00Z on the 8th.
    const end = quietHoursEnd('2026-03-08T04:00:00Z', NEW_YORK, NIGHT);
    expect(end).toBe('2026-03-08T12:00:00Z');
    expect(localStamp(end as string, NEW_YORK)).toBe('2026-03-08 08:00');
  });

  it('America/New_York fall-back night: ends at 08:00 EST (13:00Z)', () => {
    // 2026-11-01 02:00 EDT -> 01:00 EST. 22:00 EDT on Oct 31 is 02:00Z on Nov 1.
    const end = quietHoursEnd('2026-11-01T02:00:00Z', NEW_YORK, NIGHT);
    expect(end).toBe('2026-11-01T13:00:00Z');
    expect(localStamp(end as string, NEW_YORK)).toBe('2026-11-01 08:00');
  });
});

describe('addDuration', () => {
  it('adds calendar days keeping the local wall-clock time over spring-forward (Berlin)', () => {
    // 09:00 CET on Mar 28 + P1D = 09:00 CEST on Mar 29: only 23 hours later.
    const next = addDuration('2026-03-28T08:00:00Z', 'P1D', BERLIN);
    expect(next).toBe('2026-03-29T07:00:00Z');
    expect(localStamp(next, BERLIN)).toBe('2026-03-29 09:00');
  });

  it('adds calendar days keeping the local wall-clock time over fall-back (Berlin)', () => {
    const next = addDuration('2026-10-24T07:00:00Z', 'P1D', BERLIN); // 09:00 CEST
    expect(next).toBe('2026-10-25T08:00:00Z'); // 09:00 CET, 25 hours later
    expect(localStamp(next, BERLIN)).toBe('2026-10-25 09:00');
  });

  it('keeps wall-clock time over DST in New York, in both directions', () => {
    expect(localStamp(addDuration('2026-03-07T14:00:00Z', 'P2D', NEW_YORK), NEW_YORK)).toBe(
      '2026-03-09 09:00',
    );
    expect(addDuration('2026-03-07T14:00:00Z', 'P2D', NEW_YORK)).toBe('2026-03-09T13:00:00Z');
    expect(addDuration('2026-10-31T13:00:00Z', 'P1W', NEW_YORK)).toBe('2026-11-07T14:00:00Z');
  });

  it('adds hours as elapsed time, not wall-clock time', () => {
    expect(addDuration('2026-03-28T08:00:00Z', 'PT24H', BERLIN)).toBe('2026-03-29T08:00:00Z');
  });

  it('adds months on the local calendar, clamping to the month end', () => {
    expect(addDuration('2026-01-31T08:00:00Z', 'P1M', BERLIN)).toBe('2026-02-28T08:00:00Z');
  });

  it('the result is a UTC instant without milliseconds, so it compares as a string', () => {
    expect(addDuration('2026-01-15T08:00:00.123Z', 'PT1M', BERLIN)).toBe('2026-01-15T08:01:00Z');
    expect(toIso(DateTime.fromISO('2026-01-15T09:00:00.999+01:00'))).toBe('2026-01-15T08:00:00Z');
  });

  it('rejects an unknown time zone or instant with a RangeError naming it', () => {
    expect(() => addDuration('2026-01-15T08:00:00Z', 'P1D', 'Mars/Olympus')).toThrow(/Mars\/Olympus/);
    expect(() => addDuration('not-a-date', 'P1D', BERLIN)).toThrow(RangeError);
  });
});

describe('comparisons', () => {
  it('compares instants, not strings, across offsets', () => {
    expect(isBefore('2026-01-15T08:00:00+01:00', '2026-01-15T07:30:00Z')).toBe(true);
    expect(isAtOrBefore('2026-01-15T08:00:00+01:00', '2026-01-15T07:00:00Z')).toBe(true);
    expect(isBefore('2026-01-15T08:00:00+01:00', '2026-01-15T07:00:00Z')).toBe(false);
  });
});

/** What addDuration and quietHoursEnd computed through luxon DateTimes before the fast path. */
const luxonIso = (dt: DateTime) => toIso(dt);
const viaLuxon = {
  addDuration: (instant: string, iso: string, zone: string) =>
    luxonIso(DateTime.fromISO(instant, { zone }).plus(Duration.fromISO(iso))),
  quietHoursEnd(instant: string, zone: string, quiet: { start: string; end: string }) {
    const now = DateTime.fromISO(instant, { zone });
    const [sh = 0, sm = 0] = quiet.start.split(':').map(Number);
    const [eh = 0, em = 0] = quiet.end.split(':').map(Number);
    const start = sh * 60 + sm;
    const end = eh * 60 + em;
    const minute = now.hour * 60 + now.minute;
    if (start === end) return undefined;
    const inside = start > end ? minute >= start || minute < end : minute >= start && minute < end;
    if (!inside) return undefined;
    const endToday = now.set({ hour: eh, minute: em, second: 0, millisecond: 0 });
    return luxonIso(endToday > now ? endToday : endToday.plus({ days: 1 }));
  },
};

describe('the local calendar without luxon DateTimes agrees with luxon', () => {
  // Zones with DST at odd hours and half- and quarter-hour offsets, both hemispheres.
  const zones = [
    'Europe/Berlin',
    'America/New_York',
    'Australia/Lord_Howe',
    'Pacific/Chatham',
    'Asia/Kathmandu',
    'America/Santiago',
    'Pacific/Auckland',
    'Asia/Tokyo',
    'UTC',
  ];
  const durations = ['P1D', 'P2D', 'P1W', 'P3DT4H', 'P1DT30M', 'P14D', 'P1M', '-P1D', 'P0DT1H'];
  const quiets = [NIGHT, LUNCH, { start: '02:30', end: '03:15' }, { start: '00:00', end: '02:00' }];
  // Every 73 minutes around this year's DST changes in either hemisphere (deterministic).
  const instants: string[] = [];
  for (const around of ['2026-03-08', '2026-03-29', '2026-04-05', '2026-09-27', '2026-10-25', '2026-11-01'])
    for (let m = -48 * 60; m <= 48 * 60; m += 73)
      instants.push(new Date(Date.parse(`${around}T00:00:00Z`) + m * 60_000).toISOString());
  instants.push('2026-03-29T00:30:00+01:00', '2026-10-25T01:30:00.250Z');

  it('addDuration', () => {
    for (const zone of zones)
      for (const instant of instants)
        for (const iso of durations)
          expect([instant, iso, zone, addDuration(instant, iso, zone)]).toEqual([
            instant,
            iso,
            zone,
            viaLuxon.addDuration(instant, iso, zone),
          ]);
  });

  it('quietHoursEnd', () => {
    for (const zone of zones)
      for (const instant of instants)
        for (const quiet of quiets)
          expect([instant, zone, quiet, quietHoursEnd(instant, zone, quiet)]).toEqual([
            instant,
            zone,
            quiet,
            viaLuxon.quietHoursEnd(instant, zone, quiet),
          ]);
  });

  it('agrees at any instant from 1950 to 2100, whichever hours were met before (offsets are remembered per hour)', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: Date.UTC(1950, 0, 1), max: Date.UTC(2100, 0, 1) }),
        fc.constantFrom(...zones, 'America/St_Johns', 'Africa/Casablanca', 'Asia/Gaza'),
        fc.constantFrom(...durations),
        fc.constantFrom(...quiets),
        (ms, zone, iso, quiet) => {
          const instant = new Date(ms - (ms % 1000)).toISOString();
          expect(addDuration(instant, iso, zone)).toBe(viaLuxon.addDuration(instant, iso, zone));
          expect(quietHoursEnd(instant, zone, quiet)).toBe(viaLuxon.quietHoursEnd(instant, zone, quiet));
        },
      ),
      { numRuns: 3000 },
    );
  });
});
