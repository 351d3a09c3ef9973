import { afterEach, describe, expect, it } from 'vitest';

import { recordCallOutcome } from '../../shared/journeys/journey-runtime.ts';
import { orderView } from '../../shared/orders/order-state.ts';
import { profileView } from '../../shared/profiles/profile.ts';
import { customerTimeline } from '../../shared/profiles/timeline.ts';
import { journeyShop, type JourneyWorld, journeyWorld, shanghai } from '../support/journey-world.ts';
import { createHash, createHmac } from 'node:crypto';

// End-to-end stories on a virtual clock: the real webhook handler, order stream, dispatcher and
// send pipeline against DynamoDB Local, with the outbox channel. Times are Shanghai local.

const customer = (extra: Record<string, unknown> = {}) => ({
  platformCustomerId: 'c-1001',
  firstName: '晓雨',
  phone: '+8613800138000',
  smsConsent: 'subscribed' as const,
  ...extra,
});
const tea = { lineItemId: 'li-1', sku: 'LJ-250', title: '西湖龙井', quantity: 1, price: '168.00' };

let world: JourneyWorld | undefined;
afterEach(async () => {
  await world?.stop();
  world = undefined;
});

/** Nothing was sent inside the shop's quiet hours (21:00–09:00 local). */
function expectNothingAtNight(w: JourneyWorld) {
  for (const line of w.log()) {
    const time = line.local.slice(11);
    if (line.kind !== 'parcel_update') expect(time >= '09:00' && time < '21:00', `${line.kind} at ${line.local}`).toBe(true);
  }
}

