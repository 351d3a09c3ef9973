import fc from 'fast-check';
import { DateTime } from 'luxon';
import { describe, expect, it } from 'vitest';
import type { LocalWindow } from '../../shared/messages/kinds.ts';
import {
  atLocalTime,
  DEFAULT_QUIET_HOURS,
  isLocalTime,
  isSendable,
  localParts,
  nextSendableTime,
  plusLocalDays,
  TimeRulesError,
  windowContains,
  type TimeRules,
} from '../../shared/timing/send-time.ts';

const at = (iso: string) => new Date(iso);
const iso = (instant: Date) => instant.toISOString();
const next = (desired: string, rules: TimeRules) => iso(nextSendableTime(at(desired), rules));
const NO_QUIET_HOURS: LocalWindow = { start: '00:00', end: '00:00' };

const shanghai: TimeRules = { zone: 'Asia/Shanghai', quietHours: DEFAULT_QUIET_HOURS }; // UTC+8, no DST
const newYork: TimeRules = { zone: 'America/New_York', quietHours: DEFAULT_QUIET_HOURS };

describe('local clock helpers', () => {
  it('validates HH:mm', () => {
    for (const good of ['00:00', '09:05', '23:59']) expect(isLocalTime(good)).toBe(true);
    for (const bad of ['24:00', '9:00', '09:60', '09:00:00', '', ' 09:00', '0900']) expect(isLocalTime(bad)).toBe(false);
  });

  it('tells whether a window contains a time: start inclusive, end exclusive, wrapping midnight', () => {
    const night = { start: '21:00', end: '09:00' };
    expect([windowContains(night, '21:00'), windowContains(night, '00:00'), windowContains(night, '08:59')]).toEqual([true, true, true]);
    expect([windowContains(night, '09:00'), windowContains(night, '20:59'), windowContains(night, '12:00')]).toEqual([false, false, false]);
    const lunch = { start: '13:00', end: '14:00' };
    expect([windowContains(lunch, '12:59'), windowContains(lunch, '13:00'), windowContains(lunch, '14:00')]).toEqual([false, true, false]);
    expect(windowContains({ start: '10:00', end: '10:00' }, '10:00')).toBe(false); // start === end is empty
    expect(() => windowContains(lunch, '1pm')).toThrow(TimeRulesError);
  });

  it('reads the local date, time and weekday (1 = Monday) in a zone', () => {
    expect(localParts(at('2026-11-23T14:10:00Z'), 'Asia/Shanghai')).toEqual({ date: '2026-11-23', time: '22:10', hour: 22, minute: 10, weekday: 1 });
    expect(localParts(at('2026-11-23T18:45:00Z'), 'Asia/Kolkata')).toMatchObject({ date: '2026-11-24', time: '00:15', weekday: 2 }); // +05:30
    expect(localParts(at('2026-11-23T02:00:00Z'), 'America/St_Johns')).toMatchObject({ date: '2026-11-22', time: '22:30', weekday: 7 }); // -03:30
  });

  it('rejects an unknown zone and malformed dates instead of guessing', () => {
    expect(() => localParts(at('2026-11-23T00:00:00Z'), 'Mars/Olympus_Mons')).toThrow(TimeRulesError);
    expect(() => atLocalTime('2026-02-30', '09:00', 'Asia/Shanghai')).toThrow(TimeRulesError);
    expect(() => atLocalTime('2026-02-01', '9:00', 'Asia/Shanghai')).toThrow(TimeRulesError);
    expect(() => plusLocalDays(at('2026-11-23T00:00:00Z'), 1.5, 'Asia/Shanghai')).toThrow(TimeRulesError);
  });
});

