import { beforeAll, describe, expect, it } from 'vitest';
import type { Channel, OutgoingMessage, SendResult } from '../../shared/channels/channel.ts';
import { manualClock } from '../../shared/clock.ts';
import type { MessageKind } from '../../shared/messages/kinds.ts';
import { type PipelineDeps, runSendPipeline } from '../../shared/messages/send-pipeline.ts';
import { sendMessageTask } from '../../shared/messages/message-task.ts';
import { type MessagePreparer, sendMessageHandler } from '../../shared/messages/send-task.ts';
import { bucketOf } from '../../shared/tasks/task.ts';
import { MessageStore } from '../../shared/store/message-store.ts';
import { customerTimeline } from '../../shared/profiles/timeline.ts';
import { phoneDigest } from '../../shared/store/phone-digest.ts';
import { TaskStore } from '../../shared/store/task-store.ts';
import { createTestTable } from '../support/dynamo.ts';
import { testShop } from '../support/shops.ts';
import { dispatcherFor } from '../support/tasks.ts';

/** A channel that records what it was given and answers as told. */
function fakeChannel(name: 'sms' | 'email', answer: (m: OutgoingMessage) => SendResult = () => ({ status: 'sent' })): Channel & { sent: OutgoingMessage[] } {
  const sent: OutgoingMessage[] = [];
  return {
    name,
    sent,
    send: async (message) => {
      const result = answer(message);
      if (result.status === 'sent') sent.push(message);
      return result;
    },
  };
}

const clock = manualClock('2026-11-23T04:00:00.000Z'); // 12:00 in Shanghai
const shop = testShop({ shopId: 'tea-house', messaging: { ...testShop().messaging, shopName: '茶韵' } });
let table: Awaited<ReturnType<typeof createTestTable>>;
let messages: MessageStore;
let tasks: TaskStore;

beforeAll(async () => {
  table = await createTestTable('pipeline');
  messages = new MessageStore({ client: table.client, tableName: table.tableName });
  tasks = new TaskStore({ client: table.client, tableName: table.tableName });
  await table.store.createShop(shop);
});

async function customer(customerId: string, facts: Record<string, unknown> = {}) {
  await table.store.updateProfile(
    { shopId: shop.shopId, customerId },
    { factsAt: '2026-11-01T00:00:00.000Z', facts: { phone: '+8613800138000', email: `${customerId}@example.com`, smsConsent: 'subscribed', emailConsent: 'subscribed', locale: 'zh-CN', ...facts }, orders: 1, spentMinor: 0, regionTimezone: 'Asia/Shanghai' },
    clock.now(),
  );
}

function deps(channels = { sms: fakeChannel('sms'), email: fakeChannel('email') }): PipelineDeps & { channels: typeof channels } {
  return { store: table.store, messages, channels, clock, loadShop: async () => shop, unsubscribe: { baseUrl: 'https://careline.example/', secret: 'test-unsubscribe-secret-0123456789' } };
}

const request = (customerId: string, kind: MessageKind, key: string) => ({
  shopId: shop.shopId,
  customerId,
  kind,
  messageKey: key,
  vars: { order_number: '#1001', carrier: '顺丰速运', tracking_number: 'SF1456789012345', tracking_url: 'https://sf.example/SF1456789012345' },
  firstDueAt: clock.now(),
});

