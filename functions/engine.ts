import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import type { Channel, ChannelName } from '../shared/channels/channel.ts';
import { outboxChannel } from '../shared/channels/outbox.ts';
import { snsEmailChannel } from '../shared/channels/sns-email.ts';
import { snsSmsChannel } from '../shared/channels/sns-sms.ts';
import type { PipelineDeps } from '../shared/messages/send-pipeline.ts';
import { SEND_MESSAGE_TASK, sendMessageHandler } from '../shared/messages/send-task.ts';
import { shopCache } from '../shared/shops/shop-cache.ts';
import { MessageStore } from '../shared/store/message-store.ts';
import { TaskStore } from '../shared/store/task-store.ts';
import type { TaskHandler } from '../shared/tasks/dispatcher.ts';
import type { Task } from '../shared/tasks/task.ts';
import { journeyPreparer, journeyTaskHandlers, type JourneyDeps, rememberCheckIn } from '../shared/journeys/journey-runtime.ts';
import { JourneyStore } from '../shared/store/journey-store.ts';
import type { ProductRule } from '../shared/journeys/products.ts';
import type { PayHistogram } from '../shared/journeys/pay-latency.ts';
import { countMessage, getMetrics } from './metrics.ts';
import type { Runtime } from './runtime.ts';

/** The timer engine and send pipeline, wired to a runtime's clients (made once per container). */
export interface Engine {
  tasks: TaskStore;
  messages: MessageStore;
  channels: Record<ChannelName, Channel>;
  pipeline: PipelineDeps;
  handlers: Record<string, TaskHandler>;
  /** What the journeys need (the order stream plans with it, the dispatcher runs its tasks). */
  journeys: JourneyDeps & {
    /** The shop's product care rules, read at most every 60 s per container. */
    products: (shopId: string) => Promise<ReadonlyMap<string, ProductRule>>;
    /** The shop's time-to-pay histogram, read at most every 60 s per container. */
    payHistogram: (shopId: string) => Promise<PayHistogram>;
  };
  /** Tells ops about a task that died. */
  onDead: (task: Task, error: string) => Promise<void>;
}

const engines = new WeakMap<Runtime, Engine>();

export function engineFor(runtime: Runtime, overrides: Partial<Pick<Engine, 'channels'>> & { dueShards?: number } = {}): Engine {
  const known = engines.get(runtime);
  if (known && !overrides.channels) return known;
  const { config, store, clock, logger } = runtime;
  const storeOptions = store.siblingOptions;
  const tasks = new TaskStore({ ...storeOptions, ...(overrides.dueShards ? { dueShards: overrides.dueShards } : {}) });
  const messages = new MessageStore(storeOptions);
  const sns = config.CARELINE_CHANNEL === 'sns' ? new SNSClient({ region: config.AWS_REGION }) : undefined;
  const channels =
    overrides.channels ??
    (sns
      ? {
          sms: snsSmsChannel({ client: sns, ...(config.CARELINE_SMS_SENDER_ID ? { senderId: config.CARELINE_SMS_SENDER_ID } : {}) }),
          // Without an email topic (a function that never sends, or a deployment without email) email fails for good.
          email: config.CARELINE_EMAIL_TOPIC_ARN ? snsEmailChannel({ client: sns, topicArn: config.CARELINE_EMAIL_TOPIC_ARN }) : noEmail,
        }
      : sharedOutbox(runtime));
  const secret = config.CARELINE_UNSUBSCRIBE_SECRETS?.split(',')[0];
  const journeyStore = new JourneyStore(storeOptions);
  const pipeline: PipelineDeps = {
    count: (shopId, at, counters) => journeyStore.addCounters(shopId, counters, at),
    store,
    messages,
    channels,
    clock,
    loadShop: shopCache((shopId) => store.getShop(shopId), clock),
    templateOverrides: cachedFor(30_000, clock, (shopId) => store.listTemplates(shopId)),
    ...(config.CARELINE_PUBLIC_URL && secret ? { unsubscribe: { baseUrl: config.CARELINE_PUBLIC_URL, secret } } : {}),
  };
  const alertOps = async (subject: string, text: string) => {
    logger.warn('ops alert', { subject });
    if (sns && config.CARELINE_OPS_TOPIC_ARN) {
      await sns.send(new PublishCommand({ TopicArn: config.CARELINE_OPS_TOPIC_ARN, Subject: subject.slice(0, 100), Message: text }));
    }
  };
  const onDead = async (task: Task, error: string) => {
    logger.error('task dead', { shopId: task.shopId, taskKey: task.taskKey, kind: task.kind, error });
    await alertOps(
      `Careline: task ${task.kind} dead for shop ${task.shopId}`,
      `Task ${task.taskKey} of shop ${task.shopId} failed ${task.attempts + 1} times and will not be retried.\nLast error: ${error}\nRetry it with: careline --aws tasks retry ${task.shopId} ${task.taskKey}`,
    );
  };

  const journeys: Engine['journeys'] = {
    store,
    journeys: journeyStore,
    tasks,
    messages,
    publisher: runtime.publisher,
    clock,
    loadShop: pipeline.loadShop,
    alertOps,
    products: cachedFor(60_000, clock, async (shopId) => new Map((await journeyStore.listProducts(shopId)).map((rule) => [rule.sku, rule]))),
    payHistogram: cachedFor(60_000, clock, (shopId) => journeyStore.getPayHistogram(shopId)),
  };
  const handlers: Record<string, TaskHandler> = {
    ...journeyTaskHandlers(journeys),
    [SEND_MESSAGE_TASK]: sendMessageHandler(pipeline, {
      prepare: journeyPreparer(journeys),
      after: async (task, kind, result) => {
        countMessage(getMetrics(), { kind, ...result });
        // A check-in that went out by SMS waits for its 1–5 reply from that number.
        if (kind === 'check_in' && result.status === 'sent' && result.channel === 'sms') await rememberCheckIn(journeys, task);
      },
    }),
  };
  const engine: Engine = { tasks, messages, channels, pipeline, handlers, journeys, onDead };
  engines.set(runtime, engine);
  return engine;
}

/** Reads per shop at most once per `ttlMs` (templates change rarely; every send needs them). */
function cachedFor<T>(ttlMs: number, clock: { now(): Date }, load: (shopId: string) => Promise<T>) {
  const cache = new Map<string, { value: T; until: number }>();
  return async (shopId: string): Promise<T> => {
    const now = clock.now().getTime();
    const hit = cache.get(shopId);
    if (hit && hit.until > now) return hit.value;
    const value = await load(shopId);
    cache.set(shopId, { value, until: now + ttlMs });
    return value;
  };
}

function sharedOutbox(runtime: Runtime): Record<ChannelName, Channel> {
  const outbox = outboxChannel({ clock: runtime.clock, ...(runtime.config.CARELINE_OUTBOX_FILE ? { file: runtime.config.CARELINE_OUTBOX_FILE } : {}) });
  return { sms: outbox, email: outbox };
}

const noEmail: Channel = { name: 'email', send: async () => ({ status: 'failed', permanent: true, reason: 'email_not_configured' }) };
