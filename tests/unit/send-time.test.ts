import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { atLocalTime, isSendable, localParts, nextSendableTime, plusLocalDays, type TimeRules } from '../../shared/timing/send-time.ts';

const quiet = { start: '21:00', end: '09:00' };
const shanghai: TimeRules = { zone: 'Asia/Shanghai', quietHours: quiet };
const iso = (at: Date) => at.toISOString();

describe('quiet hours, windows and closed days', () => {
  it('defers a message due at night to 09:00 local, and leaves one due by day alone', () => {
    expect(iso(nextSendableTime(new Date('2026-11-23T14:10:00Z'), shanghai))).toBe('2026-11-24T01:00:00.000Z'); // 22:10 → 09:00
    expect(iso(nextSendableTime(new Date('2026-11-23T00:59:00Z'), shanghai))).toBe('2026-11-23T01:00:00.000Z'); // 08:59 → 09:00
    const noon = new Date('2026-11-23T04:00:12.345Z');
    expect(nextSendableTime(noon, shanghai)).toBe(noon);
  });

  it('handles quiet hours that do not wrap midnight', () => {
    const lunch: TimeRules = { zone: 'Asia/Shanghai', quietHours: { start: '13:00', end: '14:00' } };
    expect(iso(nextSendableTime(new Date('2026-11-23T05:30:00Z'), lunch))).toBe('2026-11-23T06:00:00.000Z');
  });

  it('keeps a message to its windows (which take the place of quiet hours)', () => {
    const parcel: TimeRules = { ...shanghai, windows: [{ start: '08:00', end: '09:00' }] };
    expect(iso(nextSendableTime(new Date('2026-11-23T02:00:00Z'), parcel))).toBe('2026-11-24T00:00:00.000Z'); // 10:00 → 08:00 tomorrow
    const calls: TimeRules = { ...shanghai, windows: [{ start: '11:00', end: '12:00' }, { start: '15:30', end: '16:30' }] };
    expect(iso(nextSendableTime(new Date('2026-11-23T04:30:00Z'), calls))).toBe('2026-11-23T07:30:00.000Z'); // 12:30 → 15:30
    expect(iso(nextSendableTime(new Date('2026-11-23T09:00:00Z'), calls))).toBe('2026-11-24T03:00:00.000Z'); // 17:00 → 11:00 tomorrow
  });

  it('waits out closed days', () => {
    const closed: TimeRules = { ...shanghai, closedDays: ['2026-11-11', '2026-11-12'] };
    expect(iso(nextSendableTime(new Date('2026-11-11T04:00:00Z'), closed))).toBe('2026-11-13T01:00:00.000Z');
  });

  it('refuses rules that never allow a moment', () => {
    expect(() => nextSendableTime(new Date(), { zone: 'UTC', quietHours: quiet, windows: [{ start: '10:00', end: '10:00' }] })).toThrow(/no moment/);
  });
});

describe('daylight saving time (America/New_York)', () => {
  const ny: TimeRules = { zone: 'America/New_York', quietHours: quiet };
  it('ends quiet hours at 09:00 local on both sides of the March change', () => {
    expect(iso(nextSendableTime(new Date('2026-03-07T03:00:00Z'), ny))).toBe('2026-03-07T14:00:00.000Z'); // EST: 09:00 = 14:00Z
    expect(iso(nextSendableTime(new Date('2026-03-08T03:00:00Z'), ny))).toBe('2026-03-08T13:00:00.000Z'); // EDT: 09:00 = 13:00Z
  });

  it('ends quiet hours at 09:00 local on both sides of the November change', () => {
    expect(iso(nextSendableTime(new Date('2026-10-31T03:00:00Z'), ny))).toBe('2026-10-31T13:00:00.000Z');
    expect(iso(nextSendableTime(new Date('2026-11-01T04:30:00Z'), ny))).toBe('2026-11-01T14:00:00.000Z');
  });

  it('moves by calendar days, not 24-hour steps, and resolves gaps and overlaps', () => {
    const nine = new Date('2026-03-07T14:00:00Z');
    expect(localParts(plusLocalDays(nine, 1, 'America/New_York'), 'America/New_York').time).toBe('09:00');
    expect(iso(atLocalTime('2026-03-08', '02:30', 'America/New_York'))).toBe('2026-03-08T07:00:00.000Z'); // gap → 03:00 EDT
    expect(iso(atLocalTime('2026-11-01', '01:30', 'America/New_York'))).toBe('2026-11-01T05:30:00.000Z'); // overlap → earlier (EDT)
  });
});

describe('properties', () => {
  const zones = ['Asia/Shanghai', 'America/New_York', 'Europe/Berlin', 'Australia/Sydney', 'Asia/Kolkata', 'America/St_Johns'];
  const hhmm = fc.tuple(fc.integer({ min: 0, max: 23 }), fc.integer({ min: 0, max: 59 })).map(([h, m]) => `${String(h).padStart(2, '0')}:${String(m).padStart(2, '0')}`);
  const rules = fc.record({
    zone: fc.constantFrom(...zones),
    quietHours: fc.record({ start: hhmm, end: hhmm }),
    closedDays: fc.array(fc.date({ min: new Date('2026-01-01'), max: new Date('2027-12-31'), noInvalidDate: true }).map((d) => d.toISOString().slice(0, 10)), { maxLength: 5 }),
  });
  const instant = fc.date({ min: new Date('2026-01-01T00:00:00Z'), max: new Date('2027-12-31T00:00:00Z'), noInvalidDate: true });

  it('a deferred time is never inside quiet hours (or a closed day) and never earlier than asked, and is the earliest such minute', () => {
    fc.assert(
      fc.property(instant, rules, (desired, r) => {
        fc.pre(r.quietHours.start !== r.quietHours.end || true);
        const at = nextSendableTime(desired, r);
        expect(at.getTime()).toBeGreaterThanOrEqual(desired.getTime());
        expect(isSendable(at, r)).toBe(true);
        if (at.getTime() !== desired.getTime()) expect(isSendable(new Date(at.getTime() - 60_000), r)).toBe(false);
      }),
      { numRuns: 500 },
    );
  });
});