describe('payment reminders', () => {
  it('links the reminder to the page where the order is paid, when the platform gives one', async () => {
    world = await journeyWorld();
    const w = world;
    await w.at('2026-11-20 10:00');
    await w.send({
      type: 'order.created',
      orderId: 'o-pay',
      order: { orderNumber: '#1002', currency: 'CNY', total: '168.00', lineItems: [tea], createdAt: shanghai('2026-11-20 10:00').toISOString(), payUrl: 'https://tea.example/pay/1002?key=k1' },
      customer: customer(),
    });
    await w.runUntil(shanghai('2026-11-20 14:00'));
    expect(w.log().map((l) => l.kind)).toEqual(['payment_reminder']);
    expect(w.log()[0]!.text).toMatch(/付款：https:\/\/tea\.example\/pay\/1002\?key=k1$/);
  });

  it('a new customer orders at 22:10 and pays after the reminder: the reminder waits for 09:00, revenue recovered', async () => {
    world = await journeyWorld();
    const w = world;
    await w.at('2026-11-20 22:10');
    await w.send({
      type: 'order.created',
      orderId: 'o-1',
      order: { orderNumber: '#1001', currency: 'CNY', total: '336.00', lineItems: [{ ...tea, quantity: 2 }], createdAt: shanghai('2026-11-20 22:10').toISOString() },
      customer: customer(),
    });
    await w.runUntil(shanghai('2026-11-21 09:30'));
    expect(w.log().map((l) => [l.local, l.kind, l.channel])).toEqual([['2026-11-21 09:00', 'payment_reminder', 'sms']]);
    // A first-time buyer hears "pay now and it ships today", with the 16:00 cut-off still reachable.
    expect(w.log()[0]!.text).toBe('【茶韵】晓雨，您拍下的西湖龙井还未付款，16:00前付款，今天就发货。');

    await w.at('2026-11-21 09:40');
    await w.send({ type: 'order.paid', orderId: 'o-1' });
    await w.runUntil(shanghai('2026-11-22 23:00'));
    expect(w.log()).toHaveLength(1); // the last-chance reminder (20:10) was cancelled by the payment
    const lastChance = await w.engine.tasks.get('tea-house', 'msg:payment-reminder:o-1:last');
    expect(lastChance).toMatchObject({ status: 'cancelled', note: 'paid' });

    expect(await w.journeys.getCounters('tea-house')).toMatchObject({ recoveredOrders: 1, recoveredMinor_CNY: 33_600, paidOrders_new: 1 });
    const timeline = await customerTimeline({ store: w.store, messages: w.engine.messages }, 'tea-house', await customerIdOf(w, 'o-1'));
    expect(timeline.entries.map((e) => e.type)).toContain('payment.recovered');
    const histogram = await w.journeys.getPayHistogram('tea-house');
    expect(histogram.new.reduce((a, b) => a + b, 0)).toBe(1);
  });

  it("a returning VIP's large unpaid order at night: a call at 11:00, no SMS at night, and the call's outcome stops the reminders", async () => {
    world = await journeyWorld(undefined, '2026-09-30T00:00:00.000Z');
    const w = world;
    // An earlier paid order makes the customer returning and VIP (≥ ¥1,000 spent).
    await w.at('2026-10-01 12:00');
    await w.send({ type: 'order.created', orderId: 'o-old', order: { currency: 'CNY', total: '1200.00', lineItems: [tea], createdAt: w.clock.now().toISOString() }, customer: customer() });
    await w.send({ type: 'order.paid', orderId: 'o-old' });
    await w.at('2026-11-20 23:30');
    expect(w.log().map((l) => [l.local, l.kind])).toEqual([['2026-10-30 12:00', 'active_window_touch']]); // the old order + 29 days
    const before = w.sent.length;

    await w.send({
      type: 'order.created',
      orderId: 'o-2',
      order: { orderNumber: '#1002', currency: 'CNY', total: '2680.00', lineItems: [{ ...tea, quantity: 10, price: '268.00' }], createdAt: w.clock.now().toISOString() },
      customer: customer(),
    });
    const calls = await w.journeys.listCalls('tea-house');
    // The old order's call was no longer needed once it was paid; the new one waits for 11:00.
    expect(calls.map((c) => [c.orderId, c.status, c.localDue, c.total])).toEqual([
      ['o-old', 'not_needed', '2026-10-01 15:30 Asia/Shanghai', 'CN¥1,200.00'],
      ['o-2', 'open', '2026-11-21 11:00 Asia/Shanghai', 'CN¥2,680.00'],
    ]);

    await w.runUntil(shanghai('2026-11-21 10:00'));
    const fresh = w.log().slice(before);
    // Returning customers wait an hour longer (3 h → 02:30), which is night: the reminder is planned for 09:00.
    expect(fresh.map((l) => [l.local, l.kind])).toEqual([['2026-11-21 09:00', 'payment_reminder']]);
    expect(fresh[0]!.text).toContain('谢谢您又一次选择我们');
    expectNothingAtNight(w);

    const outcome = await recordCallOutcome('tea-house', 'o-2', 'declined', 'will order next month', w.engine.journeys);
    expect(outcome).toEqual({ closed: true, remindersStopped: true });
    expect(await w.engine.tasks.get('tea-house', 'msg:payment-reminder:o-2:last')).toMatchObject({ status: 'cancelled', note: 'call outcome: declined' });
    await w.runUntil(shanghai('2026-11-23 12:00'));
    expect(w.log().slice(before)).toHaveLength(1);
    expect((await w.journeys.listCalls('tea-house')).find((c) => c.orderId === 'o-2')).toMatchObject({ status: 'done', outcome: 'declined' });
  });

  it('stops reminding about an order that a newer paid order covers', async () => {
    world = await journeyWorld();
    const w = world;
    await w.at('2026-11-20 10:00');
    await w.send({ type: 'order.created', orderId: 'o-a', order: { currency: 'CNY', total: '168.00', lineItems: [tea], createdAt: w.clock.now().toISOString() }, customer: customer() });
    await w.at('2026-11-20 10:30');
    await w.send({ type: 'order.created', orderId: 'o-b', order: { currency: 'CNY', total: '336.00', lineItems: [{ ...tea, quantity: 2 }], createdAt: w.clock.now().toISOString() }, customer: customer() });
    await w.send({ type: 'order.paid', orderId: 'o-b' });
    await w.runUntil(shanghai('2026-11-21 12:00'));
    expect(w.log()).toEqual([]);
    expect(await w.engine.tasks.get('tea-house', 'msg:payment-reminder:o-a:1')).toMatchObject({ status: 'cancelled' });
  });
});

