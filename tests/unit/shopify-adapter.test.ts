import { describe, expect, it } from 'vitest';
import type { Adaptation } from '../../shared/webhooks/adapter.ts';
import { shopifyAdapter } from '../../shared/webhooks/shopify.ts';
import { fixture, requestFor } from '../support/fixtures.ts';

const ORDER = '5678901234567890123';
const CUSTOMER = '7012345678901234567';

function adapt(file: string): Extract<Adaptation, { kind: 'events' }> {
  const { topic, body } = fixture('shopify', file);
  const result = shopifyAdapter.adapt(topic, structuredClone(body), requestFor('shopify', file));
  if (result.kind !== 'events') throw new Error(`${file}: ${JSON.stringify(result)}`);
  return result;
}
const types = (result: Extract<Adaptation, { kind: 'events' }>) => result.events.map((e) => e.type);

describe('Shopify adapter, on Shopify-shaped payloads', () => {
  it('orders/create: an unpaid order with its 64-bit ids, items, address and the customer with consent', () => {
    const result = adapt('orders-create.json');
    expect(result.orderId).toBe(ORDER);
    expect(types(result)).toEqual(['order.created']);
    const order = result.events[0]!.order!;
    expect(order).toMatchObject({ currency: 'CNY', total: '434.00', createdAt: '2025-03-10T02:15:32.000Z', shippingRegion: { countryCode: 'CN', provinceCode: 'ZJ', city: '杭州市' } });
    expect(order.lineItems).toHaveLength(2);
    expect(order.payUrl).toBe('https://chayun-tea.myshopify.com/70123456789/orders/b8f3c1e2d4a5968778a9b0c1d2e3f405/authenticate?key=3f0a9c7e5d1b2a4c6e8f0a1b3c5d7e9f');
    for (const item of order.lineItems!) expect(item.lineItemId).toMatch(/^\d{19}$/);
    expect(result.customer).toEqual({
      platformCustomerId: CUSTOMER,
      firstName: '晓雨',
      lastName: '林',
      email: 'xiaoyu.lin@example.com',
      phone: '+8613800138000',
      locale: 'zh-CN',
      emailConsent: 'subscribed',
      smsConsent: 'subscribed',
    });
  });

  it('orders/paid and orders/updated read the payment from the snapshot', () => {
    expect(types(adapt('orders-paid.json'))).toEqual(['order.updated', 'order.paid']);
    const updated = adapt('orders-updated-paid.json');
    expect(types(updated)).toEqual(['order.updated', 'order.paid']);
    expect(updated.events[1]!.occurredAt).toBe('2025-03-10T02:15:32.000Z'); // processed_at
  });

  it('API 2025-01 and later: no consent on the order webhook customer means unknown, not unsubscribed', () => {
    expect(adapt('orders-paid-2025-07.json').customer?.smsConsent).toBe('unknown');
  });

  it('orders/cancelled: cancelled, closed and refunded as the snapshot shows', () => {
    const result = adapt('orders-cancelled.json');
    expect(types(result)).toEqual(['order.updated', 'order.paid', 'order.cancelled', 'order.closed', 'order.refunded']);
    expect(result.events.at(-1)!.refund).toMatchObject({ amount: '434.00' });
  });

  it('orders/fulfilled: shipped with carrier, tracking number and link', () => {
    const result = adapt('orders-fulfilled.json');
    expect(types(result)).toContain('order.shipped');
    expect(result.events.find((e) => e.type === 'order.shipped')!.shipment).toEqual({
      shipmentId: '5234567890123456789',
      carrier: 'SF Express',
      trackingNumber: 'SF1456789012345',
      trackingUrl: 'https://www.sf-express.com/chn/sc/waybill/waybill-detail/SF1456789012345',
    });
  });

  it('fulfillments/create and /update: shipped, and delivered once the shipment status says so', () => {
    expect(types(adapt('fulfillments-create.json'))).toEqual(['order.shipped']);
    expect(types(adapt('fulfillments-update.json'))).toEqual(['order.shipped', 'shipment.delivered']);
  });

  it.each([
    ['fulfillment-events-in-transit.json', 'shipment.checkpoint', 'in_transit'],
    ['fulfillment-events-out-for-delivery.json', 'shipment.out_for_delivery', 'out_for_delivery'],
    ['fulfillment-events-delivered.json', 'shipment.delivered', 'delivered'],
    ['fulfillment-events-failure.json', 'shipment.exception', 'exception'],
  ])('fulfillment_events/create %s → %s', (file, type, status) => {
    const result = adapt(file);
    expect(result.orderId).toBe(ORDER);
    expect(result.events).toEqual([expect.objectContaining({ type, checkpoint: expect.objectContaining({ status, location: '杭州市, 浙江省, CN' }) })]);
  });

  it('refunds/create: the refunded amount from the refund transactions, with its line items', () => {
    const result = adapt('refunds-create.json');
    expect(result.events).toEqual([
      expect.objectContaining({
        type: 'order.refunded',
        refund: { refundId: '1456789012345678901', amount: '68.00', lineItems: [{ lineItemId: '6123456789012345672', quantity: 1 }] },
      }),
    ]);
  });

  it('a guest checkout: contact details from the order, no platform customer id', () => {
    const result = adapt('orders-create-guest.json');
    expect(result.customer?.platformCustomerId).toBeUndefined();
    expect(result.customer).toMatchObject({ email: 'zhoumin.nb@example.com', phone: '+8613912345678' });
  });

  it('names the fields that do not fit, never their values', () => {
    const { body } = fixture('shopify', 'orders-create.json');
    const broken = { ...(structuredClone(body) as Record<string, unknown>), total_price: 'free', created_at: 'yesterday' };
    const result = shopifyAdapter.adapt('orders/create', broken, requestFor('shopify', 'orders-create.json'));
    expect(result).toEqual({ kind: 'invalid', fields: expect.arrayContaining(['total_price', 'created_at']) });
    expect(JSON.stringify(result)).not.toContain('free');
  });

  it('ignores topics Careline does not use', () => {
    expect(shopifyAdapter.adapt('products/update', { id: 1 }, requestFor('shopify', 'orders-create.json'))).toEqual({ kind: 'ignored' });
  });

  it('takes topic and delivery id from the headers', () => {
    const request = requestFor('shopify', 'orders-paid.json');
    expect(shopifyAdapter.topicOf(request, undefined)).toBe('orders/paid');
    expect(shopifyAdapter.deliveryIdOf(request, undefined)).toBe('1c2a7d3f-8b5e-4f6a-8d4c-3e9f6a2b7c81');
  });
});
