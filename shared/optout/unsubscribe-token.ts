import { createHmac, timingSafeEqual } from 'node:crypto';

export interface UnsubscribeClaim {
  shopId: string;
  customerId: string;
  channel: 'email';
}

/**
 * One-click unsubscribe links carry a signed token: `v1.<base64url payload>.<base64url HMAC>`.
 * No expiry (an unsubscribe link must keep working); rotating the secret means verifying with
 * the old one as well until old emails no longer matter.
 */
export function createUnsubscribeToken(claim: UnsubscribeClaim, secret: string): string {
  const payload = Buffer.from(JSON.stringify([claim.shopId, claim.customerId, claim.channel])).toString('base64url');
  return `v1.${payload}.${sign(payload, secret)}`;
}

export function verifyUnsubscribeToken(token: string, secrets: string[]): UnsubscribeClaim | undefined {
  const [version, payload, signature] = token.split('.');
  if (version !== 'v1' || !payload || !signature || token.length > 600) return undefined;
  const received = Buffer.from(signature, 'base64url');
  const valid = secrets.some((secret) => {
    const expected = Buffer.from(sign(payload, secret), 'base64url');
    return expected.length === received.length && timingSafeEqual(expected, received);
  });
  if (!valid) return undefined;
  try {
    const [shopId, customerId, channel] = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as unknown[];
    if (typeof shopId !== 'string' || typeof customerId !== 'string' || channel !== 'email') return undefined;
    return { shopId, customerId, channel };
  } catch {
    return undefined;
  }
}

export function unsubscribeUrl(baseUrl: string, token: string): string {
  return `${baseUrl.endsWith('/') ? baseUrl : `${baseUrl}/`}u/${token}`;
}

function sign(payload: string, secret: string): string {
  return createHmac('sha256', secret).update(`unsubscribe|${payload}`).digest('base64url');
}
