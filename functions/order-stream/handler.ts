import middy from '@middy/core';
import type { DynamoDBBatchResponse, DynamoDBStreamEvent } from 'aws-lambda';
import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import { domainEventsFor } from '../../shared/orders/order-effects.ts';
import { type ItemChange, orderChangeOf } from '../../shared/orders/order-changes.ts';
import { planOrderChange } from '../../shared/journeys/order-planner.ts';
import { applyJourneyCommands } from '../../shared/journeys/journey-runtime.ts';
import { profileView } from '../../shared/profiles/profile.ts';
import { journeysFor } from '../journey-deps.ts';
import { busPublisherFor } from '../../shared/events/eventbridge-publisher.ts';
import { getRuntime, logger, type Runtime } from '../runtime.ts';
import { withCounterBuffer } from '../../shared/store/counter-buffer.ts';

/**
 * Reacts to order changes on the table's stream: publishes domain events (order.created,
 * order.paid, shipment.delivered, …) and runs the order journeys, which schedule, move and
 * cancel tasks. Running them here rather than in the webhook keeps ingestion's write cost.
 * A record that fails (an event EventBridge did not accept, a write that failed) is reported,
 * so Lambda retries from it; every effect is idempotent, so a retried record is harmless.
 */
async function handleOrderChanges(event: DynamoDBStreamEvent): Promise<DynamoDBBatchResponse> {
  const runtime = getRuntime(busPublisherFor);
  const { journeys } = journeysFor(runtime);
  // The batch's counters (orders placed, shipped, delivered, …) are added up and written once per shop and day at its end.
  return withCounterBuffer(
    (shopId, counters, at) => journeys.writeCounters(shopId, counters, at),
    () => handleRecords(event, runtime),
    (error) => logger.error("an order-stream batch's counters were not written", { error }),
  );
}

async function handleRecords(event: DynamoDBStreamEvent, runtime: Runtime): Promise<DynamoDBBatchResponse> {
  for (const record of event.Records) {
    const change = record.dynamodb;
    if (!change?.Keys) continue;
    try {
      await handleChange(
        {
          keys: change.Keys as Record<string, AttributeValue>,
          ...(change.OldImage ? { oldImage: change.OldImage as Record<string, AttributeValue> } : {}),
          ...(change.NewImage ? { newImage: change.NewImage as Record<string, AttributeValue> } : {}),
        },
        runtime,
      );
    } catch (error) {
      logger.error('order change not handled', { error: error as Error, sequenceNumber: change.SequenceNumber });
      // Everything from this record on is retried; earlier records are done.
      return { batchItemFailures: [{ itemIdentifier: change.SequenceNumber ?? '' }] };
    }
  }
  return { batchItemFailures: [] };
}

async function handleChange(change: ItemChange, runtime: Runtime): Promise<void> {
  const order = orderChangeOf(change);
  if (!order) return;
  const { after } = order;
  const events = domainEventsFor(after.shopId, after, order.transitions);
  if (events.length) await runtime.publisher.publish(events);
  if (order.transitions.length === 0) return;

  const journeys = journeysFor(runtime);
  const shop = await journeys.loadShop(after.shopId);
  if (!shop) return;
  const attached = order.transitions.find((t) => t.kind === 'customer_attached');
  const [profileItem, products, payHistogram] = await Promise.all([
    after.customerId ? runtime.store.getProfile(after.shopId, after.customerId) : undefined,
    journeys.products(after.shopId),
    order.transitions.some((t) => t.kind === 'milestone' && t.milestone === 'created') ? journeys.payHistogram(after.shopId) : undefined,
    // The webhook lists the order under its customer at once; written again here, where a failed
    // write is retried with the record (the webhook's retry would only find a duplicate delivery).
    attached ? runtime.store.linkCustomerOrder(after.shopId, attached.customerId, after.orderId) : undefined,
  ]);
  const commands = planOrderChange({
    shop,
    before: order.before,
    after,
    transitions: order.transitions,
    profile: profileItem && profileView(profileItem, shop),
    products,
    payHistogram,
    now: runtime.clock.now(),
  });
  await applyJourneyCommands(commands, after, journeys);
}

export const handler = middy<DynamoDBStreamEvent, DynamoDBBatchResponse>().handler(handleOrderChanges);
