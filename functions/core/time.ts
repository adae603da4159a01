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

/** An instant in UTC to the second, as every stored time is written (`2026-03-02T08:00:00Z`). */
function isoSecond(ms: number): string {
  // Milliseconds dropped: timers and outbox ids compare as strings, and the sweeper runs per minute.
  return new Date(ms - (((ms % 1000) + 1000) % 1000)).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

export function toIso(dt: DateTime): string {
  return isoSecond(dt.toMillis());
}

/** Parsed durations, remembered: journeys use a handful, and decisions add them all the time. */
const durations = new Map<string, { duration: Duration; calendar: boolean; ms: number }>();
function parsedDuration(iso: string) {
  let parsed = durations.get(iso);
  if (!parsed) {
    const duration = Duration.fromISO(iso);
    const { years, quarters, months, weeks, days } = duration;
    const calendar = [years, quarters, months, weeks, days].some((n) => n !== 0);
    parsed = { duration, calendar, ms: calendar ? 0 : duration.toMillis() };
    if (durations.size < 1000) durations.set(iso, parsed);
  }
  return parsed;
}

/**
 * `instant + duration`, with days/weeks/months added on the customer's local calendar. Hours and
 * minutes are elapsed time whatever the zone, so those add up without a calendar.
 */
export function addDuration(instant: string, iso: string, zone: string): string {
  const { duration, calendar, ms } = parsedDuration(iso);
  if (!calendar) {
    const start = Date.parse(instant);
    if (Number.isNaN(start) || !isTimeZone(zone))
      throw new RangeError(`invalid instant or time zone: ${instant} in ${zone}`);
    return isoSecond(start + ms);
  }
  return toIso(local(instant, zone).plus(duration));
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
