import { SENDER_ID, SENDER_ID_RULE } from '../channels/sender-id.ts';
import * as z from 'zod/mini';

const localTime = z.string().check(z.regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'a local time HH:mm'));
const localDate = z.string().check(z.regex(/^\d{4}-\d{2}-\d{2}$/, 'a local date YYYY-MM-DD'));
export const localWindowSchema = z.object({ start: localTime, end: localTime });

/**
 * A shop's messaging settings. Every field has a default, so a shop stored before a setting
 * existed reads with the default. `careline shop set` changes them (validated here).
 */
export const messagingSettingsSchema = z.object({
  /** The name customers know the shop by; the 【signature】 of Chinese SMS. */
  shopName: z.optional(z.string().check(z.minLength(1), z.maxLength(40))),
  /** Nothing is sent inside these local hours; messages wait for the end. */
  quietHours: z._default(localWindowSchema, { start: '21:00', end: '09:00' }),
  /** Local dates (holidays, sale peaks) on which marketing waits for the next open day. */
  closedDays: z._default(z.array(localDate).check(z.maxLength(366)), []),
  /** At most this many care/marketing messages per customer (transactional messages are exempt). */
  contactBudget: z._default(
    z.object({ per24h: z.int().check(z.minimum(0), z.maximum(20)), per7d: z.int().check(z.minimum(0), z.maximum(50)) }),
    { per24h: 1, per7d: 3 },
  ),
  /** SMS longer than this many segments is shortened (each segment is billed). */
  maxSmsSegments: z._default(z.int().check(z.minimum(1), z.maximum(10)), 3),
  /** Alphanumeric SMS sender id, where the destination country allows one. */
  smsSenderId: z.optional(z.string().check(z.regex(SENDER_ID, SENDER_ID_RULE))),
  /** Preferred channel when the customer can be reached on both. */
  preferredChannel: z._default(z.enum(['sms', 'email']), 'sms'),
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
  paymentReminders: z._default(z.boolean(), true),
  /** Delay before the reminder to a new customer, in minutes (until the shop's own history is learned). */
  reminderDelayNewMinutes: z._default(z.int().check(z.minimum(5), z.maximum(7 * 24 * 60)), 120),
  /** Delay before the reminder to a returning customer, in minutes. */
  reminderDelayReturningMinutes: z._default(z.int().check(z.minimum(5), z.maximum(7 * 24 * 60)), 180),
  /** Learn the delays from the shop's own payments: the time by which 90% of buyers pay. */
  learnReminderDelay: z._default(z.boolean(), true),
  /** Paid orders a group (new / returning customers) needs before its learned delay is used. */
  learnAfterPaidOrders: z._default(z.int().check(z.minimum(10), z.maximum(100_000)), 50),
  /** Shop-local time by which a paid order still ships today ("pay before 16:00 to ship today"); unset: none. */
  dispatchCutoff: z.optional(localTime),
  /** The platform closes unpaid orders this many hours after they were placed; null: it never does. */
  autoCloseHours: z._default(z.nullable(z.int().check(z.minimum(1), z.maximum(30 * 24))), 24),
  /** The last-chance reminder goes this many hours before the auto-close. */
  lastChanceHoursBefore: z._default(z.int().check(z.minimum(1), z.maximum(72)), 2),
  /** Unpaid orders from this total (minor units) also get a phone call by staff; 0: never. */
  callFromMinor: z._default(z.int().check(z.minimum(0)), 100_000),
  /** Local windows in which staff calls are placed. */
  callWindows: z._default(z.array(localWindowSchema).check(z.minLength(1), z.maxLength(6)), callWindowsDefault),
  /** Shipping notices, daily parcel updates, out-for-delivery and delivered notices. */
  parcelUpdates: z._default(z.boolean(), true),
  /** Hours without a new checkpoint after which a parcel counts as stalled. */
  stallAfterHours: z._default(z.int().check(z.minimum(6), z.maximum(30 * 24)), 48),
  /** The care message with usage tips on delivery, check-ins and the review request. */
  deliveryCare: z._default(z.boolean(), true),
  /** Where customers leave a review, for the review request; `{sku}` and `{order}` are filled in. Unset: no link. */
  reviewUrl: z.optional(z.url().check(z.maxLength(500))),
  /** Where customers buy a product again, for the repurchase reminder; `{sku}` is filled in. Unset: no link. */
  repurchaseUrl: z.optional(z.url().check(z.maxLength(500))),
  /** Days after delivery of the review / feedback request; 0: none. */
  reviewAfterDays: z._default(z.int().check(z.minimum(0), z.maximum(60)), 5),
  /** Check-in days after delivery for products without days of their own. */
  defaultCheckInDays: z._default(z.array(z.int().check(z.minimum(1), z.maximum(365))).check(z.maxLength(5)), []),
  /** A check-in reply at or below this score (1–5) is flagged for follow-up. */
  lowSatisfactionScore: z._default(z.int().check(z.minimum(1), z.maximum(4)), 2),
  /** Repurchase reminders go this many days before the product runs out. */
  repurchaseLeadDays: z._default(z.int().check(z.minimum(0), z.maximum(60)), 3),
  /** The active window after each order, in days; the light touch goes the day before it closes. 0: off. */
  activeWindowDays: z._default(z.int().check(z.minimum(0), z.maximum(365)), 30),
});
export type JourneySettings = z.infer<typeof journeySettingsSchema>;
