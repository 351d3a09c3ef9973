import type { Logger } from '@aws-lambda-powertools/logger';
import { type Clock, systemClock } from '../shared/clock.ts';
import { type CarelineConfig, type CarelineConfigInput, loadConfig } from '../shared/config.ts';
import type { EventPublisher } from '../shared/events/publisher.ts';
import { CarelineStore } from '../shared/store/careline-store.ts';
import { createDocumentClient } from '../shared/store/dynamo-client.ts';
import { logger } from './logger.ts';

export { logger };

/** What every handler needs, created on first use (never at import) and kept for the container's life. */
export interface Runtime {
  config: CarelineConfig;
  store: CarelineStore;
  publisher: EventPublisher;
  clock: Clock;
  logger: Logger;
}


let runtime: Runtime | undefined;

/**
 * The container's runtime. Functions that publish domain events (the order stream, the
 * dispatcher) say how to make their publisher; the others log what they would publish, and
 * bundle no EventBridge code.
 */
export function getRuntime(publisherFor?: (config: CarelineConfig) => EventPublisher | undefined): Runtime {
  if (!runtime) {
    const config = loadConfig();
    const publisher = publisherFor?.(config);
    runtime = createRuntime(config, publisher ? { publisher } : {});
  }
  return runtime;
}

/** Replaces the runtime (the local server and tests inject theirs). */
export function setRuntime(next: Runtime | undefined): void {
  runtime = next;
}

export function createRuntime(input: CarelineConfigInput, overrides: Partial<Runtime> = {}): Runtime {
  const config = loadConfig(input as NodeJS.ProcessEnv);
  const store =
    overrides.store ??
    new CarelineStore({
      client: createDocumentClient({ region: config.AWS_REGION, ...(config.DYNAMODB_ENDPOINT ? { endpoint: config.DYNAMODB_ENDPOINT } : {}) }),
      tableName: config.CARELINE_TABLE,
    });
  const publisher = overrides.publisher ?? loggingPublisher(overrides.logger ?? logger);
  return { config, store, publisher, clock: overrides.clock ?? systemClock, logger: overrides.logger ?? logger };
}

function loggingPublisher(log: Logger): EventPublisher {
  return {
    publish: async (events) => {
      for (const event of events) log.info('domain event', { type: event.type, eventId: event.eventId, orderId: event.orderId });
    },
  };
}
