/**
 * Ingest benchmark (npm run bench:ingest), on one DynamoDB Local, in one run:
 *  1. webhook events per second through the full handler path (signature, parse, adapt, store)
 *     with 16 concurrent callers, next to raw PutItem of exactly the items that path wrote, at
 *     the same concurrency: the ratio is the cost of everything that is not the writes;
 *  2. write and read units per event type (ReturnConsumedCapacity), and for one order's life.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import { DynamoDBDocumentClient, PutCommand, DeleteCommand } from '@aws-sdk/lib-dynamodb';
import type { Context, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { handler, resetWebhookCaches } from '../functions/webhook/handler.ts';
import { createRuntime, logger, setRuntime } from '../functions/runtime.ts';
import { startDynamoDbLocal } from '../local/dynamodb-local.ts';
import { ensureTable } from '../local/table.ts';
import { systemClock } from '../shared/clock.ts';

import { CarelineStore, orderItemToAttributes } from '../shared/store/careline-store.ts';
import { createDocumentClient } from '../shared/store/dynamo-client.ts';
import { testShop } from '../tests/support/shops.ts';
import { type LifecycleStep, shopifyLifecycle } from '../tests/support/shopify-lifecycle.ts';
import { apiGatewayEvent, shopifyCall } from '../tests/support/webhooks.ts';

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';
logger.setLogLevel('ERROR'); // one log line per webhook would measure the terminal, not Careline

const ORDERS = Number(process.env.BENCH_ORDERS ?? 300);
const CONCURRENCY = 16;
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);

interface Capture {
  label: string;
  writes: { kind: 'put' | 'delete'; input: Record<string, unknown> }[];
  wcu: number;
  rcu: number;
}
const current = new AsyncLocalStorage<Capture>();

/** Records every write command made on behalf of the event being processed. */
function recordingClient(client: DynamoDBDocumentClient): DynamoDBDocumentClient {
  const send = client.send.bind(client);
  return new Proxy(client, {
    get(target, property, receiver) {
      if (property !== 'send') return Reflect.get(target, property, receiver);
      return (command: { input: Record<string, unknown>; constructor: { name: string } }) => {
        const capture = current.getStore();
        const name = command.constructor.name;
        // Order updates are recorded by the store wrapper below, as the item they leave behind.
        if (capture && name === 'PutCommand') capture.writes.push({ kind: 'put', input: command.input });
        if (capture && name === 'BatchWriteCommand') {
          const requests = Object.values(command.input.RequestItems as Record<string, { PutRequest?: { Item: object }; DeleteRequest?: { Key: object } }[]>)[0] ?? [];
          for (const request of requests) {
            if (request.PutRequest) capture.writes.push({ kind: 'put', input: { Item: request.PutRequest.Item } });
            if (request.DeleteRequest) capture.writes.push({ kind: 'delete', input: { Key: request.DeleteRequest.Key } });
          }
        }
        return send(command as never);
      };
    },
  });
}

