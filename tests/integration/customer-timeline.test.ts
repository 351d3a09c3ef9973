import { beforeAll, describe, expect, it } from 'vitest';
import { manualClock } from '../../shared/clock.ts';
import type { OrderEvent } from '../../shared/events/canonical.ts';
import { applyDelivery } from '../../shared/orders/apply-delivery.ts';
import { customerTimeline } from '../../shared/profiles/timeline.ts';
import { keys } from '../../shared/store/keys.ts';
import { MessageStore } from '../../shared/store/message-store.ts';
import { createTestTable } from '../support/dynamo.ts';
import { testShop } from '../support/shops.ts';

const clock = manualClock('2026-11-23T04:00:00.000Z');
const shop = testShop({ shopId: 'timeline-shop' });
let table: Awaited<ReturnType<typeof createTestTable>>;
let messages: MessageStore;

beforeAll(async () => {
  table = await createTestTable('timeline');
  messages = new MessageStore(table.store.siblingOptions);
  await table.store.createShop(shop);
});

const timeline = (customerId: string, options: { limit?: number; cursor?: string } = {}) => customerTimeline({ store: table.store, messages }, shop.shopId, customerId, options);

let deliveries = 0;
function deliver(orderId: string, events: Omit<OrderEvent, 'orderId'>[], customer: Record<string, string>) {
  return applyDelivery(shop, { deliveryId: `d-${++deliveries}`, orderId, events: events.map((event) => ({ ...event, orderId })), customer }, { store: table.store, clock });
}

const created = (at: string): Omit<OrderEvent, 'orderId'> => ({
  type: 'order.created',
  occurredAt: at,
  order: { orderNumber: '#1', currency: 'CNY', total: '99.00', createdAt: at, lineItems: [{ lineItemId: '1', title: 'Tea', quantity: 1, price: '99.00' }] },
});
const paid = (at: string): Omit<OrderEvent, 'orderId'> => ({ type: 'order.paid', occurredAt: at });
const shipped = (at: string): Omit<OrderEvent, 'orderId'> => ({ type: 'order.shipped', occurredAt: at, shipment: { carrier: 'SF Express', trackingNumber: 'SF100' } });

/** Items a customer's partition holds, by kind of sort key. */
async function partitionKinds(customerId: string): Promise<string[]> {
  const partition = keys.customerPartition(shop.shopId, customerId);
  return (await table.allItems()).filter((item) => item.pk === partition).map((item) => String(item.sk).split('#')[0]!).sort();
}