describe('quiet hours', () => {
  it('defers a message due at night to 09:00 local, and leaves one due by day exactly as it was', () => {
    expect(next('2026-11-23T14:10:00Z', shanghai)).toBe('2026-11-24T01:00:00.000Z'); // 22:10 → 09:00 next day
    expect(next('2026-11-23T00:59:00Z', shanghai)).toBe('2026-11-23T01:00:00.000Z'); // 08:59 → 09:00
    expect(next('2026-11-23T13:00:00Z', shanghai)).toBe('2026-11-24T01:00:00.000Z'); // 21:00 is already quiet
    const noon = at('2026-11-23T04:00:12.345Z');
    expect(nextSendableTime(noon, shanghai)).toBe(noon);
    const lastSecondBeforeQuiet = at('2026-11-23T12:59:59.999Z');
    expect(nextSendableTime(lastSecondBeforeQuiet, shanghai)).toBe(lastSecondBeforeQuiet);
  });

  it('handles quiet hours that do not wrap midnight, and none at all', () => {
    const lunch: TimeRules = { zone: 'Asia/Shanghai', quietHours: { start: '13:00', end: '14:00' } };
    expect(next('2026-11-23T05:30:20Z', lunch)).toBe('2026-11-23T06:00:00.000Z'); // 13:30:20 → 14:00
    expect(next('2026-11-23T06:00:00Z', lunch)).toBe('2026-11-23T06:00:00.000Z');
    expect(next('2026-11-23T14:10:00Z', lunch)).toBe('2026-11-23T14:10:00.000Z'); // 22:10 is fine here
    expect(next('2026-11-22T19:00:00Z', { zone: 'Asia/Shanghai', quietHours: NO_QUIET_HOURS })).toBe('2026-11-22T19:00:00.000Z'); // 03:00
  });
});

describe('send windows', () => {
  it('moves a parcel update outside its 08:00–09:00 window to the next one', () => {
    const parcel: TimeRules = { zone: 'Asia/Shanghai', quietHours: { start: '22:00', end: '07:00' }, windows: [{ start: '08:00', end: '09:00' }] };
    expect(next('2026-11-23T02:00:00Z', parcel)).toBe('2026-11-24T00:00:00.000Z'); // 10:00 → 08:00 tomorrow
    expect(next('2026-11-22T22:00:00Z', parcel)).toBe('2026-11-23T00:00:00.000Z'); // 06:00 → 08:00 today
    expect(next('2026-11-23T00:30:00Z', parcel)).toBe('2026-11-23T00:30:00.000Z'); // 08:30 is inside
  });

  it('picks the next of several call windows', () => {
    const calls: TimeRules = { ...shanghai, windows: [{ start: '11:00', end: '12:00' }, { start: '15:30', end: '16:30' }] };
    expect(next('2026-11-23T04:30:00Z', calls)).toBe('2026-11-23T07:30:00.000Z'); // 12:30 → 15:30
    expect(next('2026-11-23T04:00:00Z', calls)).toBe('2026-11-23T07:30:00.000Z'); // 12:00: a window's end is outside it
    expect(next('2026-11-23T09:00:00Z', calls)).toBe('2026-11-24T03:00:00.000Z'); // 17:00 → 11:00 tomorrow
  });

  it('sends only where a window and the hours outside quiet hours overlap', () => {
    expect(next('2026-11-22T23:30:00Z', { ...shanghai, windows: [{ start: '07:00', end: '10:00' }] })).toBe('2026-11-23T01:00:00.000Z'); // 07:30 → 09:00
    const evening: TimeRules = { ...shanghai, windows: [{ start: '20:00', end: '02:00' }] }; // open 20:00–21:00 only
    expect(next('2026-11-23T13:30:00Z', evening)).toBe('2026-11-24T12:00:00.000Z'); // 21:30 → 20:00 tomorrow
  });

  it('refuses, at once, a window that lies wholly inside quiet hours', () => {
    // The parcel window 08:00–09:00 under the default quiet hours 21:00–09:00 never opens.
    const parcelUnderDefaults: TimeRules = { ...shanghai, windows: [{ start: '08:00', end: '09:00' }] };
    expect(() => nextSendableTime(at('2026-11-23T02:00:00Z'), parcelUnderDefaults)).toThrow(/no send window is open outside quiet hours/);
    expect(() => nextSendableTime(at('2026-11-23T02:00:00Z'), { ...shanghai, windows: [{ start: '10:00', end: '10:00' }] })).toThrow(TimeRulesError);
  });
});

