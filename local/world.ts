import { ScanCommand } from '@aws-sdk/lib-dynamodb';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2, Context } from 'aws-lambda';
import { type Engine, engineFor } from '../functions/engine.ts';
import { handler as orderStreamHandler } from '../functions/order-stream/handler.ts';
import { createRuntime, type Runtime, setRuntime } from '../functions/runtime.ts';
import { handler as webhookHandler, resetWebhookCaches } from '../functions/webhook/handler.ts';
import { outboxChannel, type OutboxEntry } from '../shared/channels/outbox.ts';
import type { ManualClock } from '../shared/clock.ts';
import { collectingPublisher } from '../shared/events/publisher.ts';
import type { DomainEvent } from '../shared/orders/order-effects.ts';
import { CarelineStore } from '../shared/store/careline-store.ts';
import { createDocumentClient } from '../shared/store/dynamo-client.ts';
import { TABLE } from '../shared/store/keys.ts';
import { DEFAULT_DISPATCH, type DispatchReport, runDispatcher } from '../shared/tasks/dispatcher.ts';
import { bucketOf } from '../shared/tasks/task.ts';
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
  store: CarelineStore;
  clock: ManualClock;
  /** Every message sent, in order. */
  sent: OutboxEntry[];
  /** Every domain event published, in order. */
  events: DomainEvent[];
  /** Ops alerts (subject and text), in order. */
  alerts: { at: string; subject: string; text: string }[];
  /** Sends a webhook through the real handler, then lets the order stream catch up. */
  webhook(request: WebhookRequestInput): Promise<WebhookAnswer>;
  /** Runs the order stream until it has nothing left to read. */
  settle(): Promise<void>;
  /** Runs every task due up to `until` at its due time, then sets the clock to `until`. The only way time moves. */
  runUntil(until: Date): Promise<DispatchReport[]>;
  stop(): Promise<void>;
}

export async function createWorld(options: { endpoint: string; tableName: string; clock: ManualClock; print?: (line: string) => void }): Promise<World> {
  await ensureTable(options.endpoint, options.tableName);
  const startBucket = bucketOf(options.clock.now());
  const client = createDocumentClient({ endpoint: options.endpoint });
  const store = new CarelineStore({ client, tableName: options.tableName });
  const publisher = collectingPublisher();
  const runtime = createRuntime(
    { CARELINE_TABLE: options.tableName, CARELINE_CHANNEL: 'outbox', AWS_REGION: 'us-east-1', DYNAMODB_ENDPOINT: options.endpoint },
    { store, clock: options.clock, publisher },
  );
  const outbox = outboxChannel({ clock: options.clock, file: null, print: options.print ?? (() => {}) });
  const engine = engineFor(runtime, { channels: { sms: outbox, email: outbox } });
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

  const settle = async () => {
    for (let round = 0; round < 50; round++) if ((await poller.pollOnce()) === 0) return;
    throw new Error('the order stream kept finding new records');
  };

  /** The earliest due time of a waiting task: a scan of the sparse due index (the local table only). */
  const nextDueAt = async (): Promise<Date | undefined> => {
    let earliest: string | undefined;
    let start: Record<string, unknown> | undefined;
    do {
      const page = await client.send(
        new ScanCommand({
          TableName: options.tableName,
          IndexName: TABLE.dueIndex.name,
          FilterExpression: 'begins_with(#pk, :due)',
          ExpressionAttributeNames: { '#pk': TABLE.dueIndex.partitionKey, '#dueAt': 'dueAt' },
          ExpressionAttributeValues: { ':due': 'DUE#' },
          ProjectionExpression: '#dueAt',
          ExclusiveStartKey: start,
        }),
      );
      for (const item of page.Items ?? []) if (typeof item.dueAt === 'string' && (!earliest || item.dueAt < earliest)) earliest = item.dueAt;
      start = page.LastEvaluatedKey;
    } while (start);
    return earliest ? new Date(earliest) : undefined;
  };

  const dispatch = () =>
    runDispatcher(
      { tasks: engine.tasks, handlers: engine.handlers, clock: options.clock, elapsedMs: () => 0, onDead: engine.onDead },
      { ...DEFAULT_DISPATCH, concurrency: 4 },
    );

  return {
    runtime,
    engine,
    store,
    clock: options.clock,
    sent: outbox.sent,
    events: (publisher as ReturnType<typeof collectingPublisher>).events,
    alerts,
    async webhook(request) {
      setRuntime(runtime);
      const result = (await webhookHandler(apiGatewayEvent(request), {} as Context)) as APIGatewayProxyStructuredResultV2;
      await settle();
      return { status: result.statusCode ?? 0, body: JSON.parse(result.body ?? '{}') as Record<string, unknown> };
    },
    settle,
    async runUntil(until) {
      if (until < options.clock.now()) throw new Error(`time only moves forward: it is ${options.clock.now().toISOString()}, not ${until.toISOString()}`);
      const reports: DispatchReport[] = [];
      await settle();
      let idle = 0;
      for (let guard = 0; guard < 100_000; guard++) {
        const next = await nextDueAt();
        if (!next || next > until) break;
        const now = options.clock.now();
        // Nothing waits before `next`, so the dispatcher may start reading there (no empty buckets to walk).
        options.clock.set(next > now ? next : now);
        await engine.tasks.advanceWatermark(bucketOf(options.clock.now()));
        const report = await dispatch();
        reports.push(report);
        await settle();
        // A task indexed a little after its due time is taken a few minutes later; one never taken is a bug.
        if (report.claimed > 0) idle = 0;
        else if (++idle > 10) throw new Error(`a task due at ${next.toISOString()} is never taken`);
        else options.clock.advance(60_000);
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
