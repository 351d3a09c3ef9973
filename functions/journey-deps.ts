import type { SNSClient } from '@aws-sdk/client-sns';
import { lazyClient } from '../shared/aws/lazy-client.ts';
import { snsPublish } from '../shared/channels/sns-publish.ts';
import type { JourneyDeps } from '../shared/journeys/journey-runtime.ts';
import type { PayHistogram } from '../shared/journeys/pay-latency.ts';
import type { ProductRule } from '../shared/journeys/products.ts';
import { cachedFor, realTimeMs, shopCache } from '../shared/shops/shop-cache.ts';
import { JourneyStore } from '../shared/store/journey-store.ts';
import { MessageStore } from '../shared/store/message-store.ts';
import { TaskStore } from '../shared/store/task-store.ts';
import type { Runtime } from './runtime.ts';

/**
 * What the journeys need: the order stream plans with it, the dispatcher runs their tasks.
 * Apart from the send pipeline, so the order-stream function loads no template engine.
 */
export type Journeys = JourneyDeps & {
  /** The shop's product care rules, read at most every 60 s per container. */
  products: (shopId: string) => Promise<ReadonlyMap<string, ProductRule>>;
  /** The shop's time-to-pay histogram, read at most every 60 s per container. */
  payHistogram: (shopId: string) => Promise<PayHistogram>;
  /** The SNS client, in a deployment that sends through SNS: made (and its SDK loaded) on the first publish. */
  sns: (() => Promise<SNSClient>) | undefined;
};

const made = new WeakMap<Runtime, Journeys>();

/** One per runtime: the order stream and the dispatcher of one process share its stores. */
export function journeysFor(runtime: Runtime, options: { dueShards?: number } = {}): Journeys {
  const known = made.get(runtime);
  if (known) return known;
  const { config, store, clock, logger } = runtime;
  const storeOptions = store.siblingOptions;
  const journeyStore = new JourneyStore(storeOptions);
  const sns =
    config.CARELINE_CHANNEL === 'sns' ? lazyClient(async () => new (await import('@aws-sdk/client-sns')).SNSClient({ region: config.AWS_REGION })) : undefined;
  const journeys: Journeys = {
    store,
    journeys: journeyStore,
    tasks: new TaskStore({ ...storeOptions, ...(options.dueShards ? { dueShards: options.dueShards } : {}) }),
    messages: new MessageStore(storeOptions),
    publisher: runtime.publisher,
    clock,
    loadShop: shopCache((shopId) => store.getShop(shopId)),
    alertOps: async (subject, text) => {
      logger.warn('ops alert', { subject });
      if (sns && config.CARELINE_OPS_TOPIC_ARN) {
        await snsPublish(sns, { TopicArn: config.CARELINE_OPS_TOPIC_ARN, Subject: subject.slice(0, 100), Message: text });
      }
    },
    products: cachedFor(60_000, realTimeMs, async (shopId) => new Map((await journeyStore.listProducts(shopId)).map((rule) => [rule.sku, rule]))),
    // The histogram changes with every payment: its copy ages with the domain clock.
    payHistogram: cachedFor(60_000, () => clock.now().getTime(), (shopId) => journeyStore.getPayHistogram(shopId)),
    sns,
  };
  made.set(runtime, journeys);
  return journeys;
}