describe('closed days', () => {
  it('moves a message due on a closed day to the first allowed moment of the next open day', () => {
    expect(next('2026-11-11T04:00:00Z', { ...shanghai, closedDays: ['2026-11-11'] })).toBe('2026-11-12T01:00:00.000Z'); // → 09:00 on the 12th
    expect(next('2026-11-10T14:00:00Z', { ...shanghai, closedDays: ['2026-11-11'] })).toBe('2026-11-12T01:00:00.000Z'); // due 22:00 the night before
    const calls: TimeRules = { ...shanghai, windows: [{ start: '11:00', end: '12:00' }], closedDays: ['2026-11-11'] };
    expect(next('2026-11-11T04:00:00Z', calls)).toBe('2026-11-12T03:00:00.000Z'); // → 11:00 on the 12th
    expect(next('2026-11-11T04:00:00Z', { ...shanghai, quietHours: NO_QUIET_HOURS, closedDays: ['2026-11-11'] })).toBe('2026-11-11T16:00:00.000Z'); // local midnight
  });

  it('waits out several closed days in a row', () => {
    const peak: TimeRules = { ...shanghai, closedDays: ['2026-11-12', '2026-11-11', '2026-11-13'] };
    expect(next('2026-11-11T04:00:00Z', peak)).toBe('2026-11-14T01:00:00.000Z');
  });

  it('gives up after 400 days of closed days, and rejects a malformed closed day', () => {
    const closedDays = Array.from({ length: 402 }, (_, i) => DateTime.fromISO('2026-11-11', { zone: 'utc' }).plus({ days: i }).toISODate() ?? '');
    expect(() => nextSendableTime(at('2026-11-11T04:00:00Z'), { ...shanghai, closedDays })).toThrow(/within 400 days/);
    expect(() => isSendable(at('2026-11-11T04:00:00Z'), { ...shanghai, closedDays: ['11/11/2026'] })).toThrow(TimeRulesError);
  });
});

