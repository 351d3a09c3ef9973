import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { MESSAGE_KIND_NAMES } from '../../shared/messages/kinds.ts';
import { decideSend, type DecisionInput, firstSendableTime, nextBudgetSlot } from '../../shared/messages/send-decision.ts';
import type { Profile } from '../../shared/profiles/profile.ts';
import { messagingSettingsSchema } from '../../shared/shops/settings.ts';

const settings = messagingSettingsSchema.parse({});
const profile: Profile = {
  shopId: 's',
  customerId: 'c',
  phone: '+8613800138000',
  email: 'wei@example.com',
  smsConsent: 'subscribed',
  emailConsent: 'subscribed',
  timezone: 'Asia/Shanghai',
  timezoneSource: 'region',
  tags: ['new'],
  orderCount: 1,
  totalSpentMinor: 0,
  version: 1,
  createdAt: '',
  updatedAt: '',
};
// 12:00 in Shanghai.
const noon = new Date('2026-11-23T04:00:00.000Z');
const input = (overrides: Partial<DecisionInput> = {}): DecisionInput => ({
  kind: 'order_shipped',
  now: noon,
  firstDueAt: noon,
  settings,
  profile,
  smsOptedOut: false,
  recentSends: [],
  ...overrides,
});

describe('consent', () => {
  it('sends transactional messages without marketing consent', () => {
    const unsubscribed = { ...profile, smsConsent: 'unsubscribed' as const, emailConsent: 'unsubscribed' as const };
    expect(decideSend(input({ profile: unsubscribed }))).toEqual({ action: 'send', channels: ['sms', 'email'], countsAgainstBudget: false });
  });

  it('needs consent on the channel for marketing, and picks the consented channel', () => {
    expect(decideSend(input({ kind: 'repurchase_reminder', profile: { ...profile, smsConsent: 'unknown', emailConsent: 'unknown' } }))).toEqual({ action: 'skip', reason: 'no_consent' });
    expect(decideSend(input({ kind: 'repurchase_reminder', profile: { ...profile, smsConsent: 'unknown' } }))).toMatchObject({ action: 'send', channels: ['email'] });
  });

  it('lets care messages reach customers whose consent is unknown, not those who said no', () => {
    expect(decideSend(input({ kind: 'check_in', profile: { ...profile, smsConsent: 'unknown', emailConsent: 'unknown' } }))).toMatchObject({ action: 'send' });
    expect(decideSend(input({ kind: 'check_in', profile: { ...profile, smsConsent: 'unsubscribed', emailConsent: 'unsubscribed' } }))).toEqual({ action: 'skip', reason: 'no_consent' });
  });

  it('skips a customer with no phone and no email, or no profile', () => {
    expect(decideSend(input({ profile: { ...profile, phone: undefined, email: undefined } } as never))).toEqual({ action: 'skip', reason: 'no_contact' });
    expect(decideSend(input({ profile: undefined }))).toEqual({ action: 'skip', reason: 'no_profile' });
  });
});

describe('opt-out', () => {
  it('honours STOP even for transactional messages, falling back to email', () => {
    expect(decideSend(input({ smsOptedOut: true }))).toMatchObject({ action: 'send', channels: ['email'] });
    expect(decideSend(input({ smsOptedOut: true, profile: { ...profile, emailOptOut: true } }))).toEqual({ action: 'skip', reason: 'opted_out' });
  });
});

describe('time rules', () => {
  it('defers a message due at night to the end of quiet hours in the customer’s zone', () => {
    const night = new Date('2026-11-23T14:10:00.000Z'); // 22:10 in Shanghai
    expect(decideSend(input({ now: night, firstDueAt: night }))).toEqual({ action: 'defer', until: new Date('2026-11-24T01:00:00.000Z'), reason: 'quiet_hours' });
  });

  it('keeps parcel updates to their 08:00–09:00 window', () => {
    expect(decideSend(input({ kind: 'parcel_update' }))).toEqual({ action: 'defer', until: new Date('2026-11-24T00:00:00.000Z'), reason: 'send_window' });
  });

  it('holds marketing on a closed day, but not transactional messages', () => {
    const closed = { ...settings, closedDays: ['2026-11-23'] };
    expect(decideSend(input({ kind: 'repurchase_reminder', settings: closed }))).toEqual({ action: 'defer', until: new Date('2026-11-24T01:00:00.000Z'), reason: 'closed_day' });
    expect(decideSend(input({ settings: closed }))).toMatchObject({ action: 'send' });
  });

  it('gives up on a message that can no longer be sent before it expires', () => {
    const lastChance = new Date('2026-11-23T10:00:00.000Z'); // 18:00 local, expires after 12 h = 06:00 local
    expect(decideSend(input({ kind: 'payment_last_chance', now: new Date('2026-11-23T14:00:00.000Z'), firstDueAt: lastChance }))).toEqual({ action: 'skip', reason: 'expired' });
  });
});

