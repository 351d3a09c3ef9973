import * as z from 'zod/mini';
import { consentSchema } from '../events/canonical.ts';
import type { Shop } from '../shops/shop.ts';
import { isTimeZone } from '../timing/local-time.ts';

export const CUSTOMER_TAGS = ['new', 'returning', 'vip', 'at_risk', 'follow_up'] as const;
export type CustomerTag = (typeof CUSTOMER_TAGS)[number];

/**
 * A customer profile as stored. Counters move by deltas and facts are last-writer-wins by
 * source time, so one UpdateItem applies a change without reading the profile first. What
 * depends on shop settings (time zone fallback, tags) is derived when it is read.
 */
export const profileItemSchema = z.object({
  shopId: z.string(),
  customerId: z.string(),
  platformCustomerId: z.optional(z.string()),
  firstName: z.optional(z.string()),
  lastName: z.optional(z.string()),
  /** E.164. */
  phone: z.optional(z.string()),
  /** Lower-cased. */
  email: z.optional(z.string()),
  locale: z.optional(z.string()),
  /** The zone the platform reported for the customer, if any. */
  customerTimezone: z.optional(z.string()),
  /** The zone guessed from the newest shipping address. */
  regionTimezone: z.optional(z.string()),
  emailConsent: z.optional(consentSchema),
  smsConsent: z.optional(consentSchema),
  /** Source time of the newest customer facts applied, so an old event cannot overwrite them. */
  factsAt: z.optional(z.string()),
  /** The customer used the unsubscribe link of an email (SMS opt-outs are kept by phone number). */
  emailOptOut: z.optional(z.boolean()),
  emailOptOutAt: z.optional(z.string()),
  firstOrderAt: z.optional(z.string()),
  lastOrderAt: z.optional(z.string()),
  orderCount: z._default(z.int(), 0),
  /** Paid minus refunded, in minor units of `currency`. */
  totalSpentMinor: z._default(z.int(), 0),
  currency: z.optional(z.string()),
  /** Check-in replies (1–5): their sum and count, and the newest. */
  satisfactionSum: z.optional(z.int()),
  satisfactionCount: z.optional(z.int()),
  lastSatisfaction: z.optional(z.int()),
  lastSatisfactionAt: z.optional(z.string()),
  /** A low check-in score waits for staff to follow it up. */
  followUp: z.optional(z.boolean()),
  /** The active window closed without an order at this time (a newer order clears it). */
  atRiskSince: z.optional(z.string()),
  /** The last order before the window closed: an order newer than this ends the at-risk state. */
  atRiskAfterOrderAt: z.optional(z.string()),
  version: z._default(z.int().check(z.nonnegative()), 0),
  createdAt: z.string(),
  updatedAt: z.string(),
});
export type ProfileItem = z.infer<typeof profileItemSchema>;

/** A profile as the domain reads it. */
export interface Profile extends ProfileItem {
  timezone: string;
  timezoneSource: 'customer' | 'region' | 'shop';
  emailConsent: z.infer<typeof consentSchema>;
  smsConsent: z.infer<typeof consentSchema>;
  tags: CustomerTag[];
}

export function profileView(item: ProfileItem, shop: Shop): Profile {
  // (A zone stored before zones were checked on the way in is passed over the same way.)
  const [timezone, timezoneSource] = item.customerTimezone && isTimeZone(item.customerTimezone)
    ? [item.customerTimezone, 'customer' as const]
    : item.regionTimezone
      ? [item.regionTimezone, 'region' as const]
      : [shop.timezone, 'shop' as const];
  return {
    ...item,
    timezone,
    timezoneSource,
    emailConsent: item.emailConsent ?? 'unknown',
    smsConsent: item.smsConsent ?? 'unknown',
    tags: computeTags(item, shop),
  };
}

export function computeTags(profile: Pick<ProfileItem, 'orderCount' | 'totalSpentMinor' | 'atRiskAfterOrderAt' | 'lastOrderAt' | 'followUp'>, shop: Shop): CustomerTag[] {
  const tags: CustomerTag[] = [];
  if (profile.orderCount === 1) tags.push('new');
  if (profile.orderCount >= 2) tags.push('returning');
  if (shop.vipThresholdMinor > 0 && profile.totalSpentMinor >= shop.vipThresholdMinor) tags.push('vip');
  if (profile.atRiskAfterOrderAt && !(profile.lastOrderAt && profile.lastOrderAt > profile.atRiskAfterOrderAt)) tags.push('at_risk');
  if (profile.followUp) tags.push('follow_up');
  return tags;
}

export type ProfileFacts = Pick<
  ProfileItem,
  'platformCustomerId' | 'firstName' | 'lastName' | 'phone' | 'email' | 'locale' | 'customerTimezone' | 'emailConsent' | 'smsConsent'
>;

/** A change to one profile, as the store applies it in one write. */
export interface ProfileDelta {
  facts?: ProfileFacts;
  factsAt: string;
  regionTimezone?: string;
  orders: number;
  spentMinor: number;
  orderedAt?: string;
  currency?: string;
}

/** The profile after a delta: exactly what the store's UpdateItem does (tested against it). */
export function applyProfileDelta(
  item: ProfileItem | undefined,
  delta: ProfileDelta,
  ids: { shopId: string; customerId: string },
  now: Date,
  includeFacts: boolean,
): ProfileItem {
  const next: ProfileItem = item
    ? { ...item }
    : { ...ids, orderCount: 0, totalSpentMinor: 0, version: 0, createdAt: now.toISOString(), updatedAt: now.toISOString() };
  if (includeFacts && delta.facts) Object.assign(next, delta.facts, { factsAt: delta.factsAt });
  if (delta.regionTimezone) next.regionTimezone = delta.regionTimezone;
  next.orderCount += delta.orders;
  next.totalSpentMinor += delta.spentMinor;
  next.currency ??= delta.currency;
  if (delta.orderedAt) {
    if (!next.firstOrderAt || delta.orderedAt < next.firstOrderAt) next.firstOrderAt = delta.orderedAt;
    if (!next.lastOrderAt || delta.orderedAt > next.lastOrderAt) next.lastOrderAt = delta.orderedAt;
  }
  next.version += 1;
  next.updatedAt = now.toISOString();
  return next;
}

