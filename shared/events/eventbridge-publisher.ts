import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import type { DomainEvent } from '../orders/order-effects.ts';
import { type EventPublisher, PublishError } from './publisher.ts';

export const EVENT_SOURCE = 'careline';
const MAX_ENTRIES_PER_CALL = 10;

/**
 * Publishes domain events to the shop's EventBridge bus. PutEvents can accept some entries
 * and refuse others in one successful call: a refused entry is an error here, never ignored.
 */
export function eventBridgePublisher(options: { client: EventBridgeClient; busName: string }): EventPublisher {
  return {
    async publish(events: DomainEvent[]) {
      for (let start = 0; start < events.length; start += MAX_ENTRIES_PER_CALL) {
        const batch = events.slice(start, start + MAX_ENTRIES_PER_CALL);
        const result = await options.client.send(
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

/** The deployment's bus publisher when CARELINE_BUS names one (what the publishing functions use). */
export function busPublisherFor(config: { CARELINE_BUS?: string | undefined; AWS_REGION: string }): EventPublisher | undefined {
  return config.CARELINE_BUS ? eventBridgePublisher({ client: new EventBridgeClient({ region: config.AWS_REGION }), busName: config.CARELINE_BUS }) : undefined;
}
