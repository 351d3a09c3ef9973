import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-vitest/extend';
import type { Context } from 'aws-lambda';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { handler as orderStreamHandler } from '../../functions/order-stream/handler.ts';
import { createRuntime, setRuntime } from '../../functions/runtime.ts';
import { startStreamPoller } from '../../local/stream-poller.ts';
import { manualClock } from '../../shared/clock.ts';
import { eventBridgePublisher } from '../../shared/events/eventbridge-publisher.ts';
import { keys } from '../../shared/store/keys.ts';
import { createTestTable } from '../support/dynamo.ts';
import { testShop } from '../support/shops.ts';
import { shopifyLifecycle } from '../support/shopify-lifecycle.ts';
import { shopifyCall, webhookInvoker } from '../support/webhooks.ts';

const eventBridge = mockClient(EventBridgeClient);
const clock = manualClock('2026-11-23T00:00:00.000Z');
const shop = testShop();
const secret = shop.secrets[0]!.value;
const steps = shopifyLifecycle({ orderId: '5678901234567890123', customerId: '7012345678901234567', placedAt: new Date('2026-11-20T02:10:00Z') });

let table: Awaited<ReturnType<typeof createTestTable>>;
let poller: Awaited<ReturnType<typeof startStreamPoller>>;
let invoke: ReturnType<typeof webhookInvoker>;
let streamResponses: unknown[];

beforeAll(async () => {
  table = await createTestTable('events');
  await table.store.createShop(shop);
  invoke = webhookInvoker({ store: table.store, clock });
  const runtime = createRuntime(
    { CARELINE_TABLE: table.tableName, CARELINE_BUS: 'careline-test', AWS_REGION: 'us-east-1' },
    { store: table.store, clock, publisher: eventBridgePublisher({ client: new EventBridgeClient({ region: 'us-east-1' }), busName: 'careline-test' }) },
  );
  poller = await startStreamPoller({
    endpoint: table.endpoint,
    tableName: table.tableName,
    intervalMs: 0,
    handler: async (event) => {
      setRuntime(runtime);
      const response = await orderStreamHandler(event, {} as Context);
      streamResponses.push(response);
      return response;
    },
  });
});

afterAll(async () => {
  await poller.stop();
  eventBridge.restore();
});

beforeEach(() => {
  eventBridge.reset();
  streamResponses = [];
});

const publishedTypes = () =>
  eventBridge.commandCalls(PutEventsCommand).flatMap((call) => call.args[0].input.Entries?.map((entry) => entry.DetailType) ?? []);

describe('domain events from the order stream', () => {
  it('publishes each milestone and checkpoint once, to the bus, as order changes land', async () => {
    eventBridge.on(PutEventsCommand).resolves({ FailedEntryCount: 0, Entries: [] });
    for (const step of steps) await invoke(shopifyCall(shop.shopId, step.topic, step.body, secret, step.webhookId));
    // The same deliveries again change nothing, so they publish nothing.
    for (const step of steps) await invoke(shopifyCall(shop.shopId, step.topic, step.body, secret, step.webhookId));
    await poller.pollOnce();

    expect(publishedTypes().sort()).toEqual(
      [
        'order.created',
        'order.paid',
        'order.shipped',
        'shipment.checkpoint',
        'shipment.checkpoint',
        'shipment.checkpoint',
        'shipment.checkpoint',
        'shipment.out_for_delivery',
        'shipment.delivered',
      ].sort(),
    );
    const entry = eventBridge.commandCalls(PutEventsCommand)[0]!.args[0].input.Entries![0]!;
    expect(entry).toMatchObject({ EventBusName: 'careline-test', Source: 'careline', DetailType: 'order.created' });
    expect(JSON.parse(entry.Detail!)).toMatchObject({ shopId: shop.shopId, orderId: '5678901234567890123', customerId: '7012345678901234567' });
    expect(entry.Detail).not.toContain('+8613800138000');
  });

  it('reports a record whose events EventBridge refused as failed, so Lambda retries it', async () => {
    eventBridge.on(PutEventsCommand).resolves({ FailedEntryCount: 1, Entries: [{ ErrorCode: 'InternalFailure', ErrorMessage: 'try again' }] });
    const refund = `{"id":9100000000000000001,"order_id":5678901234567890123,"created_at":"2026-11-24T10:00:00+08:00","refund_line_items":[],"transactions":[{"amount":"10.00","kind":"refund","status":"success"}]}`;
    await invoke(shopifyCall(shop.shopId, 'refunds/create', refund, secret, 'refund-1'));
    await poller.pollOnce();
    expect(streamResponses).toEqual([{ batchItemFailures: [{ itemIdentifier: expect.any(String) }] }]);
    expect(publishedTypes()).toEqual(['order.refund_issued']);
  });

  it("lists a new order under its customer again from the stream, when the webhook's listing was lost", async () => {
    eventBridge.on(PutEventsCommand).resolves({ FailedEntryCount: 0, Entries: [] });
    const [created] = shopifyLifecycle({ orderId: '5678901234567890999', customerId: '7012345678901234999', placedAt: new Date('2026-11-21T02:10:00Z') });
    await invoke(shopifyCall(shop.shopId, created!.topic, created!.body, secret, created!.webhookId));
    const listing = keys.customerOrder(shop.shopId, '7012345678901234999', '5678901234567890999');
    const listed = async () => (await table.allItems()).some((item) => item.pk === listing.pk && item.sk === listing.sk);
    expect(await listed()).toBe(true);
    // As if the webhook's process had died after the order write.
    await table.client.delete({ TableName: table.tableName, Key: listing });
    expect(await listed()).toBe(false);
    await poller.pollOnce();
    expect(await listed()).toBe(true);
  });
});
