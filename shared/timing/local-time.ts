import { DateTime } from 'luxon';
import type { LocalWindow } from '../messages/kinds.ts';

/**
 * The customer's wall clock: local dates and times in an IANA zone, and the instants they name.
 * Every zone and DST rule goes through luxon; nothing here adds offsets by hand, and nothing
 * reads the machine's clock or zone.
 */

/** Thrown for rules or inputs no instant can be computed from (bad zone, bad 'HH:mm', none allowed). */
export class TimeRulesError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'TimeRulesError';
  }
}

const MINUTE_MS = 60_000;
const DAY_MS = 86_400_000;

const LOCAL_TIME = /^([01]\d|2[0-3]):[0-5]\d$/;
const LOCAL_DATE = /^\d{4}-\d{2}-\d{2}$/;

/** Validates a local wall-clock time 'HH:mm' (00:00–23:59). */
export function isLocalTime(value: string): boolean {
  return LOCAL_TIME.test(value);
}

export function isLocalDate(value: string): boolean {
  return LOCAL_DATE.test(value) && DateTime.fromISO(value, { zone: 'utc' }).isValid;
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

/** An instant as read on the wall clock of `zone`. */
export function inZone(at: Date | number, zone: string): DateTime {
  const dt = typeof at === 'number' ? DateTime.fromMillis(at, { zone }) : DateTime.fromJSDate(at, { zone });
  if (!dt.isValid) throw new TimeRulesError(`cannot read ${String(at)} in zone ${JSON.stringify(zone)}: ${dt.invalidExplanation ?? dt.invalidReason}`);
  return dt;
}

const validZones = new Set<string>();

/** Throws TimeRulesError unless luxon knows the zone (a zone found valid once is remembered). */
export function assertZone(zone: string): void {
  if (validZones.has(zone)) return;
  inZone(0, zone);
  validZones.add(zone);
}

export function localParts(at: Date, zone: string): { date: string; time: string; hour: number; minute: number; weekday: number } {
  const dt = inZone(at, zone);
  const time = `${String(dt.hour).padStart(2, '0')}:${String(dt.minute).padStart(2, '0')}`;
  return { date: dt.toISODate()!, time, hour: dt.hour, minute: dt.minute, weekday: dt.weekday };
}

export interface WallClock {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  second?: number;
  millisecond?: number;
}

/**
 * Every instant at which the wall clock of `zone` reads `wall`, earliest first: one usually, two
 * in a fall-back overlap, none in a spring-forward gap.
 */
export function instantsReading(wall: WallClock, zone: string): DateTime[] {
  const dt = DateTime.fromObject(wall, { zone });
  if (!dt.isValid) throw new TimeRulesError(`not a local date and time in ${zone}: ${JSON.stringify(wall)}`);
  // luxon moves a time inside a gap forward by the gap's length, so it no longer reads `wall`.
  const readsWall = dt.year === wall.year && dt.month === wall.month && dt.day === wall.day && dt.hour === wall.hour && dt.minute === wall.minute;
  if (!readsWall) return [];
  return dt.getPossibleOffsets().sort((a, b) => a.toMillis() - b.toMillis());
}

/** The instant a wall-clock reading names: the earlier one if it is ambiguous, the end of the gap if it does not exist. */
function resolveWallClock(wall: WallClock, zone: string): DateTime {
  const [earliest] = instantsReading(wall, zone);
  if (earliest) return earliest;
  // The first valid instant after a nonexistent time is the moment the clocks jumped. luxon's
  // forward-moved reading lies past that jump by the gap's length; no gap lasts a day.
  const movedPast = DateTime.fromObject(wall, { zone }).toMillis();
  const jump = firstOffsetChange(zone, movedPast - DAY_MS - 2 * 3_600_000, movedPast);
  return inZone(jump ?? movedPast, zone);
}

/**
 * The instant of a local wall-clock time on a local date. A time that does not exist (inside a
 * spring-forward gap) gives the first valid instant after it, the moment the clocks jumped; an
 * ambiguous time (in a fall-back overlap) gives the earlier of its two instants.
 */
export function atLocalTime(date: string, time: string, zone: string): Date {
  if (!isLocalDate(date)) throw new TimeRulesError(`not a local date 'YYYY-MM-DD': ${JSON.stringify(date)}`);
  const minutes = minuteOfDay(time);
  const [year, month, day] = date.split('-').map(Number) as [number, number, number];
  return resolveWallClock({ year, month, day, hour: Math.floor(minutes / 60), minute: minutes % 60 }, zone).toJSDate();
}

/**
 * The same local wall-clock time (to the millisecond) `days` calendar days later — 23 or 25
 * hours away across a DST change, not a multiple of 24 hours. A target reading that is
 * nonexistent or ambiguous resolves as in atLocalTime.
 */
export function plusLocalDays(at: Date, days: number, zone: string): Date {
  if (!Number.isInteger(days)) throw new TimeRulesError(`not a whole number of days: ${days}`);
  if (days === 0) return new Date(at.getTime()); // resolving an ambiguous reading could otherwise move it
  // Calendar arithmetic on the wall-clock reading itself (held in UTC, which has no DST).
  const moved = inZone(at, zone).setZone('utc', { keepLocalTime: true }).plus({ days });
  const { year, month, day, hour, minute, second, millisecond } = moved;
  return resolveWallClock({ year, month, day, hour, minute, second, millisecond }, zone).toJSDate();
}

function offsetAt(ms: number, zone: string): number {
  return inZone(ms, zone).offset;
}

/**
 * The first whole minute in (fromMs, toMs] at which the zone's UTC offset differs from its
 * offset at fromMs, or undefined if it is the same at both ends. Assumes at most one change in
 * between (true of every zone over the day-long spans this module asks about).
 */
export function firstOffsetChange(zone: string, fromMs: number, toMs: number): number | undefined {
  const before = offsetAt(fromMs, zone);
  if (offsetAt(toMs, zone) === before) return undefined;
  // Bisect on whole minutes: offset(lo) is the old offset, offset(hi) the new one.
  let lo = Math.floor(fromMs / MINUTE_MS);
  let hi = Math.ceil(toMs / MINUTE_MS);
  while (hi - lo > 1) {
    const mid = Math.floor((lo + hi) / 2);
    if (offsetAt(mid * MINUTE_MS, zone) === before) lo = mid;
    else hi = mid;
  }
  return hi * MINUTE_MS;
}
