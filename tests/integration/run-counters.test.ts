import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createWorld, type World } from '../../local/world.ts';
import { manualClock } from '../../shared/clock.ts';
import { sendMessageTask } from '../../shared/messages/message-task.ts';
import { JourneyStore } from '../../shared/store/journey-store.ts';
import { signCareline } from '../../shared/webhooks/signatures.ts';
import { testShop } from '../support/shops.ts';

const clock = manualClock('2026-11-23T04:00:00.000Z'); // 12:00 in Shanghai
const shop = testShop({ shopId: 'counted', platform: 'careline' });
const writes: string[] = [];
let world: World;

beforeAll(async () => {
  world = await createWorld({
    endpoint: inject('dynamoEndpoint'),
    tableName: `counters-${randomUUID().slice(0, 8)}`,
    clock,
    onCapacity: (operation, units) => void (units.write > 0 && writes.push(operation)),
  });
  await world.store.createShop(shop);
  for (const customerId of ['c-1', 'c-2', 'c-3']) {
    await world.store.updateProfile(
      { shopId: shop.shopId, customerId },
      { factsAt: '2026-11-01T00:00:00.000Z', facts: { phone: '+8613800138000', smsConsent: 'subscribed', locale: 'zh-CN' }, orders: 1, spentMinor: 0, regionTimezone: 'Asia/Shanghai' },
      clock.now(),
    );
  }
});

afterAll(async () => {
  await world.stop();
});

describe("a dispatcher run's message counters", () => {
  it('are written once per shop and day, at the end of the run, with every message in them', async () => {
    for (const customerId of ['c-1', 'c-2', 'c-3']) {
      await world.engine.tasks.schedule(
        sendMessageTask({ shopId: shop.shopId, customerId, kind: 'order_shipped', messageKey: `shipped:${customerId}`, dueAt: clock.now(), vars: { order_number: '#1' } }),
        clock.now(),
      );
    }
    writes.length = 0;
    const [report] = await world.runUntil(new Date(clock.now().getTime() + 60_000));
    expect(report).toMatchObject({ claimed: 3, done: 3 });
    expect(world.sent).toHaveLength(3);
    expect(writes.filter((operation) => operation === 'addCounters')).toEqual(['addCounters']);
    expect(writes.at(-1)).toBe('addCounters');
    const counters = await new JourneyStore(world.store.siblingOptions).getCounters(shop.shopId);
    expect(counters).toMatchObject({ sent_order_shipped: 3, sent_sms: 3 });
  });

  it('of an order-stream batch are written once per shop and day, at the end of the batch', async () => {
    const secret = shop.secrets[0]!.value;
    for (const n of [1, 2, 3]) {
      const body = JSON.stringify({
        id: `created-${n}`,
        type: 'order.created',
        orderId: `o-${n}`,
        occurredAt: clock.now().toISOString(),
        order: { orderNumber: `#${n}`, currency: 'CNY', total: '10.00', createdAt: clock.now().toISOString(), lineItems: [{ lineItemId: '1', title: 'Tea', quantity: 1, price: '10.00' }] },
        customer: { platformCustomerId: `c-${n}` },
      });
      const answer = await world.webhook({ platform: 'careline', shopId: shop.shopId, body, headers: { 'careline-signature': signCareline(body, secret, clock.now()) } }, { settle: false });
      expect(answer.status).toBe(200);
    }
    writes.length = 0;
    await world.settle(); // one batch of three order changes
    expect(writes.filter((operation) => operation === 'addCounters')).toEqual(['addCounters']);
    const counters = await new JourneyStore(world.store.siblingOptions).getCounters(shop.shopId);
    expect(counters).toMatchObject({ orders: 3 });
  });
});