describe('the first sendable time a journey plans a message for', () => {
  const zone = 'Asia/Shanghai';
  it('is the end of quiet hours for a message wanted at night, in the zone it is given', () => {
    const night = new Date('2026-11-23T14:10:00.000Z'); // 22:10 in Shanghai, 09:10 in New York
    expect(firstSendableTime('order_shipped', night, settings, zone)).toEqual(new Date('2026-11-24T01:00:00.000Z'));
    expect(firstSendableTime('order_shipped', night, settings, 'America/New_York')).toEqual(night);
  });

  it('follows a kind’s own window and, for marketing, the closed days', () => {
    expect(firstSendableTime('parcel_update', noon, settings, zone)).toEqual(new Date('2026-11-24T00:00:00.000Z'));
    const closed = { ...settings, closedDays: ['2026-11-23'] };
    expect(firstSendableTime('repurchase_reminder', noon, closed, zone)).toEqual(new Date('2026-11-24T01:00:00.000Z'));
    expect(firstSendableTime('order_shipped', noon, closed, zone)).toEqual(noon);
  });

  it('keeps the wanted time of a message that would expire before it could go, so the send records why not', () => {
    const longNights = { ...settings, quietHours: { start: '12:00', end: '06:00' } };
    const wanted = new Date('2026-11-23T04:30:00.000Z'); // 12:30; out for delivery expires after 12 h, at 00:30
    expect(firstSendableTime('out_for_delivery', wanted, longNights, zone)).toEqual(wanted);
    expect(decideSend(input({ kind: 'out_for_delivery', now: wanted, firstDueAt: wanted, settings: longNights }))).toEqual({ action: 'skip', reason: 'expired' });
  });

  it('is a moment the send does not defer by its time rules, never before the wanted time', () => {
    const start = Date.parse('2026-01-01T00:00:00.000Z');
    fc.assert(
      fc.property(
        fc.constantFrom(...MESSAGE_KIND_NAMES),
        fc.integer({ min: 0, max: 365 * 24 * 60 }),
        fc.constantFrom(zone, 'America/New_York', 'Europe/London'),
        fc.array(fc.integer({ min: 0, max: 40 }), { maxLength: 5 }),
        (kind, minute, tz, closedOffsets) => {
        const wanted = new Date(start + minute * 60_000);
        // Closed days around the wanted one (marketing waits them out).
        const closedDays = closedOffsets.map((days) => new Date(wanted.getTime() + (days - 2) * 86_400_000).toISOString().slice(0, 10));
        const shopSettings = { ...settings, closedDays };
        const at = firstSendableTime(kind, wanted, shopSettings, tz);
        expect(at.getTime()).toBeGreaterThanOrEqual(wanted.getTime());
        const decision = decideSend(input({ kind, now: at, firstDueAt: wanted, settings: shopSettings, profile: { ...profile, timezone: tz } }));
        expect(decision.action === 'defer' && decision.reason !== 'contact_budget').toBe(false);
        },
      ),
    );
  });
});

describe('the contact budget', () => {
  it('exempts transactional messages', () => {
    expect(decideSend(input({ recentSends: ['2026-11-23T03:00:00.000Z'] }))).toMatchObject({ action: 'send', countsAgainstBudget: false });
  });

  it('moves a care message over budget to the next free slot that is not in quiet hours', () => {
    // One care message an hour ago: the next fits 24 h after it, at 11:00 local tomorrow.
    expect(decideSend(input({ kind: 'check_in', recentSends: ['2026-11-23T03:00:00.000Z'] }))).toEqual({
      action: 'defer',
      until: new Date('2026-11-24T03:00:00.000Z'),
      reason: 'contact_budget',
    });
  });

  it('skips it when the next free slot comes after it expires', () => {
    const week = ['2026-11-17T03:00:00.000Z', '2026-11-19T03:00:00.000Z', '2026-11-22T03:00:00.000Z'];
    // 3 in 7 days: the earliest slot is 2026-11-24 03:00Z (7 d after the first); check_in expires after 72 h: fits.
    expect(decideSend(input({ kind: 'check_in', recentSends: week }))).toMatchObject({ action: 'defer', reason: 'contact_budget' });
    // An active-window touch first due three days ago expires (72 h) before the next slot.
    expect(decideSend(input({ kind: 'active_window_touch', firstDueAt: new Date('2026-11-20T06:00:00.000Z'), recentSends: ['2026-11-23T03:30:00.000Z'] }))).toEqual({ action: 'skip', reason: 'contact_budget' });
  });

  it('finds the earliest slot that satisfies both windows', () => {
    const now = new Date('2026-11-23T00:00:00.000Z');
    expect(nextBudgetSlot([], now, { per24h: 1, per7d: 3 })).toEqual(now);
    expect(nextBudgetSlot(['2026-11-22T12:00:00.000Z'], now, { per24h: 1, per7d: 3 })).toEqual(new Date('2026-11-23T12:00:00.000Z'));
    expect(nextBudgetSlot(['2026-11-17T06:00:00.000Z', '2026-11-20T06:00:00.000Z', '2026-11-21T06:00:00.000Z'], now, { per24h: 1, per7d: 3 })).toEqual(new Date('2026-11-24T06:00:00.000Z'));
    expect(nextBudgetSlot([], now, { per24h: 0, per7d: 3 })).toBeUndefined();
  });
});
