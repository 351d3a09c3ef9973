import { beforeAll, describe, expect, it } from 'vitest';
import { manualClock } from '../../shared/clock.ts';
import { orderView } from '../../shared/orders/order-state.ts';
import { profileView } from '../../shared/profiles/profile.ts';
import type { CarelineStore } from '../../shared/store/careline-store.ts';
import { MessageStore } from '../../shared/store/message-store.ts';
import { customerTimeline } from '../../shared/profiles/timeline.ts';
import { createTestTable } from '../support/dynamo.ts';
import { seededRandom, shuffled } from '../support/random.ts';
import { testShop } from '../support/shops.ts';
import { shopifyLifecycle } from '../support/shopify-lifecycle.ts';
import { shopifyCall, webhookInvoker, woocommerceCall } from '../support/webhooks.ts';

const ORDER_ID = '5678901234567890123';
const CUSTOMER_ID = '7012345678901234567';
const placedAt = new Date('2026-11-20T02:10:00.000Z');
const clock = manualClock('2026-11-23T00:00:00.000Z');
const secret = testShop().secrets[0]!.value;

let table: Awaited<ReturnType<typeof createTestTable>>;
let invoke: ReturnType<typeof webhookInvoker>;

beforeAll(async () => {
  table = await createTestTable('ingest');
  invoke = webhookInvoker({ store: table.store, clock });
});

async function newShop(shopId: string, platform: 'shopify' | 'woocommerce' = 'shopify') {
  await table.store.createShop(testShop({ shopId, platform }));
}

/** The state a shop ends with, without what legitimately depends on arrival (versions, write times). */
async function finalState(store: CarelineStore, shopId: string) {
  const item = (await store.getOrder(shopId, ORDER_ID))!;
  const order = orderView(item);
  const profile = profileView((await store.getProfile(shopId, CUSTOMER_ID))!, testShop({ shopId }));
  const timeline = await customerTimeline({ store, messages: new MessageStore(store.siblingOptions) }, shopId, CUSTOMER_ID, { limit: 100 });
  const { version: _v, updatedAt: _u, ...orderState } = order;
  const deliveries = item.deliveries;
  const { version: _pv, updatedAt: _pu, createdAt: _pc, ...profileState } = profile;
  return { orderState, deliveries: Object.keys(deliveries).sort(), profileState, timeline: timeline.entries };
}

