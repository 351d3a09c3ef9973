import { describe, expect, it } from 'vitest';
import type { OrderRecord } from '../../shared/orders/order-record.ts';
import { computeTags, profileView } from '../../shared/profiles/profile.ts';
import { profileDelta } from '../../shared/profiles/profile-delta.ts';
import { MAIN_ZONE, guessTimezone, zonesOfCountry } from '../../shared/profiles/timezone-guess.ts';
import { contactDigest, maskEmail, maskPhone, normalizeEmail, normalizePhone } from '../../shared/profiles/contact.ts';
import { formatMoney, toMinorUnits } from '../../shared/money.ts';
import { testShop } from '../support/shops.ts';

const order = (overrides: Partial<OrderRecord> = {}): OrderRecord => ({
  shopId: 's',
  orderId: '1',
  customerId: 'c',
  currency: 'CNY',
  total: '398.00',
  lineItems: [],
  status: 'pending_payment',
  milestones: { created: '2026-11-20T02:00:00.000Z' },
  shipments: [],
  checkpoints: [],
  refunds: [],
  version: 1,
  updatedAt: '',
  ...overrides,
});

describe('profile deltas', () => {
  it('counts an order once when it is tied to its customer, and its spend once it is paid', () => {
    const created = order();
    expect(profileDelta({ facts: undefined, factsAt: 'x', before: undefined, after: created, defaultCountry: 'CN' })).toMatchObject({ orders: 1, spentMinor: 0, orderedAt: '2026-11-20T02:00:00.000Z' });
    const paid = order({ milestones: { ...created.milestones, paid: '2026-11-20T03:00:00.000Z' } });
    expect(profileDelta({ facts: undefined, factsAt: 'x', before: created, after: paid, defaultCountry: 'CN' })).toMatchObject({ orders: 0, spentMinor: 39_800 });
    const refunded = order({ milestones: paid.milestones, refunds: [{ refundId: 'r', amount: '100.00', at: 'x', lineItems: [] }] });
    expect(profileDelta({ facts: undefined, factsAt: 'x', before: paid, after: refunded, defaultCountry: 'CN' })).toMatchObject({ spentMinor: -10_000 });
  });

  it('has nothing to write for a change that changes nothing about the customer', () => {
    expect(profileDelta({ facts: undefined, factsAt: 'x', before: order(), after: order({ status: 'shipped' }), defaultCountry: 'CN' })).toBeUndefined();
  });

  it('normalizes contact facts and drops unknown consent', () => {
    const delta = profileDelta({
      facts: { phone: '138 0013 8000', email: ' Wei@Example.COM ', emailConsent: 'unknown', smsConsent: 'subscribed' },
      factsAt: 'x',
      before: order(),
      after: order(),
      defaultCountry: 'CN',
    });
    expect(delta?.facts).toEqual({ phone: '+8613800138000', email: 'wei@example.com', smsConsent: 'subscribed' });
  });

  it('keeps a customer zone only when it is a real IANA zone', () => {
    const zoneOf = (timezone: string) =>
      profileDelta({ facts: { email: 'wei@example.com', timezone }, factsAt: 'x', before: order(), after: order(), defaultCountry: 'CN' })?.facts?.customerTimezone;
    expect(zoneOf('Asia/Tokyo')).toBe('Asia/Tokyo');
    for (const notAZone of ['UTC+8', 'local', 'Mars/Olympus', 'GMT+08:00']) expect(zoneOf(notAZone)).toBeUndefined();
  });
});

