import { describe, expect, it } from 'vitest';
import type { Adaptation } from '../../shared/webhooks/adapter.ts';
import { woocommerceAdapter } from '../../shared/webhooks/woocommerce.ts';
import { fixture, requestFor } from '../support/fixtures.ts';

function adapt(file: string): Extract<Adaptation, { kind: 'events' }> {
  const { topic, body } = fixture('woocommerce', file);
  const result = woocommerceAdapter.adapt(topic, structuredClone(body), requestFor('woocommerce', file));
  if (result.kind !== 'events') throw new Error(`${file}: ${JSON.stringify(result)}`);
  return result;
}
const types = (result: Extract<Adaptation, { kind: 'events' }>) => result.events.map((e) => e.type);

describe('WooCommerce adapter, on WooCommerce-shaped payloads', () => {
  it('order.created (pending): an unpaid order; GMT dates without an offset are read as UTC', () => {
    const result = adapt('order-created-pending.json');
    expect(result.orderId).toBe('1042');
    expect(types(result)).toEqual(['order.created']);
    expect(result.events[0]!.order).toMatchObject({ currency: 'USD', total: '77.00', createdAt: '2025-03-10T16:15:32.000Z', shippingRegion: { countryCode: 'US', provinceCode: 'CA' } }); // date_created_gmt, not the shop-local date_created
    expect(result.customer).toMatchObject({ platformCustomerId: '17', email: 'emily.carter@example.com', phone: '(415) 555-0137' });
    // The pay page payment reminders link to.
    expect(result.events[0]!.order!.payUrl).toBe('https://shop.northwindroasters.example/checkout/order-pay/1042/?pay_for_order=true&key=wc_order_hK4nR7sPq1YcE');
  });

  it('drops a payment link that is not an http(s) URL, and still takes the order', () => {
    for (const payment_url of ['javascript:alert(1)', 'not a link', '', null]) {
      const { topic, body } = fixture('woocommerce', 'order-created-pending.json');
      const result = woocommerceAdapter.adapt(topic, { ...structuredClone(body as object), payment_url }, requestFor('woocommerce', 'order-created-pending.json'));
      expect(result.kind).toBe('events');
      if (result.kind === 'events') expect(result.events[0]!.order!.payUrl).toBeUndefined();
    }
  });

  it('order.updated to processing: paid at date_paid_gmt', () => {
    const result = adapt('order-updated-processing.json');
    expect(types(result)).toEqual(['order.updated', 'order.paid']);
    expect(result.events[1]!.occurredAt).toBe('2025-03-10T16:16:05.000Z');
  });

  it('order.updated to completed: shipped, with the Shipment Tracking extension’s tracking number', () => {
    const shipped = adapt('order-updated-completed.json').events.find((e) => e.type === 'order.shipped')!;
    expect(shipped.shipment).toMatchObject({ carrier: 'usps', trackingNumber: '9400111206213859247812' });
  });

  it('order.updated to cancelled and refunded', () => {
    expect(types(adapt('order-updated-cancelled.json'))).toEqual(['order.updated', 'order.cancelled']);
    expect(adapt('order-updated-refunded.json').events.at(-1)).toMatchObject({ type: 'order.refunded', refund: { refundId: '1057', amount: '77.00' } });
  });

  it('order.deleted (only an id): the order is closed when the delivery arrives', () => {
    expect(adapt('order-deleted.json').events).toEqual([{ type: 'order.closed', orderId: '1042', occurredAt: '2026-11-23T00:00:00.000Z' }]);
  });

  it('a guest (customer_id 0) has no platform customer id', () => {
    expect(adapt('order-created-guest.json').customer?.platformCustomerId).toBeUndefined();
  });

  it('recognises the unsigned ping WooCommerce sends when a webhook is saved', () => {
    const ping = { platform: 'woocommerce', shopId: 's', headers: { 'content-type': 'application/x-www-form-urlencoded' }, rawBody: Buffer.from('webhook_id=11'), receivedAt: new Date() };
    expect(woocommerceAdapter.isPing(ping)).toBe(true);
    expect(woocommerceAdapter.isPing({ ...ping, headers: { ...ping.headers, 'x-wc-webhook-signature': 'x' } })).toBe(false);
    expect(woocommerceAdapter.isPing({ ...ping, rawBody: Buffer.from('{"id":1}') })).toBe(false);
  });

  it('keeps two deliveries apart that share a delivery id (same webhook, same second) but not a body', () => {
    const a = requestFor('woocommerce', 'order-updated-processing.json');
    const b = requestFor('woocommerce', 'order-updated-completed.json');
    const sameId = { 'x-wc-webhook-delivery-id': 'f3c1a2b4d5e6f708192a3b4c5d6e7f80' };
    const idA = woocommerceAdapter.deliveryIdOf({ ...a, headers: { ...a.headers, ...sameId } }, undefined);
    const idB = woocommerceAdapter.deliveryIdOf({ ...b, headers: { ...b.headers, ...sameId } }, undefined);
    expect(idA).not.toBe(idB);
    expect(woocommerceAdapter.deliveryIdOf({ ...a, headers: { ...a.headers, ...sameId } }, undefined)).toBe(idA);
  });
});
