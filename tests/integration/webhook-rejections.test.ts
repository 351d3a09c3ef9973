import { beforeAll, describe, expect, it } from 'vitest';
import { manualClock } from '../../shared/clock.ts';
import { signBase64Body, signCareline } from '../../shared/webhooks/signatures.ts';
import { createTestTable } from '../support/dynamo.ts';
import { testShop } from '../support/shops.ts';
import { carelineCall, shopifyCall, webhookInvoker, type WebhookCall } from '../support/webhooks.ts';

const clock = manualClock('2026-11-20T08:00:00.000Z');
const shop = testShop({ shopId: 'tea-house', platform: 'shopify' });
const secret = shop.secrets[0]!.value;
const phone = '+8613800138000';
const validOrder = JSON.stringify({
  id: 1001,
  currency: 'CNY',
  total_price: '99.00',
  created_at: '2026-11-20T15:00:00+08:00',
  customer: { id: 77, phone, email: 'wei@example.com' },
  line_items: [{ id: 1, title: 'Tea', quantity: 1, price: '99.00' }],
});

let table: Awaited<ReturnType<typeof createTestTable>>;
let invoke: ReturnType<typeof webhookInvoker>;
let itemsBefore: number;

beforeAll(async () => {
  table = await createTestTable('rejections');
  await table.store.createShop(shop);
  await table.store.createShop(testShop({ shopId: 'other-shop', secrets: [{ value: 'other-shop-secret-0123456789', addedAt: shop.createdAt }] }));
  invoke = webhookInvoker({ store: table.store, clock });
  itemsBefore = (await table.allItems()).length;
});

const signed = (body: string, topic = 'orders/create') => shopifyCall(shop.shopId, topic, body, secret, `d-${Math.random()}`);
const withHeaders = (call: WebhookCall, headers: Record<string, string>): WebhookCall => ({ ...call, headers: { ...call.headers, ...headers } });

describe('a rejected webhook gets a clear 4xx and writes nothing', () => {
  const cases: [string, () => WebhookCall, number, string][] = [
    ['malformed JSON', () => signed('{"id": 1001,'), 400, 'malformed_json'],
    ['a body that does not match the topic schema', () => signed(JSON.stringify({ id: 1001, currency: 'CNY', customer: { phone } })), 422, 'schema_mismatch'],
    ['no signature', () => ({ ...signed(validOrder), headers: { 'x-shopify-topic': 'orders/create', 'x-shopify-webhook-id': 'x' } }), 401, 'bad_signature'],
    ['a signature made with another secret', () => shopifyCall(shop.shopId, 'orders/create', validOrder, 'not-the-secret-0123456789', 'x'), 401, 'bad_signature'],
    ['a signature over another body', () => withHeaders(signed(validOrder), { 'x-shopify-hmac-sha256': signBase64Body('{}', secret) }), 401, 'bad_signature'],
    ['an unknown shop', () => shopifyCall('no-such-shop', 'orders/create', validOrder, secret, 'x'), 404, 'unknown_shop'],
    ['an unknown platform', () => ({ ...signed(validOrder), platform: 'magento' }), 404, 'unknown_platform'],
    ['a body over 256 KB', () => signed(JSON.stringify({ id: 1, padding: 'x'.repeat(300 * 1024) })), 413, 'body_too_large'],
    ['a wrong content type', () => withHeaders(signed(validOrder), { 'content-type': 'text/plain' }), 415, 'unsupported_content_type'],
    ["another shop's secret", () => shopifyCall(shop.shopId, 'orders/create', validOrder, 'other-shop-secret-0123456789', 'x'), 401, 'bad_signature'],
    ['a Careline signature older than five minutes', () => {
      const old = new Date(clock.now().getTime() - 6 * 60_000);
      const call = carelineCall(shop.shopId, { id: 'e1', type: 'order.created', orderId: '1', occurredAt: old.toISOString() }, secret, old);
      return call;
    }, 401, 'bad_signature'],
    ['a Careline signature from the future', () => {
      const body = JSON.stringify({ id: 'e1', type: 'order.created', orderId: '1', occurredAt: clock.now().toISOString() });
      return { platform: 'careline', shopId: shop.shopId, body, headers: { 'careline-signature': signCareline(body, secret, new Date(clock.now().getTime() + 6 * 60_000)) } };
    }, 401, 'bad_signature'],
  ];

  it.each(cases)('%s', async (_name, makeCall, status, code) => {
    const result = await invoke(makeCall());
    expect(result.status).toBe(status);
    expect(result.body.error?.code).toBe(code);
    expect(result.body.error?.message.length).toBeGreaterThan(10);
    expect(result.raw).not.toContain(phone);
    expect(result.raw).not.toContain(secret);
    expect(result.raw).not.toMatch(/at \w+ \(|\.ts:\d+/); // no stack trace
    expect((await table.allItems()).length).toBe(itemsBefore);
  });

  it('names the fields that do not match, without their values', async () => {
    const body = JSON.stringify({ id: 1001, currency: 'CNY', total_price: 'lots', created_at: 'yesterday', customer: { id: 77, phone } });
    const result = await invoke(signed(body));
    expect(result.status).toBe(422);
    expect(result.body.error?.fields).toEqual(expect.arrayContaining(['total_price', 'created_at']));
    expect(result.raw).not.toContain('lots');
    expect(result.raw).not.toContain('yesterday');
    expect(result.raw).not.toContain(phone);
  });

  it('a valid request is accepted by the same handler (the matrix above is not rejecting everything)', async () => {
    const result = await invoke(signed(validOrder));
    expect(result).toMatchObject({ status: 200, body: { ok: true, outcome: 'applied', orderId: '1001' } });
  });
});
