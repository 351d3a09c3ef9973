import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2, Context } from 'aws-lambda';
import { type Engine, engineFor } from '../functions/engine.ts';
import { handler as orderStreamHandler } from '../functions/order-stream/handler.ts';
import { createRuntime, type Runtime, setRuntime } from '../functions/runtime.ts';
import { handler as webhookHandler, resetWebhookCaches } from '../functions/webhook/handler.ts';
import { outboxChannel, type OutboxEntry } from '../shared/channels/outbox.ts';
import type { ManualClock } from '../shared/clock.ts';
import { collectingPublisher } from '../shared/events/publisher.ts';
import type { DomainEvent } from '../shared/orders/order-effects.ts';
import type { CapacityListener } from '../shared/store/careline-store.ts';
import { WebhookStore } from '../shared/store/webhook-store.ts';
import { createDocumentClient } from '../shared/store/dynamo-client.ts';
import { DEFAULT_DISPATCH, type DispatchReport } from '../shared/tasks/dispatcher.ts';
import { bucketOf, bucketStart } from '../shared/tasks/task.ts';
import { startStreamPoller } from './stream-poller.ts';
import { ensureTable } from './table.ts';

export interface WebhookRequestInput {
  platform: string;
  shopId: string;
  body: string | Buffer;
  headers?: Record<string, string>;
}

export interface WebhookAnswer {
  status: number;
  body: Record<string, unknown>;
}

/**
 * Careline on a virtual clock: the real webhook handler, order-stream handler, dispatcher and
 * send pipeline against one DynamoDB Local table, with the outbox channel. Time moves only when
 * told, and `runUntil` jumps from one due task to the next, running the dispatcher at each, as
 * the minute-by-minute rule would have. Used by the journey stories and the simulator.
 */
export interface World {
  runtime: Runtime;
  engine: Engine;
  /** The table's store, with the webhook's writes (the handlers use this one). */
  store: WebhookStore;
  clock: ManualClock;
  /** Every message sent, in order. */
  sent: OutboxEntry[];
  /** Every domain event published, in order. */
  events: DomainEvent[];
  /** Ops alerts (subject and text), in order. */
  alerts: { at: string; subject: string; text: string }[];
  /** Sends a webhook through the real handler, then lets the order stream catch up (unless `settle: false`: the next runUntil does). */
  webhook(request: WebhookRequestInput, options?: { settle?: boolean }): Promise<WebhookAnswer>;
  /** Runs the order stream until it has nothing left to read. */
  settle(): Promise<void>;
  /** Runs every task due up to `until` at its due time, then sets the clock to `until`. The only way time moves. */
  runUntil(until: Date): Promise<DispatchReport[]>;
  stop(): Promise<void>;
}

