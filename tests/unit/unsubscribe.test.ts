import { createHmac } from 'node:crypto';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2, Context } from 'aws-lambda';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { logger } from '../../functions/logger.ts';
import { createRuntime, setRuntime } from '../../functions/runtime.ts';
import { handler } from '../../functions/unsubscribe/handler.ts';
import { manualClock } from '../../shared/clock.ts';
import type { OptOutStore } from '../../shared/optout/inbound-sms.ts';
import { confirmPage, donePage, invalidPage } from '../../shared/optout/unsubscribe-page.ts';
import { createUnsubscribeToken, unsubscribeUrl, verifyUnsubscribeToken } from '../../shared/optout/unsubscribe-token.ts';

const claim = { shopId: 'tea-house', customerId: '7012345678901234567', channel: 'email' as const };

describe('unsubscribe tokens', () => {
  it('round-trips a claim, URL-safe and short', () => {
    const token = createUnsubscribeToken(claim, 'secret-1');
    expect(token).toMatch(/^v1\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]{43}$/);
    expect(token.length).toBeLessThan(200);
    expect(verifyUnsubscribeToken(token, ['secret-1'])).toEqual(claim);
    expect(encodeURIComponent(token)).toBe(token);
  });

  it('stays under 200 characters for the longest shop id and a long customer id, with non-ASCII ids intact', () => {
    const long = { shopId: `s${'x'.repeat(62)}`, customerId: '12345678901234567890', channel: 'email' as const };
    const token = createUnsubscribeToken(long, 'secret-1');
    expect(token.length).toBeLessThanOrEqual(200);
    expect(verifyUnsubscribeToken(token, ['secret-1'])).toEqual(long);
    const unicode = { shopId: 'tea-house', customerId: '王伟-1', channel: 'email' as const };
    expect(verifyUnsubscribeToken(createUnsubscribeToken(unicode, 'secret-1'), ['secret-1'])).toEqual(unicode);
  });

  it('still verifies after a secret rotation, and not once the old secret is gone', () => {
    const token = createUnsubscribeToken(claim, 'old-secret');
    expect(verifyUnsubscribeToken(token, ['new-secret', 'old-secret'])).toEqual(claim);
    expect(verifyUnsubscribeToken(token, ['new-secret'])).toBeUndefined();
    expect(verifyUnsubscribeToken(token, [])).toBeUndefined();
    expect(verifyUnsubscribeToken(token, [''])).toBeUndefined();
  });

  it('refuses tampered, truncated, re-versioned and foreign tokens', () => {
    const token = createUnsubscribeToken(claim, 'secret-1');
    const [version, payload, signature] = token.split('.') as [string, string, string];
    const forged = Buffer.from(JSON.stringify(['other-shop', claim.customerId, 'email'])).toString('base64url');
    const flip = (text: string, at: number) => text.slice(0, at) + (text[at] === 'A' ? 'B' : 'A') + text.slice(at + 1);
    for (const bad of [
      `${version}.${forged}.${signature}`,
      `${version}.${flip(payload, 3)}.${signature}`,
      `${version}.${payload}.${flip(signature, 10)}`,
      `${version}.${payload}.${signature.slice(0, -1)}`,
      `${version}.${payload}.${signature}A`,
      `${version}.${payload.slice(0, -2)}.${signature}`,
      `${version}.${payload}`,
      `v2.${payload}.${signature}`,
      `${payload}.${signature}`,
      token.slice(0, 20),
      `${token}.`,
      ` ${token}`,
      '',
      'garbage',
      'v1.bad.token',
      `v1.${'A'.repeat(600)}.${signature}`,
    ]) {
      expect(verifyUnsubscribeToken(bad, ['secret-1']), bad).toBeUndefined();
    }
    expect(verifyUnsubscribeToken(createUnsubscribeToken(claim, 'another-deployment'), ['secret-1'])).toBeUndefined();
  });

  it('refuses a correctly signed payload that is not a claim, and will not mint one', () => {
    // Signed exactly as v1 signs (the wire format is fixed: links already sent must keep working).
    const signed = (value: unknown) => {
      const payload = Buffer.from(typeof value === 'string' ? value : JSON.stringify(value)).toString('base64url');
      return `v1.${payload}.${createHmac('sha256', 'secret-1').update(`unsubscribe|${payload}`).digest('base64url')}`;
    };
    expect(verifyUnsubscribeToken(signed([claim.shopId, claim.customerId, 'email']), ['secret-1'])).toEqual(claim);
    for (const value of [[claim.shopId, claim.customerId, 'sms'], [claim.shopId, '', 'email'], [claim.shopId, 42, 'email'], { shopId: 'tea-house' }, null, 'not json']) {
      expect(verifyUnsubscribeToken(signed(value), ['secret-1']), JSON.stringify(value)).toBeUndefined();
    }
    expect(() => createUnsubscribeToken({ ...claim, customerId: '' }, 'secret-1')).toThrow();
    expect(() => createUnsubscribeToken(claim, '')).toThrow();
  });

  it('builds the link under the public base URL', () => {
    expect(unsubscribeUrl('https://c.example/', 'v1.a.b')).toBe('https://c.example/u/v1.a.b');
    expect(unsubscribeUrl('https://c.example/prod', 'v1.a.b')).toBe('https://c.example/prod/u/v1.a.b');
  });
});

