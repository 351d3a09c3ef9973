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
import type { Runtime } from './runtime.ts';

/** The timer engine and send pipeline, wired to a runtime's clients (made once per container). */
export interface Engine {
  tasks: TaskStore;
  messages: MessageStore;
  channels: Record<ChannelName, Channel>;
  pipeline: PipelineDeps;
  handlers: Record<string, TaskHandler>;
  /** Tells ops about a task that died. */
  onDead: (task: Task, error: string) => Promise<void>;
}

const engines = new WeakMap<Runtime, Engine>();

export function engineFor(runtime: Runtime, overrides: Partial<Pick<Engine, 'channels'>> = {}): Engine {
  const known = engines.get(runtime);
  if (known && !overrides.channels) return known;
  const { config, store, clock, logger } = runtime;
  const storeOptions = { client: store.documentClient, tableName: store.tableName };
  const tasks = new TaskStore(storeOptions);
  const messages = new MessageStore(storeOptions);
  const sns = config.CARELINE_CHANNEL === 'sns' ? new SNSClient({ region: config.AWS_REGION }) : undefined;
  const channels =
    overrides.channels ??
    (sns
      ? {
          sms: snsSmsChannel({ client: sns, ...(config.CARELINE_SMS_SENDER_ID ? { senderId: config.CARELINE_SMS_SENDER_ID } : {}) }),
          email: snsEmailChannel({ client: sns, topicArn: requireSetting(config.CARELINE_EMAIL_TOPIC_ARN, 'CARELINE_EMAIL_TOPIC_ARN') }),
        }
      : sharedOutbox(runtime));
  const secret = config.CARELINE_UNSUBSCRIBE_SECRETS?.split(',')[0];
  const pipeline: PipelineDeps = {
    store,
    messages,
    channels,
    clock,
    loadShop: shopCache((shopId) => store.getShop(shopId), clock),
    templateOverrides: cachedFor(30_000, clock, (shopId) => store.listTemplates(shopId)),
    ...(config.CARELINE_PUBLIC_URL && secret ? { unsubscribe: { baseUrl: config.CARELINE_PUBLIC_URL, secret } } : {}),
  };
  const onDead = async (task: Task, error: string) => {
    logger.error('task dead', { shopId: task.shopId, taskKey: task.taskKey, kind: task.kind, error });
    if (sns && config.CARELINE_OPS_TOPIC_ARN) {
      await sns.send(
        new PublishCommand({
          TopicArn: config.CARELINE_OPS_TOPIC_ARN,
          Subject: `Careline: task ${task.kind} dead for shop ${task.shopId}`.slice(0, 100),
          Message: `Task ${task.taskKey} of shop ${task.shopId} failed ${task.attempts + 1} times and will not be retried.\nLast error: ${error}\nRetry it with: careline --aws tasks retry ${task.shopId} ${task.taskKey}`,
        }),
      );
    }
  };
  const engine: Engine = { tasks, messages, channels, pipeline, handlers: { [SEND_MESSAGE_TASK]: sendMessageHandler(pipeline) }, onDead };
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

function requireSetting(value: string | undefined, name: string): string {
  if (!value) throw new Error(`Careline configuration is missing ${name}`);
  return value;
}
