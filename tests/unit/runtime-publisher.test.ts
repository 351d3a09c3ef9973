import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-vitest/extend';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { getRuntime, setRuntime } from '../../functions/runtime.ts';
import { busPublisherFor } from '../../shared/events/eventbridge-publisher.ts';
import type { DomainEvent } from '../../shared/orders/order-effects.ts';

const eventBridge = mockClient(EventBridgeClient);
const event = { eventId: 'tea-house#1001#paid', type: 'order.paid', shopId: 'tea-house', orderId: '1001', occurredAt: '2026-11-23T04:00:00.000Z', detail: {} } as unknown as DomainEvent;
const saved = { ...process.env };

beforeEach(() => {
  eventBridge.reset();
  eventBridge.on(PutEventsCommand).resolves({ FailedEntryCount: 0, Entries: [{ EventId: 'e-1' }] });
  process.env.CARELINE_TABLE = 'careline-test';
  process.env.CARELINE_BUS = 'careline-bus';
  process.env.AWS_REGION = 'us-east-1';
  setRuntime(undefined);
});

afterEach(() => {
  process.env = { ...saved };
  setRuntime(undefined);
});

describe('the runtime publisher', () => {
  it('puts events on the deployment bus in a function that says it publishes', async () => {
    await getRuntime(busPublisherFor).publisher.publish([event]);
    expect(eventBridge).toHaveReceivedCommandTimes(PutEventsCommand, 1);
    expect(eventBridge.commandCalls(PutEventsCommand)[0]!.args[0].input.Entries?.[0]).toMatchObject({ EventBusName: 'careline-bus', DetailType: 'order.paid' });
  });

  it('only logs in a function that does not publish, and without a bus', async () => {
    await getRuntime().publisher.publish([event]);
    setRuntime(undefined);
    delete process.env.CARELINE_BUS;
    await getRuntime(busPublisherFor).publisher.publish([event]);
    expect(eventBridge).toHaveReceivedCommandTimes(PutEventsCommand, 0);
  });
});