describe('parcels, delivery care, check-ins and repurchase', () => {
  it('three checkpoints over two days, then delivered: one morning update a day, delivered, care, check-ins, repurchase at 30 × 2 − 3 days', async () => {
    world = await journeyWorld();
    const w = world;
    await w.product({ sku: 'LJ-250', title: '西湖龙井', usageTips: '90度水温，第一泡10秒出汤', checkInDays: [3, 14], repurchaseCycleDays: 30 });
    await w.at('2026-11-20 10:00');
    await w.send({
      type: 'order.created',
      orderId: 'o-3',
      order: { orderNumber: '#1003', currency: 'CNY', total: '336.00', lineItems: [{ ...tea, quantity: 2 }], createdAt: w.clock.now().toISOString() },
      customer: customer(),
    });
    await w.send({ type: 'order.paid', orderId: 'o-3' });
    await w.at('2026-11-20 15:00');
    await w.send({ type: 'order.shipped', orderId: 'o-3', shipment: { carrier: '顺丰速运', trackingNumber: 'SF1456789012345', trackingUrl: 'https://t.example/SF1456789012345' } });
    await w.at('2026-11-21 07:00');
    await w.send({ type: 'shipment.checkpoint', orderId: 'o-3', checkpoint: { at: w.clock.now().toISOString(), status: 'in_transit', location: '杭州转运中心', message: '已到达' } });
    await w.runUntil(shanghai('2026-11-21 18:00'));
    // The second checkpoint comes from Kuaidi100, matched to the order by its tracking number.
    const answer = await kuaidi100Push(w, 'SF1456789012345', '2026-11-21 18:00:00', '【上海市】快件已到达 上海分拨中心', '上海市');
    expect(answer).toEqual({ status: 200, body: { result: true, returnCode: '200', message: '成功' } });
    await w.at('2026-11-22 07:30');
    await w.send({ type: 'shipment.checkpoint', orderId: 'o-3', checkpoint: { at: w.clock.now().toISOString(), status: 'in_transit', location: '上海浦东营业部', message: '派送准备中' } });
    await w.runUntil(shanghai('2026-11-22 16:00'));
    await w.send({ type: 'shipment.delivered', orderId: 'o-3', checkpoint: { at: w.clock.now().toISOString(), status: 'delivered', message: '已签收' } });
    await w.runUntil(shanghai('2027-02-01 00:00'));

    expect(w.log().map((l) => [l.local, l.kind])).toEqual([
      ['2026-11-20 15:00', 'order_shipped'],
      ['2026-11-21 08:00', 'parcel_update'],
      ['2026-11-22 08:00', 'parcel_update'], // one update that day, with the newest news
      ['2026-11-22 16:00', 'delivered'],
      ['2026-11-22 18:00', 'delivery_care'],
      ['2026-11-25 16:00', 'check_in'],
      ['2026-11-27 16:00', 'review_request'],
      ['2026-12-06 16:00', 'check_in'],
      ['2026-12-19 10:00', 'active_window_touch'], // the order + 29 days: no new order since
      ['2027-01-18 16:00', 'repurchase_reminder'], // delivered + 30 × 2 − 3 = 57 days
    ]);
    const texts = w.log().map((l) => l.text);
    expect(texts[1]).toContain('杭州转运中心');
    expect(texts[2]).toContain('上海浦东营业部');
    expect(texts[4]).toContain('90度水温');
    expect(texts[5]).toContain('用了3天');
    expect(texts[7]).toContain('用了14天');
    // The daily counters `careline report` reads agree with what was sent.
    const counters = await w.journeys.getCounters('tea-house');
    expect(counters).toMatchObject({ orders: 1, orders_shipped: 1, orders_delivered: 1, sent_parcel_update: 2, sent_check_in: 2, sent_repurchase_reminder: 1, sent_sms: 10 });
    expect(counters.smsSegments).toBeGreaterThanOrEqual(10);
  });

  it('a check-in reply of 2 is recorded as satisfaction and flagged for follow-up', async () => {
    world = await journeyWorld();
    const w = world;
    await w.product({ sku: 'LJ-250', checkInDays: [3] });
    await w.at('2026-11-20 10:00');
    await w.send({ type: 'order.created', orderId: 'o-4', order: { currency: 'CNY', total: '168.00', lineItems: [tea], createdAt: w.clock.now().toISOString() }, customer: customer() });
    await w.send({ type: 'order.paid', orderId: 'o-4' });
    await w.send({ type: 'shipment.delivered', orderId: 'o-4' });
    await w.runUntil(shanghai('2026-11-23 12:00'));
    expect(w.log().map((l) => l.kind)).toEqual(['delivered', 'delivery_care', 'check_in']);
    const { recordCheckInReply } = await import('../../shared/journeys/journey-runtime.ts');
    expect(await recordCheckInReply('+8613800138000', ' 2 ', w.engine.journeys)).toEqual({ action: 'recorded', score: 2, low: true });
    const customerId = await customerIdOf(w, 'o-4');
    const profile = profileView((await w.store.getProfile('tea-house', customerId))!, w.shop);
    expect(profile).toMatchObject({ lastSatisfaction: 2, satisfactionCount: 1, followUp: true });
    expect(profile.tags).toContain('follow_up');
    expect(await w.journeys.getCounters('tea-house')).toMatchObject({ checkInReplies: 1, satisfactionSum: 2, lowSatisfaction: 1 });
  });

  it('a stalled parcel: ops alerted, order.shipment_stalled published, the customer reassured, the order flagged', async () => {
    world = await journeyWorld();
    const w = world;
    await w.at('2026-11-20 10:00');
    await w.send({ type: 'order.created', orderId: 'o-5', order: { orderNumber: '#1005', currency: 'CNY', total: '168.00', lineItems: [tea], createdAt: w.clock.now().toISOString() }, customer: customer() });
    await w.send({ type: 'order.paid', orderId: 'o-5' });
    await w.at('2026-11-20 15:00');
    await w.send({ type: 'order.shipped', orderId: 'o-5', shipment: { carrier: '中通快递', trackingNumber: 'ZT778899' } });
    await w.at('2026-11-21 07:00');
    await w.send({ type: 'shipment.checkpoint', orderId: 'o-5', checkpoint: { at: w.clock.now().toISOString(), status: 'in_transit', location: '杭州' } });
    await w.runUntil(shanghai('2026-11-24 12:00'));

    // No checkpoint for 48 h after 07:00 on the 21st: stalled at 07:00 on the 23rd.
    expect(w.alerts).toMatchObject([{ at: shanghai('2026-11-23 07:00').toISOString(), subject: expect.stringContaining('parcel stalled for Order #1005') }]);
    expect(w.events.filter((e) => e.type === 'order.shipment_stalled')).toMatchObject([{ orderId: 'o-5', detail: { reason: 'no_checkpoint' } }]);
    expect(w.log().map((l) => [l.local, l.kind])).toEqual([
      ['2026-11-20 15:00', 'order_shipped'],
      ['2026-11-21 08:00', 'parcel_update'],
      ['2026-11-23 09:00', 'shipment_delay'], // due at 07:00, held to the end of quiet hours
    ]);
    const order = orderView((await w.store.getOrder('tea-house', 'o-5'))!);
    expect(order.stalled).toMatchObject({ reason: 'no_checkpoint: no checkpoint for 48 h' });
  });

  it('a parcel stuck out for delivery: the check armed at shipping moves itself on, then catches the stall', async () => {
    world = await journeyWorld();
    const w = world;
    await w.at('2026-11-20 10:00');
    await w.send({ type: 'order.created', orderId: 'o-6', order: { orderNumber: '#1006', currency: 'CNY', total: '168.00', lineItems: [tea], createdAt: w.clock.now().toISOString() }, customer: customer() });
    await w.send({ type: 'order.paid', orderId: 'o-6' });
    await w.at('2026-11-20 15:00');
    await w.send({ type: 'order.shipped', orderId: 'o-6', shipment: { carrier: '中通快递', trackingNumber: 'ZT445566' } });
    await w.at('2026-11-21 09:00');
    await w.send({ type: 'shipment.checkpoint', orderId: 'o-6', checkpoint: { at: w.clock.now().toISOString(), status: 'out_for_delivery', location: '杭州' } });
    await w.runUntil(shanghai('2026-11-22 16:00'));
    // Due 48 h after shipping, the check found news since and moved itself to 48 h after it.
    expect(w.alerts).toEqual([]);
    expect(await w.engine.tasks.get('tea-house', 'stall-check:o-6')).toMatchObject({ status: 'pending', dueAt: shanghai('2026-11-23 09:00').toISOString(), note: 'parcel moved on' });
    await w.runUntil(shanghai('2026-11-24 12:00'));
    expect(w.alerts).toMatchObject([{ at: shanghai('2026-11-23 09:00').toISOString(), subject: expect.stringContaining('parcel stalled for Order #1006') }]);
  });

  it('an exception checkpoint alerts at once', async () => {
    world = await journeyWorld();
    const w = world;
    await w.at('2026-11-20 10:00');
    await w.send({ type: 'order.created', orderId: 'o-6', order: { currency: 'CNY', total: '168.00', lineItems: [tea], createdAt: w.clock.now().toISOString() }, customer: customer() });
    await w.send({ type: 'order.paid', orderId: 'o-6' });
    await w.at('2026-11-20 14:00');
    await w.send({ type: 'shipment.exception', orderId: 'o-6', checkpoint: { at: w.clock.now().toISOString(), status: 'exception', message: '地址不详' } });
    await w.runUntil(shanghai('2026-11-20 15:00'));
    expect(w.alerts).toHaveLength(1);
    expect(w.log().map((l) => l.kind)).toEqual(['shipment_delay']);
  });

  it('an AfterShip exception for a parcel alerts at once; a parcel nobody shipped is acknowledged and counted', async () => {
    world = await journeyWorld(journeyShop({ trackingSecrets: { aftership: 'aftership-secret-0123' } }));
    const w = world;
    await w.at('2026-11-20 10:00');
    await w.send({ type: 'order.created', orderId: 'o-10', order: { orderNumber: '#1010', currency: 'CNY', total: '168.00', lineItems: [tea], createdAt: w.clock.now().toISOString() }, customer: customer() });
    await w.send({ type: 'order.paid', orderId: 'o-10' });
    await w.send({ type: 'order.shipped', orderId: 'o-10', shipment: { carrier: 'UPS', trackingNumber: '1Z999AA10123456784' } });
    await w.at('2026-11-21 10:00');
    const body = (trackingNumber: string) =>
      JSON.stringify({
        event: 'tracking_update',
        event_id: `evt-${trackingNumber}`,
        msg: { tracking_number: trackingNumber, slug: 'ups', tag: 'Exception', checkpoints: [{ checkpoint_time: '2026-11-21T10:00:00+08:00', tag: 'Exception', message: 'Address not found', location: 'Hangzhou' }] },
      });
    const post = (raw: string, secret = 'aftership-secret-0123') =>
      w.webhook({ platform: 'aftership', shopId: 'tea-house', body: raw, headers: { 'aftership-hmac-sha256': createHmac('sha256', secret).update(raw).digest('base64') } });

    expect((await post(body('1Z999AA10123456784'), 'not-the-secret-000')).status).toBe(401);
    expect(await post(body('1Z999AA10123456784'))).toEqual({ status: 200, body: { ok: true, outcome: 'applied' } });
    expect(await post(body('NOBODY-SHIPPED-THIS'))).toEqual({ status: 200, body: { ok: true, outcome: 'unmatched' } });
    await w.runUntil(shanghai('2026-11-21 11:00'));
    expect(w.alerts).toHaveLength(1);
    expect(w.log().map((l) => l.kind)).toEqual(['order_shipped', 'shipment_delay']);
    expect(await w.store.getWebhookCounters('tea-house')).toMatchObject({ 'ignored:aftership:unmatched_tracking': 1 });
  });

  it('an order refunded mid-journey: everything pending for it is cancelled', async () => {
    world = await journeyWorld();
    const w = world;
    await w.product({ sku: 'LJ-250', checkInDays: [3, 14], repurchaseCycleDays: 30 });
    await w.at('2026-11-20 10:00');
    await w.send({ type: 'order.created', orderId: 'o-7', order: { currency: 'CNY', total: '168.00', lineItems: [tea], createdAt: w.clock.now().toISOString() }, customer: customer() });
    await w.send({ type: 'order.paid', orderId: 'o-7' });
    await w.send({ type: 'shipment.delivered', orderId: 'o-7' });
    await w.runUntil(shanghai('2026-11-21 12:00'));
    expect(w.log().map((l) => l.kind)).toEqual(['delivered', 'delivery_care']);
    await w.send({ type: 'order.refunded', orderId: 'o-7', refund: { refundId: 'r-1', amount: '168.00', lineItems: [{ lineItemId: 'li-1', quantity: 1 }] } });
    await w.runUntil(shanghai('2027-03-01 00:00'));
    expect(w.log().map((l) => l.kind)).toEqual(['delivered', 'delivery_care']);
    for (const key of ['msg:check-in:o-7:3', 'msg:check-in:o-7:14', 'msg:review:o-7']) {
      expect(await w.engine.tasks.get('tea-house', key), key).toMatchObject({ status: 'cancelled', note: 'order refunded' });
    }
    const customerId = await customerIdOf(w, 'o-7');
    expect(await w.engine.tasks.get('tea-house', `msg:repurchase:${customerId}:LJ-250`)).toMatchObject({ status: 'cancelled' });
  });
});

