import { createHmac, timingSafeEqual } from 'node:crypto';
import * as z from 'zod/mini';

/** Whom an unsubscribe link unsubscribes, from what. */
export interface UnsubscribeClaim {
  shopId: string;
  customerId: string;
  channel: 'email';
}

/**
 * Unsubscribe links carry a signed token, URL-safe with no escaping needed:
 *
 *   v1.<base64url JSON [shopId, customerId, channel]>.<base64url HMAC-SHA256>
 *
 * The MAC covers `unsubscribe|<payload>`, so a token can never pass for another kind of signed
 * value. There is no expiry: an unsubscribe link in an old email must keep working (RFC 8058).
 * Secrets rotate by verifying with the old ones too (the first secret signs, all verify).
 * A future format gets a new version prefix; `v1` links stay valid. A typical token is about
 * 110 characters; a 63-character shop id with a 20-digit customer id stays under 200.
 */
const VERSION = 'v1';
/** Far above any token we mint; a longer one is refused before any work is done. */
const MAX_TOKEN_LENGTH = 512;
const TOKEN_SHAPE = /^v1\.([A-Za-z0-9_-]+)\.([A-Za-z0-9_-]{43})$/;

const claimSchema = z.tuple([z.string().check(z.minLength(1), z.maxLength(200)), z.string().check(z.minLength(1), z.maxLength(200)), z.literal('email')]);

export function createUnsubscribeToken(claim: UnsubscribeClaim, secret: string): string {
  if (!secret) throw new Error('An unsubscribe token needs a signing secret');
  const payload = Buffer.from(JSON.stringify(claimSchema.parse([claim.shopId, claim.customerId, claim.channel]))).toString('base64url');
  return `${VERSION}.${payload}.${sign(payload, secret)}`;
}

/** The claim of a token signed by one of the secrets; undefined for anything else (tampered, truncated, foreign). */
export function verifyUnsubscribeToken(token: string, secrets: readonly string[]): UnsubscribeClaim | undefined {
  if (token.length > MAX_TOKEN_LENGTH) return undefined;
  const [, payload, signature] = TOKEN_SHAPE.exec(token) ?? [];
  if (!payload || !signature) return undefined;
  // Compare the canonical encodings, so a signature re-encoded with different padding bits fails too.
  const received = Buffer.from(signature, 'ascii');
  const signed = secrets.some((secret) => secret !== '' && constantTimeEqual(Buffer.from(sign(payload, secret), 'ascii'), received));
  if (!signed) return undefined;
  let decoded: unknown;
  try {
    decoded = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8'));
  } catch {
    return undefined;
  }
  const claim = claimSchema.safeParse(decoded);
  if (!claim.success) return undefined;
  const [shopId, customerId, channel] = claim.data;
  return { shopId, customerId, channel };
}

/** The link for a token under the public base URL of the HTTP API (`…/u/<token>`). */
export function unsubscribeUrl(baseUrl: string, token: string): string {
  return `${baseUrl.endsWith('/') ? baseUrl : `${baseUrl}/`}u/${token}`;
}

function sign(payload: string, secret: string): string {
  return createHmac('sha256', secret).update(`unsubscribe|${payload}`).digest('base64url');
}

function constantTimeEqual(expected: Buffer, received: Buffer): boolean {
  return expected.length === received.length && timingSafeEqual(expected, received);
}