/** Groups the recorded writes by order (the order item's key leads each event's writes). */
function writesPerOrder(captures: Capture[]): Capture['writes'][] {
  const perOrder = new Map<string, Capture['writes']>();
  for (const capture of captures) {
    const first = capture.writes[0]?.input;
    const pk = String((first?.Item as { pk?: string } | undefined)?.pk ?? '');
    perOrder.set(pk, [...(perOrder.get(pk) ?? []), ...capture.writes]);
  }
  return [...perOrder.values()];
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
  const dynamo = await startDynamoDbLocal();
  try {
    await ensureTable(dynamo.endpoint, 'bench-careline');
    await ensureTable(dynamo.endpoint, 'bench-raw');
    const raw = createDocumentClient({ endpoint: dynamo.endpoint });
    const store = new CarelineStore({
      client: recordingClient(createDocumentClient({ endpoint: dynamo.endpoint })),
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
      if (result.outcome === 'applied') current.getStore()?.writes.unshift({ kind: 'put', input: { Item: orderItemToAttributes(result.after) } });
      return result;
    };
    const shop = testShop({ shopId: 'bench' });
    await store.createShop(shop);
    setRuntime(createRuntime({ CARELINE_TABLE: 'bench-careline', AWS_REGION: 'us-east-1' }, { store, clock: systemClock }));
    resetWebhookCaches();
    const secret = shop.secrets[0]!.value;
    const context = {} as Context;

    console.log(`Careline ingest benchmark: ${ORDERS} orders × 7 events per round, ${CONCURRENCY} concurrent callers, ${ROUNDS} rounds, DynamoDB Local ${dynamo.endpoint}\n`);
    const rows: { ours: number; rawRate: number; events: number; writes: number }[] = [];
    const captures: Capture[] = [];
    const nodeCpuMsPerEvent: number[] = [];
    let previousWrites: Capture['writes'][] | undefined;
    for (let round = 0; round <= ROUNDS; round++) {
      const orders = lifecycles(round);
      // Requests are built and signed by the "platform" before the clock starts.
      const calls = orders.map((o) => o.steps.map((step) => ({ label: step.label, event: apiGatewayEvent(shopifyCall(o.shopId, step.topic, step.body, secret, step.webhookId)) })));
      const roundCaptures: Capture[] = [];

      const runOurs = async () => {
        const cpu = process.cpuUsage();
        const start = performance.now();
        await pool(calls, CONCURRENCY, async (steps) => {
          for (const { label, event } of steps) {
            const capture: Capture = { label, writes: [], wcu: 0, rcu: 0 };
            const result = (await current.run(capture, () => handler(event, context))) as APIGatewayProxyStructuredResultV2;
            if (result.statusCode !== 200) throw new Error(`webhook answered ${result.statusCode}: ${result.body}`);
            roundCaptures.push(capture);
          }
        });
        const used = process.cpuUsage(cpu);
        nodeCpuMsPerEvent.push((used.user + used.system) / 1000 / calls.flat().length);
        return (performance.now() - start) / 1000;
      };
      // The same item writes, raw, to a second table at the same concurrency, one order's writes in sequence.
      const runRaw = async (writeLists: Capture['writes'][]) => {
        const start = performance.now();
        await pool(writeLists, CONCURRENCY, async (writes) => {
          for (const write of writes) {
            if (write.kind === 'delete') await raw.send(new DeleteCommand({ TableName: 'bench-raw', Key: write.input.Key as Record<string, unknown> }));
            else await raw.send(new PutCommand({ TableName: 'bench-raw', Item: write.input.Item as Record<string, unknown> }));
          }
        });
        return (performance.now() - start) / 1000;
      };
      // The raw side replays what the webhook path wrote, so it needs a recording first: odd rounds
      // replay the previous round's recording before the webhook path runs, to cancel warm-up bias.
      const oursFirst = round % 2 === 0 || !previousWrites;
      let oursSeconds: number;
      let rawSeconds: number;
      if (oursFirst) {
        oursSeconds = await runOurs();
        rawSeconds = await runRaw(writesPerOrder(roundCaptures));
      } else {
        rawSeconds = await runRaw(previousWrites!);
        oursSeconds = await runOurs();
      }
      previousWrites = writesPerOrder(roundCaptures);
      if (round === 0) {
        console.log(`warm-up round: webhook path ${(roundCaptures.length / oursSeconds).toFixed(0)} events/s, raw ${(roundCaptures.length / rawSeconds).toFixed(0)} events/s (not counted)`);
        captures.push(...roundCaptures);
        continue;
      }
      const events = roundCaptures.length;
      const writes = roundCaptures.reduce((n, c) => n + c.writes.length, 0);
      rows.push({ ours: events / oursSeconds, rawRate: events / rawSeconds, events, writes });
      captures.push(...roundCaptures);
      console.log(
        `round ${round}: webhook path ${(events / oursSeconds).toFixed(0)} events/s; raw PutItem of the same ${writes} writes ${(events / rawSeconds).toFixed(0)} events/s (${(writes / rawSeconds).toFixed(0)} puts/s); ratio ${(rawSeconds === 0 ? 0 : oursSeconds / rawSeconds).toFixed(2)}x`,
      );
    }
    const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
    const ratio = median(rows.map((r) => r.rawRate / r.ours));
    console.log(`\n(1) median time ratio, webhook path ÷ raw writes: ${ratio.toFixed(2)}x   (target ≤ 1.25x)`);
    console.log(`    Node CPU per webhook event (signature, parse, adapt, merge, SDK): ${median(nodeCpuMsPerEvent).toFixed(2)} ms`);
    console.log(`    writes per event: ${(rows[0]!.writes / rows[0]!.events).toFixed(2)} item writes\n`);

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
