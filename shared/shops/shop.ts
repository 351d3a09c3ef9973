import * as z from 'zod';
import { journeySettingsSchema, messagingSettingsSchema } from './settings.ts';

export const PLATFORMS = ['shopify', 'woocommerce', 'careline'] as const;
export type Platform = (typeof PLATFORMS)[number];

export const LOCALES = ['zh-CN', 'en'] as const;
export type Locale = (typeof LOCALES)[number];

/** A shop may hold two webhook secrets at once, so it can rotate without dropping deliveries. */
export const MAX_SECRETS = 2;

export const shopIdSchema = z
  .string()
  .regex(/^[a-z0-9][a-z0-9-]{1,62}$/, 'shop ids are 2-63 lower-case letters, digits and dashes');

export const timezoneSchema = z.string().refine((zone) => {
  try {
    new Intl.DateTimeFormat('en', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}, 'not an IANA time zone');

export const shopSecretSchema = z.object({
  value: z.string().min(16, 'secrets are at least 16 characters'),
  addedAt: z.string(),
});

export const shopSchema = z.object({
  shopId: shopIdSchema,
  platform: z.enum(PLATFORMS),
  secrets: z.array(shopSecretSchema).min(1).max(MAX_SECRETS),
  timezone: timezoneSchema.default('Asia/Shanghai'),
  locale: z.enum(LOCALES).default('zh-CN'),
  currency: z.string().length(3).default('CNY'),
  /** Default country for phone numbers written without a country code (ISO 3166 alpha-2). */
  country: z.string().length(2).default('CN'),
  /** Total spent, in minor units of the shop currency, from which a customer is tagged VIP. */
  vipThresholdMinor: z.number().int().nonnegative().default(200_000),
  messaging: messagingSettingsSchema.default(messagingSettingsSchema.parse({})),
  journeys: journeySettingsSchema.default(journeySettingsSchema.parse({})),
  /** Secrets of tracking services that call Careline for this shop (Kuaidi100 salt, AfterShip webhook secret). */
  trackingSecrets: z.object({ kuaidi100: z.string().min(8).optional(), aftership: z.string().min(8).optional() }).default({}),
  createdAt: z.string(),
});
export type Shop = z.infer<typeof shopSchema>;

/** Shows a secret without revealing it: its length and last four characters. */
export function maskSecret(secret: string): string {
  return `••••${secret.slice(-4)} (${secret.length} chars)`;
}
