// The subpath, not the package root: the root also loads TZDate, whose module patches its
// prototype at load time, so a bundler keeps it (~4 KB) though nothing here uses it.
import { tzOffset } from '@date-fns/tz/tzOffset';
import type { LocalWindow } from '../messages/kinds.ts';

/**
 * The customer's wall clock: local dates and times in an IANA zone, and the instants they name.
 * Every zone and DST rule comes from the runtime's time zone data through @date-fns/tz's
 * tzOffset; nothing here adds offsets by hand, and nothing reads the machine's clock or zone.
 *
 * A wall-clock reading is held internally as "wall ms": the UTC instant with the same fields.
 * UTC has no DST, so calendar arithmetic on it is exact; the zone's offset turns it into the
 * instant(s) it names, each checked by reading it back.
 */

/** Thrown for rules or inputs no instant can be computed from (bad zone, bad 'HH:mm', none allowed). */
export class TimeRulesError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'TimeRulesError';
  }
}

const SECOND_MS = 1000;
const MINUTE_MS = 60_000;
const DAY_MS = 86_400_000;

const LOCAL_TIME = /^([01]\d|2[0-3]):[0-5]\d$/;
const LOCAL_DATE = /^\d{4}-\d{2}-\d{2}$/;

/** Validates a local wall-clock time 'HH:mm' (00:00–23:59). */
export function isLocalTime(value: string): boolean {
  return LOCAL_TIME.test(value);
}

export function isLocalDate(value: string): boolean {
  if (!LOCAL_DATE.test(value)) return false;
  const [year, month, day] = value.split('-').map(Number) as [number, number, number];
  return isCalendarDate(year, month, day);
}

/** Minutes since local midnight of a valid 'HH:mm'. */
export function minuteOfDay(time: string): number {
  if (!isLocalTime(time)) throw new TimeRulesError(`not a local time 'HH:mm': ${JSON.stringify(time)}`);
  return Number(time.slice(0, 2)) * 60 + Number(time.slice(3, 5));
}

/** A window as minutes of the day; start === end is empty. */
export function windowMinutes(window: LocalWindow): [start: number, end: number] {
  return [minuteOfDay(window.start), minuteOfDay(window.end)];
}

export function minutesContain([start, end]: [number, number], minute: number): boolean {
  if (start === end) return false;
  return start < end ? minute >= start && minute < end : minute >= start || minute < end;
}

/** Whether a local window contains a local 'HH:mm': start inclusive, end exclusive, may wrap midnight. */
export function windowContains(window: LocalWindow, time: string): boolean {
  return minutesContain(windowMinutes(window), minuteOfDay(time));
}

const validZones = new Set<string>();

/** Throws TimeRulesError unless the runtime's time zone data knows the zone (a zone found valid once is remembered). */
export function assertZone(zone: string): void {
  if (validZones.has(zone)) return;
  // Intl decides which zones exist (as Shop's timezoneSchema does). tzOffset alone cannot: for an
  // unknown zone it falls back to parsing an offset out of the name ('Mars+05' would read as +05:00).
  try {
    if (typeof zone !== 'string') throw new TypeError(`a zone is a string, not ${typeof zone}`);
    new Intl.DateTimeFormat('en-US', { timeZone: zone });
  } catch (cause) {
    throw new TimeRulesError(`unknown time zone ${JSON.stringify(zone)}`, { cause });
  }
  if (Number.isNaN(tzOffset(zone, new Date(0)))) throw new TimeRulesError(`cannot read offsets of time zone ${JSON.stringify(zone)}`);
  validZones.add(zone);
}

/** Whether the runtime's time zone data knows the zone ('UTC+8' or 'local' are not zones). */
export function isTimeZone(zone: string): boolean {
  try {
    assertZone(zone);
    return true;
  } catch {
    return false;
  }
}

/** The zone's UTC offset at an instant, in minutes (480 for UTC+8; fractional for old local mean times). */
function offsetMinutes(ms: number, zone: string): number {
  const offset = Number.isFinite(ms) ? tzOffset(zone, new Date(ms)) : NaN;
  if (!Number.isFinite(offset)) throw new TimeRulesError(`cannot read ${String(ms)} in zone ${JSON.stringify(zone)}`);
  return offset;
}

