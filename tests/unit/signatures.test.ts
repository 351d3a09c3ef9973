import { describe, expect, it } from 'vitest';
import { signCareline, verifyBase64BodySignature, verifyCarelineSignature } from '../../shared/webhooks/signatures.ts';

// Expected values computed independently with `openssl dgst -sha256 -hmac <secret>`.
const SHOPIFY_BODY = Buffer.from('{"id":820982911946154508,"email":"jon@example.com"}');
const SHOPIFY_SECRET = 'hush-its-a-secret';
const SHOPIFY_SIGNATURE = '4CiZgBU8JnVSBeQYcCqbMMTtxKlQYcEPj22YoDRnno4=';

const CARELINE_BODY = Buffer.from('{"id":"evt_1","type":"order.paid"}');
const CARELINE_SECRET = 'whsec_careline_test_0001';
const CARELINE_T = 1732345200;
const CARELINE_V1 = '8ae40d66c3ce25381b06f7f28e800ef8cfd7f7e12d13a0cc1267f7452b60fb5e';
const at = (seconds: number) => new Date(seconds * 1000);

describe('Shopify and WooCommerce: base64 HMAC-SHA256 of the raw body', () => {
  it('accepts the known vector', () => {
    expect(verifyBase64BodySignature(SHOPIFY_BODY, SHOPIFY_SIGNATURE, [SHOPIFY_SECRET])).toBe(true);
  });

  it('accepts it when the matching secret is the second of two (rotation)', () => {
    expect(verifyBase64BodySignature(SHOPIFY_BODY, SHOPIFY_SIGNATURE, ['an-older-secret-000', SHOPIFY_SECRET])).toBe(true);
  });

  it.each([
    ['another secret', SHOPIFY_BODY, SHOPIFY_SIGNATURE, ['not-the-secret']],
    ['a body changed by one byte', Buffer.from(SHOPIFY_BODY.toString().replace('jon', 'jan')), SHOPIFY_SIGNATURE, [SHOPIFY_SECRET]],
    ['a body re-serialized (ids parsed as numbers change)', Buffer.from(JSON.stringify(JSON.parse(SHOPIFY_BODY.toString()))), SHOPIFY_SIGNATURE, [SHOPIFY_SECRET]],
    ['a truncated signature', SHOPIFY_BODY, SHOPIFY_SIGNATURE.slice(0, 20), [SHOPIFY_SECRET]],
    ['no signature', SHOPIFY_BODY, undefined, [SHOPIFY_SECRET]],
    ['garbage', SHOPIFY_BODY, '!!!not base64!!!', [SHOPIFY_SECRET]],
  ])('refuses %s', (_name, body, signature, secrets) => {
    expect(verifyBase64BodySignature(body, signature, secrets)).toBe(false);
  });
});

describe('Careline-Signature: t=<unix>,v1=<hex HMAC of "t.body">', () => {
  const header = `t=${CARELINE_T},v1=${CARELINE_V1}`;

  it('accepts the known vector inside the five-minute window, either side', () => {
    expect(verifyCarelineSignature(CARELINE_BODY, header, [CARELINE_SECRET], at(CARELINE_T))).toBe(true);
    expect(verifyCarelineSignature(CARELINE_BODY, header, [CARELINE_SECRET], at(CARELINE_T + 299))).toBe(true);
    expect(verifyCarelineSignature(CARELINE_BODY, header, [CARELINE_SECRET], at(CARELINE_T - 299))).toBe(true);
  });

  it('refuses it outside the window', () => {
    expect(verifyCarelineSignature(CARELINE_BODY, header, [CARELINE_SECRET], at(CARELINE_T + 301))).toBe(false);
    expect(verifyCarelineSignature(CARELINE_BODY, header, [CARELINE_SECRET], at(CARELINE_T - 301))).toBe(false);
  });

  it('refuses a replayed signature with a new timestamp', () => {
    const moved = `t=${CARELINE_T + 60},v1=${CARELINE_V1}`;
    expect(verifyCarelineSignature(CARELINE_BODY, moved, [CARELINE_SECRET], at(CARELINE_T + 60))).toBe(false);
  });

  it('accepts any of several v1 values (a sender signing with two secrets while rotating)', () => {
    const two = `t=${CARELINE_T},v1=${'0'.repeat(64)},v1=${CARELINE_V1}`;
    expect(verifyCarelineSignature(CARELINE_BODY, two, [CARELINE_SECRET], at(CARELINE_T))).toBe(true);
  });

  it('signs what it verifies', () => {
    expect(signCareline(CARELINE_BODY, CARELINE_SECRET, at(CARELINE_T))).toBe(header);
  });

  it.each(['', 'v1=abc', `t=${CARELINE_T}`, `t=soon,v1=${CARELINE_V1}`, `t=${CARELINE_T},v1=zz`])('refuses the malformed header %j', (bad) => {
    expect(verifyCarelineSignature(CARELINE_BODY, bad, [CARELINE_SECRET], at(CARELINE_T))).toBe(false);
  });
});
