import { beforeAll, describe, expect, it } from 'vitest';
import type { OrderEvent } from '../../shared/events/canonical.ts';
import { applyDelta, deltaFromEvents } from '../../shared/orders/order-state.ts';
import type { OrderItem } from '../../shared/orders/order-record.ts';
import { applyProfileDelta, type ProfileDelta, type ProfileItem } from '../../shared/profiles/profile.ts';
import { createTestTable } from '../support/dynamo.ts';

let table: Awaited<ReturnType<typeof createTestTable>>;
beforeAll(async () => {
  table = await createTestTable('store');
});

const now = new Date('2026-11-23T00:00:00.000Z');
const snapshot = (updatedAt: string, total: string): OrderEvent['order'] => ({ currency: 'CNY', total, updatedAt, createdAt: '2026-11-20T02:00:00.000Z' });

describe('the order UpdateItem and its pure twin applyDelta', () => {
  const ids = { shopId: 'twin', orderId: '1001' };
  const steps: [string, OrderEvent[]][] = [
    ['d1', [{ type: 'order.created', orderId: '1001', occurredAt: '2026-11-20T02:00:00.000Z', order: snapshot('2026-11-20T02:00:00.000Z', '100.00') }]],
    ['d2', [{ type: 'order.paid', orderId: '1001', occurredAt: '2026-11-20T04:00:00.000Z', order: snapshot('2026-11-20T04:00:00.000Z', '120.00') }]],
    // An older snapshot arriving late: its facts are left out, its milestone still counts.
    ['d3', [{ type: 'order.paid', orderId: '1001', occurredAt: '2026-11-20T03:00:00.000Z', order: snapshot('2026-11-20T03:00:00.000Z', '90.00') }]],
    ['d4', [{ type: 'shipment.checkpoint', orderId: '1001', occurredAt: '2026-11-21T00:00:00.000Z', checkpoint: { at: '2026-11-21T00:00:00.000Z', status: 'in_transit', location: '杭州' } }]],
    ['d5', [{ type: 'order.refunded', orderId: '1001', occurredAt: '2026-11-22T00:00:00.000Z', refund: { refundId: '9100000000000000001', amount: '20.00', lineItems: [] } }]],
  ];

  it('leaves in the table exactly the item applyDelta computes, step by step', async () => {
    let expected: OrderItem | undefined;
    for (const [deliveryId, events] of steps) {
      const delta = deltaFromEvents(events, { deliveryId, now, customerId: 'c-1' });
      const result = await table.store.updateOrder(ids, delta, now);
      if (result.outcome !== 'applied') throw new Error(`${deliveryId} was not applied`);
      expect(result.before).toEqual(expected);
      const withoutStale = expected?.snapshotAt && delta.snapshot && delta.snapshot.at < expected.snapshotAt ? { ...delta, snapshot: undefined } : delta;
      expected = applyDelta(expected, withoutStale, ids, now);
      expect(result.after).toEqual(expected);
      expect(await table.store.getOrder(ids.shopId, ids.orderId)).toEqual(expected);
    }
    expect(expected).toMatchObject({ total: '120.00', snapshotAt: '2026-11-20T04:00:00.000Z', version: 5 });
    expect(expected?.milestoneReports.paid).toEqual(['2026-11-20T03:00:00.000Z', '2026-11-20T04:00:00.000Z']);
  });

  it('refuses a delivery it has applied, and changes nothing', async () => {
    const before = await table.store.getOrder(ids.shopId, ids.orderId);
    const delta = deltaFromEvents(steps[1]![1], { deliveryId: 'd2', now });
    expect(await table.store.updateOrder(ids, delta, now)).toEqual({ outcome: 'duplicate' });
    expect(await table.store.getOrder(ids.shopId, ids.orderId)).toEqual(before);
  });

  it('forgets delivery ids once they are older than the memory window', async () => {
    const later = new Date(now.getTime() + 9 * 86_400_000);
    const delta = deltaFromEvents([{ type: 'order.closed', orderId: '1001', occurredAt: later.toISOString() }], { deliveryId: 'd6', now: later });
    await table.store.updateOrder(ids, delta, later);
    const item = await table.store.getOrder(ids.shopId, ids.orderId);
    expect(Object.keys(item!.deliveries)).toHaveLength(1);
    // …so a very late redelivery of d1 applies again, and being a union it changes no fact.
    const redelivered = await table.store.updateOrder(ids, deltaFromEvents(steps[0]![1], { deliveryId: 'd1', now: later }), later);
    expect(redelivered.outcome).toBe('applied');
  });
});

describe('the profile UpdateItem and its pure twin applyProfileDelta', () => {
  const ids = { shopId: 'twin', customerId: 'c-1' };
  const deltas: ProfileDelta[] = [
    { factsAt: '2026-11-20T04:00:00.000Z', facts: { firstName: 'Wei', phone: '+8613800138000', smsConsent: 'subscribed' }, orders: 1, spentMinor: 0, orderedAt: '2026-11-20T02:00:00.000Z', currency: 'CNY', regionTimezone: 'Asia/Shanghai' },
    { factsAt: '2026-11-20T05:00:00.000Z', orders: 0, spentMinor: 39_800 },
    // Older facts arriving late are left out; the counters still move.
    { factsAt: '2026-11-19T00:00:00.000Z', facts: { firstName: 'Old', smsConsent: 'unsubscribed' }, orders: 1, spentMinor: 1_000, orderedAt: '2026-11-01T00:00:00.000Z' },
    { factsAt: '2026-11-25T00:00:00.000Z', facts: { email: 'wei@example.com' }, orders: 1, spentMinor: 0, orderedAt: '2026-11-25T00:00:00.000Z' },
  ];

  it('leaves in the table what applyProfileDelta computes, including order-time extremes', async () => {
    let expected: ProfileItem | undefined;
    for (const delta of deltas) {
      const result = await table.store.updateProfile(ids, delta, now);
      expect(result.before).toEqual(expected);
      const fresh = !expected?.factsAt || delta.factsAt >= expected.factsAt;
      expected = applyProfileDelta(expected, delta, ids, now, fresh);
      expect(result.after).toEqual(expected);
      expect(await table.store.getProfile(ids.shopId, ids.customerId)).toEqual(expected);
    }
    expect(expected).toMatchObject({
      firstName: 'Wei',
      smsConsent: 'subscribed',
      email: 'wei@example.com',
      orderCount: 3,
      totalSpentMinor: 40_800,
      firstOrderAt: '2026-11-01T00:00:00.000Z',
      lastOrderAt: '2026-11-25T00:00:00.000Z',
    });
  });
});