describe('a whole order life through the Shopify webhook handler', () => {
  const steps = shopifyLifecycle({ orderId: ORDER_ID, customerId: CUSTOMER_ID, placedAt });

  it('lands as an order, a profile and a newest-first timeline, with 64-bit ids intact', async () => {
    await newShop('in-order');
    for (const step of steps) {
      const result = await invoke(shopifyCall('in-order', step.topic, step.body, secret, step.webhookId));
      expect(result.status, step.label).toBe(200);
    }
    const state = await finalState(table.store, 'in-order');
    expect(state.orderState).toMatchObject({
      orderId: ORDER_ID,
      customerId: CUSTOMER_ID,
      status: 'delivered',
      currency: 'CNY',
      total: '398.00',
      shippingRegion: { countryCode: 'CN', provinceCode: 'ZJ', city: 'Hangzhou' },
      shipments: [{ carrier: 'SF Express', trackingNumber: `SF${ORDER_ID.slice(-10)}` }],
    });
    expect(state.orderState.lineItems.map((line) => line.lineItemId)).toEqual(['13012345678901234', '13012345678901235']);
    expect(Object.keys(state.orderState.milestones).sort()).toEqual(['created', 'delivered', 'out_for_delivery', 'paid', 'shipped']);
    expect(state.orderState.checkpoints).toHaveLength(4);
    expect(state.profileState).toMatchObject({
      customerId: CUSTOMER_ID,
      platformCustomerId: CUSTOMER_ID,
      phone: '+8613800138000',
      orderCount: 1,
      totalSpentMinor: 39_800,
      smsConsent: 'subscribed',
      emailConsent: 'subscribed',
      timezone: 'Asia/Shanghai',
      tags: ['new'],
    });
    const times = state.timeline.map((entry) => entry.at);
    expect(times).toEqual([...times].sort().reverse());
    expect(state.timeline.map((entry) => entry.type)).toEqual([
      'shipment.delivered',
      'shipment.checkpoint',
      'shipment.out_for_delivery',
      'shipment.checkpoint',
      'shipment.checkpoint',
      'shipment.checkpoint',
      'order.shipped',
      'order.paid',
      'order.created',
    ]);
  });

  it('ends in the same state whatever order the webhooks arrive in', async () => {
    const reference = await finalState(table.store, 'in-order');
    const random = seededRandom(20261123);
    const orders = [[...steps].reverse(), ...Array.from({ length: 5 }, () => shuffled(steps, random))];
    for (const [n, arrival] of orders.entries()) {
      const shopId = `shuffled-${n}`;
      await newShop(shopId);
      for (const step of arrival) await invoke(shopifyCall(shopId, step.topic, step.body, secret, step.webhookId));
      const state = await finalState(table.store, shopId);
      expect({ ...state.orderState, shopId: 'x' }, arrival.map((s) => s.label).join(' → ')).toEqual({ ...reference.orderState, shopId: 'x' });
      expect({ ...state.profileState, shopId: 'x' }).toEqual({ ...reference.profileState, shopId: 'x' });
      expect(state.timeline).toEqual(reference.timeline);
      expect(state.deliveries).toEqual(reference.deliveries);
    }
  });

  it('applies a delivery once however often it is repeated, one after another or at once', async () => {
    await newShop('repeats');
    for (const step of steps) {
      const call = shopifyCall('repeats', step.topic, step.body, secret, step.webhookId);
      const first = await invoke(call);
      expect(first.body.outcome).toBe('applied');
      for (let i = 0; i < 4; i++) expect((await invoke(call)).body.outcome).toBe('duplicate');
    }
    const state = await finalState(table.store, 'repeats');
    const order = await table.store.getOrder('repeats', ORDER_ID);
    expect(order?.version).toBe(steps.length); // one write per distinct delivery
    expect(state.profileState.orderCount).toBe(1);
    expect(state.profileState.totalSpentMinor).toBe(39_800);
    expect(state.timeline).toHaveLength(9);

    // Five copies of a new delivery at the same moment: one is applied, the rest see it.
    const refund = `{"id":9100000000000000001,"order_id":${ORDER_ID},"created_at":"2026-11-24T10:00:00+08:00",
      "refund_line_items":[{"line_item_id":13012345678901235,"quantity":1,"subtotal":"199.00"}],
      "transactions":[{"amount":"199.00","kind":"refund","status":"success"}]}`;
    const call = shopifyCall('repeats', 'refunds/create', refund, secret, 'refund-delivery-1');
    const outcomes = await Promise.all(Array.from({ length: 5 }, () => invoke(call)));
    expect(outcomes.map((o) => o.body.outcome).sort()).toEqual(['applied', 'duplicate', 'duplicate', 'duplicate', 'duplicate']);
    const after = await finalState(table.store, 'repeats');
    expect(after.orderState.refunds).toEqual([expect.objectContaining({ refundId: '9100000000000000001', amount: '199.00' })]);
    expect(after.profileState.totalSpentMinor).toBe(19_900);
    expect(after.timeline.filter((e) => e.type === 'order.refund_issued')).toHaveLength(1);
  });
});

describe('tenancy', () => {
  it('keeps the same order id in two shops apart, and one shop cannot sign for another', async () => {
    await newShop('shop-a');
    await table.store.createShop(testShop({ shopId: 'shop-b', secrets: [{ value: 'shop-b-secret-0123456789', addedAt: '2026-11-01T00:00:00.000Z' }] }));
    const [created] = shopifyLifecycle({ orderId: ORDER_ID, customerId: CUSTOMER_ID, placedAt });
    expect((await invoke(shopifyCall('shop-a', created!.topic, created!.body, secret, 'same-delivery'))).status).toBe(200);
    // shop-a's secret on shop-b's URL is refused, and shop-b has nothing.
    expect((await invoke(shopifyCall('shop-b', created!.topic, created!.body, secret, 'same-delivery'))).status).toBe(401);
    expect(await table.store.getOrder('shop-b', ORDER_ID)).toBeUndefined();
    // shop-b's own delivery with the same delivery id is not a duplicate of shop-a's.
    const own = await invoke(shopifyCall('shop-b', created!.topic, created!.body, 'shop-b-secret-0123456789', 'same-delivery'));
    expect(own.body.outcome).toBe('applied');
    const items = await table.allItems();
    const shopBItems = items.filter((item) => String(item.pk).startsWith('SHOP#shop-b'));
    expect(shopBItems.length).toBeGreaterThan(1);
    expect(items.every((item) => String(item.pk).startsWith('SHOP#'))).toBe(true);
  });
});

