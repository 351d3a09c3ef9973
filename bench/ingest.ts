/**
 * Ingest benchmark (npm run bench:ingest), on one DynamoDB Local, in one run:
 *  1. webhook events per second through the full handler path (signature, parse, adapt, store)
 *     with 16 concurrent callers, next to raw PutItem of exactly the items that path wrote, at
 *     the same concurrency: the ratio is the cost of everything that is not the writes;
 *  2. write and read units per event type (ReturnConsumedCapacity), and for one order's life.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import type { Context, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { handler, resetWebhookCaches } from '../functions/webhook/handler.ts';
import { createRuntime, logger, setRuntime } from '../functions/runtime.ts';
import { startDynamoDbLocal } from '../local/dynamodb-local.ts';
import { ensureTable } from '../local/table.ts';
import { systemClock } from '../shared/clock.ts';

import { orderItemToAttributes } from '../shared/store/careline-store.ts';
import { WebhookStore } from '../shared/store/webhook-store.ts';
import { createDocumentClient } from '../shared/store/dynamo-client.ts';
import { type RecordedWrite, recordingClient, sendRaw } from './recorded-writes.ts';
import { keys } from '../shared/store/keys.ts';
import { testShop } from '../tests/support/shops.ts';
import { type LifecycleStep, shopifyLifecycle } from '../tests/support/shopify-lifecycle.ts';
import { apiGatewayEvent, shopifyCall } from '../tests/support/webhooks.ts';

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';
logger.setLogLevel('ERROR'); // one log line per webhook would measure the terminal, not Careline

const ORDERS = Number(process.env.BENCH_ORDERS ?? 300);
const CONCURRENCY = 16;
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);

/** What one webhook event cost: its write requests as sent, the items they left, and capacity units. */
interface Capture {
  label: string;
  /** The write requests exactly as the webhook path sent them. */
  requests: RecordedWrite[];
  /** The items those requests left in the table, as plain PutItem / DeleteItem. */
  items: { kind: 'put' | 'delete'; key?: Record<string, unknown>; item?: Record<string, unknown> }[];
  wcu: number;
  rcu: number;
}
const current = new AsyncLocalStorage<Capture>();

/** Records a write request made on behalf of the event being processed (a copy: the store may reuse its input). */
function record(write: RecordedWrite): void {
  const capture = current.getStore();
  if (!capture) return;
  capture.requests.push({ op: write.op, input: structuredClone(write.input) });
  // Order and profile updates are recorded as items by the store wrappers in main().
  if (write.op === 'put') capture.items.push({ kind: 'put', item: write.input.Item as Record<string, unknown> });
  if (write.op === 'batchWrite') {
    const requests = Object.values(write.input.RequestItems as Record<string, { PutRequest?: { Item: Record<string, unknown> }; DeleteRequest?: { Key: Record<string, unknown> } }[]>)[0] ?? [];
    for (const request of requests) {
      if (request.PutRequest) capture.items.push({ kind: 'put', item: request.PutRequest.Item });
      if (request.DeleteRequest) capture.items.push({ kind: 'delete', key: request.DeleteRequest.Key });
    }
  }
}

/** A recorded write request, addressed to another table. */
function rawWrite(request: RecordedWrite, table: string): RecordedWrite {
  const input: Record<string, unknown> = { ...request.input, ReturnConsumedCapacity: undefined };
  if (request.op !== 'batchWrite') return { op: request.op, input: { ...input, TableName: table } };
  const batch = Object.values(input.RequestItems as Record<string, unknown[]>)[0] ?? [];
  return { op: 'batchWrite', input: { RequestItems: { [table]: batch } } };
}

async function pool<T>(items: T[], concurrency: number, work: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < items.length) await work(items[next++]!);
    }),
  );
}

function lifecycles(round: number): { shopId: string; steps: LifecycleStep[] }[] {
  return Array.from({ length: ORDERS }, (_, i) => ({
    shopId: 'bench',
    steps: shopifyLifecycle({
      orderId: String(5_600_000_000_000_000_000n + BigInt(round * 100_000 + i)),
      customerId: String(7_000_000_000_000_000_000n + BigInt(round * 100_000 + i)),
      placedAt: new Date(Date.UTC(2026, 10, 1) + i * 60_000),
      phone: `+86138${String(10_000_000 + round * 100_000 + i).slice(-8)}`,
    }),
  }));
}