/** The same offset in whole milliseconds, rounded to the second as the zone data gives it. */
function offsetMs(ms: number, zone: string): number {
  return Math.round(offsetMinutes(ms, zone) * 60) * SECOND_MS;
}

/** A wall-clock reading: the local date and time (to the millisecond) in some zone. */
export interface WallClock {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  second?: number;
  millisecond?: number;
}

/** An instant as read on the wall clock of a zone. */
export interface LocalReading extends Required<WallClock> {
  /** ISO weekday: Monday = 1 … Sunday = 7. */
  weekday: number;
}

/** An instant as read on the wall clock of `zone`. */
export function inZone(at: Date | number, zone: string): LocalReading {
  assertZone(zone);
  const ms = typeof at === 'number' ? at : at.getTime();
  const wall = new Date(ms + offsetMs(ms, zone));
  if (Number.isNaN(wall.getTime())) throw new TimeRulesError(`cannot read ${String(at)} in zone ${JSON.stringify(zone)}`);
  return {
    year: wall.getUTCFullYear(),
    month: wall.getUTCMonth() + 1,
    day: wall.getUTCDate(),
    hour: wall.getUTCHours(),
    minute: wall.getUTCMinutes(),
    second: wall.getUTCSeconds(),
    millisecond: wall.getUTCMilliseconds(),
    weekday: wall.getUTCDay() || 7,
  };
}

const pad2 = (n: number) => (n < 10 ? `0${n}` : String(n));

/** A local date as 'YYYY-MM-DD' (years outside 0000–9999 as ±YYYYYY, as ISO 8601 extends them). */
export function isoDate({ year, month, day }: { year: number; month: number; day: number }): string {
  const yyyy = year >= 0 && year <= 9999 ? String(year).padStart(4, '0') : `${year < 0 ? '-' : '+'}${String(Math.abs(year)).padStart(6, '0')}`;
  return `${yyyy}-${pad2(month)}-${pad2(day)}`;
}

export function localParts(at: Date, zone: string): { date: string; time: string; hour: number; minute: number; weekday: number } {
  const local = inZone(at, zone);
  return { date: isoDate(local), time: `${pad2(local.hour)}:${pad2(local.minute)}`, hour: local.hour, minute: local.minute, weekday: local.weekday };
}

/** The UTC instant with these fields (no two-digit-year surprise: year 50 is year 50); a day past the month's end rolls over. */
export function utcFields(year: number, month: number, day: number, hour = 0, minute = 0, second = 0, millisecond = 0): number {
  const utc = new Date(0);
  utc.setUTCFullYear(year, month - 1, day);
  utc.setUTCHours(hour, minute, second, millisecond);
  return utc.getTime();
}

/** Whether year-month-day is a real date (no 30 February): UTC calendar arithmetic gives it back unchanged. */
function isCalendarDate(year: number, month: number, day: number): boolean {
  if (![year, month, day].every(Number.isInteger) || month < 1 || month > 12 || day < 1 || day > 31) return false;
  const utc = new Date(utcFields(year, month, day));
  return utc.getUTCFullYear() === year && utc.getUTCMonth() === month - 1 && utc.getUTCDate() === day;
}

const between = (value: number, min: number, max: number) => Number.isInteger(value) && value >= min && value <= max;

/** The wall ms of a reading, or NaN if it is no real date and time. */
function wallMsOf(wall: WallClock): number {
  const { year, month, day, hour, minute, second = 0, millisecond = 0 } = wall;
  const valid =
    isCalendarDate(year, month, day) && between(hour, 0, 23) && between(minute, 0, 59) && between(second, 0, 59) && between(millisecond, 0, 999);
  return valid ? utcFields(year, month, day, hour, minute, second, millisecond) : NaN;
}

/**
 * Every instant whose reading in `zone` is `wallMs`, earliest first. The offsets in force a day
 * either side are the candidates (plus the offset found at each candidate instant, in case a
 * second change is near); a candidate counts only if the zone's offset at it is the one assumed.
 */
