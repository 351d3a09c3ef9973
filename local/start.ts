import { randomBytes } from 'node:crypto';
import type { Context } from 'aws-lambda';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { handler as orderStreamHandler } from '../functions/order-stream/handler.ts';
import { handler as webhookHandler } from '../functions/webhook/handler.ts';
import { createRuntime, setRuntime } from '../functions/runtime.ts';
import { systemClock } from '../shared/clock.ts';
import { shopSchema } from '../shared/shops/shop.ts';
import { startDynamoDbLocal } from './dynamodb-local.ts';
import { createLocalServer, type HttpHandler } from './http-server.ts';
import { LOCAL_DIR, LOCAL_TABLE, writeLocalState } from './local-state.ts';
import { sampleCurl } from './sample-webhook.ts';
import { handler as unsubscribeHandler } from '../functions/unsubscribe/handler.ts';
import { startDispatcherLoop } from './dispatcher-loop.ts';
import { localSecret } from './local-state.ts';
import { startStreamPoller } from './stream-poller.ts';
import { ensureTable } from './table.ts';

/**
 * `npm start`: DynamoDB Local (data under .careline/), the table, and an HTTP server that hands
 * requests to the same Lambda handlers API Gateway calls in AWS.
 */
async function main(): Promise<void> {
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true'; // Lambda runs Node 22+; this is Node 20
  const port = Number(process.env.PORT ?? 3000);
  const dataDir = join(LOCAL_DIR, 'dynamodb');
  mkdirSync(dataDir, { recursive: true });

  const dynamo = await startDynamoDbLocal({ dataDir });
  await ensureTable(dynamo.endpoint, LOCAL_TABLE);
  const url = `http://127.0.0.1:${port}`;
  const runtime = createRuntime({
    CARELINE_TABLE: LOCAL_TABLE,
    DYNAMODB_ENDPOINT: dynamo.endpoint,
    AWS_REGION: 'us-east-1',
    CARELINE_CHANNEL: 'outbox',
    CARELINE_OUTBOX_FILE: join(LOCAL_DIR, 'outbox.jsonl'),
    CARELINE_PUBLIC_URL: `${url}/`,
    CARELINE_UNSUBSCRIBE_SECRETS: localSecret('unsubscribe'),
  });
  setRuntime(runtime);
  // Domain events: the table's stream feeds the same handler as in AWS (locally it logs them).
  const poller = await startStreamPoller({
    endpoint: dynamo.endpoint,
    tableName: LOCAL_TABLE,
    handler: async (event) => orderStreamHandler(event, {} as Context),
  });

  const server = createLocalServer([
    { method: 'POST', path: '/webhooks/{platform}/{shopId}', handler: webhookHandler as unknown as HttpHandler },
    { method: 'GET', path: '/u/{token}', handler: unsubscribeHandler as unknown as HttpHandler },
    { method: 'POST', path: '/u/{token}', handler: unsubscribeHandler as unknown as HttpHandler },
  ]);
  // The dispatcher, every minute of real time, as the EventBridge rule runs it in AWS.
  const dispatcher = startDispatcherLoop(runtime, Number(process.env.CARELINE_DISPATCH_INTERVAL_MS ?? 60_000));
  await new Promise<void>((resolve, reject) => {
    server.once('error', (error: NodeJS.ErrnoException) =>
      reject(error.code === 'EADDRINUSE' ? new Error(`port ${port} is in use: set PORT to another port`) : error),
    );
    server.listen(port, '127.0.0.1', resolve);
  });
  writeLocalState({ url, port, dynamodbEndpoint: dynamo.endpoint, tableName: LOCAL_TABLE, pid: process.pid, startedAt: new Date().toISOString() });

  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    console.log(`\n${signal}: stopping Careline…`);
    server.close();
    server.closeAllConnections();
    await poller.stop();
    await dispatcher.stop();
    await dynamo.stop();
    process.exit(0);
  };
  process.on('SIGINT', () => void stop('SIGINT'));
  process.on('SIGTERM', () => void stop('SIGTERM'));

  console.log(`Careline is running at ${url}`);
  console.log(`  webhooks:       POST ${url}/webhooks/{shopify|woocommerce|careline|kuaidi100|aftership}/{shopId}`);
  console.log(`  messages:       printed here and appended to ${join(LOCAL_DIR, 'outbox.jsonl')} (nothing is sent)`);
  console.log(`  DynamoDB Local: ${dynamo.endpoint} (table ${LOCAL_TABLE}, data in ${dataDir})`);

  let demo = await runtime.store.getShop('demo');
  if (!demo) {
    demo = shopSchema.parse({
      shopId: 'demo',
      platform: 'shopify',
      secrets: [{ value: randomBytes(24).toString('hex'), addedAt: systemClock.now().toISOString() }],
      timezone: 'Asia/Shanghai',
      locale: 'zh-CN',
      currency: 'CNY',
      country: 'CN',
      vipThresholdMinor: 200_000,
      messaging: { shopName: 'Careline Demo' },
      createdAt: systemClock.now().toISOString(),
    });
    await runtime.store.createShop(demo);
    console.log(`\nCreated the demo shop "demo" (platform shopify).`);
  }
  const secret = demo.secrets[0]!.value;
  console.log(`  demo shop secret: ${secret}`);
  console.log(`\nSend it a signed Shopify orders/create webhook:\n\n${sampleCurl({ dir: LOCAL_DIR, url, shopId: demo.shopId, secret, now: new Date() })}\n`);
  console.log(`Then see it:  npx careline timeline demo 7012345678901234567`);
  console.log(`              npx careline order demo 5678901234567890123\n`);
  console.log('Press Ctrl-C to stop.');
}

main().catch((error: Error) => {
  console.error(`Careline could not start: ${error.message}`);
  process.exit(1);
});
