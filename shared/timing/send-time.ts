import { DateTime } from 'luxon';
import type { LocalWindow } from '../messages/kinds.ts';

/**
 * When a message may be sent, in the customer's own time zone. Pure functions of the instant
 * they are given; every zone and DST rule goes through luxon.
 */
export interface TimeRules {
  /** IANA zone of the customer (or of the shop). */
  zone: string;
  /** Nothing is sent inside these local hours; may wrap midnight. start === end: none. */
  quietHours: LocalWindow;
  /**
   * When given, a message must start inside one of these local windows, and the windows take
   * the place of quiet hours: a kind with its own window (parcel updates 08:00–09:00) is sent
   * in that window even where it overlaps the shop's quiet hours.
   */
  windows?: LocalWindow[];
  /** Local dates (YYYY-MM-DD) on which nothing under these rules is sent. */
  closedDays?: string[];
}

export const DEFAULT_QUIET_HOURS: LocalWindow = { start: '21:00', end: '09:00' };

const MINUTE = 60_000;
/** How far ahead to look for an allowed moment before deciding there is none. */
const HORIZON_DAYS = 400;

export function isLocalTime(value: string): boolean {
  return /^([01]\d|2[0-3]):[0-5]\d$/.test(value);
}

const minutesOf = (time: string) => Number(time.slice(0, 2)) * 60 + Number(time.slice(3, 5));

/** Whether a local window contains a local time: start inclusive, end exclusive, wrapping midnight. */
export function windowContains(window: LocalWindow, time: string): boolean {
  const [start, end, t] = [minutesOf(window.start), minutesOf(window.end), minutesOf(time)];
  if (start === end) return false;
  return start < end ? t >= start && t < end : t >= start || t < end;
}

function local(at: Date, zone: string): DateTime {
  const dt = DateTime.fromJSDate(at, { zone });
  if (!dt.isValid) throw new Error(`not a time zone: ${zone}`);
  return dt;
}

export function localParts(at: Date, zone: string) {
  const dt = local(at, zone);
  return { date: dt.toFormat('yyyy-MM-dd'), time: dt.toFormat('HH:mm'), hour: dt.hour, minute: dt.minute, weekday: dt.weekday };
}

/**
 * The instant of a local wall-clock time on a local date. A time that does not exist (inside a
 * spring-forward gap) gives the first valid instant after the gap; an ambiguous time (in a
 * fall-back overlap) gives the earlier instant.
 */
export function atLocalTime(date: string, time: string, zone: string): Date {
  const [year, month, day] = date.split('-').map(Number) as [number, number, number];
  const wanted = { year, month, day, hour: Number(time.slice(0, 2)), minute: Number(time.slice(3, 5)) };
  const dt = DateTime.fromObject(wanted, { zone });
  if (!dt.isValid) throw new Error(`not a local time: ${date} ${time} ${zone}`);
  if (dt.hour !== wanted.hour || dt.minute !== wanted.minute) {
    // luxon moved a nonexistent time forward by the gap; the first valid instant is the gap's end.
    return dt.startOf('hour').toJSDate();
  }
  // An ambiguous time (the hour repeated when clocks go back): take its first occurrence.
  const hourEarlier = dt.minus({ hours: 1 });
  if (hourEarlier.hour === dt.hour && hourEarlier.minute === dt.minute) return hourEarlier.toJSDate();
  return dt.toJSDate();
}

/** The same local time `days` calendar days later (not a multiple of 24 hours across DST). */
export function plusLocalDays(at: Date, days: number, zone: string): Date {
  return local(at, zone).plus({ days }).toJSDate();
}

function allowedAt(dt: DateTime, rules: TimeRules): boolean {
  const time = dt.toFormat('HH:mm');
  if (rules.windows?.length) {
    if (!rules.windows.some((window) => windowContains(window, time))) return false;
  } else if (windowContains(rules.quietHours, time)) return false;
  if (rules.closedDays?.includes(dt.toFormat('yyyy-MM-dd'))) return false;
  return true;
}

export function isSendable(at: Date, rules: TimeRules): boolean {
  return allowedAt(local(at, rules.zone), rules);
}

/**
 * The earliest instant at or after `desired` at which a message may be sent: inside one of its
 * windows when it has windows, otherwise outside quiet hours, and never on a closed day. A message due inside
 * quiet hours is deferred to the first allowed minute, never dropped.
 */
export function nextSendableTime(desired: Date, rules: TimeRules): Date {
  if (isSendable(desired, rules)) return desired;
  // Allowed-ness only changes at whole local minutes where a window, quiet hours or a day begins
  // or ends; step to the next such boundary each time.
  let candidate = local(new Date(Math.ceil(desired.getTime() / MINUTE) * MINUTE), rules.zone);
  const limit = candidate.plus({ days: HORIZON_DAYS });
  while (candidate < limit) {
    if (allowedAt(candidate, rules)) return candidate.toJSDate();
    candidate = nextBoundary(candidate, rules);
  }
  throw new Error(`no moment allowed by these time rules within ${HORIZON_DAYS} days (are all windows inside quiet hours?)`);
}

/** The next local minute at which any rule's state can change. */
function nextBoundary(dt: DateTime, rules: TimeRules): DateTime {
  const times = [rules.quietHours.start, rules.quietHours.end, ...(rules.windows ?? []).flatMap((w) => [w.start, w.end]), '00:00'];
  const date = dt.toFormat('yyyy-MM-dd');
  const tomorrow = dt.plus({ days: 1 }).toFormat('yyyy-MM-dd');
  const candidates = [...times.map((t) => atLocalTime(date, t, rules.zone)), ...times.map((t) => atLocalTime(tomorrow, t, rules.zone))]
    .map((d) => d.getTime())
    .filter((t) => t > dt.toMillis())
    .sort((a, b) => a - b);
  return DateTime.fromMillis(candidates[0] ?? dt.toMillis() + MINUTE, { zone: rules.zone });
}
