import middy from '@middy/core';
import type { DynamoDBBatchResponse, DynamoDBStreamEvent } from 'aws-lambda';
import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import { domainEventsForChange } from '../../shared/orders/order-changes.ts';
import { getRuntime, logger } from '../runtime.ts';

/**
 * Publishes domain events (order.created, order.paid, shipment.delivered, …) from the table's
 * stream. A record whose events EventBridge does not fully accept is reported as failed, so
 * Lambda retries from it: no event is dropped because a PutEvents entry failed.
 */
async function publishOrderChanges(event: DynamoDBStreamEvent): Promise<DynamoDBBatchResponse> {
  const { publisher } = getRuntime();
  for (const record of event.Records) {
    const change = record.dynamodb;
    if (!change?.Keys) continue;
    try {
      const events = domainEventsForChange({
        keys: change.Keys as Record<string, AttributeValue>,
        ...(change.OldImage ? { oldImage: change.OldImage as Record<string, AttributeValue> } : {}),
        ...(change.NewImage ? { newImage: change.NewImage as Record<string, AttributeValue> } : {}),
      });
      if (events.length) await publisher.publish(events);
    } catch (error) {
      logger.error('order change not published', { error: error as Error, sequenceNumber: change.SequenceNumber });
      // Everything from this record on is retried; earlier records are done.
      return { batchItemFailures: [{ itemIdentifier: change.SequenceNumber ?? '' }] };
    }
  }
  return { batchItemFailures: [] };
}

export const handler = middy<DynamoDBStreamEvent, DynamoDBBatchResponse>().handler(publishOrderChanges);
