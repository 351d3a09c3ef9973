import type { Channel, ChannelName } from '../shared/channels/channel.ts';
import { outboxChannel } from '../shared/channels/outbox.ts';
import { snsEmailChannel } from '../shared/channels/sns-email.ts';
import { snsSmsChannel } from '../shared/channels/sns-sms.ts';
import type { PipelineDeps } from '../shared/messages/send-pipeline.ts';
import { SEND_MESSAGE_TASK } from '../shared/messages/message-task.ts';
import { sendMessageHandler } from '../shared/messages/send-task.ts';
import type { MessageStore } from '../shared/store/message-store.ts';
import type { TaskStore } from '../shared/store/task-store.ts';
import { cachedFor, realTimeMs } from '../shared/shops/shop-cache.ts';
import type { Clock } from '../shared/clock.ts';
import { withCounterBuffer } from '../shared/store/counter-buffer.ts';
import { type DispatchOptions, type DispatchReport, runDispatcher, type TaskHandler } from '../shared/tasks/dispatcher.ts';
import type { Task } from '../shared/tasks/task.ts';
import { journeyPreparer, journeyTaskHandlers, rememberCheckIn } from '../shared/journeys/journey-runtime.ts';
import { type Journeys, journeysFor } from './journey-deps.ts';
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
  journeys: Journeys;
  /** Tells ops about a task that died. */
  onDead: (task: Task, error: string) => Promise<void>;
  /**
   * One dispatcher run over this engine's tasks and handlers. The messages' counters are added
   * up during the run and written at its end, one write per shop and day.
   */
  dispatch: (clock: Clock, elapsedMs: () => number, options: DispatchOptions) => Promise<DispatchReport>;
}

const engines = new WeakMap<Runtime, Engine>();

export function engineFor(runtime: Runtime, overrides: Partial<Pick<Engine, 'channels'>> & { dueShards?: number } = {}): Engine {
  const known = engines.get(runtime);
  if (known && !overrides.channels) return known;
  const { config, store, clock, logger } = runtime;
  const journeys = journeysFor(runtime, overrides.dueShards ? { dueShards: overrides.dueShards } : {});
  const { tasks, messages, sns } = journeys;
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
  const writeCounters = (shopId: string, counters: Record<string, number>, at: Date) => journeys.journeys.writeCounters(shopId, counters, at);
  const pipeline: PipelineDeps = {
    count: (shopId, at, counters) => journeys.journeys.addCounters(shopId, counters, at),
    onBookkeepingError: (error, what) => logger.error('message outcome recorded, but its counters were not written', { ...what, error }),
    store,
    messages,
    channels,
    clock,
    loadShop: journeys.loadShop,
    templateOverrides: cachedFor(30_000, realTimeMs, (shopId) => store.listTemplates(shopId)),
    ...(config.CARELINE_PUBLIC_URL && secret ? { unsubscribe: { baseUrl: config.CARELINE_PUBLIC_URL, secret } } : {}),
  };
  const onDead = async (task: Task, error: string) => {
    logger.error('task dead', { shopId: task.shopId, taskKey: task.taskKey, kind: task.kind, error });
    await journeys.alertOps(
      `Careline: task ${task.kind} dead for shop ${task.shopId}`,
      `Task ${task.taskKey} of shop ${task.shopId} failed ${task.attempts + 1} times and will not be retried.\nLast error: ${error}\nRetry it with: careline --aws tasks retry ${task.shopId} ${task.taskKey}`,
    );
  };

  const handlers: Record<string, TaskHandler> = {
    ...journeyTaskHandlers(journeys),
    [SEND_MESSAGE_TASK]: sendMessageHandler(pipeline, {
      prepare: journeyPreparer(journeys),
      after: async (task, kind, result) => {
        countMessage(getMetrics(), { kind, ...result });
        // A check-in that went out by SMS waits for its 1–5 reply from that number.
        // (Not retried by failing the task: the retry would find the check-in sent and record a duplicate.)
        if (kind === 'check_in' && result.status === 'sent' && result.channel === 'sms') {
          await rememberCheckIn(journeys, task).catch((error: unknown) => logger.error('check-in sent, but not remembered: its reply will not be matched', { shopId: task.shopId, taskKey: task.taskKey, error }));
        }
      },
    }),
  };
  const dispatch: Engine['dispatch'] = (runClock, elapsedMs, options) =>
    withCounterBuffer(
      writeCounters,
      () => runDispatcher({ tasks, handlers, clock: runClock, elapsedMs, onDead }, options),
      (error) => logger.error("a dispatcher run's message counters were not written", { error }),
    );
  const engine: Engine = { tasks, messages, channels, pipeline, handlers, journeys, onDead, dispatch };
  engines.set(runtime, engine);
  return engine;
}

function sharedOutbox(runtime: Runtime): Record<ChannelName, Channel> {
  const outbox = outboxChannel({ clock: runtime.clock, ...(runtime.config.CARELINE_OUTBOX_FILE ? { file: runtime.config.CARELINE_OUTBOX_FILE } : {}) });
  return { sms: outbox, email: outbox };
}

const noEmail: Channel = { name: 'email', send: async () => ({ status: 'failed', permanent: true, reason: 'email_not_configured' }) };
