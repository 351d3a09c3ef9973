import { createHash } from 'node:crypto';

/** A phone number as it appears in a key or a task: hashed, never in the clear. */
export function phoneDigest(phoneE164: string): string {
  return createHash('sha256').update(`sms-optout|${phoneE164}`).digest('hex').slice(0, 32);
}