describe('derived profile fields', () => {
  const shop = testShop({ timezone: 'Europe/Berlin', vipThresholdMinor: 100_000 });
  const base = { shopId: 's', customerId: 'c', orderCount: 1, totalSpentMinor: 0, version: 1, createdAt: '', updatedAt: '' };

  it('takes the customer’s zone, else the region’s, else the shop’s', () => {
    expect(profileView({ ...base, customerTimezone: 'Asia/Tokyo', regionTimezone: 'Asia/Shanghai' }, shop)).toMatchObject({ timezone: 'Asia/Tokyo', timezoneSource: 'customer' });
    expect(profileView({ ...base, regionTimezone: 'Asia/Shanghai' }, shop)).toMatchObject({ timezone: 'Asia/Shanghai', timezoneSource: 'region' });
    expect(profileView(base, shop)).toMatchObject({ timezone: 'Europe/Berlin', timezoneSource: 'shop' });
    expect(profileView({ ...base, customerTimezone: 'UTC+8', regionTimezone: 'Asia/Shanghai' }, shop)).toMatchObject({ timezone: 'Asia/Shanghai', timezoneSource: 'region' });
  });

  it('tags new, returning and VIP by the shop threshold', () => {
    expect(computeTags({ orderCount: 1, totalSpentMinor: 500 }, shop)).toEqual(['new']);
    expect(computeTags({ orderCount: 3, totalSpentMinor: 100_000 }, shop)).toEqual(['returning', 'vip']);
    expect(computeTags({ orderCount: 0, totalSpentMinor: 0 }, shop)).toEqual([]);
  });
});

describe('contacts, zones and money', () => {
  it('normalizes phones to E.164 with the right default country, and rejects what cannot be a number', () => {
    expect(normalizePhone('(415) 555-2671', 'US')).toBe('+14155552671');
    expect(normalizePhone('+86 138 0013 8000', 'US')).toBe('+8613800138000');
    expect(normalizePhone('12345', 'CN')).toBeUndefined();
    expect(normalizeEmail('not-an-email')).toBeUndefined();
  });

  it('masks contacts and hashes them per shop', () => {
    expect(maskPhone('+8613800138000')).toBe('+86•••••••8000');
    expect(maskEmail('wei@example.com')).toBe('w•••@example.com');
    expect(contactDigest('a', 'phone:+8613800138000')).not.toBe(contactDigest('b', 'phone:+8613800138000'));
    expect(contactDigest('a', 'phone:+8613800138000')).not.toContain('8000');
  });

  it('guesses zones from the shipping region', () => {
    expect(guessTimezone({ countryCode: 'US', provinceCode: 'CA' })).toBe('America/Los_Angeles');
    expect(guessTimezone({ countryCode: 'US', provinceCode: 'NY' })).toBe('America/New_York');
    expect(guessTimezone({ countryCode: 'US' })).toBeUndefined(); // several zones, no state
    expect(guessTimezone({ countryCode: 'CN', provinceCode: 'ZJ' })).toBe('Asia/Shanghai');
    expect(guessTimezone({ countryCode: 'GB' })).toBe('Europe/London');
    expect(guessTimezone(undefined)).toBeUndefined();
  });

  it('guesses the main zone of a country with several, and none where there is no main one', () => {
    const same = (zone: string | undefined) => zone && new Intl.DateTimeFormat('en', { timeZone: zone }).resolvedOptions().timeZone;
    expect(guessTimezone({ countryCode: 'RU' })).toBe('Europe/Moscow'); // not Asia/Anadyr, first by name
    expect(guessTimezone({ countryCode: 'PT' })).toBe('Europe/Lisbon'); // not the Azores
    expect(guessTimezone({ countryCode: 'CN' })).toBe('Asia/Shanghai');
    expect(guessTimezone({ countryCode: 'JP' })).toBe('Asia/Tokyo'); // one zone
    expect(same(guessTimezone({ countryCode: 'IN' }))).toBe(same('Asia/Kolkata'));
    expect(guessTimezone({ countryCode: 'FM' })).toBeUndefined(); // three zones, none the main one
    expect(guessTimezone({ countryCode: 'AU' })).toBeUndefined(); // by state only
    expect(guessTimezone({ countryCode: 'XX' })).toBeUndefined();
    expect(guessTimezone({ countryCode: '1' })).toBeUndefined();
    // Each main zone is one of its country's zones (names compared as the runtime resolves them).
    for (const [country, zone] of Object.entries(MAIN_ZONE)) {
      expect(zonesOfCountry(country).map(same), country).toContain(same(zone));
    }
  });

  it('keeps money in minor units of the currency', () => {
    expect(toMinorUnits('199.5', 'CNY')).toBe(19_950);
    expect(toMinorUnits('1000', 'JPY')).toBe(1000);
    expect(toMinorUnits('1.2345', 'KWD')).toBe(1235);
    expect(formatMoney(39_800, 'CNY')).toBe('CN¥398.00');
  });
});
