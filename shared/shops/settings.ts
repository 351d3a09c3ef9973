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