describe('the send pipeline against DynamoDB Local', () => {
  it('sends an SMS once, records it in the ledger and on the timeline, and refuses the same key again', async () => {
    await customer('c-sent');
    const d = deps();
    expect(await runSendPipeline(request('c-sent', 'order_shipped', 'shipped:1001'), d)).toMatchObject({ status: 'sent', channel: 'sms' });
    expect(await runSendPipeline(request('c-sent', 'order_shipped', 'shipped:1001'), d)).toEqual({ status: 'skipped', reason: 'duplicate' });
    expect(d.channels.sms.sent).toHaveLength(1);
    expect(d.channels.sms.sent[0]!.text).toContain('SF1456789012345');
    expect(await messages.getMessage(shop.shopId, 'c-sent', 'shipped:1001')).toMatchObject({ status: 'sent', channel: 'sms', localTime: '2026-11-23 12:00 Asia/Shanghai' });
    const timeline = await customerTimeline({ store: table.store, messages }, shop.shopId, 'c-sent');
    expect(timeline.entries.map((e) => e.type)).toEqual(['message.sent']);
  });

  it('falls back to email when the SMS fails for good, with a signed unsubscribe link', async () => {
    await customer('c-fallback');
    const d = deps({ sms: fakeChannel('sms', () => ({ status: 'failed', permanent: true, reason: 'InvalidParameterException' })), email: fakeChannel('email') });
    expect(await runSendPipeline(request('c-fallback', 'order_shipped', 'shipped:2'), d)).toMatchObject({ status: 'sent', channel: 'email' });
    expect(d.channels.email.sent[0]!.unsubscribeUrl).toMatch(/^https:\/\/careline\.example\/u\/.+/);
  });

  it('does not fall back on a transient failure: the message is retried, and sent once when it works', async () => {
    await customer('c-transient');
    let fail = true;
    const sms = fakeChannel('sms', () => (fail ? { status: 'failed', permanent: false, reason: 'ThrottledException' } : { status: 'sent' }));
    const d = deps({ sms, email: fakeChannel('email') });
    expect(await runSendPipeline(request('c-transient', 'order_shipped', 'shipped:3'), d)).toEqual({ status: 'retry', reason: 'ThrottledException' });
    expect(d.channels.email.sent).toHaveLength(0);
    fail = false;
    expect(await runSendPipeline(request('c-transient', 'order_shipped', 'shipped:3'), d)).toMatchObject({ status: 'sent' });
    expect(sms.sent).toHaveLength(1);
  });

  it('honours an SMS opt-out recorded by phone number', async () => {
    await customer('c-stop', { email: undefined });
    await table.store.setSmsOptOut('+8613800138000', true, clock.now(), 'sms:退订');
    expect(await runSendPipeline(request('c-stop', 'order_shipped', 'shipped:4'), deps())).toEqual({ status: 'skipped', reason: 'opted_out' });
    expect(await messages.getMessage(shop.shopId, 'c-stop', 'shipped:4')).toMatchObject({ status: 'skipped', reason: 'opted_out' });
    await table.store.setSmsOptOut('+8613800138000', false, clock.now(), 'sms:START');
  });

  it('sends the email instead when the number opted out, and the message stays sent once', async () => {
    await customer('c-stop-email', { phone: '+8613900139000' });
    await table.store.setSmsOptOut('+8613900139000', true, clock.now(), 'sms:STOP');
    const d = deps();
    expect(await runSendPipeline(request('c-stop-email', 'order_shipped', 'shipped:5'), d)).toMatchObject({ status: 'sent', channel: 'email' });
    expect(d.channels.sms.sent).toHaveLength(0);
    expect(await messages.getMessage(shop.shopId, 'c-stop-email', 'shipped:5')).toMatchObject({ status: 'sent', channel: 'email' });
    expect(await runSendPipeline(request('c-stop-email', 'order_shipped', 'shipped:5'), d)).toEqual({ status: 'skipped', reason: 'duplicate' });
    expect(d.channels.email.sent).toHaveLength(1);
  });

  it('keeps a sent message sent when its counters cannot be written: reported, not retried into a duplicate', async () => {
    await customer('c-counters');
    const reported: unknown[] = [];
    const d = {
      ...deps(),
      count: async () => {
        throw new Error('ProvisionedThroughputExceededException');
      },
      onBookkeepingError: (error: unknown, what: { messageKey: string }) => reported.push([(error as Error).message, what.messageKey]),
    };
    expect(await runSendPipeline(request('c-counters', 'order_shipped', 'shipped:6'), d)).toMatchObject({ status: 'sent', channel: 'sms' });
    expect(reported).toEqual([['ProvisionedThroughputExceededException', 'shipped:6']]);
    expect(await messages.getMessage(shop.shopId, 'c-counters', 'shipped:6')).toMatchObject({ status: 'sent' });
    expect((await customerTimeline({ store: table.store, messages }, shop.shopId, 'c-counters')).entries.map((e) => e.type)).toEqual(['message.sent']);
    expect(d.channels.sms.sent).toHaveLength(1);
  });

  it('fails the task when the ledger itself cannot record the outcome, whatever the bookkeeping did', async () => {
    await customer('c-ledger');
    const failing = Object.create(messages) as MessageStore;
    failing.finishMessage = async () => {
      throw new Error('ledger unavailable');
    };
    const reported: unknown[] = [];
    const d = { ...deps(), messages: failing, onBookkeepingError: (error: unknown) => reported.push(error) };
    await expect(runSendPipeline(request('c-ledger', 'order_shipped', 'shipped:7'), d)).rejects.toThrow('ledger unavailable');
    expect(reported).toEqual([]);
  });
});