describe('the 30-day active window', () => {
  it('a customer who re-orders on day 20: the touch moves to 29 days after the new order, then at-risk', async () => {
    world = await journeyWorld(undefined, '2026-10-31T00:00:00.000Z');
    const w = world;
    await w.at('2026-11-01 10:00');
    await w.send({ type: 'order.created', orderId: 'o-8', order: { currency: 'CNY', total: '168.00', lineItems: [tea], createdAt: w.clock.now().toISOString() }, customer: customer() });
    await w.send({ type: 'order.paid', orderId: 'o-8' });
    await w.at('2026-11-21 10:00');
    await w.send({ type: 'order.created', orderId: 'o-9', order: { currency: 'CNY', total: '168.00', lineItems: [tea], createdAt: w.clock.now().toISOString() }, customer: customer() });
    await w.send({ type: 'order.paid', orderId: 'o-9' });
    await w.runUntil(shanghai('2027-01-01 00:00'));
    expect(w.log().map((l) => [l.local, l.kind])).toEqual([['2026-12-20 10:00', 'active_window_touch']]);
    const customerId = await customerIdOf(w, 'o-9');
    const profile = profileView((await w.store.getProfile('tea-house', customerId))!, w.shop);
    expect(profile.tags).toContain('at_risk');
    expect(profile.atRiskSince).toBe(shanghai('2026-12-21 10:00').toISOString());
  });
});