describe('secrets, pings and topics Careline does not use', () => {
  it('accepts either of two secrets while a shop rotates', async () => {
    await table.store.createShop(
      testShop({
        shopId: 'rotating',
        secrets: [
          { value: 'old-secret-0123456789', addedAt: '2026-11-01T00:00:00.000Z' },
          { value: 'new-secret-0123456789', addedAt: '2026-11-20T00:00:00.000Z' },
        ],
      }),
    );
    const [created, paid] = shopifyLifecycle({ orderId: ORDER_ID, customerId: CUSTOMER_ID, placedAt });
    expect((await invoke(shopifyCall('rotating', created!.topic, created!.body, 'old-secret-0123456789', 'r1'))).status).toBe(200);
    expect((await invoke(shopifyCall('rotating', paid!.topic, paid!.body, 'new-secret-0123456789', 'r2'))).status).toBe(200);
    expect((await invoke(shopifyCall('rotating', paid!.topic, paid!.body, 'third-secret-0123456789', 'r3'))).status).toBe(401);
  });

  it('answers a WooCommerce ping with 200 and writes nothing', async () => {
    await newShop('woo-ping', 'woocommerce');
    const before = (await table.allItems()).length;
    const result = await invoke({ platform: 'woocommerce', shopId: 'woo-ping', body: 'webhook_id=15', headers: { 'content-type': 'application/x-www-form-urlencoded' } });
    expect(result).toMatchObject({ status: 200, body: { outcome: 'ping' } });
    expect((await table.allItems()).length).toBe(before);
  });

  it('answers an unused topic with 200 and counts it', async () => {
    await newShop('unused-topics');
    for (let i = 0; i < 3; i++) {
      const result = await invoke(shopifyCall('unused-topics', 'products/update', '{"id": 1}', secret, `p${i}`));
      expect(result).toMatchObject({ status: 200, body: { outcome: 'ignored', topic: 'products/update' } });
    }
    expect(await table.store.getWebhookCounters('unused-topics')).toEqual({ 'ignored:shopify:products/update': 3 });
  });

  it('matches a guest to an earlier customer by phone', async () => {
    await newShop('guests', 'woocommerce');
    const registered = JSON.stringify({
      id: 1042, status: 'pending', currency: 'USD', total: '25.00', customer_id: 17,
      date_created_gmt: '2026-11-20T10:00:00', date_modified_gmt: '2026-11-20T10:00:00',
      billing: { first_name: 'Ann', last_name: 'Lee', email: 'Ann.Lee@Example.com', phone: '(415) 555-2671', country: 'US', state: 'CA', city: 'SF' },
      shipping: { country: 'US', state: 'CA', city: 'SF' },
      line_items: [{ id: 1, name: 'Mug', product_id: 5, quantity: 1, sku: 'MUG', price: 25 }],
    });
    const guest = registered.replace('"id":1042', '"id":1043').replace('"customer_id":17', '"customer_id":0').replace('Ann.Lee@Example.com', 'other@example.com');
    await invoke(woocommerceCall('guests', 'order.created', registered, secret, 'g1'));
    await invoke(woocommerceCall('guests', 'order.created', guest, secret, 'g2'));
    const guestOrder = await table.store.getOrder('guests', '1043');
    expect(guestOrder?.customerId).toBe('17');
    const profile = profileView((await table.store.getProfile('guests', '17'))!, testShop({ shopId: 'guests' }));
    expect(profile).toMatchObject({ orderCount: 2, phone: '+14155552671', timezone: 'America/Los_Angeles', tags: ['returning'] });
    expect(profile.email).toBe('other@example.com'); // the newest order's email
  });
});