describe('daylight saving time', () => {
  it('ends quiet hours at 09:00 local on both sides of the March change in New York (02:00 → 03:00)', () => {
    expect(next('2026-03-07T03:00:00Z', newYork)).toBe('2026-03-07T14:00:00.000Z'); // EST: 09:00 = 14:00Z
    expect(next('2026-03-08T03:00:00Z', newYork)).toBe('2026-03-08T13:00:00.000Z'); // EDT: 09:00 = 13:00Z
  });

  it('ends quiet hours at 09:00 local on both sides of the November change in New York (02:00 → 01:00)', () => {
    expect(next('2026-10-31T03:00:00Z', newYork)).toBe('2026-10-31T13:00:00.000Z'); // EDT
    expect(next('2026-11-01T04:30:00Z', newYork)).toBe('2026-11-01T14:00:00.000Z'); // due 00:30 EDT → 09:00 EST
    expect(next('2026-11-01T06:30:00Z', newYork)).toBe('2026-11-01T14:00:00.000Z'); // due 01:30 EST, the second 01:30
  });

  it('moves by calendar days, not 24-hour steps', () => {
    const zone = 'America/New_York';
    expect(iso(plusLocalDays(at('2026-03-07T14:00:30.250Z'), 1, zone))).toBe('2026-03-08T13:00:30.250Z'); // 23 h later, still 09:00:30.250
    expect(iso(plusLocalDays(at('2026-10-31T13:00:00Z'), 1, zone))).toBe('2026-11-01T14:00:00.000Z'); // 25 h later
    expect(iso(plusLocalDays(at('2026-03-08T13:00:00Z'), -1, zone))).toBe('2026-03-07T14:00:00.000Z');
    expect(localParts(plusLocalDays(at('2026-03-07T14:00:00Z'), 7, zone), zone)).toMatchObject({ date: '2026-03-14', time: '09:00' });
    expect(iso(plusLocalDays(at('2026-03-07T07:30:00Z'), 1, zone))).toBe('2026-03-08T07:00:00.000Z'); // 02:30 does not exist → 03:00 EDT
    expect(iso(plusLocalDays(at('2026-11-01T06:30:00Z'), 0, zone))).toBe('2026-11-01T06:30:00.000Z'); // the second 01:30 stays itself
  });

  it('resolves a nonexistent time to the moment the clocks jumped, and an ambiguous one to its first occurrence', () => {
    const zone = 'America/New_York';
    expect(iso(atLocalTime('2026-03-08', '01:59', zone))).toBe('2026-03-08T06:59:00.000Z');
    expect(iso(atLocalTime('2026-03-08', '02:30', zone))).toBe('2026-03-08T07:00:00.000Z'); // gap → 03:00 EDT
    expect(iso(atLocalTime('2026-03-08', '03:00', zone))).toBe('2026-03-08T07:00:00.000Z');
    expect(iso(atLocalTime('2026-11-01', '01:30', zone))).toBe('2026-11-01T05:30:00.000Z'); // 01:30 EDT, not 01:30 EST (06:30Z)
    expect(iso(atLocalTime('2026-11-01', '02:00', zone))).toBe('2026-11-01T07:00:00.000Z'); // EST
    // Lord Howe Island moves its clocks by half an hour: the gap is 02:00–02:30 (+10:30 → +11).
    expect(iso(atLocalTime('2026-10-04', '02:15', 'Australia/Lord_Howe'))).toBe('2026-10-03T15:30:00.000Z'); // 02:30 +11
    expect(iso(atLocalTime('2026-04-05', '01:45', 'Australia/Lord_Howe'))).toBe('2026-04-04T14:45:00.000Z'); // 01:45 +11, the first one
  });

  it('finds an allowed moment that only the clocks going back bring round again', () => {
    // 01:45 EDT is past a 00:30–01:30 window, but at 06:00Z the clocks go back to 01:00 EST, inside it
    // again, though no window boundary falls on that moment.
    const rules: TimeRules = { zone: 'America/New_York', quietHours: NO_QUIET_HOURS, windows: [{ start: '00:30', end: '01:30' }] };
    expect(next('2026-11-01T05:45:00Z', rules)).toBe('2026-11-01T06:00:00.000Z');
  });

  it('follows the clocks back into the day before', () => {
    // Casey station went from +11 to +08 at 2010-03-05 02:00 local, back to 23:00 on 4 March.
    const rules: TimeRules = { zone: 'Antarctica/Casey', quietHours: NO_QUIET_HOURS, windows: [{ start: '23:30', end: '23:45' }] };
    expect(next('2010-03-04T14:00:00Z', rules)).toBe('2010-03-04T15:30:00.000Z'); // 01:00 on the 5th → 23:30 on the 4th
  });

  it('ends quiet hours that end inside the spring-forward gap when the clocks jump', () => {
    expect(next('2026-03-08T05:00:00Z', { zone: 'America/New_York', quietHours: { start: '22:00', end: '02:30' } })).toBe('2026-03-08T07:00:00.000Z');
    // Quiet hours that begin inside the gap have begun once it is over.
    expect(next('2026-03-08T07:00:00Z', { zone: 'America/New_York', quietHours: { start: '02:30', end: '06:00' } })).toBe('2026-03-08T10:00:00.000Z');
  });

  it('works the same way in London and Sydney', () => {
    const london: TimeRules = { zone: 'Europe/London', quietHours: DEFAULT_QUIET_HOURS };
    expect(next('2026-03-27T22:00:00Z', london)).toBe('2026-03-28T09:00:00.000Z'); // GMT
    expect(next('2026-03-28T22:00:00Z', london)).toBe('2026-03-29T08:00:00.000Z'); // BST from 01:00 GMT on the 29th
    expect(next('2026-10-24T21:30:00Z', london)).toBe('2026-10-25T09:00:00.000Z'); // back to GMT on the 25th
    const sydney: TimeRules = { zone: 'Australia/Sydney', quietHours: DEFAULT_QUIET_HOURS };
    expect(next('2026-04-03T12:00:00Z', sydney)).toBe('2026-04-03T22:00:00.000Z'); // AEDT (+11)
    expect(next('2026-04-04T12:00:00Z', sydney)).toBe('2026-04-04T23:00:00.000Z'); // AEST (+10) from 03:00 → 02:00 on 5 April
  });
});

