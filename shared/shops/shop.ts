import * as z from 'zod/mini';
import { journeySettingsSchema, messagingSettingsSchema } from './settings.ts';

export const PLATFORMS = ['shopify', 'woocommerce', 'careline'] as const;
export type Platform = (typeof PLATFORMS)[number];

export const LOCALES = ['zh-CN', 'en'] as const;
export type Locale = (typeof LOCALES)[number];

/** A shop may hold two webhook secrets at once, so it can rotate without dropping deliveries. */
export const MAX_SECRETS = 2;

export const shopIdSchema = z
  .string()
  .check(z.regex(/^[a-z0-9][a-z0-9-]{1,62}$/, 'shop ids are 2-63 lower-case letters, digits and dashes'));

export const timezoneSchema = z.string().check(
  z.refine((zone) => {
    try {
      new Intl.DateTimeFormat('en', { timeZone: zone });
      return true;
    } catch {
      return false;
    }
  }, 'not an IANA time zone'),
);

export const shopSecretSchema = z.object({
  value: z.string().check(z.minLength(16, 'secrets are at least 16 characters')),
  addedAt: z.string(),
});

export const shopSchema = z.object({
  shopId: shopIdSchema,
  platform: z.enum(PLATFORMS),
  secrets: z.array(shopSecretSchema).check(z.minLength(1), z.maxLength(MAX_SECRETS)),
  timezone: z._default(timezoneSchema, 'Asia/Shanghai'),
  locale: z._default(z.enum(LOCALES), 'zh-CN'),
  currency: z._default(z.string().check(z.length(3)), 'CNY'),
  /** Default country for phone numbers written without a country code (ISO 3166 alpha-2). */
  country: z._default(z.string().check(z.length(2)), 'CN'),
  /** Total spent, in minor units of the shop currency, from which a customer is tagged VIP. */
  vipThresholdMinor: z._default(z.int().check(z.nonnegative()), 200_000),
  messaging: z._default(messagingSettingsSchema, messagingSettingsSchema.parse({})),
  journeys: z._default(journeySettingsSchema, journeySettingsSchema.parse({})),
  /** Secrets of tracking services that call Careline for this shop (Kuaidi100 salt, AfterShip webhook secret). */
  trackingSecrets: z._default(
    z.object({ kuaidi100: z.optional(z.string().check(z.minLength(8))), aftership: z.optional(z.string().check(z.minLength(8))) }),
    {},
  ),
  createdAt: z.string(),
});
export type Shop = z.infer<typeof shopSchema>;

/** Shows a secret without revealing it: its length and last four characters. */
export function maskSecret(secret: string): string {
  return `••••${secret.slice(-4)} (${secret.length} chars)`;
}