describe("a customer's timeline, read from the orders, the message ledger and the notes", () => {
  it('shows an order history that later webhooks wrote no timeline line for', async () => {
    await deliver('o-1', [created('2026-11-20T01:00:00.000Z')], { platformCustomerId: 'c-1' });
    await deliver('o-1', [paid('2026-11-20T02:00:00.000Z')], { platformCustomerId: 'c-1' });
    await deliver('o-1', [shipped('2026-11-21T03:00:00.000Z')], { platformCustomerId: 'c-1' });
    // One listing of the order under its customer; no timeline lines (T#) at all.
    expect(await partitionKinds('c-1')).toEqual(['CO', 'PROFILE']);
    const page = await timeline('c-1');
    expect(page.entries.map((e) => [e.type, e.orderId])).toEqual([
      ['order.shipped', 'o-1'],
      ['order.paid', 'o-1'],
      ['order.created', 'o-1'],
    ]);
    expect(page.cursor).toBeUndefined();
  });

  it('merges messages sent and not sent (with what was sent) and journey notes, newest first', async () => {
    await deliver('o-2', [created('2026-11-20T01:00:00.000Z')], { platformCustomerId: 'c-2' });
    const base = { shopId: shop.shopId, customerId: 'c-2', class: 'transactional' as const };
    await messages.claimMessage({ ...base, messageKey: 'shipped:o-2', kind: 'order_shipped' }, new Date('2026-11-21T04:00:00.000Z'), 60_000);
    await messages.finishMessage(
      { ...base, messageKey: 'shipped:o-2' },
      { status: 'sent', channel: 'email', preview: 'Your tea is on its way', fallbackFrom: 'sms failed (InvalidParameterException)' },
      new Date('2026-11-21T04:00:00.000Z'),
    );
    await messages.noteMessage({ ...base, messageKey: 'review:o-2', kind: 'review_request', class: 'care', status: 'skipped', reason: 'no_consent' }, new Date('2026-11-22T04:00:00.000Z'));
    // Deferred and still-sending messages have no line yet.
    await messages.noteMessage({ ...base, messageKey: 'tip:o-2', kind: 'usage_tip', class: 'care', status: 'deferred', deferredUntil: '2026-11-24T01:00:00.000Z' }, new Date('2026-11-23T04:00:00.000Z'));
    await messages.claimMessage({ ...base, messageKey: 'care:o-2', kind: 'delivery_care' }, new Date('2026-11-23T05:00:00.000Z'), 60_000);
    await table.store.addTimelineNote(shop.shopId, 'c-2', { entryId: 'at-risk#x', at: '2026-11-21T12:00:00.000Z', type: 'customer.at_risk', summary: 'tagged at-risk', orderId: '' });

    expect((await timeline('c-2')).entries.map((e) => [e.at, e.type, e.summary])).toEqual([
      ['2026-11-22T04:00:00.000Z', 'message.not_sent', 'Not sent (no consent): review request'],
      ['2026-11-21T12:00:00.000Z', 'customer.at_risk', 'tagged at-risk'],
      ['2026-11-21T04:00:00.000Z', 'message.sent', 'Sent email after sms failed (InvalidParameterException) (order shipped): Your tea is on its way'],
      ['2026-11-20T01:00:00.000Z', 'order.created', expect.stringContaining('#1')],
    ]);
  });

  it('pages through every line once, in order', async () => {
    const whole = (await timeline('c-2')).entries;
    const seen: string[] = [];
    let cursor: string | undefined;
    let pages = 0;
    do {
      const page = await timeline('c-2', { limit: 3, ...(cursor ? { cursor } : {}) });
      seen.push(...page.entries.map((e) => `${e.at} ${e.entryId}`));
      cursor = page.cursor;
      pages++;
    } while (cursor);
    expect(pages).toBe(2);
    expect(seen).toEqual(whole.map((e) => `${e.at} ${e.entryId}`));
  });

  it("brings an order's whole history along when the order names its customer late", async () => {
    await deliver('o-3', [created('2026-11-20T01:00:00.000Z')], {});
    expect((await table.store.getOrder(shop.shopId, 'o-3'))?.customerId).toBeUndefined();
    await deliver('o-3', [paid('2026-11-20T02:00:00.000Z')], { platformCustomerId: 'c-3' });
    await deliver('o-3', [shipped('2026-11-21T03:00:00.000Z')], { platformCustomerId: 'c-3' });
    expect(await partitionKinds('c-3')).toEqual(['CO', 'PROFILE']);
    expect((await timeline('c-3')).entries.map((e) => [e.type, e.orderId])).toEqual([
      ['order.shipped', 'o-3'],
      ['order.paid', 'o-3'],
      ['order.created', 'o-3'],
    ]);
  });

  it('shows lines stored by earlier versions (order histories, message lines) once', async () => {
    const order = (await timeline('c-1')).entries.find((e) => e.type === 'order.paid')!;
    const { customerId: _c, ...stored } = order;
    await table.store.addTimelineNote(shop.shopId, 'c-1', stored);
    const base = { shopId: shop.shopId, customerId: 'c-1', class: 'transactional' as const };
    await messages.noteMessage({ ...base, messageKey: 'shipped:o-1', kind: 'order_shipped', status: 'skipped', reason: 'no_phone' }, new Date('2026-11-21T05:00:00.000Z'));
    // The old message line was written a moment before the ledger's last word.
    await table.store.addTimelineNote(shop.shopId, 'c-1', { entryId: 'msg#shipped:o-1', at: '2026-11-21T04:59:59.000Z', type: 'message.not_sent', summary: 'old line', orderId: '' });
    const lines = (await timeline('c-1')).entries;
    expect(lines.filter((e) => e.type === 'order.paid')).toHaveLength(1);
    expect(lines.filter((e) => e.entryId === 'msg#shipped:o-1').map((e) => e.summary)).toEqual(['Not sent (no phone): order shipped']);
  });

  it('reads the orders of lines stored before orders were listed under their customer', async () => {
    await deliver('o-4', [created('2026-11-20T01:00:00.000Z'), paid('2026-11-20T03:00:00.000Z')], { platformCustomerId: 'c-4' });
    // As an earlier version left it: no listing, and stored lines, one at a time since corrected.
    await table.client.delete({ TableName: table.tableName, Key: keys.customerOrder(shop.shopId, 'c-4', 'o-4') });
    expect((await timeline('c-4')).entries).toEqual([]); // nothing listed, nothing stored: nothing shown
    await table.store.addTimelineNote(shop.shopId, 'c-4', { entryId: 'o-4#created', at: '2026-11-20T01:00:00.000Z', type: 'order.created', summary: 'old', orderId: 'o-4' });
    await table.store.addTimelineNote(shop.shopId, 'c-4', { entryId: 'o-4#paid', at: '2026-11-20T05:00:00.000Z', type: 'order.paid', summary: 'old', orderId: 'o-4' });
    // A later webhook writes nothing for the timeline; the order is read through its stored lines.
    await deliver('o-4', [shipped('2026-11-21T03:00:00.000Z')], { platformCustomerId: 'c-4' });
    expect((await timeline('c-4')).entries.map((e) => [e.at, e.type, e.summary === 'old'])).toEqual([
      ['2026-11-21T03:00:00.000Z', 'order.shipped', false],
      ['2026-11-20T03:00:00.000Z', 'order.paid', false],
      ['2026-11-20T01:00:00.000Z', 'order.created', false],
    ]);
  });
});