async function customerIdOf(w: JourneyWorld, orderId: string): Promise<string> {
  const order = await w.store.getOrder('tea-house', orderId);
  return order!.customerId!;
}

/** A Kuaidi100 subscription push for one checkpoint, signed with the shop's salt. */
async function kuaidi100Push(w: JourneyWorld, trackingNumber: string, time: string, context: string, area: string) {
  const param = JSON.stringify({
    status: 'polling',
    message: '',
    lastResult: { message: 'ok', nu: trackingNumber, ischeck: '0', com: 'shunfeng', status: '200', state: '0', data: [{ time, ftime: time, context, areaName: area, status: '在途' }] },
  });
  const sign = createHash('md5').update(param + 'kuaidi100-salt-0123').digest('hex').toUpperCase();
  return w.webhook({
    platform: 'kuaidi100',
    shopId: 'tea-house',
    body: new URLSearchParams({ param, sign }).toString(),
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
  });
}


describe('the virtual clock', () => {
  it('runs every task due at one moment, more than one index query reads', async () => {
    world = await journeyWorld();
    const w = world;
    const ran: string[] = [];
    w.engine.handlers.count_me = async (task) => {
      ran.push(task.taskKey);
      return { outcome: 'done' };
    };
    const dueAt = shanghai('2026-11-20 12:00');
    for (let i = 0; i < 250; i++) await w.engine.tasks.schedule({ shopId: 'tea-house', taskKey: `many:${i}`, kind: 'count_me', dueAt }, w.clock.now());
    await w.runUntil(shanghai('2026-11-20 12:30'));
    expect(new Set(ran).size).toBe(250);
  });
});