describe('the SMS opt-out of the number a message was planned for', () => {
  /** Pipeline deps whose message store records which reads it made. */
  function meteredDeps() {
    const reads: string[] = [];
    const metered = new MessageStore({ client: table.client, tableName: table.tableName, onCapacity: (operation, used) => void (used.read > 0 && reads.push(operation)) });
    return { d: { ...deps(), messages: metered }, reads };
  }

  it('is read with the recipient, in one request, and honoured', async () => {
    const { d, reads } = meteredDeps();
    await customer('c-planned', { phone: '+8613700137000', email: undefined });
    await table.store.setSmsOptOut('+8613700137000', true, clock.now(), 'sms:STOP');
    const planned = { ...request('c-planned', 'order_shipped', 'shipped:6'), phoneDigest: phoneDigest('+8613700137000') };
    expect(await runSendPipeline(planned, d)).toEqual({ status: 'skipped', reason: 'opted_out' });
    expect(reads).toEqual(['recipient']);
    expect(d.channels.sms.sent).toHaveLength(0);
    await table.store.setSmsOptOut('+8613700137000', false, clock.now(), 'sms:START');
  });

  it('is read again for the number the profile has now when the customer changed it since', async () => {
    const { d, reads } = meteredDeps();
    await customer('c-new-number', { phone: '+8613600136000', email: undefined });
    await table.store.setSmsOptOut('+8613600136000', true, clock.now(), 'sms:STOP');
    // Planned for the old number, which never opted out; the new one has.
    const planned = { ...request('c-new-number', 'order_shipped', 'shipped:7'), phoneDigest: phoneDigest('+8613500135000') };
    expect(await runSendPipeline(planned, d)).toEqual({ status: 'skipped', reason: 'opted_out' });
    expect(reads).toEqual(['recipient', 'smsOptedOut']);
    expect(d.channels.sms.sent).toHaveLength(0);
    await table.store.setSmsOptOut('+8613600136000', false, clock.now(), 'sms:START');
  });

  it('is named by the order journeys that plan a message for a customer with a phone number', () => {
    const task = sendMessageTask({ shopId: shop.shopId, customerId: 'c1', kind: 'order_shipped', messageKey: 'shipped:8', dueAt: clock.now(), phone: '+8613800138000' });
    expect(task.payload).toMatchObject({ phoneDigest: phoneDigest('+8613800138000') });
    expect(JSON.stringify(task)).not.toContain('13800138000');
  });
});