describe('properties', () => {
  const zones = ['Asia/Shanghai', 'America/New_York', 'Europe/Berlin', 'Australia/Sydney', 'Asia/Kolkata', 'America/St_Johns'];
  const pad = (n: number) => String(n).padStart(2, '0');
  const anyTime = fc.tuple(fc.integer({ min: 0, max: 23 }), fc.integer({ min: 0, max: 59 })).map(([h, m]) => `${pad(h)}:${pad(m)}`);
  // Clocks change between 00:00 and 03:00 local; times there deserve more than their share.
  const hhmm = fc.oneof(anyTime, fc.tuple(fc.integer({ min: 0, max: 3 }), fc.integer({ min: 0, max: 59 })).map(([h, m]) => `${pad(h)}:${pad(m)}`));
  const localWindow = fc.record({ start: hhmm, end: hhmm });

  // The listed zones change their clocks around these instants; most random instants are nowhere near one.
  const clockChanges = ['2026-03-08T07:00Z', '2026-03-29T01:00Z', '2026-04-04T16:00Z', '2026-10-03T16:00Z', '2026-10-25T01:00Z', '2026-11-01T06:00Z', '2027-03-14T07:00Z', '2027-11-07T06:00Z'];
  const anyInstant = fc.integer({ min: Date.parse('2026-01-01T00:00:00Z'), max: Date.parse('2028-12-31T00:00:00Z') });
  const nearClockChange = fc
    .tuple(fc.constantFrom(...clockChanges), fc.integer({ min: -36 * 60, max: 36 * 60 }), fc.integer({ min: 0, max: 59_999 }))
    .map(([change, minutes, ms]) => Date.parse(change) + minutes * 60_000 + ms);
  const instant = fc.oneof(anyInstant, nearClockChange).map((ms) => new Date(ms));

  const scenario = fc.record({
    desired: instant,
    zone: fc.constantFrom(...zones),
    quietHours: localWindow,
    windows: fc.option(fc.array(localWindow, { minLength: 1, maxLength: 3 }), { nil: undefined }),
    closedDayOffsets: fc.option(fc.array(fc.integer({ min: -1, max: 6 }), { maxLength: 5 }), { nil: undefined }),
  });
  type Scenario = typeof scenario extends fc.Arbitrary<infer S> ? S : never;

  function rulesOf({ desired, zone, quietHours, windows, closedDayOffsets }: Scenario): TimeRules {
    // Closed days near the desired day, so that they matter.
    const day = DateTime.fromJSDate(desired, { zone });
    const closedDays = closedDayOffsets?.map((days) => day.plus({ days }).toFormat('yyyy-MM-dd'));
    return { zone, quietHours, ...(windows ? { windows } : {}), ...(closedDays ? { closedDays } : {}) };
  }

  // A reference reading of the rules, written apart from the implementation.
  const minuteOf = (time: string) => Number(time.slice(0, 2)) * 60 + Number(time.slice(3));
  function inside(window: LocalWindow, minute: number): boolean {
    const [start, end] = [minuteOf(window.start), minuteOf(window.end)];
    return start < end ? start <= minute && minute < end : start > end && (minute >= start || minute < end);
  }
  function minuteAllowed(minute: number, rules: TimeRules): boolean {
    return !inside(rules.quietHours, minute) && (!rules.windows?.length || rules.windows.some((w) => inside(w, minute)));
  }
  function allowedByHand(instant: Date, rules: TimeRules): boolean {
    const local = DateTime.fromJSDate(instant, { zone: rules.zone });
    return !rules.closedDays?.includes(local.toFormat('yyyy-MM-dd')) && minuteAllowed(local.hour * 60 + local.minute, rules);
  }
  const neverAllowed = (rules: TimeRules) => Array.from({ length: 1440 }, (_, m) => m).every((m) => !minuteAllowed(m, rules));

  it('returns the earliest allowed minute at or after the desired instant, or refuses rules that never allow one', () => {
    fc.assert(
      fc.property(scenario, (s) => {
        const rules = rulesOf(s);
        if (neverAllowed(rules)) {
          expect(() => nextSendableTime(s.desired, rules)).toThrow(TimeRulesError);
          return;
        }
        const result = nextSendableTime(s.desired, rules);
        expect(result.getTime()).toBeGreaterThanOrEqual(s.desired.getTime());
        expect(isSendable(result, rules)).toBe(true);
        expect(allowedByHand(result, rules)).toBe(true);
        if (result.getTime() === s.desired.getTime()) expect(result).toBe(s.desired);
        else {
          const minuteBefore = new Date(result.getTime() - 60_000);
          expect(isSendable(minuteBefore, rules)).toBe(false);
          expect(allowedByHand(minuteBefore, rules)).toBe(false);
          expect(isSendable(s.desired, rules)).toBe(false);
        }
        expect(nextSendableTime(result, rules).getTime()).toBe(result.getTime()); // already sendable: unchanged
      }),
      { numRuns: 1000 },
    );
  });

  it('skips no allowed minute between the desired instant and the result (checked minute by minute)', () => {
    fc.assert(
      fc.property(scenario, (s) => {
        const rules = rulesOf({ ...s, closedDayOffsets: undefined });
        fc.pre(!neverAllowed(rules));
        const result = nextSendableTime(s.desired, rules).getTime();
        fc.pre(result - s.desired.getTime() <= 2 * 86_400_000);
        for (let minute = Math.ceil(s.desired.getTime() / 60_000) * 60_000; minute < result; minute += 60_000) {
          if (allowedByHand(new Date(minute), rules)) expect.fail(`${new Date(minute).toISOString()} was allowed before ${new Date(result).toISOString()}`);
        }
      }),
      { numRuns: 500 },
    );
  });

  it('atLocalTime reads back as asked, except inside a gap, where it is the moment the clocks jumped', () => {
    const date = fc.integer({ min: 0, max: 3 * 366 }).map((days) => DateTime.fromISO('2026-01-01', { zone: 'utc' }).plus({ days }).toFormat('yyyy-MM-dd'));
    const nearChangeDate = fc.constantFrom('2026-03-08', '2026-03-29', '2026-04-05', '2026-10-04', '2026-10-25', '2026-11-01');
    fc.assert(
      fc.property(fc.oneof(date, nearChangeDate), hhmm, fc.constantFrom(...zones), (day, time, zone) => {
        const result = atLocalTime(day, time, zone);
        const read = (instant: Date) => `${localParts(instant, zone).date} ${localParts(instant, zone).time}`;
        const wanted = `${day} ${time}`;
        if (read(result) === wanted) {
          // The first of the instants that read this way.
          expect(read(new Date(result.getTime() - 3_600_000)) < wanted || read(new Date(result.getTime() - 60_000)) < wanted).toBe(true);
          const [earliest] = DateTime.fromISO(`${day}T${time}`, { zone }).getPossibleOffsets().map((d) => d.toMillis()).sort((a, b) => a - b);
          expect(result.getTime()).toBe(earliest);
        } else {
          expect(read(result) > wanted).toBe(true);
          expect(read(new Date(result.getTime() - 60_000)) < wanted).toBe(true);
        }
      }),
      { numRuns: 500 },
    );
  });

  it('plusLocalDays lands on the same wall-clock time the given number of calendar days away', () => {
    fc.assert(
      fc.property(instant, fc.integer({ min: -400, max: 400 }), fc.constantFrom(...zones), (start, days, zone) => {
        const result = plusLocalDays(start, days, zone);
        const before = DateTime.fromJSDate(start, { zone });
        const after = DateTime.fromJSDate(result, { zone });
        const wanted = before.setZone('utc', { keepLocalTime: true }).plus({ days }).toFormat('yyyy-MM-dd HH:mm:ss.SSS');
        const read = after.toFormat('yyyy-MM-dd HH:mm:ss.SSS');
        if (read !== wanted) {
          // Only a time inside a spring-forward gap cannot be kept; it becomes the moment of the jump.
          expect(read > wanted).toBe(true);
          expect(DateTime.fromMillis(result.getTime() - 60_000, { zone }).toFormat('yyyy-MM-dd HH:mm:ss.SSS') < wanted).toBe(true);
        }
      }),
      { numRuns: 500 },
    );
  });
});
