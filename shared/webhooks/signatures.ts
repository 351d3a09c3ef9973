import { createHmac, timingSafeEqual } from 'node:crypto';

/** How far a Careline-Signature timestamp may be from now, either way. */
export const CARELINE_SIGNATURE_TOLERANCE_S = 300;

function hmacSha256(secret: string, payload: Buffer | string): Buffer {
  return createHmac('sha256', secret).update(payload).digest();
}

/** Constant-time comparison of a computed digest with the one the caller sent. */
function digestMatches(expected: Buffer, received: Buffer): boolean {
  return expected.length === received.length && timingSafeEqual(expected, received);
}

/** Shopify (X-Shopify-Hmac-Sha256) and WooCommerce (X-WC-Webhook-Signature): base64 HMAC-SHA256 of the raw body. */
export function verifyBase64BodySignature(rawBody: Buffer, header: string | undefined, secrets: string[]): boolean {
  if (!header) return false;
  const received = Buffer.from(header.trim(), 'base64');
  return secrets.some((secret) => digestMatches(hmacSha256(secret, rawBody), received));
}

export function signBase64Body(rawBody: Buffer | string, secret: string): string {
  return hmacSha256(secret, rawBody).toString('base64');
}

/**
 * Careline-Signature: `t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<body>">`. Several v1 values
 * may be present (one per secret while a shop rotates). Outside the tolerance window it is
 * rejected, so a captured request cannot be replayed later.
 */
export function verifyCarelineSignature(rawBody: Buffer, header: string | undefined, secrets: string[], now: Date): boolean {
  if (!header) return false;
  const parts = header.split(',').map((part) => part.trim().split('='));
  const timestamp = parts.find(([name]) => name === 't')?.[1];
  const signatures = parts.filter(([name]) => name === 'v1').map(([, value]) => value ?? '');
  if (!timestamp || !/^\d{1,12}$/.test(timestamp) || signatures.length === 0) return false;
  if (Math.abs(now.getTime() / 1000 - Number(timestamp)) > CARELINE_SIGNATURE_TOLERANCE_S) return false;
  const payload = Buffer.concat([Buffer.from(`${timestamp}.`), rawBody]);
  return secrets.some((secret) => {
    const expected = hmacSha256(secret, payload);
    return signatures.some((sig) => /^[0-9a-f]{64}$/i.test(sig) && digestMatches(expected, Buffer.from(sig, 'hex')));
  });
}

export function signCareline(rawBody: Buffer | string, secret: string, now: Date): string {
  const timestamp = Math.floor(now.getTime() / 1000);
  const payload = Buffer.concat([Buffer.from(`${timestamp}.`), Buffer.from(rawBody)]);
  return `t=${timestamp},v1=${hmacSha256(secret, payload).toString('hex')}`;
}