describe('messages as tasks, through the dispatcher', () => {
  it('defers a message due at night to 09:00 local, never sends it in quiet hours, and sends it once', async () => {
    await customer('c-night');
    const d = deps();
    clock.set('2026-11-23T14:10:00.000Z'); // 22:10 in Shanghai
    await tasks.schedule(sendMessageTask({ shopId: shop.shopId, customerId: 'c-night', kind: 'order_shipped', messageKey: 'shipped:night', dueAt: clock.now() }), clock.now());
    await tasks.advanceWatermark(bucketOf(clock.now())); // the dispatcher ran every minute until now
    const run = dispatcherFor({ tasks, handlers: { send_message: sendMessageHandler(d) }, clock }, { maxBuckets: 500 });
    await run();
    expect(d.channels.sms.sent).toHaveLength(0);
    expect(await tasks.get(shop.shopId, 'msg:shipped:night')).toMatchObject({ status: 'pending', dueAt: '2026-11-24T01:00:00.000Z', note: 'deferred: quiet_hours' });
    clock.set('2026-11-24T01:00:00.000Z');
    await run();
    expect(d.channels.sms.sent).toHaveLength(1);
    expect((await messages.getMessage(shop.shopId, 'c-night', 'shipped:night'))?.localTime).toBe('2026-11-24 09:00 Asia/Shanghai');
  });

  it('lets the higher-priority message take the one budget slot; the other moves to the next free slot', async () => {
    await customer('c-budget');
    const d = deps();
    clock.set('2026-11-25T04:00:00.000Z');
    await tasks.schedule(sendMessageTask({ shopId: shop.shopId, customerId: 'c-budget', kind: 'review_request', messageKey: 'review:1', dueAt: clock.now() }), clock.now());
    await tasks.schedule(sendMessageTask({ shopId: shop.shopId, customerId: 'c-budget', kind: 'delivery_care', messageKey: 'care:1', dueAt: clock.now() }), clock.now());
    await tasks.advanceWatermark(bucketOf(clock.now())); // the dispatcher ran every minute until now
    await dispatcherFor({ tasks, handlers: { send_message: sendMessageHandler(d) }, clock }, { maxBuckets: 500 })();
    expect(d.channels.sms.sent.map((m) => m.kind)).toEqual(['delivery_care']);
    expect(await tasks.get(shop.shopId, 'msg:review:1')).toMatchObject({ status: 'pending', dueAt: '2026-11-26T04:00:00.000Z', note: 'deferred: contact_budget' });
    expect(await messages.getMessage(shop.shopId, 'c-budget', 'review:1')).toMatchObject({ status: 'deferred', reason: 'contact_budget' });
  });

  it("starts the journey check's read while the task is claimed, and reads again when that early read failed", async () => {
    await customer('c-early');
    const d = deps();
    clock.set('2026-11-26T04:00:00.000Z');
    const seen: { early: string | undefined }[] = [];
    let reads = 0;
    const prepare: MessagePreparer = async ({ guard }, _context, early) => {
      const order = await (early ? (early as Promise<string>).catch(() => `read again ${guard.orderId}`) : Promise.resolve('no early read'));
      seen.push({ early: order });
      return { vars: { order_number: order } };
    };
    prepare.prefetch = ({ orderId }) => (++reads === 1 ? Promise.reject(new Error('throttled')) : Promise.resolve(`early ${orderId}`));
    for (const orderId of ['o-a', 'o-b']) {
      await tasks.schedule(sendMessageTask({ shopId: shop.shopId, customerId: 'c-early', kind: 'order_shipped', messageKey: `shipped:${orderId}`, dueAt: clock.now(), journey: { orderId } }), clock.now());
    }
    await tasks.advanceWatermark(bucketOf(clock.now()));
    await dispatcherFor({ tasks, handlers: { send_message: sendMessageHandler(d, { prepare }) }, clock }, { maxBuckets: 500, concurrency: 1 })();
    expect(reads).toBe(2);
    // One task's early read failed and was made again; the other's was used.
    const results = seen.map((s) => s.early!.split(' '));
    expect(results.map((r) => r.slice(0, -1).join(' ')).sort()).toEqual(['early', 'read again']);
    expect(results.map((r) => r.at(-1)).sort()).toEqual(['o-a', 'o-b']);
    expect(d.channels.sms.sent.filter((m) => m.customerId === 'c-early')).toHaveLength(2);
  });

  it('sends at most once when the process dies between sending and completing the task', async () => {
    await customer('c-crash');
    const d = deps();
    clock.set('2026-11-27T04:00:00.000Z');
    await tasks.schedule(sendMessageTask({ shopId: shop.shopId, customerId: 'c-crash', kind: 'order_shipped', messageKey: 'shipped:crash', dueAt: clock.now() }), clock.now());
    await tasks.advanceWatermark(bucketOf(clock.now())); // the dispatcher ran every minute until now
    const run = dispatcherFor({ tasks, handlers: { send_message: sendMessageHandler(d) }, clock }, { maxBuckets: 500 });
    const crashOn = (task: { taskKey: string }) => {
      if (task.taskKey === 'msg:shipped:crash') throw new Error('died after sending');
    };
    const toThisCustomer = () => d.channels.sms.sent.filter((m) => m.customerId === 'c-crash');
    await expect(run({ crashPoints: { afterRun: crashOn } })).rejects.toThrow();
    expect(toThisCustomer()).toHaveLength(1);
    clock.advance(5 * 60_000); // the task's lease has expired: another run takes it
    await run();
    expect(toThisCustomer()).toHaveLength(1); // the ledger said it was sent
    expect(await tasks.get(shop.shopId, 'msg:shipped:crash')).toMatchObject({ status: 'done', note: 'not sent: duplicate' });
  });

  it('schedules a message’s follow-up once it is done, with the number it was planned for, but not when its journey stopped it', async () => {
    await customer('c-follow');
    const d = deps();
    clock.set('2026-11-28T04:00:00.000Z');
    const paid = new Set<string>();
    const prepare: MessagePreparer = async ({ guard }) => (paid.has(guard.orderId!) ? { skip: 'order_paid' } : { vars: {} });
    const then = (orderId: string) => ({ kind: 'payment_last_chance' as const, messageKey: `payment-reminder:${orderId}:last`, dueAt: new Date('2026-11-28T10:00:00.000Z'), firstDueAt: new Date('2026-11-28T09:00:00.000Z'), journey: { orderId, stopIf: ['paid'] } });
    for (const orderId of ['o-unpaid', 'o-paid']) {
      await tasks.schedule(
        sendMessageTask({ shopId: shop.shopId, customerId: 'c-follow', kind: 'payment_reminder', messageKey: `payment-reminder:${orderId}:1`, dueAt: clock.now(), phone: '+8613800138000', journey: { orderId, stopIf: ['paid'] }, then: then(orderId) }),
        clock.now(),
      );
    }
    paid.add('o-paid');
    await tasks.advanceWatermark(bucketOf(clock.now()));
    await dispatcherFor({ tasks, handlers: { send_message: sendMessageHandler(d, { prepare }) }, clock }, { maxBuckets: 500 })();
    expect(await tasks.get(shop.shopId, 'msg:payment-reminder:o-unpaid:last')).toMatchObject({
      status: 'pending',
      dueAt: '2026-11-28T10:00:00.000Z',
      firstDueAt: '2026-11-28T09:00:00.000Z',
      payload: { customerId: 'c-follow', kind: 'payment_last_chance', phoneDigest: phoneDigest('+8613800138000'), journey: { orderId: 'o-unpaid' } },
    });
    expect(await tasks.get(shop.shopId, 'msg:payment-reminder:o-paid:1')).toMatchObject({ status: 'done', note: 'not sent: order_paid' });
    expect(await tasks.get(shop.shopId, 'msg:payment-reminder:o-paid:last')).toBeUndefined();
  });

  it('leaves out a follow-up that would come within 2 h of the message it follows (both held to the same morning)', async () => {
    await customer('c-close');
    const d = deps();
    clock.set('2026-11-29T01:00:00.000Z'); // 09:00 in Shanghai: the first reminder, held since the evening
    const soon = { kind: 'payment_last_chance' as const, messageKey: 'payment-reminder:o-close:last', dueAt: new Date('2026-11-29T02:30:00.000Z') };
    await tasks.schedule(
      sendMessageTask({ shopId: shop.shopId, customerId: 'c-close', kind: 'payment_reminder', messageKey: 'payment-reminder:o-close:1', dueAt: clock.now(), firstDueAt: new Date('2026-11-28T13:00:00.000Z'), then: soon }),
      clock.now(),
    );
    await tasks.advanceWatermark(bucketOf(clock.now()));
    await dispatcherFor({ tasks, handlers: { send_message: sendMessageHandler(d) }, clock }, { maxBuckets: 500 })();
    expect(d.channels.sms.sent.map((m) => m.kind)).toEqual(['payment_reminder']);
    expect(await tasks.get(shop.shopId, 'msg:payment-reminder:o-close:1')).toMatchObject({ status: 'done', note: 'sent by sms; payment_last_chance left out: it would follow within 2 h' });
    expect(await tasks.get(shop.shopId, 'msg:payment-reminder:o-close:last')).toBeUndefined();
  });
});
