import * as z from 'zod';
import { type CustomerFacts, consentSchema } from '../events/canonical.ts';
import { totalMinor, refundedMinor, type OrderRecord } from '../orders/order-record.ts';
import type { Shop } from '../shops/shop.ts';
import { normalizeEmail, normalizePhone } from './contact.ts';
import { guessTimezone } from './timezone-guess.ts';

export const CUSTOMER_TAGS = ['new', 'returning', 'vip'] as const;

export const profileSchema = z.object({
  shopId: z.string(),
  customerId: z.string(),
  platformCustomerId: z.string().optional(),
  firstName: z.string().optional(),
  lastName: z.string().optional(),
  phone: z.string().optional(),
  email: z.string().optional(),
  locale: z.string().optional(),
  timezone: z.string(),
  timezoneSource: z.enum(['customer', 'region', 'shop']),
  emailConsent: consentSchema.default('unknown'),
  smsConsent: consentSchema.default('unknown'),
  /** Source time of the newest customer facts applied, so an old event cannot overwrite them. */
  factsAt: z.string().optional(),
  firstOrderAt: z.string().optional(),
  lastOrderAt: z.string().optional(),
  orderCount: z.number().int().nonnegative().default(0),
  /** Paid minus refunded, in minor units of `currency`. */
  totalSpentMinor: z.number().int().default(0),
  currency: z.string().optional(),
  tags: z.array(z.enum(CUSTOMER_TAGS)).default([]),
  version: z.number().int().nonnegative(),
  createdAt: z.string(),
  updatedAt: z.string(),
});
export type Profile = z.infer<typeof profileSchema>;

/** What one order adds to its customer's profile; a profile change is the difference of two. */
export interface OrderContribution {
  orders: number;
  spentMinor: number;
  orderedAt?: string;
}

export function orderContribution(order: OrderRecord | undefined): OrderContribution {
  if (!order?.customerId) return { orders: 0, spentMinor: 0 };
  const paid = order.milestones.paid !== undefined && order.milestones.cancelled === undefined;
  const spent = paid ? (totalMinor(order) ?? 0) - refundedMinor(order) : 0;
  return { orders: 1, spentMinor: Math.max(spent, 0), orderedAt: order.milestones.created };
}

export interface ProfileUpdate {
  shop: Shop;
  customerId: string;
  facts: CustomerFacts | undefined;
  factsAt: string;
  before: OrderRecord | undefined;
  after: OrderRecord;
  now: Date;
}

/**
 * Applies one order change to the customer's profile. Counters move by the difference between
 * the order's contribution before and after, so an event that changed nothing changes nothing
 * here either. Returns undefined when the profile stays as it was.
 */
export function updateProfile(current: Profile | undefined, update: ProfileUpdate): Profile | undefined {
  const { shop, now } = update;
  const profile: Profile = current
    ? structuredClone(current)
    : {
        shopId: shop.shopId,
        customerId: update.customerId,
        timezone: shop.timezone,
        timezoneSource: 'shop',
        emailConsent: 'unknown',
        smsConsent: 'unknown',
        orderCount: 0,
        totalSpentMinor: 0,
        tags: [],
        version: 0,
        createdAt: now.toISOString(),
        updatedAt: now.toISOString(),
      };

  const region = update.after.shippingRegion;
  if (update.facts && (!profile.factsAt || update.factsAt >= profile.factsAt)) {
    applyFacts(profile, update.facts, region?.countryCode ?? shop.country);
    profile.factsAt = update.factsAt;
  }
  if (profile.timezoneSource !== 'customer') {
    const guessed = guessTimezone(region);
    if (guessed) Object.assign(profile, { timezone: guessed, timezoneSource: 'region' });
  }

  const before = orderContribution(update.before);
  const after = orderContribution(update.after);
  profile.orderCount += after.orders - before.orders;
  profile.totalSpentMinor += after.spentMinor - before.spentMinor;
  profile.currency ??= update.after.currency;
  const orderedAt = after.orderedAt;
  if (orderedAt) {
    if (!profile.firstOrderAt || orderedAt < profile.firstOrderAt) profile.firstOrderAt = orderedAt;
    if (!profile.lastOrderAt || orderedAt > profile.lastOrderAt) profile.lastOrderAt = orderedAt;
  }
  profile.tags = computeTags(profile, shop);

  if (current && sameProfile(current, profile)) return undefined;
  profile.updatedAt = now.toISOString();
  return profile;
}

function applyFacts(profile: Profile, facts: CustomerFacts, defaultCountry: string): void {
  if (facts.platformCustomerId) profile.platformCustomerId = facts.platformCustomerId;
  if (facts.firstName) profile.firstName = facts.firstName;
  if (facts.lastName) profile.lastName = facts.lastName;
  const phone = normalizePhone(facts.phone, defaultCountry);
  if (phone) profile.phone = phone;
  const email = normalizeEmail(facts.email);
  if (email) profile.email = email;
  if (facts.locale) profile.locale = facts.locale;
  if (facts.timezone) Object.assign(profile, { timezone: facts.timezone, timezoneSource: 'customer' });
  if (facts.emailConsent && facts.emailConsent !== 'unknown') profile.emailConsent = facts.emailConsent;
  if (facts.smsConsent && facts.smsConsent !== 'unknown') profile.smsConsent = facts.smsConsent;
}

export function computeTags(profile: Pick<Profile, 'orderCount' | 'totalSpentMinor'>, shop: Shop): Profile['tags'] {
  const tags: Profile['tags'] = [];
  if (profile.orderCount === 1) tags.push('new');
  if (profile.orderCount >= 2) tags.push('returning');
  if (profile.totalSpentMinor >= shop.vipThresholdMinor && shop.vipThresholdMinor > 0) tags.push('vip');
  return tags;
}

function sameProfile(a: Profile, b: Profile): boolean {
  return JSON.stringify({ ...a, updatedAt: '' }) === JSON.stringify({ ...b, updatedAt: '' });
}