async function main(): Promise<void> {
  const dynamo = await startDynamoDbLocal({ heapMb: 2048 }); // every round writes fresh tables: room for them
  try {
    // No stream on any bench table: DynamoDB Local keeps stream records in memory, which would
    // slow the tables down as the run goes on (in AWS a stream costs a write nothing).
    await ensureTable(dynamo.endpoint, 'bench-careline', { stream: false });
    const raw = createDocumentClient({ endpoint: dynamo.endpoint });
    const store = new WebhookStore({
      client: recordingClient(createDocumentClient({ endpoint: dynamo.endpoint }), record),
      tableName: 'bench-careline',
      onCapacity: (_operation, units) => {
        const capture = current.getStore();
        if (capture) {
          capture.wcu += units.write;
          capture.rcu += units.read;
        }
      },
    });
    // The raw side writes each order update as a PutItem of the item that update produced.
    const updateOrder = store.updateOrder.bind(store);
    store.updateOrder = async (ids, delta, now) => {
      const result = await updateOrder(ids, delta, now);
      if (result.outcome === 'applied') current.getStore()?.items.unshift({ kind: 'put', item: orderItemToAttributes(result.after) });
      return result;
    };
    const updateProfile = store.updateProfile.bind(store);
    store.updateProfile = async (ids, delta, now) => {
      const result = await updateProfile(ids, delta, now);
      current.getStore()?.items.push({ kind: 'put', item: { ...keys.profile(ids.shopId, ids.customerId), ...result.after } });
      return result;
    };
    const shop = testShop({ shopId: 'bench' });
    await store.createShop(shop);
    setRuntime(createRuntime({ CARELINE_TABLE: 'bench-careline', AWS_REGION: 'us-east-1' }, { store, clock: systemClock }));
    resetWebhookCaches();
    const secret = shop.secrets[0]!.value;
    const context = {} as Context;

    console.log(`Careline ingest benchmark: ${ORDERS} orders × 7 events per round, ${CONCURRENCY} concurrent callers, ${ROUNDS} rounds after a warm-up, DynamoDB Local ${dynamo.endpoint}\n`);
    const captures: Capture[] = [];
    const rows: { ours: number; items: number; requests: number }[] = [];
    const nodeCpuMsPerEvent: number[] = [];
    let tableNumber = 0;
    const freshTable = async () => {
      const name = `bench-raw-${tableNumber++}`;
      await ensureTable(dynamo.endpoint, name, { stream: false });
      return name;
    };

    const runOurs = async (calls: { label: string; event: ReturnType<typeof apiGatewayEvent> }[][]) => {
      const recorded: Capture[][] = [];
      const cpu = process.cpuUsage();
      const start = performance.now();
      await pool(calls, CONCURRENCY, async (steps) => {
        const orderCaptures: Capture[] = [];
        recorded.push(orderCaptures);
        for (const { label, event } of steps) {
          const capture: Capture = { label, requests: [], items: [], wcu: 0, rcu: 0 };
          const result = (await current.run(capture, () => handler(event, context))) as APIGatewayProxyStructuredResultV2;
          if (result.statusCode !== 200) throw new Error(`webhook answered ${result.statusCode}: ${result.body}`);
          orderCaptures.push(capture);
        }
      });
      const seconds = (performance.now() - start) / 1000;
      const used = process.cpuUsage(cpu);
      nodeCpuMsPerEvent.push((used.user + used.system) / 1000 / calls.flat().length);
      return { seconds, recorded };
    };
    // Baseline A: PutItem (or DeleteItem) of exactly the items the webhook path left, into a fresh table.
    const runItems = async (recorded: Capture[][]) => {
      const table = await freshTable();
      const start = performance.now();
      await pool(recorded, CONCURRENCY, async (order) => {
        for (const write of order.flatMap((c) => c.items)) {
          if (write.kind === 'delete') await raw.delete({ TableName: table, Key: write.key! });
          else await raw.put({ TableName: table, Item: write.item! });
        }
      });
      return (performance.now() - start) / 1000;
    };
    // Baseline B: the very same write requests (conditional updates included), sent raw into a fresh table.
    const runRequests = async (recorded: Capture[][]) => {
      const table = await freshTable();
      const start = performance.now();
      await pool(recorded, CONCURRENCY, async (order) => {
        for (const request of order.flatMap((c) => c.requests)) await sendRaw({ careline: raw }, rawWrite(request, table));
      });
      return (performance.now() - start) / 1000;
    };

    let previous: Capture[][] | undefined;
    for (let round = 0; round <= ROUNDS; round++) {
      // Requests are built and signed by the "platform" before the clock starts.
      const calls = lifecycles(round).map((o) =>
        o.steps.map((step) => ({ label: step.label, event: apiGatewayEvent(shopifyCall(o.shopId, step.topic, step.body, secret, step.webhookId)) })),
      );
      // Alternate which side runs first so that warming up favours neither; a raw side that runs
      // first replays the previous round's recording (the same shape of work) into a fresh table.
      let ours: Awaited<ReturnType<typeof runOurs>>;
      let itemsSeconds: number;
      let requestsSeconds: number;
      if (round % 2 === 1 && previous) {
        requestsSeconds = await runRequests(previous);
        itemsSeconds = await runItems(previous);
        ours = await runOurs(calls);
      } else {
        ours = await runOurs(calls);
        itemsSeconds = await runItems(ours.recorded);
        requestsSeconds = await runRequests(ours.recorded);
      }
      previous = ours.recorded;
      const events = calls.flat().length;
      captures.push(...ours.recorded.flat());
      const line = `webhook path ${(events / ours.seconds).toFixed(0)} events/s; raw PutItem of the same items ${(events / itemsSeconds).toFixed(0)} events/s; the same write requests sent raw ${(events / requestsSeconds).toFixed(0)} events/s`;
      if (round === 0) {
        console.log(`warm-up: ${line} (not counted)`);
        continue;
      }
      rows.push({ ours: ours.seconds, items: itemsSeconds, requests: requestsSeconds });
      console.log(`round ${round}: ${line}; ratios ${(ours.seconds / itemsSeconds).toFixed(2)}x / ${(ours.seconds / requestsSeconds).toFixed(2)}x`);
    }
    const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
    const firstRound = captures.slice(0, ORDERS * 7);
    const items = firstRound.reduce((n, c) => n + c.items.length, 0) / firstRound.length;
    const requests = firstRound.reduce((n, c) => n + c.requests.length, 0) / firstRound.length;
    console.log(`\n(1) median time ratio, webhook path ÷ raw PutItem of the same items:   ${median(rows.map((r) => r.ours / r.items)).toFixed(2)}x   (target ≤ 1.25x)`);
    console.log(`    median time ratio, webhook path ÷ the same write requests sent raw: ${median(rows.map((r) => r.ours / r.requests)).toFixed(2)}x`);
    console.log(`    per event: ${items.toFixed(2)} items written, ${requests.toFixed(2)} write requests, 0 reads; Node CPU ${median(nodeCpuMsPerEvent).toFixed(2)} ms`);
    console.log(`    (on DynamoDB Local an UpdateItem costs more than a PutItem of the same item; the second ratio leaves that out)\n`);

    // (2) capacity units per event type.
    const byLabel = new Map<string, { n: number; wcu: number; rcu: number }>();
    for (const c of captures) {
      const row = byLabel.get(c.label) ?? { n: 0, wcu: 0, rcu: 0 };
      row.n++;
      row.wcu += c.wcu;
      row.rcu += c.rcu;
      byLabel.set(c.label, row);
    }
    console.log('(2) capacity units per event (ReturnConsumedCapacity)');
    console.log('    event                    events   WCU/event   RCU/event');
    let lifeWcu = 0;
    let lifeRcu = 0;
    const stepsPerLife = shopifyLifecycle({ orderId: '1', customerId: '2', placedAt: new Date() }).map((s) => s.label);
    for (const [label, row] of byLabel) {
      console.log(`    ${label.padEnd(24)} ${String(row.n).padStart(6)}   ${(row.wcu / row.n).toFixed(2).padStart(9)}   ${(row.rcu / row.n).toFixed(2).padStart(9)}`);
    }
    for (const label of stepsPerLife) {
      const row = byLabel.get(label)!;
      lifeWcu += row.wcu / row.n;
      lifeRcu += row.rcu / row.n;
    }
    console.log(`\n    one order's life (${stepsPerLife.length} events: create, pay, ship, 3 checkpoints, deliver): ${lifeWcu.toFixed(1)} WCU, ${lifeRcu.toFixed(1)} RCU`);
    console.log(`    average per event: ${(lifeWcu / stepsPerLife.length).toFixed(2)} WCU   (target ≤ 4)`);
  } finally {
    await dynamo.stop();
  }
}

await main();