function instantsAtWall(wallMs: number, zone: string): number[] {
  const found: number[] = [];
  const tried = new Set<number>();
  const tryOffset = (offset: number): number => {
    if (tried.has(offset)) return offset;
    tried.add(offset);
    const instant = wallMs - offset;
    const actual = offsetMs(instant, zone);
    if (actual === offset) found.push(instant);
    return actual;
  };
  for (const offset of [offsetMs(wallMs - DAY_MS, zone), offsetMs(wallMs + DAY_MS, zone)]) tryOffset(tryOffset(offset));
  return found.sort((a, b) => a - b);
}

/**
 * Every instant at which the wall clock of `zone` reads `wall`, earliest first: one usually, two
 * in a fall-back overlap, none in a spring-forward gap.
 */
export function instantsReading(wall: WallClock, zone: string): Date[] {
  assertZone(zone);
  const wallMs = wallMsOf(wall);
  if (Number.isNaN(wallMs)) throw new TimeRulesError(`not a local date and time in ${zone}: ${JSON.stringify(wall)}`);
  return instantsAtWall(wallMs, zone).map((ms) => new Date(ms));
}

/** The instant a wall-clock reading names: the earlier one if it is ambiguous, the end of the gap if it does not exist. */
function resolveWallMs(wallMs: number, zone: string): number {
  const [earliest] = instantsAtWall(wallMs, zone);
  if (earliest !== undefined) return earliest;
  // The first valid instant after a nonexistent time is the moment the clocks jumped, which lies
  // between the instants that would read `wallMs` under the offsets before and after the jump.
  const before = offsetMs(wallMs - DAY_MS, zone);
  const after = offsetMs(wallMs + DAY_MS, zone);
  const jump = before === after ? undefined : firstOffsetChange(zone, wallMs - Math.max(before, after), wallMs - Math.min(before, after));
  // Without a jump to find, the reading moved forward by the gap, as a Date would move it.
  return jump ?? wallMs - before;
}

/**
 * The instant of a local wall-clock time on a local date. A time that does not exist (inside a
 * spring-forward gap) gives the first valid instant after it, the moment the clocks jumped; an
 * ambiguous time (in a fall-back overlap) gives the earlier of its two instants.
 */
export function atLocalTime(date: string, time: string, zone: string): Date {
  if (!isLocalDate(date)) throw new TimeRulesError(`not a local date 'YYYY-MM-DD': ${JSON.stringify(date)}`);
  const minutes = minuteOfDay(time);
  assertZone(zone);
  const [year, month, day] = date.split('-').map(Number) as [number, number, number];
  return new Date(resolveWallMs(utcFields(year, month, day, Math.floor(minutes / 60), minutes % 60), zone));
}

/**
 * The same local wall-clock time (to the millisecond) `days` calendar days later — 23 or 25
 * hours away across a DST change, not a multiple of 24 hours. A target reading that is
 * nonexistent or ambiguous resolves as in atLocalTime.
 */
export function plusLocalDays(at: Date, days: number, zone: string): Date {
  if (!Number.isInteger(days)) throw new TimeRulesError(`not a whole number of days: ${days}`);
  if (days === 0) return new Date(at.getTime()); // resolving an ambiguous reading could otherwise move it
  assertZone(zone);
  const ms = at.getTime();
  // Calendar arithmetic on the wall-clock reading itself (held in UTC, which has no DST).
  return new Date(resolveWallMs(ms + offsetMs(ms, zone) + days * DAY_MS, zone));
}

/**
 * The first whole minute in (fromMs, toMs] at which the zone's UTC offset differs from its
 * offset at fromMs, or undefined if it is the same at both ends. Assumes at most one change in
 * between (true of every zone over the day-long spans this module asks about).
 */
export function firstOffsetChange(zone: string, fromMs: number, toMs: number): number | undefined {
  assertZone(zone);
  const before = offsetMinutes(fromMs, zone);
  if (offsetMinutes(toMs, zone) === before) return undefined;
  // Bisect on whole minutes: offset(lo) is the old offset, offset(hi) the new one.
  let lo = Math.floor(fromMs / MINUTE_MS);
  let hi = Math.ceil(toMs / MINUTE_MS);
  while (hi - lo > 1) {
    const mid = Math.floor((lo + hi) / 2);
    if (offsetMinutes(mid * MINUTE_MS, zone) === before) lo = mid;
    else hi = mid;
  }
  return hi * MINUTE_MS;
}
