import { createHash } from 'node:crypto';
import { type CountryCode, parsePhoneNumberFromString } from 'libphonenumber-js';

/** A phone number in E.164, or undefined when it cannot be a real number. */
export function normalizePhone(raw: string | undefined, defaultCountry: string): string | undefined {
  if (!raw) return undefined;
  const parsed = parsePhoneNumberFromString(raw, defaultCountry.toUpperCase() as CountryCode);
  return parsed?.isValid() ? parsed.number : undefined;
}

export function normalizeEmail(raw: string | undefined): string | undefined {
  const email = raw?.trim().toLowerCase();
  return email && /^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(email) ? email : undefined;
}

/**
 * A contact as it appears in keys and logs: a salted hash, never the number or address itself.
 * The shop id is the salt, so the same phone in two shops gives two unrelated keys.
 */
export function contactDigest(shopId: string, contact: string): string {
  return createHash('sha256').update(`${shopId}|${contact}`).digest('hex').slice(0, 20);
}

/** "+8613800138000" → "+86•••••••8000": enough for ops to recognise, not enough to dial. */
export function maskPhone(phone: string | undefined): string | undefined {
  return phone ? `${phone.slice(0, 3)}${'•'.repeat(Math.max(phone.length - 7, 0))}${phone.slice(-4)}` : undefined;
}

export function maskEmail(email: string | undefined): string | undefined {
  if (!email) return undefined;
  const [local = '', domain = ''] = email.split('@');
  return `${local.slice(0, 1)}•••@${domain}`;
}