describe('unsubscribe pages', () => {
  const token = createUnsubscribeToken(claim, 'secret-1');

  it('asks before unsubscribing: a form that POSTs the one-click body to the page itself', () => {
    const page = confirmPage({ token });
    expect(page).toContain(`<form method="post" action="./${token}">`);
    expect(page).toContain('<input type="hidden" name="List-Unsubscribe" value="One-Click">');
    expect(page).toContain('确认退订');
    expect(page).toContain('Unsubscribe');
  });

  it.each([
    ['confirm', confirmPage({ token })],
    ['done', donePage()],
    ['invalid', invalidPage()],
  ])('the %s page is bilingual and loads nothing from anywhere', (_name, page) => {
    expect(page).toMatch(/^<!doctype html>/);
    expect(page).toContain('<meta charset="utf-8">');
    expect(page).toMatch(/[\u4e00-\u9fff]/);
    expect(page).toMatch(/[A-Za-z]{4,} [a-z]+/);
    expect(page).not.toMatch(/https?:|\/\/[a-z]/i);
    expect(page).not.toMatch(/<script|<link|<img|<iframe|src=|@import|url\(/i);
  });

  it('escapes what it interpolates, and never lets a token become a URL scheme', () => {
    const page = confirmPage({ token: '"><script>alert(1)</script>' });
    expect(page).not.toContain('<script');
    expect(page).not.toContain('"><');
    expect(confirmPage({ token: 'javascript:alert(1)' })).toContain('action="./javascript%3Aalert(1)"');
    expect(confirmPage({ token: "a'b&c" })).toContain('action="./a&#39;b%26c"');
  });
});

describe('GET and POST /u/{token}', () => {
  const clock = manualClock('2026-11-23T04:00:00.000Z');
  let calls: unknown[][];

  beforeEach(() => {
    calls = [];
    const store: OptOutStore = {
      setSmsOptOut: async (...args) => void calls.push(['sms', ...args]),
      setEmailOptOut: async (...args) => void calls.push(['email', ...args]),
    };
    setRuntime(createRuntime({ CARELINE_TABLE: 'careline-test', CARELINE_UNSUBSCRIBE_SECRETS: 'new-secret,old-secret' }, { store: store as never, clock }));
  });
  afterEach(() => {
    setRuntime(undefined);
    vi.restoreAllMocks();
  });

  const call = async (method: string, token: string, body?: string) =>
    (await handler(
      {
        rawPath: `/u/${token}`,
        pathParameters: { token },
        requestContext: { http: { method } },
        headers: body ? { 'content-type': 'application/x-www-form-urlencoded' } : {},
        ...(body ? { body, isBase64Encoded: false } : {}),
      } as unknown as APIGatewayProxyEventV2,
      {} as Context,
    )) as APIGatewayProxyStructuredResultV2;

  const token = createUnsubscribeToken(claim, 'old-secret');

  it('shows the confirmation page on GET and unsubscribes nobody', async () => {
    const response = await call('GET', token);
    expect(response.statusCode).toBe(200);
    expect(response.headers).toMatchObject({ 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' });
    expect(response.body).toContain('<form method="post"');
    expect(calls).toEqual([]);
  });

  it('unsubscribes on the RFC 8058 one-click POST, with a token signed by a previous secret', async () => {
    const response = await call('POST', token, 'List-Unsubscribe=One-Click');
    expect(response.statusCode).toBe(200);
    expect(response.body).toBe(donePage());
    expect(calls).toEqual([['email', 'tea-house', '7012345678901234567', true, clock.now(), 'email:link']]);
  });

  it('unsubscribes on the page button, and on a POST without a body', async () => {
    expect((await call('POST', token, 'List-Unsubscribe=One-Click')).statusCode).toBe(200);
    expect((await call('POST', token)).statusCode).toBe(200);
    expect(calls).toHaveLength(2);
  });

  it.each(['GET', 'POST'])('answers a bad token on %s with the 404 page, without echoing it or touching the store', async (method) => {
    const forged = `${token.slice(0, -3)}xyz`;
    for (const bad of [forged, 'v1.bad.token', createUnsubscribeToken(claim, 'unknown-secret'), '']) {
      const response = await call(method, bad);
      expect(response.statusCode).toBe(404);
      expect(response.body).toBe(invalidPage());
      if (bad) expect(response.body).not.toContain(bad);
    }
    expect(calls).toEqual([]);
  });

  it('refuses other methods', async () => {
    const response = await call('DELETE', token);
    expect(response.statusCode).toBe(405);
    expect(response.headers).toMatchObject({ allow: 'GET, POST' });
    expect(calls).toEqual([]);
  });

  it('turns a store failure into a 500 without details', async () => {
    const failing: OptOutStore = {
      setSmsOptOut: async () => undefined,
      setEmailOptOut: async () => {
        throw new Error('ProvisionedThroughputExceeded at arn:aws:dynamodb:secret-table');
      },
    };
    setRuntime(createRuntime({ CARELINE_TABLE: 'careline-test', CARELINE_UNSUBSCRIBE_SECRETS: 'old-secret' }, { store: failing as never, clock }));
    const logged = vi.spyOn(logger, 'error').mockImplementation(() => undefined);
    const response = await call('POST', token);
    expect(response.statusCode).toBe(500);
    expect(response.body).not.toContain('arn:aws');
    expect(response.body).not.toContain(token);
    expect(logged).toHaveBeenCalledOnce();
  });

  it('fails loudly (500) rather than calling every link forged when no secret is configured', async () => {
    setRuntime(createRuntime({ CARELINE_TABLE: 'careline-test' }, { store: {} as never, clock }));
    vi.spyOn(logger, 'error').mockImplementation(() => undefined);
    expect((await call('GET', token)).statusCode).toBe(500);
  });
});
