/**
 * Calendar arithmetic in the customer's time zone. "Two days later" keeps the local wall-clock time
 * across a DST change, and quiet hours are local hours, so every rule about time goes through here.
 */
import { DateTime, Duration } from 'luxon';

export interface QuietHours {
  start: string;
  end: string;
}

function local(instant: string, zone: string): DateTime {
  const dt = DateTime.fromISO(instant, { zone });
  if (!dt.isValid) throw new RangeError(`invalid instant or time zone: ${instant} in ${zone}`);
  return dt;
}

const knownTimeZones = new Map<string, boolean>();
/** Whether `zone` is an IANA time zone this runtime knows (remembered: the check builds a formatter). */
export function isTimeZone(zone: string): boolean {
  let known = knownTimeZones.get(zone);
  if (known === undefined) {
    try {
      new Intl.DateTimeFormat('en', { timeZone: zone });
      known = true;
    } catch {
      known = false;
    }
    knownTimeZones.set(zone, known);
  }
  return known;
}

export function toIso(dt: DateTime): string {
  // Milliseconds dropped: timers and outbox ids compare as strings, and the sweeper runs per minute.
  return dt.toUTC().startOf('second').toISO({ suppressMilliseconds: true }) as string;
}

/** `instant + duration`, with days/weeks/months added on the customer's local calendar. */
export function addDuration(instant: string, iso: string, zone: string): string {
  return toIso(local(instant, zone).plus(Duration.fromISO(iso)));
}

function minutesOfDay(clock: string): number {
  const [h, m] = clock.split(':').map(Number);
  return (h ?? 0) * 60 + (m ?? 0);
}

/** The moment quiet hours end, if `instant` falls inside them; undefined when sending is allowed. */
export function quietHoursEnd(instant: string, zone: string, quiet: QuietHours): string | undefined {
  const now = local(instant, zone);
  const minute = now.hour * 60 + now.minute;
  const start = minutesOfDay(quiet.start);
  const end = minutesOfDay(quiet.end);
  if (start === end) return undefined;
  const wraps = start > end; // e.g. 21:00-08:00 spans midnight
  const inside = wraps ? minute >= start || minute < end : minute >= start && minute < end;
  if (!inside) return undefined;
  const endToday = now.set({ hour: Math.floor(end / 60), minute: end % 60, second: 0, millisecond: 0 });
  return toIso(endToday > now ? endToday : endToday.plus({ days: 1 }));
}

export function isBefore(a: string, b: string): boolean {
  return Date.parse(a) < Date.parse(b);
}

export function isAtOrBefore(a: string, b: string): boolean {
  return Date.parse(a) <= Date.parse(b);
}

/** The later of two instants: business time never runs backwards inside an instance. */
export function latest(a: string, b: string): string {
  return isBefore(a, b) ? b : a;
}

/** The customer's local date and hour, for timelines and tests: `2026-03-07 09:00 Europe/Berlin`. */
export function localStamp(instant: string, zone: string): string {
  return local(instant, zone).toFormat('yyyy-LL-dd HH:mm');
}
