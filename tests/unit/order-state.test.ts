import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { OrderEvent } from '../../shared/events/canonical.ts';
import { applyDelta, deltaFromEvents, deriveStatus, expiredDeliveries, type OrderDelta, orderView, transitionsBetween } from '../../shared/orders/order-state.ts';
import type { OrderItem } from '../../shared/orders/order-record.ts';

const ids = { shopId: 'tea-house', orderId: '1001' };
const now = new Date('2026-11-23T00:00:00.000Z');
const snapshot = (updatedAt: string, total: string): OrderEvent['order'] => ({
  currency: 'CNY',
  total,
  createdAt: '2026-11-20T02:00:00.000Z',
  updatedAt,
  lineItems: [{ lineItemId: '1', title: 'Tea', quantity: 2, price: '199.00', sku: 'TEA' }],
});

/** A whole order life as separate deliveries (as the platforms send them). */
const deliveries: [string, OrderEvent[]][] = [
  ['created', [{ type: 'order.created', orderId: '1001', occurredAt: '2026-11-20T02:00:00.000Z', order: snapshot('2026-11-20T02:00:00.000Z', '398.00') }]],
  ['paid', [{ type: 'order.paid', orderId: '1001', occurredAt: '2026-11-20T04:00:00.000Z', order: snapshot('2026-11-20T04:00:00.000Z', '398.00') }]],
  ['shipped', [{ type: 'order.shipped', orderId: '1001', occurredAt: '2026-11-20T22:00:00.000Z', shipment: { shipmentId: 'f1', carrier: 'SF Express', trackingNumber: 'SF1' } }]],
  ['checkpoint', [{ type: 'shipment.checkpoint', orderId: '1001', occurredAt: '2026-11-21T04:00:00.000Z', checkpoint: { at: '2026-11-21T04:00:00.000Z', status: 'in_transit', location: 'Hangzhou' } }]],
  ['late checkpoint', [{ type: 'shipment.checkpoint', orderId: '1001', occurredAt: '2026-11-21T16:00:00.000Z', checkpoint: { at: '2026-11-21T16:00:00.000Z', status: 'in_transit', location: 'Shanghai' } }]],
  ['delivered', [{ type: 'shipment.delivered', orderId: '1001', occurredAt: '2026-11-22T08:00:00.000Z', checkpoint: { at: '2026-11-22T08:00:00.000Z', status: 'delivered' } }]],
  ['old update', [{ type: 'order.updated', orderId: '1001', occurredAt: '2026-11-20T03:00:00.000Z', order: snapshot('2026-11-20T03:00:00.000Z', '350.00') }]],
  ['refund', [{ type: 'order.refunded', orderId: '1001', occurredAt: '2026-11-23T01:00:00.000Z', refund: { refundId: 'r1', amount: '199.00', lineItems: [{ lineItemId: '1', quantity: 1 }] } }]],
];
const deltas: OrderDelta[] = deliveries.map(([name, events]) => deltaFromEvents(events, { deliveryId: name, now, customerId: 'c-1' }));
const applyAll = (list: OrderDelta[]) => list.reduce<OrderItem | undefined>((item, delta) => applyDelta(item, delta, ids, now), undefined)!;
const reference = orderView(applyAll(deltas));

describe('order state', () => {
  it('derives the status and the facts of the newest snapshot', () => {
    expect(reference).toMatchObject({ status: 'delivered', total: '398.00', currency: 'CNY', customerId: 'c-1' });
    expect(reference.milestones).toEqual({
      created: '2026-11-20T02:00:00.000Z',
      paid: '2026-11-20T04:00:00.000Z',
      shipped: '2026-11-20T22:00:00.000Z',
      delivered: '2026-11-22T08:00:00.000Z',
    });
    expect(reference.checkpoints.map((c) => c.location ?? c.status)).toEqual(['Hangzhou', 'Shanghai', 'delivered']);
  });

  it('ends in the same state for every arrival order of the deliveries', () => {
    fc.assert(
      fc.property(fc.shuffledSubarray(deltas, { minLength: deltas.length, maxLength: deltas.length }), (arrival) => {
        const { version, updatedAt, ...state } = orderView(applyAll(arrival));
        const { version: _v, updatedAt: _u, ...expected } = reference;
        expect(state).toEqual(expected);
        expect(version).toBe(deltas.length);
        expect(updatedAt).toBe(now.toISOString());
      }),
      { numRuns: 200 },
    );
  });

  it('never moves the status backwards, whatever arrives next', () => {
    const rank = ['unknown', 'pending_payment', 'paid', 'closed', 'shipped', 'out_for_delivery', 'delivered', 'cancelled', 'refunded'];
    fc.assert(
      fc.property(fc.shuffledSubarray(deltas.slice(0, 7), { minLength: 7, maxLength: 7 }), (arrival) => {
        let item: OrderItem | undefined;
        let last = -1;
        for (const delta of arrival) {
          item = applyDelta(item, delta, ids, now);
          const position = rank.indexOf(orderView(item).status);
          expect(position).toBeGreaterThanOrEqual(last);
          last = position;
        }
      }),
    );
  });

  it('becomes refunded once refunds reach the total, at the last refund', () => {
    const second = deltaFromEvents(
      [{ type: 'order.refunded', orderId: '1001', occurredAt: '2026-11-24T00:00:00.000Z', refund: { refundId: 'r2', amount: '199.00', lineItems: [] } }],
      { deliveryId: 'refund-2', now },
    );
    const order = orderView(applyDelta(applyAll(deltas), second, ids, now));
    expect(order.status).toBe('refunded');
    expect(order.milestones.refunded).toBe('2026-11-24T00:00:00.000Z');
  });

  it('keeps the earliest report of a milestone', () => {
    const early = deltaFromEvents([{ type: 'order.paid', orderId: '1001', occurredAt: '2026-11-20T03:30:00.000Z' }], { deliveryId: 'early', now });
    expect(orderView(applyDelta(applyAll(deltas), early, ids, now)).milestones.paid).toBe('2026-11-20T03:30:00.000Z');
  });

  it('lists the transitions a change made, and none for a change that adds nothing new', () => {
    const before = orderView(applyAll(deltas.slice(0, 2)));
    const after = orderView(applyAll(deltas.slice(0, 3)));
    expect(transitionsBetween(before, after)).toEqual([{ kind: 'milestone', milestone: 'shipped', at: '2026-11-20T22:00:00.000Z' }]);
    const again = orderView(applyDelta(applyAll(deltas.slice(0, 3)), deltaFromEvents(deliveries[2]![1], { deliveryId: 'resent', now }), ids, now));
    expect(transitionsBetween(after, again)).toEqual([]);
  });

  it('forgets deliveries after eight days, not before', () => {
    const item = applyAll(deltas);
    expect(expiredDeliveries(item, new Date(now.getTime() + 7 * 86_400_000))).toEqual([]);
    expect(expiredDeliveries(item, new Date(now.getTime() + 8 * 86_400_000 + 1000))).toHaveLength(deltas.length);
  });

  it('derives a status from milestones by precedence', () => {
    expect(deriveStatus({})).toBe('unknown');
    expect(deriveStatus({ created: 'a' })).toBe('pending_payment');
    expect(deriveStatus({ created: 'a', paid: 'b', cancelled: 'c' })).toBe('cancelled');
    expect(deriveStatus({ paid: 'b', delivered: 'd', closed: 'e' })).toBe('delivered');
  });
});
