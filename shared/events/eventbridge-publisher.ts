import type { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { type ClientSource, clientOf, lazyClient } from '../aws/lazy-client.ts';
import type { DomainEvent } from '../orders/order-effects.ts';
import { type EventPublisher, PublishError } from './publisher.ts';

export const EVENT_SOURCE = 'careline';
const MAX_ENTRIES_PER_CALL = 10;

/**
 * Publishes domain events to the shop's EventBridge bus. PutEvents can accept some entries
 * and refuse others in one successful call: a refused entry is an error here, never ignored.
 */
export function eventBridgePublisher(options: { client: ClientSource<EventBridgeClient>; busName: string }): EventPublisher {
  return {
    async publish(events: DomainEvent[]) {
      if (!events.length) return;
      const [client, { PutEventsCommand }] = await Promise.all([clientOf(options.client), import('@aws-sdk/client-eventbridge')]);
      for (let start = 0; start < events.length; start += MAX_ENTRIES_PER_CALL) {
        const batch = events.slice(start, start + MAX_ENTRIES_PER_CALL);
        const result = await client.send(
          new PutEventsCommand({
            Entries: batch.map((event) => ({
              EventBusName: options.busName,
              Source: EVENT_SOURCE,
              DetailType: event.type,
              Time: new Date(event.at),
              Detail: JSON.stringify(event),
            })),
          }),
        );
        if (result.FailedEntryCount) {
          const codes = (result.Entries ?? []).flatMap((entry) => (entry.ErrorCode ? [entry.ErrorCode] : []));
          throw new PublishError(`EventBridge refused ${result.FailedEntryCount} of ${batch.length} events: ${[...new Set(codes)].join(', ')}`);
        }
      }
    },
  };
}

/**
 * The deployment's bus publisher when CARELINE_BUS names one (what the publishing functions use).
 * Its client, and the EventBridge SDK, are loaded when the first events are published.
 */
export function busPublisherFor(config: { CARELINE_BUS?: string | undefined; AWS_REGION: string }): EventPublisher | undefined {
  if (!config.CARELINE_BUS) return undefined;
  const client = lazyClient(async () => new (await import('@aws-sdk/client-eventbridge')).EventBridgeClient({ region: config.AWS_REGION }));
  return eventBridgePublisher({ client, busName: config.CARELINE_BUS });
}
