import { SENDER_ID, SENDER_ID_RULE } from '../channels/sender-id.ts';
import * as z from 'zod';

const localTime = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'a local time HH:mm');
const localDate = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'a local date YYYY-MM-DD');
export const localWindowSchema = z.object({ start: localTime, end: localTime });

/**
 * A shop's messaging settings. Every field has a default, so a shop stored before a setting
 * existed reads with the default. `careline shop set` changes them (validated here).
 */
export const messagingSettingsSchema = z.object({
  /** The name customers know the shop by; the 【signature】 of Chinese SMS. */
  shopName: z.string().min(1).max(40).optional(),
  /** Nothing is sent inside these local hours; messages wait for the end. */
  quietHours: localWindowSchema.default({ start: '21:00', end: '09:00' }),
  /** Local dates (holidays, sale peaks) on which marketing waits for the next open day. */
  closedDays: z.array(localDate).max(366).default([]),
  /** At most this many care/marketing messages per customer (transactional messages are exempt). */
  contactBudget: z
    .object({ per24h: z.number().int().min(0).max(20), per7d: z.number().int().min(0).max(50) })
    .default({ per24h: 1, per7d: 3 }),
  /** SMS longer than this many segments is shortened (each segment is billed). */
  maxSmsSegments: z.number().int().min(1).max(10).default(3),
  /** Alphanumeric SMS sender id, where the destination country allows one. */
  smsSenderId: z.string().regex(SENDER_ID, SENDER_ID_RULE).optional(),
  /** Preferred channel when the customer can be reached on both. */
  preferredChannel: z.enum(['sms', 'email']).default('sms'),
});
export type MessagingSettings = z.infer<typeof messagingSettingsSchema>;

const callWindowsDefault = [
  { start: '11:00', end: '12:00' },
  { start: '15:30', end: '16:30' },
];

/**
 * A shop's journey settings: every delay, window, threshold and switch of the order-lifecycle
 * journeys, with the defaults shops asked for. `careline shop set <shopId> journeys.<key>=<value>`.
 */
export const journeySettingsSchema = z.object({
  /** Payment reminders for unpaid orders (and the staff calls that go with them). */
  paymentReminders: z.boolean().default(true),
  /** Delay before the reminder to a new customer, in minutes (until the shop's own history is learned). */
  reminderDelayNewMinutes: z.number().int().min(5).max(7 * 24 * 60).default(120),
  /** Delay before the reminder to a returning customer, in minutes. */
  reminderDelayReturningMinutes: z.number().int().min(5).max(7 * 24 * 60).default(180),
  /** Learn the delays from the shop's own payments: the time by which 90% of buyers pay. */
  learnReminderDelay: z.boolean().default(true),
  /** Paid orders a group (new / returning customers) needs before its learned delay is used. */
  learnAfterPaidOrders: z.number().int().min(10).max(100_000).default(50),
  /** Shop-local time by which a paid order still ships today ("pay before 16:00 to ship today"); unset: none. */
  dispatchCutoff: localTime.optional(),
  /** The platform closes unpaid orders this many hours after they were placed; null: it never does. */
  autoCloseHours: z.number().int().min(1).max(30 * 24).nullable().default(24),
  /** The last-chance reminder goes this many hours before the auto-close. */
  lastChanceHoursBefore: z.number().int().min(1).max(72).default(2),
  /** Unpaid orders from this total (minor units) also get a phone call by staff; 0: never. */
  callFromMinor: z.number().int().min(0).default(100_000),
  /** Local windows in which staff calls are placed. */
  callWindows: z.array(localWindowSchema).min(1).max(6).default(callWindowsDefault),
  /** Shipping notices, daily parcel updates, out-for-delivery and delivered notices. */
  parcelUpdates: z.boolean().default(true),
  /** Hours without a new checkpoint after which a parcel counts as stalled. */
  stallAfterHours: z.number().int().min(6).max(30 * 24).default(48),
  /** The care message with usage tips on delivery, check-ins and the review request. */
  deliveryCare: z.boolean().default(true),
  /** Where customers leave a review, for the review request; `{sku}` and `{order}` are filled in. Unset: no link. */
  reviewUrl: z.url().max(500).optional(),
  /** Where customers buy a product again, for the repurchase reminder; `{sku}` is filled in. Unset: no link. */
  repurchaseUrl: z.url().max(500).optional(),
  /** Days after delivery of the review / feedback request; 0: none. */
  reviewAfterDays: z.number().int().min(0).max(60).default(5),
  /** Check-in days after delivery for products without days of their own. */
  defaultCheckInDays: z.array(z.number().int().min(1).max(365)).max(5).default([]),
  /** A check-in reply at or below this score (1–5) is flagged for follow-up. */
  lowSatisfactionScore: z.number().int().min(1).max(4).default(2),
  /** Repurchase reminders go this many days before the product runs out. */
  repurchaseLeadDays: z.number().int().min(0).max(60).default(3),
  /** The active window after each order, in days; the light touch goes the day before it closes. 0: off. */
  activeWindowDays: z.number().int().min(0).max(365).default(30),
});
export type JourneySettings = z.infer<typeof journeySettingsSchema>;
