/**
 * Calendar arithmetic in the customer's time zone. "Two days later" keeps the local wall-clock time
 * across a DST change, and quiet hours are local hours, so every rule about time goes through here.
 */
import { DateTime, Duration, Info, type Zone } from 'luxon';

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
interface ParsedDuration {
  duration: Duration;
  calendar: boolean;
  /** Elapsed milliseconds (hours and smaller; the whole duration when it is not a calendar one). */
  ms: number;
  /** Whole days (weeks counted in) when days and weeks are all the calendar part; else undefined. */
  days: number | undefined;
}
const durations = new Map<string, ParsedDuration>();
function parsedDuration(iso: string): ParsedDuration {
  let parsed = durations.get(iso);
  if (!parsed) {
    const duration = Duration.fromISO(iso);
    const { years, quarters, months, weeks, days, hours, minutes, seconds, milliseconds } = duration;
    const calendar = [years, quarters, months, weeks, days].some((n) => n !== 0);
    const wholeDays =
      years === 0 && quarters === 0 && months === 0 && Number.isInteger(days) && Number.isInteger(weeks);
    parsed = {
      duration,
      calendar,
      ms: calendar
        ? Duration.fromObject({ hours, minutes, seconds, milliseconds }).as('milliseconds')
        : duration.toMillis(),
      days: calendar && wholeDays ? days + weeks * 7 : undefined,
    };
    if (durations.size < 1000) durations.set(iso, parsed);
  }
  return parsed;
}

/**
 * Local calendar arithmetic without a luxon DateTime per step: the same zone offsets and the same
 * steps as luxon's `plus` and `set` (wall clock moved, then luxon's `fixOffset` to find the instant:
 * a wall time skipped by DST moves forward, a repeated one keeps the earlier offset), for instants
 * written as every stored time is (UTC or a numeric offset, whole seconds or milliseconds).
 * test/unit/time.test.ts holds these to luxon around DST changes in many zones.
 */
const STORED_INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2}(?:\.\d{1,3})?)?(?:Z|[+-]\d{2}:\d{2})$/;
/** From year 100 on: luxon reads two-digit years apart (objToLocalTS), and no stored time is that old. */
const YEAR_100 = Date.UTC(100, 0, 1);

function storedInstant(instant: string): number | undefined {
  if (!STORED_INSTANT.test(instant)) return undefined;
  const ms = Date.parse(instant);
  return Number.isNaN(ms) || ms < YEAR_100 ? undefined : ms;
}

/** The zone luxon reads `name` as, when it is a valid one (luxon keeps one instance per IANA name). */
function zoneNamed(name: string): Zone | undefined {
  const zone = Info.normalizeZone(name);
  return zone?.isValid ? zone : undefined;
}

const HOUR_MS = 3_600_000;
const offsetsByHour = new Map<string, Map<number, number>>();

/**
 * The zone's UTC offset in minutes at `ms`, remembered per zone and hour: luxon's own `offset` formats
 * the instant through Intl on every call, which was the largest single cost of a simulated year. An
 * hour whose first and last millisecond have one offset has it throughout, as no zone changes its
 * offset twice within an hour; an hour with a change in it is not remembered, nor any before 1970.
 */
function offsetAt(zone: Zone, ms: number): number {
  if (ms < 0) return zone.offset(ms);
  let byHour = offsetsByHour.get(zone.name);
  if (!byHour) {
    byHour = new Map();
    offsetsByHour.set(zone.name, byHour);
  }
  const hour = Math.floor(ms / HOUR_MS);
  const known = byHour.get(hour);
  if (known !== undefined) return known;
  const first = zone.offset(hour * HOUR_MS);
  if (first !== zone.offset((hour + 1) * HOUR_MS - 1)) return zone.offset(ms);
  // A bound on what a long-running process keeps: about six years of hours for one zone.
  if (byHour.size >= 50_000) byHour.clear();
  byHour.set(hour, first);
  return first;
}

/** luxon's fixOffset: the instant of local wall time `localMs`, guessing offset `o` (minutes) first. */
function fixOffset(localMs: number, o: number, zone: Zone): [number, number] {
  let guess = localMs - o * 60_000;
  const o2 = offsetAt(zone, guess);
  if (o === o2) return [guess, o];
  guess -= (o2 - o) * 60_000;
  const o3 = offsetAt(zone, guess);
  if (o2 === o3) return [guess, o2];
  return [localMs - Math.min(o2, o3) * 60_000, Math.max(o2, o3)];
}

/** `days` whole days and then `ms` elapsed milliseconds on the local calendar, as luxon's `plus`. */
function plusLocal(ms: number, o: number, zone: Zone, days: number, elapsed: number): number {
  const [moved] = fixOffset(ms + o * 60_000 + days * 86_400_000, o, zone);
  return moved + elapsed;
}

/**
 * `instant + duration`, with days/weeks/months added on the customer's local calendar. Hours and
 * minutes are elapsed time whatever the zone, so those add up without a calendar.
 */
export function addDuration(instant: string, iso: string, zone: string): string {
  const { duration, calendar, ms, days } = parsedDuration(iso);
  if (!calendar) {
    const start = Date.parse(instant);
    if (Number.isNaN(start) || !isTimeZone(zone))
      throw new RangeError(`invalid instant or time zone: ${instant} in ${zone}`);
    return isoSecond(start + ms);
  }
  const start = days === undefined ? undefined : storedInstant(instant);
  const tz = start === undefined ? undefined : zoneNamed(zone);
  if (start !== undefined && tz && days !== undefined)
    return isoSecond(plusLocal(start, offsetAt(tz, start), tz, days, ms));
  return toIso(local(instant, zone).plus(duration));
}

function minutesOfDay(clock: string): number {
  const [h, m] = clock.split(':').map(Number);
  return (h ?? 0) * 60 + (m ?? 0);
}

/** The moment quiet hours end, if `instant` falls inside them; undefined when sending is allowed. */
export function quietHoursEnd(instant: string, zone: string, quiet: QuietHours): string | undefined {
  const start = minutesOfDay(quiet.start);
  const end = minutesOfDay(quiet.end);
  const ms = storedInstant(instant);
  const tz = ms === undefined ? undefined : zoneNamed(zone);
  if (ms === undefined || !tz) return quietHoursEndLuxon(instant, zone, start, end);
  const o = offsetAt(tz, ms);
  const wall = new Date(ms + o * 60_000);
  if (!insideQuietHours(wall.getUTCHours() * 60 + wall.getUTCMinutes(), start, end)) return undefined;
  // luxon's `set({ hour, minute, second: 0, millisecond: 0 })`: today's wall clock at the end.
  const endWall = Date.UTC(
    wall.getUTCFullYear(),
    wall.getUTCMonth(),
    wall.getUTCDate(),
    Math.floor(end / 60),
    end % 60,
  );
  const [endToday, endOffset] = fixOffset(endWall, o, tz);
  return isoSecond(endToday > ms ? endToday : plusLocal(endToday, endOffset, tz, 1, 0));
}

/** Whether local minute-of-day `minute` is within quiet hours `start`–`end` (which may span midnight). */
function insideQuietHours(minute: number, start: number, end: number): boolean {
  if (start === end) return false;
  return start > end ? minute >= start || minute < end : minute >= start && minute < end;
}

/** quietHoursEnd through luxon, for an instant or zone the fast path does not read. */
function quietHoursEndLuxon(instant: string, zone: string, start: number, end: number): string | undefined {
  const now = local(instant, zone);
  if (!insideQuietHours(now.hour * 60 + now.minute, start, end)) return undefined;
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