export async function createWorld(options: { endpoint: string; tableName: string; clock: ManualClock; print?: (line: string) => void; onCapacity?: CapacityListener }): Promise<World> {
  await ensureTable(options.endpoint, options.tableName);
  const startBucket = bucketOf(options.clock.now());
  const client = createDocumentClient({ endpoint: options.endpoint });
  const store = new WebhookStore({ client, tableName: options.tableName, ...(options.onCapacity ? { onCapacity: options.onCapacity } : {}) });
  const publisher = collectingPublisher();
  const runtime = createRuntime(
    { CARELINE_TABLE: options.tableName, CARELINE_CHANNEL: 'outbox', AWS_REGION: 'us-east-1', DYNAMODB_ENDPOINT: options.endpoint },
    { store, clock: options.clock, publisher },
  );
  const outbox = outboxChannel({ clock: options.clock, file: null, print: options.print ?? (() => {}) });
  // One shop in a fresh table: one index partition per due bucket is plenty (AWS uses DUE_SHARDS),
  // and the dispatcher then reads one partition per bucket instead of eight.
  const engine = engineFor(runtime, { channels: { sms: outbox, email: outbox }, dueShards: 1 });
  // The world is its table's only dispatcher, so the watermark lives here rather than in an item
  // (in AWS the item is read and moved once a minute; here runs follow each other by the thousand).
  let storedWatermark: string | undefined;
  engine.tasks.getWatermark = async () => storedWatermark;
  engine.tasks.advanceWatermark = async (bucket) => {
    if (storedWatermark === undefined || bucket > storedWatermark) storedWatermark = bucket;
  };
  // The dispatcher starts reading at the world's first moment: time moves only through runUntil.
  await engine.tasks.advanceWatermark(startBucket);
  const alerts: World['alerts'] = [];
  engine.journeys.alertOps = async (subject, text) => {
    alerts.push({ at: options.clock.now().toISOString(), subject, text });
  };
  const poller = await startStreamPoller({
    endpoint: options.endpoint,
    tableName: options.tableName,
    intervalMs: 0,
    handler: async (event) => {
      setRuntime(runtime);
      const response = await orderStreamHandler(event, {} as Context);
      if (response.batchItemFailures.length) throw new Error('the order stream handler failed a record (see the log)');
      return response;
    },
  });

  let unsettled = true;
  const settle = async () => {
    if (!unsettled) return;
    unsettled = false;
    for (let round = 0; round < 50; round++) if ((await poller.pollOnce()) === 0) return;
    throw new Error('the order stream kept finding new records');
  };

  // Every due time a task was given (scheduled, moved, rescheduled, retried), by the whole
  // minute the dispatcher runs at (once a minute, as the rule does), with the earliest exact
  // time behind it: the bucket that task is indexed in, where the run starts reading. A
  // superset of what is waiting (a cancelled task leaves its time behind): a run that finds
  // nothing there costs little.
  const dueTimes = new Map<number, number>();
  const remember = (at: Date, indexedAt = at) => {
    const minute = Math.ceil(at.getTime() / 60_000) * 60_000;
    dueTimes.set(minute, Math.min(dueTimes.get(minute) ?? Infinity, indexedAt.getTime()));
  };
  const tasks = engine.tasks;
  const { schedule, move, complete, retryDead } = { schedule: tasks.schedule.bind(tasks), move: tasks.move.bind(tasks), complete: tasks.complete.bind(tasks), retryDead: tasks.retryDead.bind(tasks) };
  tasks.schedule = async (request, now, mode) => {
    const result = await schedule(request, now, mode);
    remember(request.dueAt > now ? request.dueAt : now);
    return result;
  };
  tasks.move = async (shopId, taskKey, dueAt, now) => {
    remember(dueAt > now ? dueAt : now);
    return move(shopId, taskKey, dueAt, now);
  };
  tasks.complete = async (task, completion, now) => {
    if (completion.outcome === 'reschedule' || completion.outcome === 'retry') remember(completion.dueAt > now ? completion.dueAt : now);
    return complete(task, completion, now);
  };
  tasks.retryDead = async (shopId, taskKey, now) => {
    remember(now);
    return retryDead(shopId, taskKey, now);
  };
  const nextDue = (): { at: Date; indexedAt: Date } | undefined => {
    let earliest: number | undefined;
    for (const at of dueTimes.keys()) if (earliest === undefined || at < earliest) earliest = at;
    return earliest === undefined ? undefined : { at: new Date(earliest), indexedAt: new Date(dueTimes.get(earliest)!) };
  };

  const dispatch = () => engine.dispatch(options.clock, () => 0, { ...DEFAULT_DISPATCH, concurrency: 4 });

  return {
    runtime,
    engine,
    store,
    clock: options.clock,
    sent: outbox.sent,
    events: (publisher as ReturnType<typeof collectingPublisher>).events,
    alerts,
    async webhook(request, webhookOptions = {}) {
      setRuntime(runtime);
      const result = (await webhookHandler(apiGatewayEvent(request), {} as Context)) as APIGatewayProxyStructuredResultV2;
      unsettled = true;
      if (webhookOptions.settle !== false) await settle();
      return { status: result.statusCode ?? 0, body: JSON.parse(result.body ?? '{}') as Record<string, unknown> };
    },
    async settle() {
      unsettled = true;
      await settle();
    },
    async runUntil(until) {
      if (until < options.clock.now()) throw new Error(`time only moves forward: it is ${options.clock.now().toISOString()}, not ${until.toISOString()}`);
      const reports: DispatchReport[] = [];
      let idle = 0;
      for (let guard = 0; guard < 100_000; guard++) {
        await settle();
        const due = nextDue();
        if (!due || due.at > until) break;
        const next = due.at;
        dueTimes.delete(next.getTime());
        const now = options.clock.now();
        // Nothing waits in an earlier bucket than the earliest task due by `next`, so the
        // dispatcher may start reading there (no empty buckets to walk).
        options.clock.set(next > now ? next : now);
        // (The watermark only moves forward: a run that left work behind has held it back.)
        await engine.tasks.advanceWatermark(bucketOf(due.indexedAt));
        const report = await dispatch();
        reports.push(report);
        // Tasks change no order, except a stall flag, which plans nothing: the order stream is read
        // before the next webhook is answered or the next run, not after every run.

        // More due than one query reads: the rest at once, from where the run held the watermark.
        if (report.backlog) remember(options.clock.now(), bucketStart(report.watermark));
        // A task indexed a little after its due time (its bucket starts later) is taken in the next minutes.
        if (report.claimed === 0 && report.seen > 0) {
          if (++idle > 10) throw new Error(`tasks due at ${next.toISOString()} are never taken`);
          remember(new Date(options.clock.now().getTime() + 60_000), bucketStart(report.watermark));
        } else idle = 0;
      }
      if (options.clock.now() < until) options.clock.set(until);
      return reports;
    },
    async stop() {
      await poller.stop();
      resetWebhookCaches();
    },
  };
}

/** The API Gateway (HTTP API) event the webhook Lambda receives for a request. */
export function apiGatewayEvent(call: WebhookRequestInput): APIGatewayProxyEventV2 {
  const body = Buffer.from(call.body);
  const path = `/webhooks/${call.platform}/${call.shopId}`;
  return {
    version: '2.0',
    routeKey: 'POST /webhooks/{platform}/{shopId}',
    rawPath: path,
    rawQueryString: '',
    headers: { 'content-type': 'application/json', ...call.headers },
    pathParameters: { platform: call.platform, shopId: call.shopId },
    requestContext: {
      accountId: 'local',
      apiId: 'local',
      domainName: 'localhost',
      domainPrefix: 'local',
      http: { method: 'POST', path, protocol: 'HTTP/1.1', sourceIp: '127.0.0.1', userAgent: 'careline-world' },
      requestId: 'local',
      routeKey: 'POST /webhooks/{platform}/{shopId}',
      stage: '$default',
      time: '',
      timeEpoch: 0,
    },
    body: body.toString('base64'),
    isBase64Encoded: true,
  };
}
