import type { LocalWindow } from '../messages/kinds.ts';
import {
  assertZone,
  firstOffsetChange,
  inZone,
  instantsReading,
  isLocalDate,
  isoDate,
  type LocalReading,
  minutesContain,
  TimeRulesError,
  utcFields,
  windowMinutes,
} from './local-time.ts';

// The wall-clock helpers belong to the same contract; callers import them from here.
export { atLocalTime, isLocalTime, localParts, plusLocalDays, TimeRulesError, windowContains } from './local-time.ts';

/**
 * When a message may be sent, read on the customer's own wall clock. Pure functions of the
 * instant they are given (DESIGN principle 2).
 */
export interface TimeRules {
  /** IANA zone of the customer (or of the shop). */
  zone: string;
  /** Nothing is sent inside these local hours; may wrap midnight. start === end: none. */
  quietHours: LocalWindow;
  /**
   * When given and non-empty, a message must start inside one of these local windows, and
   * still outside quiet hours: a window that lies wholly inside quiet hours never opens.
   */
  windows?: LocalWindow[];
  /** Local dates 'YYYY-MM-DD' on which nothing under these rules is sent (holidays, sale peaks). */
  closedDays?: string[];
}

export const DEFAULT_QUIET_HOURS: LocalWindow = { start: '21:00', end: '09:00' };
/** Quiet hours that never apply (start === end). */
export const NO_QUIET_HOURS: LocalWindow = { start: '00:00', end: '00:00' };

/** How far ahead to look for an allowed moment before deciding there is none. */
const SEARCH_HORIZON_DAYS = 400;
const DAY_MS = 86_400_000;
const MINUTES_PER_DAY = 1440;

/** Rules parsed once per call: windows as minutes of the day, closed days as a set. */
interface CompiledRules {
  zone: string;
  quiet: [number, number];
  windows: [number, number][];
  closed: Set<string>;
  /** Local minutes of the day at which being allowed can change (midnight for closed days). */
  boundaries: number[];
}

function compile(rules: TimeRules): CompiledRules {
  assertZone(rules.zone); // fails loudly on an unknown zone
  const quiet = windowMinutes(rules.quietHours);
  const windows = (rules.windows ?? []).map(windowMinutes);
  const closedDays = rules.closedDays ?? [];
  const badDay = closedDays.find((day) => !isLocalDate(day));
  if (badDay !== undefined) throw new TimeRulesError(`not a closed day 'YYYY-MM-DD': ${JSON.stringify(badDay)}`);
  const boundaries = [...new Set([0, ...quiet, ...windows.flat()])];
  return { zone: rules.zone, quiet, windows, closed: new Set(closedDays), boundaries };
}

function allowedMinute(minute: number, rules: CompiledRules): boolean {
  if (minutesContain(rules.quiet, minute)) return false;
  return rules.windows.length === 0 || rules.windows.some((window) => minutesContain(window, minute));
}

function allowedAt(local: LocalReading, rules: CompiledRules): boolean {
  return allowedMinute(local.hour * 60 + local.minute, rules) && !(rules.closed.size > 0 && rules.closed.has(isoDate(local)));
}

function someMinuteAllowed(rules: CompiledRules): boolean {
  for (let minute = 0; minute < MINUTES_PER_DAY; minute++) if (allowedMinute(minute, rules)) return true;
  return false;
}

/** Whether a message may be sent at this instant under the rules (see nextSendableTime). */
export function isSendable(at: Date, rules: TimeRules): boolean {
  const compiled = compile(rules);
  return allowedAt(inZone(at, compiled.zone), compiled);
}

/**
 * The earliest instant at or after `desired` at which a message may be sent: outside quiet
 * hours, inside one of the windows when there are windows, and not on a closed day. A message
 * due when it may not be sent is deferred to the first allowed minute, never dropped; one due
 * when it may be sent gets `desired` back unchanged (seconds and all).
 * Throws TimeRulesError when no such instant exists within 400 days.
 */
export function nextSendableTime(desired: Date, rules: TimeRules): Date {
  const compiled = compile(rules);
  if (allowedAt(inZone(desired, compiled.zone), compiled)) return desired;
  if (!someMinuteAllowed(compiled)) {
    // Told at once rather than after a 400-day search: e.g. a parcel window 08:00–09:00 under quiet hours 21:00–09:00.
    throw new TimeRulesError(
      `no moment is ever allowed: no send window is open outside quiet hours ${rules.quietHours.start}–${rules.quietHours.end} (windows ${JSON.stringify(rules.windows)})`,
    );
  }
  const horizon = desired.getTime() + SEARCH_HORIZON_DAYS * DAY_MS;
  for (let at = desired.getTime(); at < horizon; ) {
    at = nextPossibleChange(at, compiled);
    if (allowedAt(inZone(at, compiled.zone), compiled)) return new Date(at);
  }
  throw new TimeRulesError(`no moment within ${SEARCH_HORIZON_DAYS} days of ${desired.toISOString()} is allowed by these time rules in ${rules.zone} (closed days?)`);
}

/**
 * The next instant after `afterMs` at which being allowed can change. Being allowed depends only
 * on the local date and 'HH:mm', so it changes only when the wall clock reaches a boundary
 * minute or when the clocks jump (a spring-forward gap skips boundaries; a fall-back overlap
 * turns the wall clock back to minutes already passed). Both kinds of instant are candidates.
 */
function nextPossibleChange(afterMs: number, rules: CompiledRules): number {
  const local = inZone(afterMs, rules.zone);
  let next = afterMs + 2 * DAY_MS;
  // Today and tomorrow suffice: should the clocks go back into yesterday, that jump is the next
  // candidate, and the search goes on from the day it lands on.
  for (const days of [0, 1]) {
    // The local calendar day, held in UTC so that stepping a day is pure calendar arithmetic.
    const day = new Date(utcFields(local.year, local.month, local.day + days));
    for (const minute of rules.boundaries) {
      const wall = { year: day.getUTCFullYear(), month: day.getUTCMonth() + 1, day: day.getUTCDate(), hour: Math.floor(minute / 60), minute: minute % 60 };
      for (const instant of instantsReading(wall, rules.zone)) {
        const ms = instant.getTime();
        if (ms > afterMs && ms < next) next = ms;
      }
    }
  }
  return firstOffsetChange(rules.zone, afterMs, next) ?? next;
}
