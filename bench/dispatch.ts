/**
 * Dispatcher benchmark (npm run bench:dispatch), in one run on DynamoDB Local:
 *  1. due message tasks executed per second through the dispatcher and the whole send pipeline
 *     (outbox channel), next to the same write requests sent raw at the same concurrency;
 *  2. read units of a dispatcher run with the same due work in a table of 1,000 and of 100,000
 *     customers (the cost must follow the due work, not the table);
 *  3. bundle size and cold-import time of each Lambda handler, next to a bare middy + zod handler.
 */
import { execFileSync } from 'node:child_process';
import { pathToFileURL } from 'node:url';
import { mkdirSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { build } from 'esbuild';
import { outboxChannel } from '../shared/channels/outbox.ts';
import { manualClock } from '../shared/clock.ts';
import { sendMessageTask } from '../shared/messages/message-task.ts';
import { sendMessageHandler } from '../shared/messages/send-task.ts';
import { CarelineStore } from '../shared/store/careline-store.ts';
import { createDocumentClient, type DocumentClient } from '../shared/store/dynamo-client.ts';
import { type RawTarget, type RecordedWrite, recordingClient, sendRaw } from './recorded-writes.ts';
import { keys } from '../shared/store/keys.ts';
import { MessageStore } from '../shared/store/message-store.ts';
import { TaskStore } from '../shared/store/task-store.ts';
import { DEFAULT_DISPATCH, runDispatcher } from '../shared/tasks/dispatcher.ts';
import { BUCKET_MS, bucketOf } from '../shared/tasks/task.ts';
import { type DynamoDbLocal, sdkDocumentClient, startDynamoDbLocal } from '../local/dynamodb-local.ts';
import { ensureTable } from '../local/table.ts';
import { testShop } from '../tests/support/shops.ts';

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';
const TASKS = Number(process.env.BENCH_TASKS ?? 600);
const CONCURRENCY = DEFAULT_DISPATCH.concurrency;
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
if (!Number.isInteger(ROUNDS) || ROUNDS < 1 || ROUNDS % 2 === 0) {
  console.error('bench:dispatch: BENCH_ROUNDS takes an odd whole number (1, 3, 5, …), so that one round is the median');
  process.exit(1);
}

function stores(client: DocumentClient, tableName: string, onRead?: (units: number) => void) {
  // Capacity is asked for only where it is counted, as in a deployment (no listener, no request for it).
  const options = { client, tableName, ...(onRead ? { onCapacity: (_: string, units: { read: number }) => onRead(units.read) } : {}) };
  return {
    store: new CarelineStore(options),
    tasks: new TaskStore(options),
    messages: new MessageStore(options),
  };
}

async function populateCustomers(client: DocumentClient, tableName: string, shopId: string, count: number, now: Date) {
  const items = Array.from({ length: count }, (_, i) => ({
    ...keys.profile(shopId, `c${i}`),
    shopId,
    customerId: `c${i}`,
    phone: phoneOf(i),
    smsConsent: 'subscribed',
    regionTimezone: 'Asia/Shanghai',
    orderCount: 1,
    totalSpentMinor: 0,
    version: 1,
    createdAt: now.toISOString(),
    updatedAt: now.toISOString(),
  }));
  const batches: (typeof items)[] = [];
  for (let i = 0; i < items.length; i += 25) batches.push(items.slice(i, i + 25));
  let next = 0;
  await Promise.all(
    Array.from({ length: 16 }, async () => {
      while (next < batches.length) {
        const batch = batches[next++]!;
        let requests = batch.map((Item) => ({ PutRequest: { Item } }));
        while (requests.length) {
          const result = await client.batchWrite({ RequestItems: { [tableName]: requests } });
          requests = (result.UnprocessedItems?.[tableName] ?? []) as typeof requests;
        }
      }
    }),
  );
}

const phoneOf = (customer: number) => `+86138${String(customer).padStart(8, '0')}`;

/** Due shipping notices, planned as the order journeys plan them (with the number they were planned for). */
async function scheduleDue(tasks: TaskStore, shopId: string, count: number, customers: number, now: Date, offset = 0) {
  for (let i = 0; i < count; i++) {
    const customer = (i * 7919 + offset) % customers;
    await tasks.schedule(
      sendMessageTask({ shopId, customerId: `c${customer}`, phone: phoneOf(customer), kind: 'order_shipped', messageKey: `shipped:${offset}:${i}`, dueAt: new Date(now.getTime() - 60_000), vars: { order_number: `#${i}`, carrier: 'SF', tracking_number: `SF${i}` } }),
      now,
    );
  }
}

/** One side-by-side round: `tasks` due messages through the dispatcher, then the same writes raw. */
async function round(client: DocumentClient, local: DynamoDbLocal, TASKS: number, name: string) {
  const endpoint = local.endpoint;
  const tableName = `bench-dispatch-${name}`;
  await ensureTable(endpoint, tableName, { stream: false });
  const now = new Date('2026-11-23T04:00:00.000Z'); // noon in Shanghai: nothing waits for quiet hours
  const clock = manualClock(now);
  const writes: RecordedWrite[] = [];
  const s = stores(recordingClient(client, (write) => writes.push(write)), tableName);
  const shop = testShop({ shopId: 'bench' });
  await s.store.createShop(shop);
  await populateCustomers(client, tableName, shop.shopId, TASKS, now);
  await scheduleDue(s.tasks, shop.shopId, TASKS, TASKS, now);
  // A dispatcher that has been running every minute: its watermark is the previous bucket, so
  // the run reads two buckets (not the hour a first run ever looks back over).
  await s.tasks.advanceWatermark(bucketOf(new Date(now.getTime() - BUCKET_MS)));
  writes.length = 0;
  const outbox = outboxChannel({ clock, file: null, print: () => {} });
  const handlers = { send_message: sendMessageHandler({ store: s.store, messages: s.messages, channels: { sms: outbox, email: outbox }, clock, loadShop: async () => shop }) };
  const cpu = cpuMeter(local);
  const started = performance.now();
  let done = 0;
  while (done < TASKS) {
    const report = await runDispatcher({ tasks: s.tasks, handlers, clock, elapsedMs: () => performance.now() - started }, { ...DEFAULT_DISPATCH, budgetMs: 10 * 60_000 });
    done += report.done;
    if (report.claimed === 0) break;
  }
  const oursSeconds = (performance.now() - started) / 1000;
  const oursCpu = cpu();
  if (outbox.sent.length !== TASKS) throw new Error(`sent ${outbox.sent.length} of ${TASKS}`);

  // The same write requests, without their conditions, into a fresh table at the same
  // concurrency, one task's writes in their order (a task's claim comes before its completion),
  // as the ingest benchmark replays one order's writes in order: once through Careline's own
  // client (the ratio), once through the AWS SDK's document client (for comparison).
  const replay = async (target: RawTarget, side: string) => {
    const rawTable = `bench-dispatch-${name}-${side}`;
    await ensureTable(endpoint, rawTable, { stream: false });
    const perTask = new Map<string, RecordedWrite[]>();
    for (const write of writes) {
      const task = /shipped:\d+:\d+/.exec(JSON.stringify(write.input))?.[0] ?? 'other';
      perTask.set(task, [...(perTask.get(task) ?? []), rawWrite(write, rawTable)]);
    }
    const sequences = [...perTask.values()];
    const rawCpuMeter = cpuMeter(local);
    const rawStarted = performance.now();
    let next = 0;
    await Promise.all(
      Array.from({ length: CONCURRENCY }, async () => {
        while (next < sequences.length) for (const write of sequences[next++]!) await sendRaw(target, write);
      }),
    );
    return { seconds: (performance.now() - rawStarted) / 1000, cpu: rawCpuMeter() };
  };
  const raw = await replay({ careline: client }, 'raw');
  const sdk = await replay({ sdk: sdkDocumentClient(endpoint) }, 'sdk');
  return { oursSeconds, oursCpu, writes: writes.length, raw, sdk };
}

async function part1(client: DocumentClient, local: DynamoDbLocal) {
  // A first round of the same size warms both sides (the JVM compiles DynamoDB Local's hot paths
  // as it goes: a warm-up a third the size still left the next round the slowest of five); then
  // ROUNDS measured rounds, each with its own side-by-side pair, and their median: on a shared
  // machine one pair can land on a slow or a fast second.
  const warm = await round(client, local, TASKS, 'warm-up');
  const rounds = [];
  for (let i = 0; i < ROUNDS; i++) rounds.push(await round(client, local, TASKS, `measured-${i}`));
  const ratios = rounds.map((r) => r.raw.seconds / r.oursSeconds);
  const median = [...rounds].sort((a, b) => a.raw.seconds / a.oursSeconds - b.raw.seconds / b.oursSeconds)[Math.floor(ROUNDS / 2)]!;
  const { oursSeconds, oursCpu, writes, raw, sdk } = median;
  console.log(`(1) ${TASKS} due message tasks, concurrency ${CONCURRENCY}, ${ROUNDS} rounds after a warm-up round (ratio ${(warm.raw.seconds / warm.oursSeconds).toFixed(2)}); the median round:`);
  console.log(`    through dispatcher + pipeline + outbox: ${(TASKS / oursSeconds).toFixed(0)} tasks/s (${(writes / TASKS).toFixed(1)} writes per task; ${describeCpu(oursCpu, TASKS)})`);
  console.log(`    the same ${writes} writes sent raw:  ${(TASKS / raw.seconds).toFixed(0)} tasks/s (${describeCpu(raw.cpu, TASKS)})`);
  console.log(`    ratio ${(raw.seconds / oursSeconds).toFixed(2)} (target ≥ 0.7); every round: ${ratios.map((r) => r.toFixed(2)).join(', ')}`);
  console.log(`    for comparison, the same writes through the AWS SDK's document client: ${(TASKS / sdk.seconds).toFixed(0)} tasks/s (${describeCpu(sdk.cpu, TASKS)}; ratio to it ${(sdk.seconds / oursSeconds).toFixed(2)})\n`);
}

/** CPU seconds this process and DynamoDB Local spend from now until the returned function is called. */
function cpuMeter(local: DynamoDbLocal): () => { node: number; java: number | undefined } {
  const node = process.cpuUsage();
  const java = local.cpuSeconds();
  return () => {
    const used = process.cpuUsage(node);
    const javaNow = local.cpuSeconds();
    return { node: (used.user + used.system) / 1e6, java: java === undefined || javaNow === undefined ? undefined : javaNow - java };
  };
}

function describeCpu(cpu: { node: number; java: number | undefined }, tasks: number): string {
  const perTask = (seconds: number) => `${((seconds / tasks) * 1000).toFixed(2)} ms`;
  return `CPU per task: Node ${perTask(cpu.node)}${cpu.java === undefined ? '' : `, DynamoDB Local ${perTask(cpu.java)}`}`;
}
function rawWrite(write: RecordedWrite, table: string): RecordedWrite {
  const { ConditionExpression: _c, ReturnValues: _r, ReturnValuesOnConditionCheckFailure: _f, ReturnConsumedCapacity: _u, ...input } = write.input;
  const names = input.ExpressionAttributeNames as Record<string, string> | undefined;
  const values = input.ExpressionAttributeValues as Record<string, unknown> | undefined;
  // Drop placeholders only the condition used (DynamoDB refuses unused ones).
  const text = String(input.UpdateExpression ?? '');
  const used = (placeholder: string) => text.includes(placeholder);
  const trimmed = {
    ...input,
    ...(names ? { ExpressionAttributeNames: Object.fromEntries(Object.entries(names).filter(([k]) => used(k))) } : {}),
    ...(values ? { ExpressionAttributeValues: Object.fromEntries(Object.entries(values).filter(([k]) => used(k))) } : {}),
  };
  for (const key of ['ExpressionAttributeNames', 'ExpressionAttributeValues'] as const) {
    if (trimmed[key] && Object.keys(trimmed[key] as object).length === 0) delete trimmed[key];
  }
  if (write.op === 'update') return { op: 'update', input: { ...trimmed, TableName: table } };
  if (write.op === 'put') return { op: 'put', input: { Item: input.Item, TableName: table } };
  const batch = Object.values(input.RequestItems as Record<string, unknown[]>)[0] ?? [];
  return { op: 'batchWrite', input: { RequestItems: { [table]: batch } } };
}

async function part2(client: DocumentClient, endpoint: string) {
  const results: { customers: number; rcu: number }[] = [];
  for (const customers of [1_000, 100_000]) {
    const tableName = `bench-scale-${customers}`;
    await ensureTable(endpoint, tableName, { stream: false });
    const now = new Date('2026-11-23T04:00:00.000Z');
    const clock = manualClock(now);
    const setup = stores(client, tableName);
    const shop = testShop({ shopId: 'bench' });
    await setup.store.createShop(shop);
    const t0 = performance.now();
    await populateCustomers(client, tableName, shop.shopId, customers, now);
    // Every customer also has a task waiting far in the future: they must cost the run nothing.
    for (let i = 0; i < Math.min(customers, 2_000); i++) {
      await setup.tasks.schedule({ shopId: shop.shopId, taskKey: `later:${i}`, kind: 'send_message', dueAt: new Date(now.getTime() + 30 * 86_400_000), payload: {} }, now);
    }
    await scheduleDue(setup.tasks, shop.shopId, 200, customers, now, 1);
    const populated = ((performance.now() - t0) / 1000).toFixed(0);
    let rcu = 0;
    const s = stores(client, tableName, (units) => (rcu += units));
    const outbox = outboxChannel({ clock, file: null, print: () => {} });
    const handlers = { send_message: sendMessageHandler({ store: s.store, messages: s.messages, channels: { sms: outbox, email: outbox }, clock, loadShop: async () => shop }) };
    await runDispatcher({ tasks: s.tasks, handlers, clock, elapsedMs: () => 0 }, DEFAULT_DISPATCH);
    results.push({ customers, rcu });
    console.log(`    ${customers.toLocaleString('en')} customers (populated in ${populated} s): one run over 200 due tasks read ${rcu.toFixed(1)} RCU, sent ${outbox.sent.length}`);
  }
  const [small, large] = [results[0]!, results[1]!];
  console.log(`    difference ${((Math.abs(large.rcu - small.rcu) / small.rcu) * 100).toFixed(1)}% (target ≤ 5%)\n`);
}

async function part3() {
  // Inside the project, so the bundles' externals (@aws-sdk/*) resolve as the Lambda runtime's would.
  const dir = resolve('.careline', 'bench-bundles');
  const bare = 'bench/bare-handler.ts';
  const entries: [string, string][] = [
    ['bare middy + zod', bare],
    ['bare + SDK DynamoDB', 'bench/bare-sdk-handler.ts'],
    ['bare + Node HTTPS', 'bench/bare-https-handler.ts'],
    ['webhook', 'functions/webhook/handler.ts'],
    ['order-stream', 'functions/order-stream/handler.ts'],
    ['dispatcher', 'functions/dispatcher/handler.ts'],
    ['mailer', 'functions/mailer/handler.ts'],
    ['inbound-sms', 'functions/inbound-sms/handler.ts'],
    ['unsubscribe', 'functions/unsubscribe/handler.ts'],
  ];
  mkdirSync(join(dir, 'out'), { recursive: true });
  const rows: { name: string; kb: number; ms: number }[] = [];
  for (const [name, entry] of entries) {
    const outfile = join(dir, 'out', `${name.replaceAll(/\W+/g, '-')}.mjs`);
    // The same settings as the CDK bundling (infra/constructs/careline-function.ts).
    await build({
      entryPoints: [entry],
      outfile,
      bundle: true,
      platform: 'node',
      format: 'esm',
      target: 'node22',
      minify: true,
      external: ['@aws-sdk/*'],
      banner: { js: "import { createRequire } from 'module'; const require = createRequire(import.meta.url);" },
      logLevel: 'silent',
    });
    const kb = statSync(outfile).size / 1024;
    rows.push({ name, kb, ms: medianImportMs(pathToFileURL(outfile).href) });
  }
  const [bareRow, sdkRow, httpsRow] = rows as [typeof rows[0], typeof rows[0], typeof rows[0]];
  console.log('(3) bundles (AWS SDK external, as deployed) and cold import, median of 7 fresh processes');
  for (const row of rows) {
    console.log(
      `    ${row.name.padEnd(20)} ${row.kb.toFixed(0).padStart(5)} KB ${row.kb <= 150 ? '     ' : ' (!) '} import ${row.ms.toFixed(1).padStart(6)} ms  ${(row.ms / bareRow.ms).toFixed(2).padStart(5)}x bare  ${(row.ms / httpsRow.ms).toFixed(2)}x bare + Node HTTPS  ${(row.ms / sdkRow.ms).toFixed(2)}x bare + SDK DynamoDB`,
    );
  }
  console.log("    targets: ≤ 150 KB, ≤ 1.3x bare init; 'bare + Node HTTPS' adds Node's HTTPS, TLS and crypto modules (what any handler that calls AWS loads), 'bare + SDK DynamoDB' the AWS SDK's DynamoDB document client (Careline's handlers use their own)");
  // The dispatcher and the order stream load these when they first publish, not when they start:
  // a container's first send or first event pays them once.
  const deferred = ['@aws-sdk/client-sns', '@aws-sdk/client-eventbridge'].map((name) => `${name.replace('@aws-sdk/', '')} ${medianImportMs(name).toFixed(1)} ms`);
  console.log(`    loaded on first use, once per container (import alone, same way): ${deferred.join(', ')}; the mailer loads client-sesv2 at start`);
}

/** Median time to import a module (a bundle file URL or a package name) in 7 fresh Node processes. */
function medianImportMs(specifier: string): number {
  const times: number[] = [];
  for (let i = 0; i < 7; i++) {
    const out = execFileSync(process.execPath, ['-e', `const t=performance.now();import(${JSON.stringify(specifier)}).then(()=>console.log(performance.now()-t))`], { encoding: 'utf8' });
    times.push(Number(out.trim()));
  }
  return times.sort((a, b) => a - b)[3]!;
}

const dynamo = await startDynamoDbLocal({ heapMb: 2048 });
try {
  const client = createDocumentClient({ endpoint: dynamo.endpoint });
  console.log(`Careline dispatcher benchmark on DynamoDB Local ${dynamo.endpoint}\n`);
  // BENCH_PARTS=1,3 runs only some parts.
  const parts = (process.env.BENCH_PARTS ?? '1,2,3').split(',');
  if (parts.includes('1')) await part1(client, dynamo);
  if (parts.includes('2')) {
    console.log('(2) read units of one dispatcher run with the same due work');
    await part2(client, dynamo.endpoint);
  }
  if (parts.includes('3')) await part3();
} finally {
  await dynamo.stop();
}
