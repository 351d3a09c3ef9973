import type { DomainEvent } from '../orders/order-effects.ts';

/** Where domain events go: EventBridge in AWS, a log locally, a list in tests. */
export interface EventPublisher {
  /** Resolves once every event is accepted; rejects if any one was not. */
  publish(events: DomainEvent[]): Promise<void>;
}

export class PublishError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'PublishError';
  }
}

export function collectingPublisher(): EventPublisher & { events: DomainEvent[] } {
  const events: DomainEvent[] = [];
  return { events, publish: async (batch) => void events.push(...batch) };
}
